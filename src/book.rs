//! The lead book: the optional in-memory home for many leads.

mod accounts;
mod chunked;
mod insert;
mod leads;
mod sealed;
mod snapshot;

pub use accounts::AccountRollUp;
pub use insert::InsertError;
pub use leads::LeadIter;
pub use sealed::SnapshotHeader;
pub use snapshot::{Snapshot, SnapshotError};

use crate::accounts::AccountNames;
use crate::effect::Effect;
use crate::engine::{Engine, Phase, Subject};
use crate::error::StepError;
use crate::event::{Event, EventKind};
use crate::id::LeadId;
use crate::lead::Lead;
use crate::stage::Stage;
use chrono::{DateTime, Utc};
use leads::LeadSlots;
use std::collections::{BTreeMap, BTreeSet};

/// Many leads by id, with a deadline queue, the clock watermark, merges and snapshots.
///
/// A `tick` costs O(due leads x log n): leads are found through a queue ordered by
/// (deadline, lead id), never by scanning the book, and the earliest entries are read
/// from the queue's (cached) left edge. A refused event changes nothing
/// itself (see [`LeadBook::try_apply`] for the deadlines that fall due before it).
///
/// # A collection of leads
///
/// [`get`](LeadBook::get) finds a lead by id; [`iter`](LeadBook::iter) (and `for lead
/// in &book`) visits every lead without allocating, in the order the leads entered the
/// book: the order of their `created` events, and for a book restored from a
/// [`Snapshot`], the snapshot's order first. That order is the same on every run and
/// machine; [`leads`](LeadBook::leads) gives id order. [`next_deadline`](LeadBook::next_deadline)
/// tells a host when the next tick has something to do.
///
/// **No `get_mut`.** Every field of a [`Lead`] is the engine's state, derived from the
/// events applied to it: the stage and its nurture enrollment, the deadlines the queue
/// holds, the score and the hysteresis built on it, the ids remembered for
/// idempotency. None is safe to edit in place: a changed deadline would not be in the
/// queue, a changed profile would leave the fit score stale, and the book would no
/// longer be the one its events give (a replay or a restored snapshot would differ).
/// A host changes a lead by sending an event (`profile` for its attributes; sales and
/// nurture events for the rest), and keeps data of its own in its own map by
/// [`LeadId`].
///
/// **Reclaiming memory.** A removed lead stays in the book (and its snapshots), so that
/// late events for it are refused as `removed_lead` and a redelivered `created` as a
/// duplicate. [`evict_removed`](LeadBook::evict_removed) drops every removed lead, and
/// [`remove`](LeadBook::remove) takes one lead out (in any stage) and hands it back.
/// The book keeps no trace of an evicted lead: an event naming it afterwards is
/// `unknown_lead` (a merge into it too), and a `created` event with its id creates a
/// new lead — a redelivery of the evicted lead's own `created` included. So evict a
/// lead only once no event for it can still arrive.
#[derive(Clone, Debug, Default)]
pub struct LeadBook {
    leads: LeadSlots,
    /// Min-queue of (deadline, lead). An entry is stale, and skipped, when the lead's
    /// next deadline has since changed or the lead left the book; stale entries are
    /// purged when they pile up.
    ///
    /// A B-tree, not a binary heap: taking the earliest entry reads the tree's left
    /// edge, which stays in cache, where a heap's pop sifts through log2(n) levels
    /// spread over the whole array. With ten deadlines due per tick, a heap's tick
    /// took 17.8 µs at 1M leads and 340 µs at 10M (docs/performance.md, issue 11).
    queue: BTreeSet<(DateTime<Utc>, LeadId)>,
    watermark: Option<DateTime<Utc>>,
    /// The fingerprint of the policy the book last changed under.
    policy_fingerprint: Option<String>,
    /// Per account: the leads engaged within the `[accounts]` window, and aliases.
    accounts: AccountRollUp,
}

impl LeadBook {
    /// An empty book.
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies one event (or tick) and returns its effects. A refused event yields a
    /// `rejected` effect, after the effects of the lead's deadlines that fell due before
    /// it (see [`LeadBook::try_apply`]).
    pub fn apply(&mut self, engine: &Engine, event: &Event) -> Vec<Effect> {
        let mut out = Vec::new();
        self.apply_into(engine, event, &mut out);
        out
    }

