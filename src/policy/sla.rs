use crate::stage::Stage;
use serde::{Deserialize, Serialize};

/// Service levels for the stages sales owns.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SlaPolicy {
    /// For marketing-qualified leads.
    pub mql: StageSla,
    /// For sales-accepted leads.
    pub sal: StageSla,
    /// For sales-qualified leads.
    pub sql: StageSla,
    /// For open opportunities.
    pub opportunity: StageSla,
}

/// The service levels of one stage; each one left out is not tracked.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StageSla {
    /// Days from entering the stage until sales must act (accept, reject, attempt, qualify).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub respond_days: Option<f64>,
    /// Contact attempts that must be made within `attempts_days` of entering the stage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempts: Option<u32>,
    /// See `attempts`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempts_days: Option<f64>,
    /// Days without a sales event after which the lead is passively recycled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idle_days: Option<f64>,
}

impl Default for SlaPolicy {
    fn default() -> Self {
        SlaPolicy {
            mql: StageSla {
                respond_days: Some(2.0),
                idle_days: Some(7.0),
                ..StageSla::default()
            },
            sal: StageSla {
                attempts: Some(4),
                attempts_days: Some(14.0),
                idle_days: Some(21.0),
                ..StageSla::default()
            },
            sql: StageSla {
                idle_days: Some(45.0),
                ..StageSla::default()
            },
            opportunity: StageSla {
                idle_days: Some(120.0),
                ..StageSla::default()
            },
        }
    }
}

impl SlaPolicy {
    /// The service levels of `stage`; `None` for stages sales does not own.
    pub fn for_stage(&self, stage: Stage) -> Option<&StageSla> {
        match stage {
            Stage::Mql => Some(&self.mql),
            Stage::Sal => Some(&self.sal),
            Stage::Sql => Some(&self.sql),
            Stage::Opportunity => Some(&self.opportunity),
            _ => None,
        }
    }
}
