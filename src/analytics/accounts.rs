//! Accounts: the leads of each account, under one name however the feed spells it.

use super::journal::Journal;
use crate::accounts::AccountNames;
use crate::event::EventKind;
use crate::policy::Policy;
use crate::stage::Stage;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One account's leads and how far they went.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AccountFigures {
    /// Leads of the account that entered the waterfall.
    pub leads: u64,
    /// Those leads per stage now.
    pub stages: BTreeMap<Stage, u64>,
    /// Those that ever entered `opportunity`.
    pub opportunities: u64,
    /// Those that ever became a customer.
    pub customers: u64,
    /// The account's `account_engaged` effects: how often it crossed the roll-up's
    /// thresholds.
    pub engaged: u64,
}

impl AccountFigures {
    fn merge(&mut self, other: &AccountFigures) {
        self.leads += other.leads;
        for (stage, n) in &other.stages {
            *self.stages.entry(*stage).or_default() += n;
        }
        self.opportunities += other.opportunities;
        self.customers += other.customers;
        self.engaged += other.engaged;
    }
}

/// Every account's figures, by the account's canonical name: the policy's
/// `[accounts.aliases]` and the journal's `account_alias` events applied in order
/// (one the engine would refuse is skipped here too), names normalised as
/// [`normalize`](crate::accounts::normalize) does, so "American Express Co." and
/// "AMEX" count as one account when aliased. Leads without an account are left out.
pub(super) fn account_figures(
    journal: &Journal,
    policy: &Policy,
) -> BTreeMap<String, AccountFigures> {
    let table = policy.accounts.as_ref().map(|a| &a.aliases);
    // A policy's table that does not build was refused by the engine already.
    let mut names = table
        .and_then(|t| AccountNames::from_table(t).ok())
        .unwrap_or_default();
    for (account, alias) in &journal.aliases {
        // Refused by the book as well: the same table results.
        let _ = names.add(account, alias);
    }
    let mut out: BTreeMap<String, AccountFigures> = BTreeMap::new();
    for record in journal.leads.values() {
        let Some(stage) = record.stage() else {
            continue;
        };
        let account = record.events.iter().find_map(|e| match e.kind() {
            EventKind::Created { account, .. } => account.as_deref(),
            _ => None,
        });
        let Some(account) = account.and_then(|a| names.resolve(a)) else {
            continue;
        };
        let figures = out.entry(account).or_default();
        figures.leads += 1;
        *figures.stages.entry(stage).or_default() += 1;
        let entered = |s: Stage| record.moves.iter().any(|m| m.to == s);
        figures.opportunities += u64::from(entered(Stage::Opportunity));
        figures.customers += u64::from(entered(Stage::Customer));
    }
    for (account, n) in &journal.engaged {
        let name = names.resolve(account).unwrap_or_else(|| account.clone());
        out.entry(name).or_default().engaged += n;
    }
    out
}

/// Adds `other`'s accounts into `into` (reports of journals of other leads).
pub(super) fn merge_accounts(
    into: &mut BTreeMap<String, AccountFigures>,
    other: &BTreeMap<String, AccountFigures>,
) {
    for (name, figures) in other {
        into.entry(name.clone()).or_default().merge(figures);
    }
}