    /// Like [`LeadBook::apply`], appending to `out`.
    pub fn apply_into(&mut self, engine: &Engine, event: &Event, out: &mut Vec<Effect>) {
        if let Err(e) = self.try_apply(engine, event, out) {
            out.push(Effect::rejected(&e, event));
        }
    }

    /// Applies one event, appending its effects to `out`.
    ///
    /// On error the event changed nothing itself. When it was refused for the stage
    /// its lead is really in (`illegal_transition`, `unknown_program`, or
    /// `removed_lead` because a deadline removed the lead), that lead's deadlines at or
    /// before the event's time (both leads' for a merge) have fired first: their
    /// effects are in `out` and stand, exactly as a tick at the event's time would have
    /// left them. Any other refusal leaves the book as it was and `out` untouched. The
    /// engine decides which refusal an event gets; the book finds the leads, passes in
    /// its watermark, and keeps the deadline queue.
    ///
    /// The book records the [fingerprint](crate::Policy::fingerprint) of the engine's
    /// policy whenever an event or tick changes it, for [`LeadBook::snapshot`].
    pub fn try_apply(
        &mut self,
        engine: &Engine,
        event: &Event,
        out: &mut Vec<Effect>,
    ) -> Result<(), StepError> {
        let emitted = out.len();
        let result = self.apply_event(engine, event, out);
        // Changed: the event was applied, or deadlines fired before its refusal.
        if result.is_ok() || out.len() > emitted {
            self.record_policy(engine);
        }
        result
    }

    /// Records the engine's policy as the one the book last changed under.
    fn record_policy(&mut self, engine: &Engine) {
        let fingerprint = engine.policy_fingerprint();
        if self.policy_fingerprint.as_deref() != Some(fingerprint) {
            self.policy_fingerprint = Some(fingerprint.to_owned());
        }
    }

    /// [`LeadBook::try_apply`], without recording the policy.
    fn apply_event(
        &mut self,
        engine: &Engine,
        event: &Event,
        out: &mut Vec<Effect>,
    ) -> Result<(), StepError> {
        let Some(id) = event.lead() else {
            engine.refusal(Phase::BeforeDeadlines, Subject::Tick, event, self.watermark)?;
            if let EventKind::AccountAlias { account, alias } = event.kind() {
                return self
                    .accounts
                    .add_alias(engine, account, alias)
                    .map_err(|e| StepError::Malformed {
                        lead: None,
                        problem: format!("`account_alias` refused: {e}"),
                    });
            }
            self.tick(engine, event.at(), out);
            return Ok(());
        };
        let unknown = |lead: &LeadId| engine.unknown_lead(lead, event);
        match event.kind() {
            EventKind::Created { .. } if !self.leads.contains_key(id) => {
                let (lead, effects) = engine.create_after(event, self.watermark)?;
                out.extend(effects);
                let next = lead.next_deadline();
                // In the book before it is queued: a purge rebuilds the queue from the
                // book's leads, and would drop the new lead's deadline.
                self.leads.insert(lead);
                self.schedule(id, None, next);
                self.account_event(engine, id, event, out);
                Ok(())
            }
            // A merge into itself has one lead; the engine refuses it.
            EventKind::Merged { into } if into != id => {
                let [dup, surv] = self.leads.get_disjoint_mut([id, into]);
                let dup = dup.ok_or_else(|| unknown(id))?;
                let surv = surv.ok_or_else(|| unknown(into))?;
                let before = [dup.next_deadline(), surv.next_deadline()];
                let result = engine.step_after(dup, Some(surv), event, self.watermark, out);
                let after = [dup.next_deadline(), surv.next_deadline()];
                if result.is_ok() && engine.policy().accounts.is_some() {
                    self.accounts.merge(engine, dup, surv);
                }
                self.schedule(id, before[0], after[0]);
                self.schedule(into, before[1], after[1]);
                result?;
                self.account_event(engine, into, event, out);
                Ok(())
            }
            _ => {
                let lead = self.leads.get_mut(id).ok_or_else(|| unknown(id))?;
                let before = lead.next_deadline();
                let result = engine.step_after(lead, None, event, self.watermark, out);
                let after = lead.next_deadline();
                self.schedule(id, before, after);
                result?;
                self.account_event(engine, id, event, out);
                Ok(())
            }
        }
    }

