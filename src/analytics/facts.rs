//! What the report needs of each lead, read once from the journal: its moves with the
//! pass each counts in, its touchpoints (a merged duplicate's included) and profile.

use super::journal::{Enrolled, Journal, Move};
use crate::effect::{Reason, SlaKind};
use crate::event::EventKind;
use crate::id::LeadId;
use crate::stage::Stage;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// The seniority shown for a lead whose profile has none.
pub(super) const UNKNOWN: &str = "(unknown)";

/// A marketing touchpoint: the lead's creation or a `touch`.
#[derive(Clone, Debug)]
pub(super) struct Touchpoint {
    pub at: DateTime<Utc>,
    pub campaign: Option<String>,
    /// The touch's channel; for the creation, its channel, else its source.
    pub channel: Option<String>,
    /// A `touch` event (the creation is not one).
    pub is_touch: bool,
}

/// One lead, as the report reads it.
pub(super) struct LeadFacts<'a> {
    pub id: &'a LeadId,
    pub moves: &'a [Move],
    /// The pass each move counts in (1 for the first journey through the funnel, one
    /// more after each recycling; a move into `recycled` counts in the pass it ends).
    pub passes: Vec<u32>,
    pub breaches: &'a [(DateTime<Utc>, Stage, SlaKind)],
    pub enrolled: Option<&'a Enrolled>,
    /// Its touchpoints and those of the duplicates merged into it, by time (a tie
    /// keeps the lead's own first).
    pub touchpoints: Vec<Touchpoint>,
    /// Its profile's last `seniority`, or [`UNKNOWN`].
    pub seniority: String,
}

/// Every lead that entered the waterfall, in lead id order.
pub(super) fn lead_facts(journal: &Journal) -> Vec<LeadFacts<'_>> {
    let mut touchpoints: BTreeMap<&LeadId, Vec<Touchpoint>> = BTreeMap::new();
    let mut seniority: BTreeMap<&LeadId, String> = BTreeMap::new();
    // (time, duplicate, survivor) of every merge the engine carried out.
    let mut merges: Vec<(DateTime<Utc>, &LeadId, LeadId)> = Vec::new();
    for (id, record) in &journal.leads {
        let merged_out = record
            .moves
            .iter()
            .any(|m| m.to == Stage::Removed && m.reason == Some(Reason::Merged));
        let own = touchpoints.entry(id).or_default();
        for event in record.applied_events() {
            match event.kind() {
                EventKind::Created {
                    source,
                    campaign,
                    channel,
                    profile,
                    ..
                } => {
                    own.push(Touchpoint {
                        at: event.at(),
                        campaign: campaign.clone(),
                        channel: Some(channel.clone().unwrap_or_else(|| source.clone())),
                        is_touch: false,
                    });
                    if let Some(s) = profile.get("seniority") {
                        seniority.insert(id, s.to_string());
                    }
                }
                EventKind::Touch {
                    campaign, channel, ..
                } => own.push(Touchpoint {
                    at: event.at(),
                    campaign: campaign.clone(),
                    channel: channel.clone(),
                    is_touch: true,
                }),
                EventKind::Profile { set } => {
                    if let Some(s) = set.get("seniority") {
                        seniority.insert(id, s.to_string());
                    }
                }
                EventKind::Merged { into } if merged_out => {
                    merges.push((event.at(), id, into.clone()));
                }
                _ => {}
            }
        }
    }
    // A survivor takes its duplicates' touchpoints, in merge order, so that a chain
    // (A into B, later B into C) ends with all three in C.
    merges.sort();
    for (_, duplicate, survivor) in &merges {
        let taken = touchpoints.remove(duplicate).unwrap_or_default();
        if let Some((key, _)) = journal.leads.get_key_value(survivor) {
            touchpoints.entry(key).or_default().extend(taken);
        }
    }
    journal
        .leads
        .iter()
        .filter(|(_, record)| !record.moves.is_empty())
        .map(|(id, record)| {
            let mut points = touchpoints.remove(id).unwrap_or_default();
            points.sort_by_key(|t| t.at); // stable: a tie keeps the lead's own first
            let mut pass = 1;
            let passes = record
                .moves
                .iter()
                .map(|m| {
                    let counted = pass;
                    if m.to == Stage::Recycled {
                        pass += 1;
                    }
                    counted
                })
                .collect();
            LeadFacts {
                id,
                moves: &record.moves,
                passes,
                breaches: &record.breaches,
                enrolled: record.enrolled.as_ref(),
                touchpoints: points,
                seniority: seniority
                    .get(id)
                    .cloned()
                    .unwrap_or_else(|| UNKNOWN.to_owned()),
            }
        })
        .collect()
}
