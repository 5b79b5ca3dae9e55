//! The policy: thresholds, service levels, programs, reason maps, scoring tables and the
//! source text of rhai hooks. Plain serde data, validated when an [`Engine`](crate::Engine)
//! is built.
//!
//! Defaults: [`Policy::default`] is the embedded default policy. In a policy file, a
//! section or key you leave out keeps its default, so an empty file is the default
//! policy. A map you write (`[scoring.engagement]`, `[recycle.reasons]`, `[programs]`,
//! `[[scoring.fit]]`) replaces the default map whole, and an `[sla.STAGE]` table you
//! write sets exactly the service levels it lists for that stage.

mod fingerprint;
mod program;
mod recycle;
mod rules;
mod scoring;
mod sla;
mod validate;

pub use program::Program;
pub use recycle::RecyclePolicy;
pub use rules::Rules;
pub use scoring::{Bands, EngagementGroup, FitRule, Grades, ScoringPolicy};
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
    /// The rhai hooks, as source text.
    pub rules: Rules,
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
            rules: Rules::default(),
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