    /// After an event of lead `id` was applied: with `[accounts]`, the roll-up counts
    /// it and evaluates the lead's account at the event's time (never at a tick, so
    /// the effects do not depend on where ticks fall); a crossing adds its
    /// `account_engaged` effect, and the engine judges the account's leads for the
    /// lift ([`Engine::lift_for_account`]), each in id order with its deadlines
    /// rescheduled.
    fn account_event(
        &mut self,
        engine: &Engine,
        id: &LeadId,
        event: &Event,
        out: &mut Vec<Effect>,
    ) {
        let Some(policy) = engine.policy().accounts.as_ref() else {
            return;
        };
        let Some(lead) = self.leads.get(id) else {
            return;
        };
        let (effect, lift) = self.accounts.observe(engine, policy, lead, event);
        out.extend(effect);
        let lifted = match lift {
            accounts::Lift::None => return,
            accounts::Lift::One => vec![id.clone()],
            accounts::Lift::All(ids) => ids,
        };
        for member in &lifted {
            let Some(lead) = self.leads.get_mut(member) else {
                continue;
            };
            let before = lead.next_deadline();
            engine.lift_for_account(lead, event, out);
            let after = lead.next_deadline();
            self.schedule(member, before, after);
        }
    }

    /// The account names in force in this book: the policy's `[accounts.aliases]`
    /// and the aliases `account_alias` events added. [`AccountNames::resolve`] gives
    /// the account any company name or email domain belongs to, so that an analysis
    /// of the book's leads counts one account as one.
    pub fn account_names<'a>(&'a self, engine: &'a Engine) -> &'a AccountNames {
        self.accounts.names(engine)
    }

    /// The book's account roll-up (empty without `[accounts]` and alias events).
    pub fn account_roll_up(&self) -> &AccountRollUp {
        &self.accounts
    }

    /// Advances the clock to `at`: fires every due deadline in (time, lead id) order.
    fn tick(&mut self, engine: &Engine, at: DateTime<Utc>, out: &mut Vec<Effect>) {
        self.watermark = Some(at);
        while let Some((due, _)) = self.queue.first() {
            if *due > at {
                break;
            }
            let Some((due, id)) = self.queue.pop_first() else {
                break;
            };
            let Some(lead) = self.leads.get_mut(&id) else {
                continue;
            };
            if lead.next_deadline() != Some(due) {
                continue; // stale
            }
            engine.fire_earliest(lead, at, out);
            if let Some(next) = lead.next_deadline() {
                self.queue.insert((next, id));
            }
        }
    }

    /// Queues a lead whose next deadline moved from `before` to `after`; the old
    /// entry, if any, goes stale.
    fn schedule(
        &mut self,
        id: &LeadId,
        before: Option<DateTime<Utc>>,
        after: Option<DateTime<Utc>>,
    ) {
        if after != before {
            if let Some(at) = after {
                self.queue.insert((at, id.clone()));
                self.purge_stale();
            }
        }
    }

    /// Rebuilds the queue from the leads once stale entries outnumber live ones, so
    /// the queue stays O(leads) however often deadlines move.
    fn purge_stale(&mut self) {
        if self.queue.len() > 2 * self.leads.len() + 1024 {
            self.rebuild_queue();
        }
    }

    fn rebuild_queue(&mut self) {
        self.queue = self
            .leads
            .values()
            .filter_map(|l| l.next_deadline().map(|d| (d, l.id().clone())))
            .collect();
    }

