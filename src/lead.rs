//! The lead record: everything the engine remembers about one lead.

use crate::applied_ids::AppliedIds;
use crate::content_seen::ContentSeen;
use crate::day_points::DayPoints;
use crate::held_parts::HeldParts;
use crate::id::{EventId, LeadId, RepId};
use crate::name::Name;
use crate::profile::Profile;
use crate::program_positions::ProgramPositions;
use crate::rare_parts::Rare;
use crate::scoring::ScoreState;
use crate::stage::Stage;
use crate::touch_counts::TouchCounts;
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

/// One lead and its whole lifecycle state.
///
/// A `Lead` is plain serde data, so a host can keep leads in its own database, load
/// one, [`step`](crate::Engine::step) it and save it. Its fields change only through
/// the engine, which keeps them consistent; read them with the accessors.
///
/// Its serde form is one object with every field in a fixed order (written by hand in
/// `lead_wire.rs`, since the record keeps its rarely set parts behind a pointer).
#[derive(Clone, Debug, PartialEq)]
// The fields a touch reads come first, in declaration order (`repr(C)`): a touch to a
// lead of a large book pays a cache miss per line of the record it reads, and Rust's
// own order (by alignment) spread them over every line. A touch that carries no event
// id and no content, to a lead in no program and no timed stage, reads bytes 0-191
// and no other: three lines' worth, four where the record does not start a line
// (the book's records sit at 16-byte boundaries; docs/performance.md, issue 11).
#[repr(C)]
pub struct Lead {
    pub(crate) id: LeadId,
    /// The time of the last event applied or deadline fired; older events are refused.
    pub(crate) clock: DateTime<Utc>,
    pub(crate) stage: Stage,
    /// Whether crossing the threshold by score qualifies the lead (hysteresis).
    pub(crate) armed: bool,
    /// Set by `unsubscribed`: the lead is never enrolled in nurture again.
    pub(crate) do_not_email: bool,
    /// Whether the rare parts hold a nurture enrollment or an SLA deadline, and
    /// `applied_events` an id: kept in the record's first bytes (in what was padding)
    /// so that the checks every event makes (the next deadline, a lengthened program,
    /// trimming the dedupe window) read none of them for a lead that has none. Only
    /// [`Lead::set_enrollment`], [`Lead::set_sla`], [`Lead::update_sla`],
    /// [`Lead::remember_id`], [`Lead::absorb_ids`] and [`Lead::forget_ids`] change it.
    pub(crate) held: HeldParts,
    /// Owner, opportunity, removal, nurture, recycling and alerts: absent from a new
    /// lead, so kept behind one pointer that stays null until one is set.
    pub(crate) rare: Rare,
    pub(crate) touch_counts: TouchCounts,
    pub(crate) score: ScoreState,
    pub(crate) last_touch: Touch,
    // Bytes 192-255: read by an event with content or an id.
    /// Content the lead was sent or consumed; nurture never sends it again.
    pub(crate) content_seen: ContentSeen,
    /// The ids of the events applied within the policy's dedupe window.
    pub(crate) applied_events: AppliedIds,
    pub(crate) entered_stage_at: DateTime<Utc>,
    /// Interned like a policy name: the book's account roll-up keeps every account
    /// it saw anyway, and a lead pays 4 bytes, not 16 and a heap copy.
    pub(crate) account: Option<Name>,
    // The rest: off the path of a touch (docs/performance.md, issue 11).
    /// Also the creation time, unless the rare parts say otherwise
    /// ([`Lead::created_at`]).
    pub(crate) first_touch: Touch,
    pub(crate) profile: Profile,
}

/// The memory behind `owner_alert`: the points a lead gained per UTC day while a rep
/// owned it (only the days of the `[alerts]` window are kept), and when its owner was
/// last alerted.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct OwnerAlerts {
    #[serde(default, skip_serializing_if = "DayPoints::is_empty")]
    pub(crate) gains: DayPoints,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) last: Option<DateTime<Utc>>,
}

