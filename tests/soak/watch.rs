//! The soak's online checker: a book fed one event at a time, with every DESIGN.md
//! invariant checked as it goes, in time and memory that do not grow with the stream
//! (`leadcycle::testing::check_invariants` replays a whole stream several times, which
//! a stream of millions of events cannot afford).
//!
//! After each event, for the leads it names and the leads its effects name:
//! 1. conservation: the lead is in the stage its `transition` effects lead to (and at
//!    every checkpoint, the book holds exactly the leads the transitions created, and
//!    its stage counts add up to them);
//! 2. no black hole: after a tick at t no lead in the book has a deadline at or before
//!    t; after an applied event, its leads have none at or before the event's time;
//! 3. a recycled lead has a nurture enrollment and a removed one none, and a removed
//!    lead gets no transition, nurture assignment, step or routing;
//! 4. the first touch is the one the lead was created with, or after a merge the
//!    earlier of the two leads';
//! 5. snapshot and restore: at each checkpoint the book is saved as JSON and restored
//!    (`LeadBook::restore`, checked against the engine), the restored book's snapshot is
//!    the saved one, and from then on the original book runs beside the restored one
//!    until the next checkpoint, giving byte-identical effects and state;
//! 6. idempotency: an applied event with an id delivered again right after itself is
//!    refused as a duplicate (`duplicate_event`, or `duplicate_lead` for a `created`)
//!    and changes nothing;
//! 7. a refused event changes nothing: when its only effect is the `rejected` and its
//!    leads had nothing due, the leads and the watermark are as before.

use leadcycle::{Effect, EffectKind, Engine, Event, EventKind, Lead, LeadBook, LeadId, Stage};
use leadcycle::{RejectKind, Snapshot, Touch};
use std::collections::{BTreeMap, BTreeSet};

/// A book under watch, with the state the checks need and nothing that grows with the
/// stream once removed leads are evicted.
pub struct Watch<'e> {
    engine: &'e Engine,
    book: LeadBook,
    /// The book as it was before the last checkpoint's restore, run beside the restored
    /// one until the next checkpoint.
    original: Option<LeadBook>,
    /// Each lead's stage as its `transition` effects tell it.
    told: BTreeMap<LeadId, Stage>,
    /// Each lead's first touch as the rules say it must be.
    first: BTreeMap<LeadId, Touch>,
    /// Removed leads still in the book.
    removed: BTreeSet<LeadId>,
    /// Events applied (or refused) so far, redeliveries included.
    pub events: u64,
    /// Checkpoints taken (snapshot, restore, compare).
    pub checkpoints: u64,
    /// Redeliveries made right after an applied event.
    pub redeliveries: u64,
    /// Leads evicted once removed.
    pub evicted: u64,
}

/// Where an invariant failed: the invariant's number, and what went wrong.
pub type Broken = String;

macro_rules! check {
    ($cond:expr, $inv:literal, $($message:tt)+) => {
        if !$cond {
            return Err(format!("invariant {}: {}", $inv, format_args!($($message)+)));
        }
    };
}

impl<'e> Watch<'e> {
    /// An empty book under `engine`.
    pub fn new(engine: &'e Engine) -> Self {
        Watch {
            engine,
            book: LeadBook::new(),
            original: None,
            told: BTreeMap::new(),
            first: BTreeMap::new(),
            removed: BTreeSet::new(),
            events: 0,
            checkpoints: 0,
            redeliveries: 0,
            evicted: 0,
        }
    }

    /// The book under watch.
    pub fn book(&self) -> &LeadBook {
        &self.book
    }

    /// Whether the lead is in the book and not removed (the soak retires such leads).
    pub fn is_live(&self, id: &LeadId) -> bool {
        self.told.contains_key(id) && !self.removed.contains(id)
    }

    /// Applies `e` and checks every invariant the event can break; when `redeliver` and
    /// the event was applied and has an id, delivers it again right after itself.
    pub fn apply(&mut self, e: &Event, redeliver: bool) -> Result<Vec<Effect>, Broken> {
        let effects = self.apply_checked(e)?;
        let applied = !effects
            .iter()
            .any(|f| matches!(f.kind, EffectKind::Rejected { .. }));
        if redeliver && applied && e.id().is_some() {
            self.redeliveries += 1;
            let before = self.leads_before(e);
            let again = self.apply_checked(e)?;
            let kind = match again.as_slice() {
                [Effect {
                    kind: EffectKind::Rejected { kind, .. },
                    ..
                }] => Some(*kind),
                _ => None,
            };
            let expected = match e.kind() {
                EventKind::Created { .. } => {
                    matches!(
                        kind,
                        Some(RejectKind::DuplicateEvent | RejectKind::DuplicateLead)
                    )
                }
                _ => kind == Some(RejectKind::DuplicateEvent),
            };
            check!(
                expected,
                6,
                "{} {:?} delivered again right after itself gave {again:?}",
                e.event_type(),
                e.id()
            );
            for (id, lead) in before {
                check!(
                    self.book.get(id.as_str()) == lead.as_ref(),
                    6,
                    "a redelivered {} changed lead {id}",
                    e.event_type()
                );
            }
        }
        Ok(effects)
    }

