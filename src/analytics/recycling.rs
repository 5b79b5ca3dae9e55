//! Recycling yield (of the leads recycled, how many came back, and how fast) and
//! program effectiveness (the same, per recycle reason and program).

use super::distribution::{Durations, Rate};
use super::facts::LeadFacts;
use crate::stage::Stage;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Of the leads ever recycled, how many became MQL (or SAL), SQL and customer again,
/// and after how long (from their first recycling). Counts are distinct leads.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RecyclingYield {
    /// Leads ever recycled.
    pub recycled: u64,
    /// Of those, leads that left `recycled` for `mql` or `sal`.
    pub requalified: u64,
    /// Leads that entered `sql` after having been recycled.
    pub sql_after_recycle: u64,
    /// Leads that became customers after having been recycled.
    pub won_after_recycle: u64,
    /// `requalified` of `recycled`.
    pub requalified_rate: Rate,
    /// `sql_after_recycle` of `recycled`.
    pub sql_rate: Rate,
    /// `won_after_recycle` of `recycled`.
    pub won_rate: Rate,
    /// From the first recycling to the first re-qualification.
    pub time_to_requalify: Durations,
    /// From the first recycling to the win.
    pub time_to_win: Durations,
}

/// What became of the leads one recycle reason sent to one program: the evidence for
/// choosing which stream each reason goes to. One row per recycling (a lead recycled
/// twice for the same reason counts twice).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProgramEffect {
    /// The recycle reason (`sla_idle` for passive recycling).
    pub reason: String,
    /// The program the lead was enrolled in when it was recycled.
    pub program: String,
    /// Recyclings for this reason into this program.
    pub recycled: u64,
    /// Of those, stays in `recycled` that ended in `mql` or `sal`.
    pub requalified: u64,
    /// Of those, recyclings after which the lead became a customer (before any next
    /// recycling).
    pub won: u64,
    /// `requalified` of `recycled`.
    pub requalified_rate: Rate,
    /// How long the lead stayed recycled before it re-qualified.
    pub time_to_requalify: Durations,
}

fn is_requalify(from: Option<Stage>, to: Stage) -> bool {
    from == Some(Stage::Recycled) && matches!(to, Stage::Mql | Stage::Sal)
}

impl RecyclingYield {
    pub(super) fn tally(&mut self, lead: &LeadFacts<'_>) {
        let Some(first) = lead.moves.iter().position(|m| m.to == Stage::Recycled) else {
            return;
        };
        let start = lead.moves[first].at;
        let after = &lead.moves[first + 1..];
        self.recycled += 1;
        if let Some(back) = after.iter().find(|m| is_requalify(m.from, m.to)) {
            self.requalified += 1;
            self.time_to_requalify
                .add_seconds((back.at - start).num_seconds());
        }
        if after.iter().any(|m| m.to == Stage::Sql) {
            self.sql_after_recycle += 1;
        }
        if let Some(won) = after.iter().find(|m| m.to == Stage::Customer) {
            self.won_after_recycle += 1;
            self.time_to_win.add_seconds((won.at - start).num_seconds());
        }
    }

    pub(super) fn merge(&mut self, other: &RecyclingYield) {
        self.recycled += other.recycled;
        self.requalified += other.requalified;
        self.sql_after_recycle += other.sql_after_recycle;
        self.won_after_recycle += other.won_after_recycle;
        self.time_to_requalify.merge(&other.time_to_requalify);
        self.time_to_win.merge(&other.time_to_win);
    }

    pub(super) fn finish(&mut self) {
        self.requalified_rate = Rate::of(self.requalified, self.recycled);
        self.sql_rate = Rate::of(self.sql_after_recycle, self.recycled);
        self.won_rate = Rate::of(self.won_after_recycle, self.recycled);
        self.time_to_requalify.finish();
        self.time_to_win.finish();
    }
}

/// Program effectiveness, keyed by (reason, program).
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Programs(pub BTreeMap<(String, String), ProgramEffect>);

impl Programs {
    pub(super) fn tally(&mut self, lead: &LeadFacts<'_>) {
        for (i, m) in lead.moves.iter().enumerate() {
            if m.to != Stage::Recycled {
                continue;
            }
            let reason = m
                .reason
                .as_ref()
                .map_or("(none)", |r| r.as_str())
                .to_owned();
            let program = m.program.clone().unwrap_or_else(|| "(none)".to_owned());
            let row = self
                .0
                .entry((reason.clone(), program.clone()))
                .or_insert_with(|| ProgramEffect {
                    reason,
                    program,
                    ..ProgramEffect::default()
                });
            row.recycled += 1;
            let rest = &lead.moves[i + 1..];
            if let Some(next) = rest.first().filter(|n| is_requalify(n.from, n.to)) {
                row.requalified += 1;
                row.time_to_requalify
                    .add_seconds((next.at - m.at).num_seconds());
            }
            let until_next = rest.iter().take_while(|n| n.to != Stage::Recycled);
            if until_next.clone().any(|n| n.to == Stage::Customer) {
                row.won += 1;
            }
        }
    }

    pub(super) fn merge(&mut self, other: &Programs) {
        for (key, theirs) in &other.0 {
            let ours = self.0.entry(key.clone()).or_insert_with(|| ProgramEffect {
                reason: theirs.reason.clone(),
                program: theirs.program.clone(),
                ..ProgramEffect::default()
            });
            ours.recycled += theirs.recycled;
            ours.requalified += theirs.requalified;
            ours.won += theirs.won;
            ours.time_to_requalify.merge(&theirs.time_to_requalify);
        }
    }

    pub(super) fn finish(&mut self) {
        for row in self.0.values_mut() {
            row.requalified_rate = Rate::of(row.requalified, row.recycled);
            row.time_to_requalify.finish();
        }
    }
}
