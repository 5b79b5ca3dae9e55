//! Merging a duplicate lead into its survivor.

use super::transition::Target;
use super::Engine;
use crate::effect::{Cause, Effect, Reason};
use crate::error::Rejection;
use crate::event::Event;
use crate::lead::Lead;
use crate::scoring::fit_changes;

impl Engine {
    /// Applies a `merged` event: `duplicate` is removed (reason `merged`) and
    /// `survivor` absorbs its history. The survivor's engagement becomes the sum of
    /// both (each decayed to the merge time, then capped); touch counts, content seen,
    /// program positions and applied event ids are united; the duplicate's
    /// [choices](Lead::choices) the survivor lacks follow the survivor's own; the
    /// earlier first touch and the later last touch win; profile attributes the
    /// survivor lacks are taken; the survivor keeps its stage, owner and enrollment,
    /// takes the duplicate's original rep if it has none, and may qualify.
    ///
    /// Both leads' due deadlines fire first, in (time, lead id) order, before either is
    /// checked for removal; on a refusal judged after them their effects stand, in
    /// [`Rejection::fired`], as with [`Engine::step`].
    pub fn merge(
        &self,
        duplicate: &mut Lead,
        survivor: &mut Lead,
        event: &Event,
    ) -> Result<Vec<Effect>, Rejection> {
        let mut out = Vec::new();
        match self.step_after(duplicate, Some(survivor), event, None, &mut out) {
            Ok(()) => Ok(out),
            Err(error) => Err(Rejection { error, fired: out }),
        }
    }

    /// Applies a `merged` event that [`Engine::refusal`] accepted, after both leads'
    /// due deadlines fired.
    pub(super) fn absorb(
        &self,
        dup: &mut Lead,
        surv: &mut Lead,
        event: &Event,
        out: &mut Vec<Effect>,
    ) {
        let at = event.at();
        self.rearm(surv, at);
        let removed = Target::Removed {
            reason: Reason::Merged,
        };
        self.move_to(dup, removed, Cause::Merged, at, out);
        self.applied(dup, event);

        self.decay(surv, at);
        self.decay(dup, at);
        surv.score.absorb(&dup.score, &dup.id, at, self.bounds());
        for &(kind, n) in dup.touch_counts.entries() {
            surv.touch_counts.add(kind, n);
        }
        for content in dup.content_seen.iter() {
            surv.content_seen.insert(content);
        }
        // The survivor's own choices first: which of the two chose later is not known.
        for choice in &dup.rare.get().choices {
            if !surv.rare.get().choices.contains(choice) {
                surv.rare.get_mut().choices.push(*choice);
            }
        }
        for (program, position) in dup.rare.get().program_positions.iter() {
            surv.rare
                .get_mut()
                .program_positions
                .advance_to(program, position);
        }
        surv.absorb_ids(&dup.applied_events);
        if dup.first_touch.at < surv.first_touch.at {
            surv.set_first_touch(dup.first_touch);
        }
        if dup.last_touch.at > surv.last_touch.at {
            surv.last_touch = dup.last_touch;
        }
        // The survivor's rare parts are allocated only for something to copy.
        if surv.rare.get().original_rep.is_none() && dup.rare.get().original_rep.is_some() {
            surv.rare.get_mut().original_rep = dup.rare.get().original_rep.clone();
        }
        if surv.account.is_none() {
            surv.account = dup.account;
        }
        let before = surv.profile.clone();
        for (attr, value) in &dup.profile {
            if !surv.profile.contains_key(attr) {
                surv.profile.insert(attr, value.clone());
            }
        }
        let changes = fit_changes(&self.inner.policy.scoring.fit, &before, &surv.profile);
        surv.score
            .set_fit(&changes, at, self.inner.policy.scoring.ledger_size);
        // The same person asked not to be emailed.
        surv.do_not_email |= dup.do_not_email;
        let from = dup.rare.get();
        if from.times_recycled > 0 || !from.recycle_reasons.is_empty() {
            let into = surv.rare.get_mut();
            into.times_recycled += from.times_recycled;
            into.recycle_reasons
                .extend(from.recycle_reasons.iter().cloned());
        }
        self.set_clock(surv, at);
        surv.forget_ids(self.inner.dedupe_window);
        self.qualify(surv, event, false, out);
    }
}