impl OwnerAlerts {
    /// No gain, never alerted.
    pub(crate) const fn new() -> Self {
        OwnerAlerts {
            gains: DayPoints::new(),
            last: None,
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.gains.is_empty() && self.last.is_none()
    }
}

/// Where a touch came from, with its time. The first touch is kept for life.
///
/// The names are interned ([`Name`], 4 bytes each), so a touch is 24 bytes and owns no
/// heap; they serialize as strings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Touch {
    /// The lead source of a `created` event, or the kind of a `touch` event.
    pub source: Name,
    /// The campaign.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign: Option<Name>,
    /// The channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Name>,
    /// When.
    pub at: DateTime<Utc>,
}

/// A lead's current nurture enrollment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrollment {
    /// The program.
    pub program: String,
    /// The next step to send; the program's length once every step was sent.
    pub step: usize,
    /// When the next step falls due, or the program completes; `None` when the lead
    /// is exhausted there (it was already sent every step).
    pub due: Option<DateTime<Utc>>,
}

/// The service-level deadlines of the lead's current stay in its stage. A deadline is
/// cleared once it is met or its breach was reported, so each is reported once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaClock {
    /// When sales must have acted by.
    pub respond_due: Option<DateTime<Utc>>,
    /// When the required attempts must have been made by.
    pub attempts_due: Option<DateTime<Utc>>,
    /// Contact attempts made in this stay.
    pub attempts_made: u32,
    /// When the lead becomes idle: `idle_days` after entering the stage or the last
    /// sales event, whichever is later.
    pub idle_due: Option<DateTime<Utc>>,
}

/// No deadline and no attempt: the clock of a lead in an untimed stage (defined once,
/// as the `const` the lead's rare parts start from).
impl Default for SlaClock {
    fn default() -> Self {
        SlaClock::EMPTY
    }
}

impl SlaClock {
    /// No deadline, no attempt: the clock of a lead in an untimed stage.
    pub(crate) const EMPTY: SlaClock = SlaClock {
        respond_due: None,
        attempts_due: None,
        attempts_made: 0,
        idle_due: None,
    };

    /// Whether any of its deadlines is set.
    pub fn has_deadline(&self) -> bool {
        self.respond_due.is_some() || self.attempts_due.is_some() || self.idle_due.is_some()
    }
}

impl Touch {
    /// Records a touch of `source` from `campaign` and `channel` at `at`, keeping the
    /// names that did not change: comparing a name's text costs less than interning
    /// it again.
    pub(crate) fn update(
        &mut self,
        source: Name,
        campaign: Option<&str>,
        channel: Option<&str>,
        at: DateTime<Utc>,
    ) {
        self.source = source;
        set_optional_name(&mut self.campaign, campaign);
        set_optional_name(&mut self.channel, channel);
        self.at = at;
    }
}

fn set_name(slot: &mut Name, value: &str) {
    if slot.as_str() != value {
        *slot = Name::from(value);
    }
}

fn set_optional_name(slot: &mut Option<Name>, value: Option<&str>) {
    match (slot.as_mut(), value) {
        (Some(name), Some(value)) => set_name(name, value),
        (_, value) => *slot = value.map(Name::from),
    }
}

impl Lead {
    /// Reads a word from each line of the record that applying `event` reads, and from
    /// the heap blocks it reads, so that their cache misses are taken now
    /// ([`LeadBook::warm`](crate::LeadBook::warm)). Changes nothing.
    pub(crate) fn warm(&self, event: &crate::Event) -> u64 {
        let mut words = [
            self.clock.timestamp() as u64,
            self.touch_counts.warm(),
            self.score.engagement.to_bits(),
            self.score
                .ledger
                .entries
                .back()
                .map_or(0, |entry| entry.points.to_bits()),
            self.last_touch.at.timestamp() as u64,
        ]
        .into_iter()
        .fold(0, |all, word| all ^ word);
        let content = matches!(
            event.kind(),
            crate::EventKind::Touch {
                content: Some(_),
                ..
            }
        );
        if content {
            words ^= self.content_seen.len() as u64;
        }
        if self.held.sla() {
            // Both ends of the clock, which may straddle two lines of its block.
            let sla = self.sla();
            let time = |t: Option<DateTime<Utc>>| t.map_or(0, |t| t.timestamp() as u64);
            words ^= time(sla.respond_due) ^ time(sla.idle_due);
        }
        // Trimming the window reads it whenever it holds an id; checking and
        // remembering an event's id reads it always.
        if self.held.ids() || event.id().is_some() {
            words ^= self.applied_events.warm();
        }
        words
    }

