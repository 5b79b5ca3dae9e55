//! The crate's reference pages, rendered with the API docs so that links to them
//! resolve wherever the API docs are read (docs.rs included). The same pages are the
//! markdown files in the repository's `docs/` directory.
//!
//! - [`contract`]: the public data contract: events, effects, the policy file, the
//!   replay command line.
//! - [`semantics`]: how leadcycle reads the points the contract leaves open.
//! - [`scoring`]: fit grades, engagement bands with decay, the matrix, the score
//!   ledger, and calibration from closed deals.
//! - [`what_if`]: the same history replayed under two policies, what counts as a
//!   difference, and the `what_if` example's command line.
//! - [`rules`]: the policy's rhai hooks: what each decides, when it runs, what it sees
//!   and returns, the sandbox and its limits, and what a failing hook does.
//! - [`analytics`]: the waterfall measured from the journal: stages and conversion per
//!   pass, time in stage, recycling yield, program effectiveness, content runway,
//!   persistence, black holes, attribution, the report files and a worked example.
//! - [`accounts`]: the account roll-up, account aliases and their normal form, the
//!   qualification lift, alerts to the owning rep, and how to partition accounts.
//! - [`scaling`]: the engine inside a dataflow engine (timely), partitioned by lead:
//!   how it works, how merges cross workers, snapshots as operator state, accounts, and
//!   other engines.
//! - `testing` (cargo feature `testing`): how a host property-tests its own policy.

// Each page's links to another page are reference links (`[text][semantics]`); the
// definitions here come before the page's own (which point at the markdown files), so
// in the API docs they win and resolve to the module.

#[doc = "[semantics]: crate::docs::semantics"]
#[doc = "[contract]: crate::docs::contract"]
#[doc = "[scoring]: crate::docs::scoring"]
#[doc = "[what_if]: crate::docs::what_if"]
#[doc = "[accounts]: crate::docs::accounts"]
#[doc = ""]
#[doc = include_str!("../docs/contract.md")]
pub mod contract {}

#[doc = "[semantics]: crate::docs::semantics"]
#[doc = "[contract]: crate::docs::contract"]
#[doc = "[scoring]: crate::docs::scoring"]
#[doc = "[what_if]: crate::docs::what_if"]
#[doc = "[rules]: crate::docs::rules"]
#[doc = "[accounts]: crate::docs::accounts"]
#[doc = ""]
#[doc = include_str!("../docs/semantics.md")]
pub mod semantics {}

#[doc = "[semantics]: crate::docs::semantics"]
#[doc = "[contract]: crate::docs::contract"]
#[doc = "[scoring]: crate::docs::scoring"]
#[doc = "[what_if]: crate::docs::what_if"]
#[doc = ""]
#[doc = include_str!("../docs/scoring.md")]
pub mod scoring {}

#[doc = "[semantics]: crate::docs::semantics"]
#[doc = "[contract]: crate::docs::contract"]
#[doc = "[scoring]: crate::docs::scoring"]
#[doc = "[what_if]: crate::docs::what_if"]
#[doc = ""]
#[doc = include_str!("../docs/what_if.md")]
pub mod what_if {}

#[doc = "[semantics]: crate::docs::semantics"]
#[doc = "[contract]: crate::docs::contract"]
#[doc = "[scoring]: crate::docs::scoring"]
#[doc = "[what_if]: crate::docs::what_if"]
#[cfg_attr(feature = "testing", doc = "[testing]: crate::docs::testing")]
#[doc = ""]
#[doc = include_str!("../docs/rules.md")]
pub mod rules {}

#[doc = include_str!("../docs/scaling.md")]
pub mod scaling {}

#[doc = "[semantics]: crate::docs::semantics"]
#[doc = "[contract]: crate::docs::contract"]
#[doc = ""]
#[doc = include_str!("../docs/analytics.md")]
pub mod analytics {}
#[doc = "[accounts]: crate::docs::accounts"]
#[doc = ""]
#[doc = include_str!("../docs/accounts.md")]
pub mod accounts {}

#[doc = "[semantics]: crate::docs::semantics"]
#[doc = "[contract]: crate::docs::contract"]
#[doc = "[scoring]: crate::docs::scoring"]
#[doc = "[accounts]: crate::docs::accounts"]
#[doc = ""]
#[doc = include_str!("../docs/testing.md")]
#[cfg(feature = "testing")]
pub mod testing {}
