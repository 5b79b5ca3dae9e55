//! Persistence: how many touches a lead took before it qualified and before it was
//! won, by profile seniority.

use super::distribution::Distribution;
use super::facts::LeadFacts;
use crate::stage::Stage;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Touches before qualification and before a win, for one seniority.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Persistence {
    /// For each lead that qualified (first entered `mql` or `sal`): the `touch`
    /// events applied to it (a merged duplicate's included) at or before that time.
    pub touches_to_qualify: Distribution,
    /// For each lead that became a customer: its touches at or before the win.
    pub touches_to_win: Distribution,
}

/// Persistence per seniority (`(unknown)` when the profile has none).
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct PersistenceBySeniority(pub BTreeMap<String, Persistence>);

impl PersistenceBySeniority {
    pub(super) fn tally(&mut self, lead: &LeadFacts<'_>) {
        let touches_until = |at| {
            lead.touchpoints
                .iter()
                .filter(|t| t.is_touch && t.at <= at)
                .count() as u64
        };
        let first = |pred: fn(Stage) -> bool| lead.moves.iter().find(|m| pred(m.to));
        let qualified = first(|s| matches!(s, Stage::Mql | Stage::Sal));
        let won = first(|s| s == Stage::Customer);
        if qualified.is_none() && won.is_none() {
            return;
        }
        let row = self.0.entry(lead.seniority.clone()).or_default();
        if let Some(m) = qualified {
            row.touches_to_qualify.add(touches_until(m.at));
        }
        if let Some(m) = won {
            row.touches_to_win.add(touches_until(m.at));
        }
    }

    pub(super) fn merge(&mut self, other: &PersistenceBySeniority) {
        for (seniority, theirs) in &other.0 {
            let ours = self.0.entry(seniority.clone()).or_default();
            ours.touches_to_qualify.merge(&theirs.touches_to_qualify);
            ours.touches_to_win.merge(&theirs.touches_to_win);
        }
    }

    pub(super) fn finish(&mut self) {
        for row in self.0.values_mut() {
            row.touches_to_qualify.finish();
            row.touches_to_win.finish();
        }
    }
}