    /// Reads, for each event, the parts of its lead that applying it will read, and
    /// changes nothing. A host that applies events in batches can call it on a batch
    /// first: the leads' cache misses then overlap, since no lookup waits for another,
    /// instead of each step waiting on its own in turn. Applying the events gives the
    /// same effects with or without it.
    ///
    /// ```
    /// use leadcycle::{Engine, Event, LeadBook, Policy};
    ///
    /// let engine = Engine::new(Policy::default())?;
    /// let mut book = LeadBook::new();
    /// let at = "2026-03-02T09:00:00Z".parse()?;
    /// book.apply(&engine, &Event::created("L1", at, "webinar"));
    /// let batch = [Event::touch("L1", at, "email_open"), Event::touch("L2", at, "email_open")];
    /// book.warm(&batch);
    /// for event in &batch {
    ///     book.apply(&engine, event);
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn warm<'e>(&self, events: impl IntoIterator<Item = &'e Event>) {
        let mut words = 0_u64;
        for event in events {
            if let Some(lead) = event.lead().and_then(|id| self.leads.get(id)) {
                words ^= lead.warm(event);
            }
        }
        std::hint::black_box(words);
    }

    /// The lead with this id.
    pub fn get(&self, id: &str) -> Option<&Lead> {
        self.leads.get(id)
    }

    /// Every lead, without allocating, in the order the leads entered the book (see
    /// [`LeadBook`]); [`LeadBook::leads`] gives id order.
    pub fn iter(&self) -> LeadIter<'_> {
        self.leads.values()
    }

    /// How many leads the book holds (removed ones included, evicted ones not).
    pub fn len(&self) -> usize {
        self.leads.len()
    }

    /// Whether the book holds no lead.
    pub fn is_empty(&self) -> bool {
        self.leads.len() == 0
    }

    /// Every lead, in id order.
    pub fn leads(&self) -> Vec<&Lead> {
        let mut leads: Vec<&Lead> = self.leads.values().collect();
        leads.sort_unstable_by(|a, b| a.id().cmp(b.id()));
        leads
    }

    /// How many leads are in each stage; every stage is listed, in waterfall order.
    pub fn stage_counts(&self) -> BTreeMap<Stage, usize> {
        let mut counts: BTreeMap<Stage, usize> = Stage::ALL.iter().map(|&s| (s, 0)).collect();
        for lead in self.leads.values() {
            *counts.entry(lead.stage()).or_insert(0) += 1;
        }
        counts
    }

    /// The time of the last tick.
    pub fn watermark(&self) -> Option<DateTime<Utc>> {
        self.watermark
    }

    /// The earliest deadline of any lead in the book: a tick at or after it has
    /// something to fire; before it, nothing. `None` when no lead has a deadline.
    ///
    /// It reads the deadline queue; queue entries left stale by deadlines that moved
    /// (or leads that left the book) are dropped on the way, which is why it takes
    /// `&mut self`. Each stale entry is dropped once, so the cost is O(log n) per
    /// entry, paid at most once, and a tick would have paid it anyway.
    pub fn next_deadline(&mut self) -> Option<DateTime<Utc>> {
        while let Some((due, id)) = self.queue.first() {
            if self.leads.get(id).and_then(Lead::next_deadline) == Some(*due) {
                return Some(*due);
            }
            self.queue.pop_first();
        }
        None
    }

    /// Takes the lead out of the book and returns it, in whatever stage it is; `None`
    /// when the book does not hold it. The other leads keep their order.
    ///
    /// The book forgets the lead: its deadlines no longer fire here (a host that keeps
    /// the returned lead wakes it at [`Lead::next_deadline`]), an event naming it is
    /// `unknown_lead`, and a `created` event with its id creates a new lead (see
    /// [`LeadBook`], "Reclaiming memory").
    pub fn remove(&mut self, id: &str) -> Option<Lead> {
        let lead = self.leads.remove(id)?;
        self.accounts.forget(&lead.id);
        Some(lead)
    }

    /// Drops every lead in stage `removed` from the book and gives their memory back;
    /// returns how many were dropped. The other leads keep their order.
    ///
    /// An evicted lead is forgotten: an event naming it afterwards is `unknown_lead`
    /// instead of `removed_lead`, and a `created` event with its id creates a new lead
    /// (see [`LeadBook`], "Reclaiming memory"). Removed leads have no deadlines, so no
    /// tick changes.
    pub fn evict_removed(&mut self) -> usize {
        let evicted = self
            .leads
            .remove_where(|lead| lead.stage() == Stage::Removed);
        if evicted > 0 {
            self.purge_stale();
            let leads = &self.leads;
            self.accounts.retain_members(|id| leads.contains_key(id));
        }
        evicted
    }

    /// The book's state as plain data: its leads in the book's order, the watermark,
    /// and the fingerprint of the policy the book last changed under.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            watermark: self.watermark,
            leads: self.leads.values().cloned().collect(),
            policy_fingerprint: self.policy_fingerprint.clone(),
            accounts: self.accounts.clone(),
        }
    }

    /// A book restored from a snapshot; it continues exactly as the original would.
    ///
    /// It restores under any policy and keeps the last entry of a lead listed twice;
    /// [`LeadBook::restore`] refuses both.
    pub fn from_snapshot(snapshot: Snapshot) -> Self {
        let mut book = LeadBook {
            leads: LeadSlots::from_leads(snapshot.leads),
            queue: BTreeSet::new(),
            watermark: snapshot.watermark,
            policy_fingerprint: snapshot.policy_fingerprint,
            accounts: snapshot.accounts,
        };
        book.rebuild_queue();
        book
    }

    /// A book restored from a snapshot, checked against the engine it will run with:
    /// refused when the snapshot was taken under another policy (by its
    /// [fingerprint](crate::Policy::fingerprint)) or lists a lead twice. A snapshot
    /// that records no fingerprint (written before leadcycle recorded one, or by a book
    /// that never changed) restores under any policy.
    ///
    /// ```
    /// use leadcycle::{Engine, Event, LeadBook, Policy, SnapshotError};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let engine = Engine::new(Policy::default())?;
    /// let mut book = LeadBook::new();
    /// book.apply(&engine, &Event::tick("2026-01-05T00:00:00Z".parse()?));
    /// let snapshot = book.snapshot();
    /// assert!(LeadBook::restore(snapshot.clone(), &engine).is_ok());
    ///
    /// let mut other = Policy::default();
    /// other.scoring.mql_threshold = 80.0;
    /// let other = Engine::new(other)?;
    /// let refused = LeadBook::restore(snapshot, &other).unwrap_err();
    /// assert!(matches!(refused, SnapshotError::PolicyMismatch { .. }));
    /// # Ok(())
    /// # }
    /// ```
    pub fn restore(snapshot: Snapshot, engine: &Engine) -> Result<Self, SnapshotError> {
        if let Some(recorded) = &snapshot.policy_fingerprint {
            if recorded != engine.policy_fingerprint() {
                return Err(SnapshotError::PolicyMismatch {
                    snapshot: recorded.clone(),
                    engine: engine.policy_fingerprint().to_owned(),
                });
            }
        }
        let mut seen = std::collections::HashSet::with_capacity(snapshot.leads.len());
        if let Some(twice) = snapshot.leads.iter().find(|l| !seen.insert(l.id())) {
            return Err(SnapshotError::DuplicateLead {
                lead: twice.id().clone(),
            });
        }
        Ok(Self::from_snapshot(snapshot))
    }
}

