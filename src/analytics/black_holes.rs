//! Black-hole diagnostics: the four symptoms of a lead-management black hole, each
//! measured, compared with a threshold the user sets, and shown with its leads.

use super::distribution::Rate;
use super::facts::LeadFacts;
use super::waterfall::{is_disqualification, union};
use crate::effect::Cause;
use crate::id::LeadId;
use crate::stage::Stage;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The thresholds the symptoms are judged by, as shares from 0 to 1.
///
/// The defaults follow commonly cited benchmark bands for the B2B demand waterfall
/// (docs/analytics.md, "Black holes"): about 50-70% of SALs become SQLs, so below 50%
/// is a symptom; sales accepting nearly every MQL (above 90%) means leads are taken
/// and not worked; a healthy SAL stage disqualifies some leads (below 5% is "none");
/// and few SALs should sit past their service level (above 10%).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Thresholds {
    /// A symptom when more than this share of MQL stays end with sales accepting the
    /// lead. Default 0.9.
    pub max_mql_acceptance: f64,
    /// A symptom when fewer than this share of SAL stays end in `sql` (or
    /// `opportunity`). Default 0.5.
    pub min_sal_to_sql: f64,
    /// A symptom when fewer than this share of SAL stays end in a disqualification.
    /// Default 0.05.
    pub min_sal_disqualification: f64,
    /// A symptom when more than this share of SAL stays miss a service level.
    /// Default 0.1.
    pub max_sal_past_sla: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            max_mql_acceptance: 0.9,
            min_sal_to_sql: 0.5,
            min_sal_disqualification: 0.05,
            max_sal_past_sla: 0.1,
        }
    }
}

/// A threshold that is not a share.
#[derive(Clone, Debug, PartialEq, Error)]
#[non_exhaustive]
pub enum ThresholdError {
    /// The threshold is not a number from 0 to 1.
    #[error("threshold {name} is {value}; expected a share from 0 to 1")]
    NotAShare {
        /// The threshold's field name.
        name: &'static str,
        /// Its value.
        value: f64,
    },
}

impl Thresholds {
    /// Checks that every threshold is a share from 0 to 1.
    pub fn validate(&self) -> Result<(), ThresholdError> {
        for (name, value) in [
            ("max_mql_acceptance", self.max_mql_acceptance),
            ("min_sal_to_sql", self.min_sal_to_sql),
            ("min_sal_disqualification", self.min_sal_disqualification),
            ("max_sal_past_sla", self.max_sal_past_sla),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return Err(ThresholdError::NotAShare { name, value });
            }
        }
        Ok(())
    }
}

/// One symptom: the share measured, the threshold, whether it is a symptom, and the
/// leads behind it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Symptom {
    /// The share measured.
    pub observed: Rate,
    /// The threshold it is judged by.
    pub threshold: f64,
    /// Whether the share is past the threshold (never with nothing measured).
    pub symptom: bool,
    /// The leads that cause it (sorted by id): see each symptom's field.
    pub leads: Vec<LeadId>,
}

impl Symptom {
    fn merge(&mut self, other: &Symptom) {
        self.observed = Rate::of(
            self.observed.part + other.observed.part,
            self.observed.whole + other.observed.whole,
        );
        self.leads = union(&self.leads, &other.leads);
    }

    fn judge(&mut self, threshold: f64, above: bool) {
        self.threshold = threshold;
        self.observed = Rate::of(self.observed.part, self.observed.whole);
        self.symptom =
            self.observed
                .rate
                .is_some_and(|r| if above { r > threshold } else { r < threshold });
    }
}

/// The four symptoms of a lead-management black hole.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BlackHoles {
    /// The thresholds they were judged by.
    pub thresholds: Thresholds,
    /// MQL stays that ended with sales accepting the lead, of MQL stays that ended;
    /// leads: those accepted.
    pub mql_acceptance: Symptom,
    /// SAL stays that ended in `sql` or `opportunity`, of SAL stays that ended; leads:
    /// those whose SAL stay ended any other way.
    pub sal_to_sql: Symptom,
    /// SAL stays that ended in a disqualification, of SAL stays that ended; leads:
    /// SALs that left without a verdict (recycled idle, or still past their service
    /// level now).
    pub sal_disqualification: Symptom,
    /// SAL stays that missed a service level, of SAL stays; leads: those SALs.
    pub sal_past_sla: Symptom,
}

impl BlackHoles {
    pub(super) fn tally(&mut self, lead: &LeadFacts<'_>) {
        let id = || lead.id.clone();
        for (i, m) in lead.moves.iter().enumerate() {
            let next = lead.moves.get(i + 1);
            match m.to {
                Stage::Mql => {
                    if let Some(next) = next {
                        self.mql_acceptance.observed.whole += 1;
                        if next.cause == Cause::SalesAccepted {
                            self.mql_acceptance.observed.part += 1;
                            self.mql_acceptance.leads.push(id());
                        }
                    }
                }
                Stage::Sal => {
                    let until = next.map(|n| n.at);
                    let breached = lead.breaches.iter().any(|(at, stage, _)| {
                        *stage == Stage::Sal && *at >= m.at && until.is_none_or(|u| *at <= u)
                    });
                    self.sal_past_sla.observed.whole += 1;
                    if breached {
                        self.sal_past_sla.observed.part += 1;
                        self.sal_past_sla.leads.push(id());
                    }
                    match next {
                        Some(next) => {
                            self.sal_to_sql.observed.whole += 1;
                            self.sal_disqualification.observed.whole += 1;
                            if matches!(next.to, Stage::Sql | Stage::Opportunity) {
                                self.sal_to_sql.observed.part += 1;
                            } else {
                                self.sal_to_sql.leads.push(id());
                            }
                            if is_disqualification(next.cause) {
                                self.sal_disqualification.observed.part += 1;
                            } else if next.cause == Cause::SlaIdle {
                                self.sal_disqualification.leads.push(id());
                            }
                        }
                        None if breached => self.sal_disqualification.leads.push(id()),
                        None => {}
                    }
                }
                _ => {}
            }
        }
        for symptom in self.symptoms_mut() {
            symptom.leads.dedup();
        }
    }

    fn symptoms_mut(&mut self) -> [&mut Symptom; 4] {
        [
            &mut self.mql_acceptance,
            &mut self.sal_to_sql,
            &mut self.sal_disqualification,
            &mut self.sal_past_sla,
        ]
    }

    pub(super) fn merge(&mut self, other: &BlackHoles) {
        self.mql_acceptance.merge(&other.mql_acceptance);
        self.sal_to_sql.merge(&other.sal_to_sql);
        self.sal_disqualification.merge(&other.sal_disqualification);
        self.sal_past_sla.merge(&other.sal_past_sla);
    }

    pub(super) fn finish(&mut self, thresholds: Thresholds) {
        self.thresholds = thresholds;
        self.mql_acceptance
            .judge(thresholds.max_mql_acceptance, true);
        self.sal_to_sql.judge(thresholds.min_sal_to_sql, false);
        self.sal_disqualification
            .judge(thresholds.min_sal_disqualification, false);
        self.sal_past_sla.judge(thresholds.max_sal_past_sla, true);
    }
}
