//! Accounts: one company, however its name is written.
//!
//! Leads carry an account (the `account` of their `created` event). [`normalize`]
//! writes a company name or email domain in one normal form, and [`AccountNames`]
//! maps aliases to one account, so that "American Express Co.", "american express"
//! and "AMEX" are one account once aliased, in the roll-up and in any analysis a
//! host runs over its own records. The roll-up itself (distinct engaged contacts per
//! account, the `account_engaged` effect, the qualification lift) is the
//! [`LeadBook`](crate::LeadBook)'s: `docs/accounts.md` ([`docs::accounts`](crate::docs::accounts))
//! describes it.

mod names;
mod normalize;

pub use names::{AccountNames, AliasAdded, AliasError};
pub use normalize::normalize;