impl<'a> IntoIterator for &'a LeadBook {
    type Item = &'a Lead;
    type IntoIter = LeadIter<'a>;

    fn into_iter(self) -> LeadIter<'a> {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Policy;
    use chrono::TimeDelta;

    #[test]
    fn the_deadline_queue_stays_within_twice_the_leads_however_often_a_deadline_moves() {
        // Every contact attempt on a SAL moves its idle deadline: the old queue entry
        // goes stale. Without the purge the queue would hold one entry per attempt.
        let engine = Engine::new(Policy::default()).expect("the default policy is valid");
        let mut book = LeadBook::new();
        let t0: DateTime<Utc> = "2026-01-05T10:00:00Z".parse().expect("a valid time");
        for event in [
            Event::created("L1", t0, "webinar"),
            Event::sales_accepted("L1", t0, "R1"),
        ] {
            book.apply(&engine, &event);
        }
        let bound = 2 * book.len() + 1024 + 1;
        for minute in 1..=3 * bound as i64 {
            let at = t0 + TimeDelta::minutes(minute);
            let effects = book.apply(&engine, &Event::sales_attempt("L1", at, "R1"));
            assert!(effects.is_empty(), "{effects:?}");
            assert!(
                book.queue.len() <= bound,
                "{} queue entries for {} lead",
                book.queue.len(),
                book.len()
            );
        }
        // The purges kept the live entry.
        let due = book
            .get("L1")
            .and_then(Lead::next_deadline)
            .expect("idle deadline");
        assert!(book.queue.contains(&(due, LeadId::from("L1"))));
    }
}