    /// The leads `e` names (a merge's survivor too), as they are now.
    fn leads_before(&self, e: &Event) -> Vec<(LeadId, Option<Lead>)> {
        named(e)
            .into_iter()
            .map(|id| {
                let lead = self.book.get(id.as_str()).cloned();
                (id, lead)
            })
            .collect()
    }

    fn apply_checked(&mut self, e: &Event) -> Result<Vec<Effect>, Broken> {
        self.events += 1;
        let before = self.leads_before(e);
        let watermark = self.book.watermark();
        let effects = self.book.apply(self.engine, e);
        if let Some(original) = &mut self.original {
            let theirs = original.apply(self.engine, e);
            check!(
                json(&effects) == json(&theirs),
                5,
                "{} at {}: the restored book gave {} but the original {}",
                e.event_type(),
                e.at(),
                json(&effects),
                json(&theirs)
            );
        }
        self.follow_effects(e, &effects)?;
        let rejected = effects
            .iter()
            .any(|f| matches!(f.kind, EffectKind::Rejected { .. }));
        if rejected {
            self.check_refusal(e, &effects, &before, watermark)?;
        } else {
            self.check_applied(e, &before)?;
        }
        Ok(effects)
    }

    /// Conservation, and removed leads left alone, from the effects.
    fn follow_effects(&mut self, e: &Event, effects: &[Effect]) -> Result<(), Broken> {
        let mut newly_removed = Vec::new();
        for f in effects {
            let Some(id) = &f.lead else { continue };
            let acts = matches!(
                f.kind,
                EffectKind::Transition { .. }
                    | EffectKind::NurtureAssigned { .. }
                    | EffectKind::NurtureStepDue { .. }
                    | EffectKind::Routed { .. }
            );
            check!(
                !(acts && self.removed.contains(id)),
                3,
                "removed lead {id} got {f:?} from {} at {}",
                e.event_type(),
                e.at()
            );
            if let EffectKind::Transition { from, to, .. } = &f.kind {
                match from {
                    None => {
                        check!(!self.told.contains_key(id), 1, "lead {id} created twice");
                        check!(*to == Stage::Inquiry, 1, "lead {id} created in {to}");
                        let lead = self.book.get(id.as_str());
                        let Some(lead) = lead else {
                            return Err(format!("invariant 1: created lead {id} not in the book"));
                        };
                        self.first.insert(id.clone(), *lead.first_touch());
                    }
                    Some(from) => check!(
                        self.told.get(id) == Some(from),
                        1,
                        "lead {id} moved from {from} but was told {:?}",
                        self.told.get(id)
                    ),
                }
                self.told.insert(id.clone(), *to);
                if *to == Stage::Removed {
                    newly_removed.push(id.clone());
                }
            }
        }
        self.removed.extend(newly_removed);
        Ok(())
    }