    /// The lead's id.
    pub fn id(&self) -> &LeadId {
        &self.id
    }

    /// Its stage.
    pub fn stage(&self) -> Stage {
        self.stage
    }

    /// When it entered its stage.
    pub fn entered_stage_at(&self) -> DateTime<Utc> {
        self.entered_stage_at
    }

    /// When it was created.
    pub fn created_at(&self) -> DateTime<Utc> {
        self.rare.get().created_at.unwrap_or(self.first_touch.at)
    }

    /// Replaces its first touch (a merge keeps the earlier of two), keeping its
    /// creation time.
    pub(crate) fn set_first_touch(&mut self, touch: Touch) {
        let created_at = self.created_at();
        self.first_touch = touch;
        self.set_created_at(created_at);
    }

    /// Sets its creation time: in the rare parts only when it is not the first touch's
    /// time.
    pub(crate) fn set_created_at(&mut self, at: DateTime<Utc>) {
        if at != self.first_touch.at {
            self.rare.get_mut().created_at = Some(at);
        } else if let Some(parts) = self.rare.if_set() {
            parts.created_at = None;
        }
    }

    /// The time of the last event applied to it or deadline fired for it.
    pub fn clock(&self) -> DateTime<Utc> {
        self.clock
    }

    /// Where it first came from; never changes (a merge keeps the earlier one).
    pub fn first_touch(&self) -> &Touch {
        &self.first_touch
    }

    /// Its latest touch (the `created` event until a `touch` event comes).
    pub fn last_touch(&self) -> &Touch {
        &self.last_touch
    }

    /// How many touches of each kind it has had, in kind order.
    pub fn touch_counts(&self) -> &TouchCounts {
        &self.touch_counts
    }

    /// Its profile attributes.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// Its account, if the host named one.
    pub fn account(&self) -> Option<&str> {
        self.account.map(|account| account.as_str())
    }

    /// The rep who owns it now; `None` while marketing owns it.
    pub fn owner(&self) -> Option<&RepId> {
        self.rare.get().owner.as_ref()
    }

    /// The first rep who accepted it; a re-engaged lead is routed back to this rep.
    pub fn original_rep(&self) -> Option<&RepId> {
        self.rare.get().original_rep.as_ref()
    }

    /// The last opportunity opened for it.
    pub fn opportunity(&self) -> Option<&str> {
        self.rare.get().opportunity.as_deref()
    }

    /// Its fit points (the sum of the matching fit rules).
    pub fn fit_points(&self) -> f64 {
        self.score.fit
    }

    /// Its score state: fit, engagement per group, and the ledger that explains them.
    pub fn score(&self) -> &ScoreState {
        &self.score
    }

    /// Its score (fit + funnel points + engagement decayed to `t`) at time `t`, without changing it.
    pub fn score_at(&self, t: DateTime<Utc>) -> f64 {
        self.score.score_at(t)
    }

    /// Whether it may qualify by score (see hysteresis in CONTRACT.md).
    pub fn is_armed(&self) -> bool {
        self.armed
    }

    /// Whether it unsubscribed: it is never enrolled in nurture again.
    pub fn is_do_not_email(&self) -> bool {
        self.do_not_email
    }

    /// Why it was removed, if it was.
    pub fn removed_reason(&self) -> Option<&str> {
        self.rare.get().removed_reason.as_deref()
    }

    /// Its current nurture enrollment. A recycled lead always has one.
    pub fn nurture(&self) -> Option<&Enrollment> {
        debug_assert_eq!(
            self.held.nurture(),
            self.rare.get().nurture.is_some(),
            "the nurture flag says what the rare parts hold"
        );
        if self.held.nurture() {
            self.rare.get().nurture.as_ref()
        } else {
            None
        }
    }

    /// Its enrollment, to change its step or due time.
    pub(crate) fn nurture_mut(&mut self) -> Option<&mut Enrollment> {
        if self.held.nurture() {
            self.rare.if_set().and_then(|r| r.nurture.as_mut())
        } else {
            None
        }
    }

