use crate::profile::ProfileValue;
use crate::scoring::Cell;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Fit and engagement scoring.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScoringPolicy {
    /// Score (fit + engagement) at which an inquiry becomes an MQL.
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

/// A profile rule: when attribute `attr` meets the rule's one condition, `points` are
/// added to the lead's fit.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FitRule {
    /// The profile attribute.
    pub attr: String,
    /// Matches when the value equals one of these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub any_of: Option<Vec<ProfileValue>>,
    /// Matches when the value equals this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<ProfileValue>,
    /// Matches when the value is a number at least this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_least: Option<f64>,
    /// Matches when the value is a number at most this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_most: Option<f64>,
    /// Matches when the attribute is present (`true`) or absent (`false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exists: Option<bool>,
    /// Points added when the rule matches; negative allowed.
    pub points: f64,
}

impl FitRule {
    /// How many conditions the rule sets; a valid rule sets exactly one.
    pub(crate) fn condition_count(&self) -> usize {
        [
            self.any_of.is_some(),
            self.equals.is_some(),
            self.at_least.is_some(),
            self.at_most.is_some(),
            self.exists.is_some(),
        ]
        .into_iter()
        .filter(|&set| set)
        .count()
    }
}

/// Fit points needed for grades A, B and C; anything below C is D.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Grades {
    /// Points for A.
    #[serde(rename = "A")]
    pub a: f64,
    /// Points for B.
    #[serde(rename = "B")]
    pub b: f64,
    /// Points for C.
    #[serde(rename = "C")]
    pub c: f64,
}

impl Default for Grades {
    fn default() -> Self {
        Grades {
            a: 40.0,
            b: 25.0,
            c: 10.0,
        }
    }
}

/// Engagement points needed for bands 1, 2 and 3; anything below band 3 is band 4.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Bands {
    /// Points for band 1, the most engaged.
    #[serde(rename = "1")]
    pub one: f64,
    /// Points for band 2.
    #[serde(rename = "2")]
    pub two: f64,
    /// Points for band 3.
    #[serde(rename = "3")]
    pub three: f64,
}

impl Default for Bands {
    fn default() -> Self {
        Bands {
            one: 60.0,
            two: 30.0,
            three: 10.0,
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
