//! Merging a duplicate lead into its survivor.

use super::Engine;
use crate::effect::{Cause, Effect, NurtureEnd};
use crate::error::StepError;
use crate::event::{Event, EventKind};
use crate::lead::Lead;
use crate::scoring::fit_changes;

impl Engine {
    /// Applies a `merged` event: `duplicate` is removed (reason `merged`) and
    /// `survivor` absorbs its history. The survivor's engagement becomes the sum of
    /// both (each decayed to the merge time, then capped); touch counts, content seen,
    /// program positions and applied event ids are united; the earlier first touch and
    /// the later last touch win; profile attributes the survivor lacks are taken; the
    /// survivor keeps its stage, owner and enrollment, takes the duplicate's original
    /// rep if it has none, and may qualify. Both leads' due deadlines fire first.
    ///
    /// On error neither lead changes.
    pub fn merge(
        &self,
        duplicate: &mut Lead,
        survivor: &mut Lead,
        event: &Event,
    ) -> Result<Vec<Effect>, StepError> {
        let EventKind::Merged { into } = &event.kind else {
            return Err(StepError::Malformed {
                lead: event.lead.clone(),
                problem: format!(
                    "Engine::merge takes a `merged` event, but was given `{}`",
                    event.event_type()
                ),
            });
        };
        if *into == duplicate.id {
            return Err(StepError::self_merge(&duplicate.id));
        }
        if *into != survivor.id {
            return Err(StepError::Malformed {
                lead: Some(duplicate.id.clone()),
                problem: format!(
                    "the `merged` event names survivor {into}, but lead {} was given as the survivor",
                    survivor.id
                ),
            });
        }
        self.check_before_timers(duplicate, event)?;
        self.check_survivor(survivor, event)?;

        // Merges are rare: work on copies, commit only when all went well.
        let (mut dup, mut surv) = (duplicate.clone(), survivor.clone());
        let mut out = Vec::new();
        // Due deadlines of both leads fire first, in (time, lead id) order as on a tick.
        loop {
            let next_of = |l: &Lead| {
                l.next_deadline()
                    .filter(|&d| d <= event.at)
                    .map(|d| (d, l.id.clone()))
            };
            let lead = match (next_of(&dup), next_of(&surv)) {
                (Some(a), Some(b)) if b < a => &mut surv,
                (Some(_), _) => &mut dup,
                (None, Some(_)) => &mut surv,
                (None, None) => break,
            };
            self.fire_earliest(lead, event.at, &mut out);
        }
        self.check_not_removed(&dup, event)?;
        self.check_survivor(&surv, event)?;

        let at = event.at;
        self.rearm(&mut surv, at);
        self.remove(
            &mut dup,
            "merged",
            Cause::Merged,
            NurtureEnd::Removed,
            at,
            &mut out,
        );
        dup.clock = dup.clock.max(at);
        if let Some(id) = &event.id {
            dup.applied_events.insert(id.clone());
        }

        self.decay(&mut surv, at);
        self.decay(&mut dup, at);
        surv.score.absorb(&dup.score, &dup.id, at, self.bounds());
        for (kind, n) in &dup.touch_counts {
            *surv.touch_counts.entry(kind.clone()).or_insert(0) += n;
        }
        surv.content_seen.extend(dup.content_seen.iter().cloned());
        for (program, &position) in &dup.program_positions {
            let p = surv.program_positions.entry(program.clone()).or_insert(0);
            *p = (*p).max(position);
        }
        surv.applied_events
            .extend(dup.applied_events.iter().cloned());
        if dup.first_touch.at < surv.first_touch.at {
            surv.first_touch = dup.first_touch.clone();
        }
        if dup.last_touch.at > surv.last_touch.at {
            surv.last_touch = dup.last_touch.clone();
        }
        if surv.original_rep.is_none() {
            surv.original_rep = dup.original_rep.clone();
        }
        if surv.account.is_none() {
            surv.account = dup.account.clone();
        }
        let before = surv.profile.clone();
        for (attr, value) in &dup.profile {
            surv.profile
                .entry(attr.clone())
                .or_insert_with(|| value.clone());
        }
        let changes = fit_changes(&self.policy.scoring.fit, &before, &surv.profile);
        surv.score
            .set_fit(&changes, at, self.policy.scoring.ledger_size);
        // The same person asked not to be emailed.
        surv.do_not_email |= dup.do_not_email;
        surv.times_recycled += dup.times_recycled;
        surv.clock = surv.clock.max(at);
        self.qualify(&mut surv, at, false, &mut out);

        *duplicate = dup;
        *survivor = surv;
        Ok(out)
    }

    fn check_survivor(&self, survivor: &Lead, event: &Event) -> Result<(), StepError> {
        self.check_not_removed(survivor, event)?;
        if event.at < survivor.clock {
            return Err(StepError::OutOfOrder {
                lead: Some(survivor.id.clone()),
                event: event.event_type(),
                at: event.at,
                after: survivor.clock,
                what: "the survivor's last event",
            });
        }
        Ok(())
    }
}