    /// Enrolls it (`Some`) or ends its enrollment (`None`); returns the one it had.
    pub(crate) fn set_enrollment(&mut self, enrollment: Option<Enrollment>) -> Option<Enrollment> {
        self.held.set_nurture(enrollment.is_some());
        match enrollment {
            Some(e) => self.rare.get_mut().nurture.replace(e),
            None => self.rare.if_set().and_then(|r| r.nurture.take()),
        }
    }

    /// Per program, the first step it has not been sent, in program name order.
    pub fn program_positions(&self) -> &ProgramPositions {
        &self.rare.get().program_positions
    }

    /// The content it was sent or consumed, in name order.
    pub fn content_seen(&self) -> &ContentSeen {
        &self.content_seen
    }

    /// The choices it made: each content it consumed (a `touch` with `content`) while
    /// enrolled in a program whose `branches` name that content, whether or not the
    /// touch moved it (a touch that also qualifies the lead records the choice but
    /// does not branch).
    ///
    /// Each content appears once; choosing it again moves it to the end, so the last
    /// element is the lead's latest choice. A merge keeps the survivor's choices, then
    /// appends the duplicate's it lacks. This is what a `disposition` hook reads to
    /// let the lead's choice pick its stream.
    pub fn choices(&self) -> &[Name] {
        &self.rare.get().choices
    }

    /// The service-level deadlines of its current stay.
    pub fn sla(&self) -> &SlaClock {
        &self.rare.get().sla
    }

    /// Replaces its service-level clock.
    pub(crate) fn set_sla(&mut self, sla: SlaClock) {
        self.update_sla(|clock| *clock = sla);
    }

    /// Changes its service-level clock, keeping [`Lead::held`] in step.
    pub(crate) fn update_sla<R>(&mut self, change: impl FnOnce(&mut SlaClock) -> R) -> R {
        let result = match self.rare.if_set() {
            Some(parts) => change(&mut parts.sla),
            // A lead without its rare parts gets them only if the change leaves the
            // clock holding something: clearing an empty clock allocates nothing.
            None => {
                let mut sla = SlaClock::EMPTY;
                let result = change(&mut sla);
                if sla != SlaClock::EMPTY {
                    self.rare.get_mut().sla = sla;
                }
                result
            }
        };
        self.held.set_sla(self.sla().has_deadline());
        result
    }

    /// How many times it entered `recycled`.
    pub fn times_recycled(&self) -> u32 {
        self.rare.get().times_recycled
    }

    /// The reason of every time it was recycled, oldest first: the rep's reason, or
    /// `sla_idle` for passive recycling (a merged duplicate's reasons come after the
    /// survivor's).
    pub fn recycle_reasons(&self) -> &[Name] {
        &self.rare.get().recycle_reasons
    }

    /// Whether an event with this id was applied to it within the policy's
    /// `dedupe_window_days` before its clock (older ids are forgotten).
    pub fn has_applied(&self, id: &EventId) -> bool {
        self.applied_events.contains(id)
    }

    /// The ids of the events applied to it within the dedupe window, oldest first.
    pub fn applied_ids(&self) -> &AppliedIds {
        &self.applied_events
    }

    /// Remembers the id of an event applied at `at` (see [`AppliedIds::record`]).
    pub(crate) fn remember_id(&mut self, id: &EventId, at: DateTime<Utc>) {
        self.applied_events.record(id, at, self.clock);
        self.held.set_ids(true);
    }

    /// Takes in a merged duplicate's ids.
    pub(crate) fn absorb_ids(&mut self, other: &AppliedIds) {
        self.applied_events.absorb(other);
        self.held.set_ids(!self.applied_events.is_empty());
    }

    /// Forgets the ids of events older than `window` before its clock; reads nothing
    /// beyond the record's first bytes when it remembers none.
    pub(crate) fn forget_ids(&mut self, window: TimeDelta) {
        debug_assert_eq!(
            self.held.ids(),
            !self.applied_events.is_empty(),
            "the ids flag says what the window holds"
        );
        if self.held.ids() {
            self.applied_events.forget_before(self.clock, window);
            self.held.set_ids(!self.applied_events.is_empty());
        }
    }