    /// Invariant 7 for a refused event; invariant 2 for the leads whose deadlines fired
    /// before a refusal judged against their stage.
    fn check_refusal(
        &self,
        e: &Event,
        effects: &[Effect],
        before: &[(LeadId, Option<Lead>)],
        watermark: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<(), Broken> {
        check!(
            matches!(
                effects.last().map(|f| &f.kind),
                Some(EffectKind::Rejected { .. })
            ),
            7,
            "a refusal's rejected effect is not its last: {effects:?}"
        );
        check!(
            self.book.watermark() == watermark,
            7,
            "a refused {} moved the watermark",
            e.event_type()
        );
        for (id, lead) in before {
            let nothing_due = lead
                .as_ref()
                .and_then(Lead::next_deadline)
                .is_none_or(|d| d > e.at());
            if effects.len() == 1 && nothing_due {
                check!(
                    self.book.get(id.as_str()) == lead.as_ref(),
                    7,
                    "a refused {} at {} changed lead {id}",
                    e.event_type(),
                    e.at()
                );
            }
            if let Some(now) = self.book.get(id.as_str()) {
                // Deadlines fired before the refusal (when it was judged after them)
                // never leave one due at or before the event.
                if effects.len() > 1 {
                    check!(
                        now.next_deadline().is_none_or(|d| d > e.at()),
                        2,
                        "after a refused {} at {}, lead {id} still has a deadline at {:?}",
                        e.event_type(),
                        e.at(),
                        now.next_deadline()
                    );
                }
            }
        }
        Ok(())
    }

    /// Invariants 1 to 4 for the leads of an applied event (every lead for a tick).
    fn check_applied(
        &mut self,
        e: &Event,
        before: &[(LeadId, Option<Lead>)],
    ) -> Result<(), Broken> {
        if e.lead().is_none() {
            let next = self.book.next_deadline();
            check!(
                next.is_none_or(|d| d > e.at()),
                2,
                "after the tick at {} a deadline at {next:?} is still due",
                e.at()
            );
            return Ok(());
        }
        if let EventKind::Merged { into, .. } = e.kind() {
            // The survivor keeps the earlier first touch of the two.
            let touch = |id: &LeadId| before.iter().find(|(l, _)| l == id)?.1.as_ref();
            if let (Some(dup), Some(surv)) = (
                touch(e.lead().expect("a merge names its lead")),
                touch(into),
            ) {
                let earliest = if dup.first_touch().at < surv.first_touch().at {
                    dup.first_touch()
                } else {
                    surv.first_touch()
                };
                self.first.insert(into.clone(), *earliest);
            }
        }
        for (id, _) in before {
            let Some(lead) = self.book.get(id.as_str()) else {
                return Err(format!(
                    "invariant 1: applied {}'s lead {id} is not in the book",
                    e.event_type()
                ));
            };
            check!(
                self.told.get(id) == Some(&lead.stage()),
                1,
                "lead {id} is in {} but its transitions say {:?}",
                lead.stage(),
                self.told.get(id)
            );
            check!(
                lead.next_deadline().is_none_or(|d| d > e.at()),
                2,
                "after {} at {}, lead {id} still has a deadline at {:?}",
                e.event_type(),
                e.at(),
                lead.next_deadline()
            );
            match lead.stage() {
                Stage::Recycled => check!(
                    lead.nurture().is_some(),
                    3,
                    "recycled lead {id} has no program"
                ),
                Stage::Removed => {
                    check!(lead.nurture().is_none(), 3, "removed lead {id} is enrolled")
                }
                _ => {}
            }
            check!(
                self.first.get(id) == Some(lead.first_touch()),
                4,
                "lead {id}'s first touch is {:?}, expected {:?}",
                lead.first_touch(),
                self.first.get(id)
            );
        }
        Ok(())
    }

    /// A checkpoint: the whole book checked against the transitions (invariant 1), then
    /// compared with the original it was restored from (invariant 5), then saved as
    /// JSON, restored with `LeadBook::restore`, and run from here on beside the book it
    /// was restored from. `evict` first drops removed leads (from both books).
    pub fn checkpoint(&mut self, evict: bool) -> Result<(), Broken> {
        self.checkpoints += 1;
        if evict {
            let n = self.book.evict_removed();
            if let Some(original) = &mut self.original {
                check!(
                    original.evict_removed() == n,
                    5,
                    "the original evicted another number of leads"
                );
            }
            self.evicted += n as u64;
            for id in std::mem::take(&mut self.removed) {
                self.told.remove(&id);
                self.first.remove(&id);
            }
        }
        check!(
            self.book.len() == self.told.len(),
            1,
            "the book holds {} leads but {} were created and not evicted",
            self.book.len(),
            self.told.len()
        );
        let counts: usize = self.book.stage_counts().values().sum();
        check!(
            counts == self.book.len(),
            1,
            "stage counts add up to {counts}, not {}",
            self.book.len()
        );
        for lead in &self.book {
            check!(
                self.told.get(lead.id()) == Some(&lead.stage()),
                1,
                "lead {} is in {} but its transitions say {:?}",
                lead.id(),
                lead.stage(),
                self.told.get(lead.id())
            );
        }
        let saved = json(&self.book.snapshot());
        if let Some(original) = self.original.take() {
            check!(
                json(&original.snapshot()) == saved,
                5,
                "the restored book and the original it was restored from differ at checkpoint {}",
                self.checkpoints
            );
        }
        let snapshot: Snapshot = serde_json::from_str(&saved)
            .map_err(|err| format!("invariant 5: the snapshot does not read back: {err}"))?;
        let restored = LeadBook::restore(snapshot, self.engine)
            .map_err(|err| format!("invariant 5: the snapshot does not restore: {err}"))?;
        check!(
            json(&restored.snapshot()) == saved,
            5,
            "the restored book's snapshot is not the one it was restored from"
        );
        self.original = Some(std::mem::replace(&mut self.book, restored));
        Ok(())
    }
}

/// The leads an event names: its own, and a merge's survivor.
fn named(e: &Event) -> Vec<LeadId> {
    let mut leads: Vec<LeadId> = e.lead().cloned().into_iter().collect();
    if let EventKind::Merged { into, .. } = e.kind() {
        if !leads.contains(into) {
            leads.push(into.clone());
        }
    }
    leads
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("effects and snapshots serialize")
}
