//! Content runway: per program, the leads enrolled now and those that have run out of
//! content there (exhausted: every step already sent, nothing left to receive).

use super::facts::LeadFacts;
use crate::id::LeadId;
use crate::policy::Policy;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One program's runway.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Runway {
    /// The program's number of steps in the policy; `None` for a program the policy
    /// does not define (its leads cannot be judged exhausted).
    pub steps: Option<usize>,
    /// Leads enrolled in it at the end of the journal.
    pub enrolled_now: u64,
    /// Of those, leads enrolled at the program's length: they have been sent every
    /// step and wait for content the policy adds later (contract: "exhausted").
    pub exhausted_now: Vec<LeadId>,
}

/// The runway of every program of the policy, and of any other program a lead is
/// enrolled in now.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct ContentRunway(pub BTreeMap<String, Runway>);

impl ContentRunway {
    pub(super) fn new(policy: &Policy) -> Self {
        ContentRunway(
            policy
                .programs
                .iter()
                .map(|(name, program)| {
                    let runway = Runway {
                        steps: Some(program.steps.len()),
                        ..Runway::default()
                    };
                    (name.clone(), runway)
                })
                .collect(),
        )
    }

    pub(super) fn tally(&mut self, lead: &LeadFacts<'_>) {
        let Some(enrolled) = lead.enrolled else {
            return;
        };
        let runway = self.0.entry(enrolled.program.clone()).or_default();
        runway.enrolled_now += 1;
        if runway.steps.is_some_and(|n| enrolled.assigned_step >= n) {
            runway.exhausted_now.push(lead.id.clone());
        }
    }

    pub(super) fn merge(&mut self, other: &ContentRunway) {
        for (program, theirs) in &other.0 {
            let ours = self.0.entry(program.clone()).or_default();
            ours.steps = ours.steps.or(theirs.steps);
            ours.enrolled_now += theirs.enrolled_now;
            ours.exhausted_now =
                super::waterfall::union(&ours.exhausted_now, &theirs.exhausted_now);
        }
    }
}
