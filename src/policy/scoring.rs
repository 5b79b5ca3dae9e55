use crate::event::EventType;
use crate::matrix::Cell;
use crate::stage::Stage;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

// The value types the scoring code shares with the policy live below both; they are
// re-exported here so that `policy::{FitRule, Grades, Bands}` keep their paths.
pub use crate::fit_rule::FitRule;
pub use crate::matrix::{Bands, Grades};

/// Fit and engagement scoring.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScoringPolicy {
    /// Score (fit + funnel points + engagement) at which an inquiry becomes an MQL.
    pub mql_threshold: f64,
    /// Score at which a recycled lead becomes an MQL again.
    pub requalify_threshold: f64,
    /// How far below its threshold a lead must fall, after entering recycled, before
    /// it can qualify by score again.
    pub hysteresis: f64,
    /// Engagement halves every this many days.
    pub half_life_days: f64,
    /// Engagement never exceeds this.
    pub engagement_cap: f64,
    /// Engagement never falls below this (negative points stop here).
    pub engagement_floor: f64,
    /// Touch kinds that make an inquiry or recycled lead an MQL at once.
    pub hand_raisers: Vec<String>,
    /// Engagement points per touch kind; negative allowed; unknown kinds score 0.
    pub engagement: BTreeMap<String, f64>,
    /// Profile rules; the points of every matching rule add up to the fit score.
    pub fit: Vec<FitRule>,
    /// Points per sales contact attempt (`sales_attempt` events): every rule that
    /// matches the attempt's channel and outcome adds its points to engagement, which
    /// decays, is capped and is grouped like a touch's (list `sales_attempt` in a
    /// group's `kinds` to cap sales points together). Empty by default.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sales: Vec<SalesRule>,
    /// Points a lead earns once, the first time it reaches a stage. For the waterfall
    /// stages (mql, sal, sql, opportunity, customer) reaching a stage also reaches
    /// every earlier one (a lead qualified straight to sql has reached sal);
    /// `recycled` and `removed` are reached by entering them. Milestone points do
    /// not decay. `inquiry` is refused: every lead starts there. Empty by default.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub milestones: BTreeMap<Stage, f64>,
    /// Points per applied sales outcome event: each `sales_accepted`,
    /// `sales_rejected`, `sales_qualified`, `opportunity_opened`, `opportunity_won`,
    /// `opportunity_lost`, `disqualified` or `recycled` event the lead takes adds the
    /// points of its type (a lost opportunity can say as much as a won stage). They do
    /// not decay. Other event types are refused. Empty by default.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub outcomes: BTreeMap<EventType, f64>,
    /// Fit points needed for each grade; below C is D.
    pub grades: Grades,
    /// Engagement points needed for each band; below band 3 is band 4.
    pub bands: Bands,
    /// Engagement groups (email, web, events...), each with its own cap. A touch kind
    /// in no group counts only toward `engagement_cap`.
    pub groups: BTreeMap<String, EngagementGroup>,
    /// Matrix cells (`"A1"`) that qualify a lead whatever its total score.
    pub mql_cells: Vec<Cell>,
    /// How many score changes each lead's ledger keeps (older ones are summed up).
    pub ledger_size: usize,
}

impl Default for ScoringPolicy {
    fn default() -> Self {
        ScoringPolicy {
            mql_threshold: 100.0,
            requalify_threshold: 100.0,
            hysteresis: 10.0,
            half_life_days: 30.0,
            engagement_cap: 150.0,
            engagement_floor: 0.0,
            hand_raisers: vec!["demo_request".to_owned(), "contact_sales".to_owned()],
            engagement: [
                ("email_open", 1.0),
                ("email_click", 3.0),
                ("content_download", 8.0),
                ("webinar_attended", 15.0),
                ("pricing_page_view", 10.0),
                ("demo_request", 40.0),
            ]
            .into_iter()
            .map(|(k, p)| (k.to_owned(), p))
            .collect(),
            sales: Vec::new(),
            milestones: BTreeMap::new(),
            outcomes: BTreeMap::new(),
            fit: vec![
                FitRule {
                    attr: "seniority".to_owned(),
                    any_of: Some(vec!["vp".into(), "c_level".into(), "director".into()]),
                    points: 20.0,
                    ..FitRule::default()
                },
                FitRule {
                    attr: "employees".to_owned(),
                    at_least: Some(200.0),
                    points: 15.0,
                    ..FitRule::default()
                },
            ],
            grades: Grades::default(),
            bands: Bands::default(),
            groups: BTreeMap::new(),
            mql_cells: Vec::new(),
            ledger_size: 16,
        }
    }
}

/// A group of touch kinds whose engagement is capped together, so that one channel
/// (a hundred email opens) cannot make a lead look sales-ready on its own.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EngagementGroup {
    /// The touch kinds in the group.
    pub kinds: Vec<String>,
    /// The most engagement the group can hold.
    pub cap: f64,
}

/// Points for a sales contact attempt that matches: a rule with neither `channel` nor
/// `outcome` matches every attempt; one with both matches only that pair (`call` that
/// `connected`). The points of every matching rule add up.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SalesRule {
    /// The attempt's channel (`call`, `email`, `meeting`...); any when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// The attempt's outcome (`connected`, `meeting_set`...); any when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// Engagement points (negative allowed).
    pub points: f64,
}

impl SalesRule {
    /// Whether the rule matches an attempt with this channel and outcome.
    pub fn matches(&self, channel: Option<&str>, outcome: Option<&str>) -> bool {
        let fits = |want: &Option<String>, got: Option<&str>| {
            want.as_deref().is_none_or(|w| got == Some(w))
        };
        fits(&self.channel, channel) && fits(&self.outcome, outcome)
    }
}

/// The points of a sales attempt with this channel and outcome under `rules`: the sum
/// of every matching rule's points.
pub fn sales_points(rules: &[SalesRule], channel: Option<&str>, outcome: Option<&str>) -> f64 {
    rules
        .iter()
        .filter(|r| r.matches(channel, outcome))
        .map(|r| r.points)
        .sum()
}

/// The event types `[scoring.outcomes]` may score: what sales does with a lead.
pub const OUTCOME_EVENTS: [EventType; 8] = [
    EventType::SalesAccepted,
    EventType::SalesRejected,
    EventType::SalesQualified,
    EventType::OpportunityOpened,
    EventType::OpportunityWon,
    EventType::OpportunityLost,
    EventType::Disqualified,
    EventType::Recycled,
];