    /// The earliest time something falls due for it (a service level, an idle limit, a
    /// nurture step or completion). A host that stores leads itself wakes the lead then
    /// with [`Engine::advance`](crate::Engine::advance).
    pub fn next_deadline(&self) -> Option<DateTime<Utc>> {
        debug_assert_eq!(
            self.held.sla(),
            self.sla().has_deadline(),
            "the SLA flag says what the clock holds"
        );
        // Both parts are read only when the flag byte says they hold something: most
        // leads of a large book have neither, and the book asks twice an event.
        let mut next = self.nurture().and_then(|e| e.due);
        if self.held.sla() {
            let sla = self.sla();
            for due in [sla.respond_due, sla.attempts_due, sla.idle_due]
                .into_iter()
                .flatten()
            {
                next = Some(next.map_or(due, |earliest| earliest.min(due)));
            }
        }
        next
    }
}

#[cfg(test)]
mod sla_tests {
    use super::*;
    use crate::{Engine, Event, Policy};

    fn new_lead() -> (Lead, DateTime<Utc>) {
        let at = DateTime::<Utc>::UNIX_EPOCH + TimeDelta::days(20_000);
        let engine = Engine::new(Policy::default()).expect("the default policy is valid");
        let (lead, _) = engine
            .create(&Event::created("L1", at, "webinar"))
            .expect("a new lead");
        (lead, at)
    }

    #[test]
    fn clearing_the_empty_sla_clock_of_a_new_lead_allocates_no_rare_parts() {
        let (mut lead, _) = new_lead();
        lead.update_sla(|sla| sla.respond_due = None);
        lead.set_sla(SlaClock::EMPTY);
        assert!(lead.rare.if_set().is_none());
        assert!(!lead.held.sla());
        assert_eq!(lead.sla(), &SlaClock::default());
    }

    #[test]
    fn a_deadline_set_on_the_sla_clock_is_held_until_it_is_cleared() {
        let (mut lead, at) = new_lead();
        let due = at + TimeDelta::days(2);
        lead.set_sla(SlaClock {
            respond_due: Some(due),
            ..SlaClock::EMPTY
        });
        assert!(lead.held.sla());
        assert_eq!(lead.sla().respond_due, Some(due));
        assert_eq!(lead.next_deadline(), Some(due));
        lead.update_sla(|sla| sla.respond_due = None);
        assert!(!lead.held.sla());
        assert_eq!(lead.next_deadline(), None);
        assert_eq!(lead.sla(), &SlaClock::default());
    }
}

#[cfg(all(test, target_pointer_width = "64"))]
mod tests {
    use super::*;
    use std::mem::{offset_of, size_of};

    /// A 64-byte stretch of the record, counted from its start: a cache line's worth
    /// (the record itself starts wherever its allocation puts it).
    const LINE: usize = 64;

    /// The stretch (0-based) that a field's last byte is in.
    fn last_line(offset: usize, size: usize) -> usize {
        (offset + size - 1) / LINE
    }

    #[test]
    fn the_fields_a_scoring_touch_reads_are_the_records_first_192_bytes() {
        assert_eq!(offset_of!(Lead, id), 0);
        let hot = [
            (offset_of!(Lead, clock), size_of::<DateTime<Utc>>()),
            (offset_of!(Lead, held), size_of::<HeldParts>()),
            (offset_of!(Lead, rare), size_of::<Rare>()),
            (offset_of!(Lead, touch_counts), size_of::<TouchCounts>()),
            (offset_of!(Lead, score), size_of::<ScoreState>()),
            (offset_of!(Lead, last_touch), size_of::<Touch>()),
        ];
        for (offset, size) in hot {
            assert!(
                last_line(offset, size) < 3,
                "a field at {offset} ends past byte 191"
            );
        }
        // The content seen, the dedupe window and the stage's entry time share bytes
        // 192-255.
        for (offset, size) in [
            (offset_of!(Lead, content_seen), size_of::<ContentSeen>()),
            (offset_of!(Lead, applied_events), size_of::<AppliedIds>()),
            (
                offset_of!(Lead, entered_stage_at),
                size_of::<DateTime<Utc>>(),
            ),
        ] {
            assert_eq!((offset / LINE, last_line(offset, size)), (3, 3));
        }
        assert_eq!(size_of::<Lead>(), 296);
    }
}
