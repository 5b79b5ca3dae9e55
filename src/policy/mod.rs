//! The policy: thresholds, service levels, programs, reason maps, scoring tables and the
//! source text of rhai hooks. Plain serde data, validated when an [`Engine`](crate::Engine)
//! is built.
//!
//! # Reading a policy
//!
//! With the default cargo feature `toml`, [`Policy::from_toml_str`] and
//! [`Policy::from_toml_file`] read the TOML file of the contract and validate it in one
//! call; a parse error keeps TOML's line and column, and a policy that reads but does
//! not hold together lists every problem at once ([`PolicyError::Invalid`](crate::PolicyError::Invalid)).
//! [`Policy::to_toml_string`] writes the policy in effect, defaults filled in. Without
//! the feature, a policy is any serde format a host likes; [`Policy::validate`] (which
//! [`Engine::new`](crate::Engine::new) runs) checks it.
//!
//! # Defaults: key by key
//!
//! [`Policy::default`] is the embedded default policy, and an empty file is that
//! policy. Every key you leave out keeps its default **on its own**, at every level:
//! `[scoring]` and its `[scoring.grades]` and `[scoring.bands]`, each `[sla.STAGE]`
//! table (from that stage's own defaults: writing only `[sla.mql] respond_days = 1`
//! keeps the MQL's `idle_days = 7`), `[recycle]`, `[rules]`, and the top-level keys.
//! In a `[programs.NAME]` table, `resume` defaults to `true`, `then` to none and
//! `[programs.NAME.branches]` to no branches.
//!
//! **Switching a service level off**: write `false` for it (`[sla.sal] idle_days =
//! false`); leaving a key out keeps the default, and `0` days is refused. `attempts`
//! and `attempts_days` go together: switch both off, or set both.
//!
//! **Maps and lists replace the default whole.** A map or a list you write is the
//! whole of it, not an addition to the default's:
//!
//! - `[programs]`: writing any `[programs.NAME]` table defines exactly the programs you
//!   write, so `cadence_days` and `steps` are required in each, and every program the
//!   policy names (`recycle.default_program`, `passive_program`, `customer_program`,
//!   `recycle.reasons`, `then`, `branches`) must be among them;
//! - `[recycle.reasons]`, `[scoring.engagement]`, `[scoring.groups]`, `[[scoring.fit]]`;
//! - the lists `scoring.hand_raisers`, `scoring.mql_cells`, `recycle.remove_reasons`.

mod accounts;
mod fingerprint;
mod program;
mod recycle;
mod rules;
mod scoring;
mod sla;
#[cfg(feature = "toml")]
mod toml_text;
mod validate;

pub use accounts::{AccountsPolicy, AlertsPolicy};
pub(crate) use fingerprint::{fnv1a64_continue, FNV1A64_OFFSET};
pub use program::Program;
pub use recycle::RecyclePolicy;
pub use rules::{RuleLimits, Rules};
pub use scoring::{
    sales_points, Bands, EngagementGroup, FitRule, Grades, SalesRule, ScoringPolicy, OUTCOME_EVENTS,
};
pub use sla::{SlaPolicy, StageSla};

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A whole lead-lifecycle policy, read from a TOML file
/// ([contract](crate::docs::contract), "Policy file").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// Fit and engagement scoring, thresholds and hysteresis.
    pub scoring: ScoringPolicy,
    /// Service levels per stage.
    pub sla: SlaPolicy,
    /// Where recycled, removed and won leads go.
    pub recycle: RecyclePolicy,
    /// Nurture programs by name.
    pub programs: BTreeMap<String, Program>,
    /// How long a lead remembers the id of an applied event, in days before its
    /// clock: a redelivery within the window is `duplicate_event`, an older one is
    /// `out_of_order`. 0 or more; default 7.
    pub dedupe_window_days: f64,
    /// Refuse as `malformed` an event with a field its type does not have, or with a
    /// `reason` not in `recycle.reasons` or `recycle.remove_reasons`; default false
    /// (unknown fields are ignored, an unknown reason recycles into the default program).
    pub strict_events: bool,
    /// The rhai hooks, as source text.
    pub rules: Rules,
    /// `[accounts]`: the account roll-up and its aliases; off when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accounts: Option<AccountsPolicy>,
    /// `[alerts]`: alerts to the owning rep; off when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alerts: Option<AlertsPolicy>,
}

impl Default for Policy {
    fn default() -> Self {
        let programs = [
            (
                "budget_cycle",
                30.0,
                &[
                    "budget-planning-guide",
                    "pricing-options",
                    "roi-stories",
                    "budget-check-in",
                ][..],
                Some("general_nurture"),
            ),
            (
                "timing_drip",
                14.0,
                &["timing-tips", "case-study", "roi-calculator", "check-in"][..],
                Some("general_nurture"),
            ),
            (
                "champion_enablement",
                14.0,
                &["champion-kit", "exec-brief", "business-case-template"][..],
                Some("general_nurture"),
            ),
            (
                "competitive_displacement",
                21.0,
                &["comparison-guide", "migration-story", "switching-offer"][..],
                Some("general_nurture"),
            ),
            (
                "general_nurture",
                30.0,
                &[
                    "newsletter-digest",
                    "industry-report",
                    "product-tour",
                    "customer-story",
                    "webinar-invite",
                    "annual-trends",
                ][..],
                None,
            ),
            (
                "stalled",
                10.0,
                &["still-interested", "quick-win-guide", "office-hours-invite"][..],
                Some("general_nurture"),
            ),
            (
                "onboarding",
                7.0,
                &[
                    "welcome",
                    "setup-guide",
                    "first-value-checklist",
                    "cross-sell-intro",
                ][..],
                None,
            ),
        ]
        .into_iter()
        .map(|(name, cadence_days, steps, then)| {
            let program = Program {
                cadence_days,
                resume: true,
                steps: steps.iter().map(|s| s.to_string()).collect(),
                then: then.map(str::to_owned),
                branches: BTreeMap::new(),
            };
            (name.to_owned(), program)
        })
        .collect();
        Policy {
            scoring: ScoringPolicy::default(),
            sla: SlaPolicy::default(),
            recycle: RecyclePolicy::default(),
            programs,
            dedupe_window_days: 7.0,
            strict_events: false,
            rules: Rules::default(),
            accounts: None,
            alerts: None,
        }
    }
}

impl Policy {
    /// The programs' names, comma-separated, for error messages.
    pub(crate) fn program_names(&self) -> String {
        let names: Vec<&str> = self.programs.keys().map(String::as_str).collect();
        names.join(", ")
    }
}
