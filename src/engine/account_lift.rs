//! The account lift: the book hands the engine one signal, "this lead's account is
//! engaged", and the engine's one qualification decision does the rest.

use super::qualify::Signals;
use super::Engine;
use crate::effect::Effect;
use crate::event::Event;
use crate::lead::Lead;
use crate::stage::Stage;

impl Engine {
    /// Qualifies `lead` because its account is engaged, as
    /// [`Engine::qualification`] decides with the account signal: an armed inquiry or
    /// recycled lead whose fit grade is in `[accounts] lift_grades` becomes an MQL
    /// with cause `account`.
    ///
    /// `event` is the event at which the [`LeadBook`](crate::LeadBook) found the
    /// account engaged; it may be another lead's. The lead's own deadlines up to the
    /// event's time fire first (as a tick at that time would fire them), so the lead
    /// is judged in the stage it is really in. A lead whose clock is past the event's
    /// time (it already has a later event of its own) is left as it is: it is judged
    /// again at its own next event, while the account stays engaged. A lead whose grade
    /// the policy does not lift is not touched at all.
    pub(crate) fn lift_for_account(&self, lead: &mut Lead, event: &Event, out: &mut Vec<Effect>) {
        let at = event.at();
        // A grade no deadline changes: a lead the lift can never take is left alone,
        // its deadlines to the next tick.
        if lead.clock > at || lead.stage == Stage::Removed || !self.lifted_grade(lead) {
            return;
        }
        self.advance_into(lead, at, out);
        if self.qualify_with(lead, event, Signals::ACCOUNT, out) {
            self.set_clock(lead, at);
        }
    }
}
