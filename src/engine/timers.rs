//! Deadlines: service-level breaches, passive recycling and nurture steps, fired in
//! time order and stamped with the deadline's own time.

use super::disposition::Recycling;
use super::Engine;
use crate::effect::{Cause, Effect, EffectKind, SlaKind};
use crate::lead::Lead;
use chrono::{DateTime, Utc};

impl Engine {
    /// Fires every deadline of the lead at or before `until`, in time order, and returns
    /// the effects. Use it to wake a lead at its [`Lead::next_deadline`].
    pub fn advance(&self, lead: &mut Lead, until: DateTime<Utc>) -> Vec<Effect> {
        let mut out = Vec::new();
        self.advance_into(lead, until, &mut out);
        out
    }

    pub(crate) fn advance_into(
        &self,
        lead: &mut Lead,
        until: DateTime<Utc>,
        out: &mut Vec<Effect>,
    ) {
        while self.fire_earliest(lead, until, out) {}
    }

    /// Fires the due deadlines of two leads (a merge's) in (time, lead id) order, as a
    /// tick would.
    pub(super) fn fire_both(
        &self,
        a: &mut Lead,
        b: &mut Lead,
        until: DateTime<Utc>,
        out: &mut Vec<Effect>,
    ) {
        loop {
            let due = |l: &Lead| l.next_deadline().filter(|&d| d <= until);
            let lead = match (due(a), due(b)) {
                (Some(x), Some(y)) if (y, &b.id) < (x, &a.id) => &mut *b,
                (Some(_), _) => &mut *a,
                (None, Some(_)) => &mut *b,
                (None, None) => break,
            };
            self.fire_earliest(lead, until, out);
        }
    }

    /// Fires everything due at the lead's earliest deadline, if that is at or before
    /// `until`. Returns whether anything fired. At one instant the order is: respond,
    /// attempts, idle, nurture.
    pub(crate) fn fire_earliest(
        &self,
        lead: &mut Lead,
        until: DateTime<Utc>,
        out: &mut Vec<Effect>,
    ) -> bool {
        let Some(at) = lead.next_deadline().filter(|&d| d <= until) else {
            return false;
        };
        self.set_clock(lead, at);
        if lead.sla().respond_due == Some(at) {
            lead.update_sla(|sla| sla.respond_due = None);
            breach(lead, SlaKind::Respond, at, out);
        }
        if lead.sla().attempts_due == Some(at) {
            lead.update_sla(|sla| sla.attempts_due = None);
            breach(lead, SlaKind::Attempts, at, out);
        }
        if lead.sla().idle_due == Some(at) {
            lead.update_sla(|sla| sla.idle_due = None);
            breach(lead, SlaKind::Idle, at, out);
            self.recycle(lead, Recycling::Passive, Cause::SlaIdle, at, out);
        }
        if lead.nurture().and_then(|e| e.due) == Some(at) {
            self.nurture_due(lead, at, out);
        }
        true
    }
}

fn breach(lead: &Lead, sla: SlaKind, at: DateTime<Utc>, out: &mut Vec<Effect>) {
    out.push(Effect::new(
        &lead.id,
        at,
        EffectKind::SlaBreached {
            stage: lead.stage,
            sla,
            rep: lead.rare.get().owner.clone(),
        },
    ));
}
