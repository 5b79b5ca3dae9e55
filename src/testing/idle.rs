//! The idle limits a stream must meet, derived from the policy and the effects alone,
//! so the no-black-hole property does not trust the deadlines the engine stored: an
//! engine that forgot to set a stage's idle deadline would keep its own books
//! consistent and still leave leads behind.

use crate::effect::{Effect, EffectKind};
use crate::engine::after;
use crate::event::{Event, EventKind};
use crate::id::LeadId;
use crate::policy::Policy;
use crate::stage::Stage;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// Per lead: the stage the effects say it is in, and since when its idle clock runs
/// (entering the stage, its last applied `sales_attempt` there, or a disposition hook
/// keeping it).
#[derive(Default)]
pub(super) struct IdleClocks {
    leads: BTreeMap<LeadId, (Stage, DateTime<Utc>)>,
}

impl IdleClocks {
    /// Follows one event and its effects. `applied` says whether the event itself was
    /// applied: the effects of deadlines before a refused event stand, the event not.
    pub(super) fn follow(
        &mut self,
        policy: &Policy,
        event: &Event,
        applied: bool,
        effects: &[Effect],
    ) {
        // The effects come first: a sales attempt is judged in the stage its lead is in
        // after its own deadlines fired.
        for f in effects {
            let (Some(lead), Some(at)) = (&f.lead, f.at) else {
                continue;
            };
            match &f.kind {
                EffectKind::Transition { to, .. } => {
                    self.leads.insert(lead.clone(), (*to, at));
                }
                EffectKind::Kept { stage, .. } => {
                    self.leads.insert(lead.clone(), (*stage, at));
                }
                _ => {}
            }
        }
        if applied {
            if let (EventKind::SalesAttempt { .. }, Some(lead)) = (event.kind(), event.lead()) {
                if let Some((stage, since)) = self.leads.get_mut(lead) {
                    // Only the stages with a service level reset their idle clock.
                    if policy.sla.for_stage(*stage).is_some() {
                        *since = event.at();
                    }
                }
            }
        }
    }

    /// The leads whose stage's idle limit, counted from their idle clock, fell due at or
    /// before `t`: each with its stage and when it was due.
    pub(super) fn overdue<'a>(
        &'a self,
        policy: &'a Policy,
        t: DateTime<Utc>,
    ) -> impl Iterator<Item = (&'a LeadId, Stage, DateTime<Utc>)> + 'a {
        self.leads
            .iter()
            .filter_map(move |(lead, &(stage, since))| {
                let days = policy.sla.for_stage(stage)?.idle_days?;
                let due = after(since, days);
                (due <= t).then_some((lead, stage, due))
            })
    }
}
