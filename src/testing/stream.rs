//! The generator: proptest strategies of event streams in a policy's vocabulary.

use super::Vocabulary;
use crate::book::LeadBook;
use crate::engine::Engine;
use crate::event::{Event, EventType};
use crate::id::{LeadId, RepId};
use crate::profile::Profile;
use crate::stage::Stage;
use chrono::{DateTime, TimeDelta, Utc};
use proptest::prelude::*;
use proptest::sample::{select, Index};
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// What streams to generate: how long, and which hard cases to include.
///
/// ```
/// use leadcycle::testing::StreamOptions;
///
/// let everything = StreamOptions::default();                    // up to 60 steps
/// let in_order = StreamOptions::new(120).in_order().without_merges();
/// assert!(everything.late_events && !in_order.late_events);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct StreamOptions {
    /// At most this many steps (at least one). A step is one event, a burst of a few
    /// touches a minute apart, or a pause in which only time passes, so a stream may
    /// hold somewhat more or fewer events than this.
    pub max_steps: usize,
    /// Late events: events older than the stream's clock (`out_of_order`, or applied
    /// when only another lead's clock has moved on) and verbatim redeliveries of earlier
    /// events (same time, same id). Off, times never go back.
    pub late_events: bool,
    /// `merged` events (into other leads, and into the lead itself). A merge spans two
    /// leads, so a stream partitioned by lead must not have one.
    pub merges: bool,
    /// The time of the first step.
    pub start: DateTime<Utc>,
}

impl StreamOptions {
    /// Up to `max_steps` steps, with every kind of event: late ones and merges included.
    /// The stream starts on 2026-01-05 at 09:00 UTC.
    pub fn new(max_steps: usize) -> Self {
        StreamOptions {
            max_steps,
            late_events: true,
            merges: true,
            start: DateTime::from_timestamp(1_767_603_600, 0).expect("a valid time"),
        }
    }

    /// Times never go back: no late event, no redelivery of an earlier event. A
    /// redelivery still comes in the idempotency check ([`check_idempotency`](super::check_idempotency)).
    pub fn in_order(mut self) -> Self {
        self.late_events = false;
        self
    }

    /// No `merged` event.
    pub fn without_merges(mut self) -> Self {
        self.merges = false;
        self
    }

    /// The stream starts at `start`.
    pub fn starting_at(mut self, start: DateTime<Utc>) -> Self {
        self.start = start;
        self
    }
}

impl Default for StreamOptions {
    /// [`StreamOptions::new(60)`](StreamOptions::new).
    fn default() -> Self {
        StreamOptions::new(60)
    }
}

/// A generated stream of events, in the order they are delivered.
///
/// It derefs to `[Event]`, so it goes wherever a slice of events does
/// ([`check_invariants`](super::check_invariants), a loop over
/// [`LeadBook::apply`](crate::LeadBook::apply)). `Display` writes it as JSON lines, one
/// event a line, ready for the replay example (`cargo run --example replay -- --events
/// FILE`); `Debug`, which proptest prints for a failing case, writes the same lines
/// under a header, with the second delivery that
/// [`check_idempotency`](super::check_idempotency) makes of an event noted after it.
///
/// Besides its events a stream holds a plan for delivering some of them twice (right
/// after the original, or later), drawn with the stream so that both shrink together.
#[derive(Clone, PartialEq)]
pub struct EventStream {
    events: Vec<Event>,
    /// For each event, where the idempotency check delivers it a second time: before
    /// event `p` (`p` = the length: at the end).
    again: Vec<Option<usize>>,
}

impl EventStream {
    /// The events.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// The events, without the redelivery plan.
    pub fn into_events(self) -> Vec<Event> {
        self.events
    }

    /// The latest time of any event (`None` for an empty stream).
    pub fn end(&self) -> Option<DateTime<Utc>> {
        self.events.iter().map(Event::at).max()
    }

    /// Where [`check_idempotency`](super::check_idempotency) delivers event `i` a second
    /// time, if it does: before event `p`, or at the end when `p` is the stream's
    /// length. Only an event with an id that the stream applies is delivered twice.
    pub fn second_delivery(&self, i: usize) -> Option<usize> {
        self.again.get(i).copied().flatten()
    }
}

impl EventStream {
    /// These events, each delivered a second time right after itself.
    pub(super) fn each_right_after(events: &[Event]) -> Self {
        EventStream {
            events: events.to_vec(),
            again: (1..=events.len()).map(Some).collect(),
        }
    }
}

impl From<Vec<Event>> for EventStream {
    /// A stream of these events, with no redelivery plan.
    fn from(events: Vec<Event>) -> Self {
        let again = vec![None; events.len()];
        EventStream { events, again }
    }
}

impl Deref for EventStream {
    type Target = [Event];

    fn deref(&self) -> &[Event] {
        &self.events
    }
}

impl AsRef<[Event]> for EventStream {
    fn as_ref(&self) -> &[Event] {
        &self.events
    }
}

impl fmt::Display for EventStream {
    /// One JSON line per event.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in &self.events {
            writeln!(f, "{}", super::json(e))?;
        }
        Ok(())
    }
}

impl fmt::Debug for EventStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "EventStream ({} events):", self.events.len())?;
        let n = self.events.len();
        for (i, e) in self.events.iter().enumerate() {
            write!(f, "{}", super::json(e))?;
            match self.second_delivery(i) {
                Some(p) if e.id().is_some() && p < n => {
                    writeln!(f, "   <- delivered again before event {p}")?
                }
                Some(_) if e.id().is_some() => writeln!(f, "   <- delivered again at the end")?,
                _ => writeln!(f)?,
            }
        }
        Ok(())
    }
}

/// Event streams for `engine`'s policy, in its words ([`Vocabulary::of`]).
///
/// A stream mixes every event type of the contract over a handful of leads that
/// collide (a lead created twice, events for a lead never created): touches of the
/// policy's kinds (scored, hand-raisers, unknown) with its content, profile sets that
/// match its fit rules or not, sales events with its reasons (recycling, removing,
/// unknown) and programs (known and unknown), merges, event ids from a small pool,
/// ticks, time steps from minutes to months, and, unless turned off, late events and
/// verbatim redeliveries. More than a third of the steps are moves that are legal
/// from the lead's stage at that point, mostly forward (accept, qualify, open, win,
/// touches that warm the lead), sometimes back (reject, disqualify, recycle, lose), so
/// that opportunities, customers, active and passive recycling, re-engagement and
/// nurture steps are common. To know the stages, the generator replays the stream on
/// `engine` as it builds it: with rhai hooks in the policy, the walk follows what the
/// hooks decide.
///
/// Shrinking turns the steps a failure does not need into pauses, which keep the times
/// of the steps that matter.
///
/// # Panics
///
/// When a list of the vocabulary is empty (it never is for [`Vocabulary::of`]), or
/// `options.max_steps` is 0.
pub fn streams(engine: &Engine, options: StreamOptions) -> impl Strategy<Value = EventStream> {
    Vocabulary::of(engine.policy()).streams(engine, options)
}

impl Vocabulary {
    /// Event streams in this vocabulary, replayed on `engine` as they are built: the
    /// strategy of [`streams`](super::streams), for a vocabulary a host has changed.
    ///
    /// # Panics
    ///
    /// When a list of the vocabulary is empty, or `options.max_steps` is 0.
    pub fn streams(
        self,
        engine: &Engine,
        options: StreamOptions,
    ) -> impl Strategy<Value = EventStream> {
        self.assert_usable();
        assert!(options.max_steps > 0, "StreamOptions::max_steps is 0");
        let words = Arc::new(self);
        let engine = Arc::new(engine.clone());
        prop::collection::vec(step(&words), 1..=options.max_steps)
            .prop_map(move |steps| build(&steps, &words, &engine, options))
    }
}

/// The time from one event to the next, from minutes to months: 1-59 minutes, 1-23
/// hours, 1-20 days, 1-6 months of 30 days, or none.
pub fn gaps() -> impl Strategy<Value = TimeDelta> {
    gap().prop_map(Gap::delta)
}

// ---------------------------------------------------------------------------------
// The steps a stream is built from
// ---------------------------------------------------------------------------------

/// The time from one event to the next.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Gap {
    Minutes(i64),
    Hours(i64),
    Days(i64),
    /// 30-day months.
    Months(i64),
    Same,
    /// The event is this many hours older than the stream's clock (out of order); the
    /// clock stays where it is.
    Back(i64),
}

impl Gap {
    fn delta(self) -> TimeDelta {
        match self {
            Gap::Minutes(n) => TimeDelta::minutes(n),
            Gap::Hours(n) => TimeDelta::hours(n),
            Gap::Days(n) => TimeDelta::days(n),
            Gap::Months(n) => TimeDelta::days(30 * n),
            Gap::Same | Gap::Back(_) => TimeDelta::zero(),
        }
    }
}

#[derive(Clone, Debug)]
enum Op {
    /// No event: only the clock moves. The simplest op, so that shrinking turns the
    /// steps a failure does not need into `Wait`s, which keep the times of the steps
    /// that matter and print nothing.
    Wait,
    /// This event, built for lead [`TEMPLATE_LEAD`] at the template time: the step gives
    /// it its lead, time and id (a `tick` ignores the step's lead and id).
    Event(Event),
    /// A move that is legal from the lead's stage at this point of the stream.
    Progress(Progress),
    /// This many touches of the warmest kind on the lead, a minute apart: enough of
    /// them qualify a lead by score.
    Burst(usize),
    /// A verbatim redelivery of an earlier event of the stream (same time, same id).
    Again(Index),
}

#[derive(Clone, Debug)]
struct Progress {
    /// Which of the legal moves.
    pick: Index,
    rep: RepId,
    reason: String,
    program: Option<String>,
}

impl Progress {
    /// The event for `lead` at `at` when it is in `stage` (`None`: not created yet):
    /// mostly forward (accept, qualify, open, win; touches that warm the lead),
    /// sometimes back (reject, disqualify, recycle, lose). Random events alone rarely
    /// walk a lead down the waterfall.
    fn resolve(
        &self,
        words: &Vocabulary,
        stage: Option<Stage>,
        lead: &LeadId,
        at: DateTime<Utc>,
    ) -> Event {
        let lead = lead.clone();
        let rep = self.rep.clone();
        let with_program = |e: Event| match &self.program {
            Some(program) => e.with_program(program.as_str()),
            None => e,
        };
        let warm = |i: usize| {
            let kinds = &words.warm_kinds;
            Event::touch(lead.clone(), at, kinds[i % kinds.len()].as_str())
        };
        let accepted = || Event::sales_accepted(lead.clone(), at, rep.clone());
        let attempt = || Event::sales_attempt(lead.clone(), at, rep.clone());
        let qualified = || Event::sales_qualified(lead.clone(), at, rep.clone());
        let rejected = || {
            with_program(Event::sales_rejected(
                lead.clone(),
                at,
                rep.clone(),
                &self.reason,
            ))
        };
        let disqualified = || {
            with_program(Event::disqualified(
                lead.clone(),
                at,
                rep.clone(),
                &self.reason,
            ))
        };
        let opportunity = words.opportunities[0].as_str();
        let opened = || Event::opportunity_opened(lead.clone(), at, opportunity);
        let won = || Event::opportunity_won(lead.clone(), at, opportunity);
        let mut moves: Vec<Event> = match stage {
            None => vec![Event::created(lead.clone(), at, words.sources[0].as_str())
                .with_profile(words.good_fit.clone())],
            // Mostly engagement, so that leads also qualify by score (and cross the
            // hysteresis band); hand-raisers come from the random kinds.
            Some(Stage::Inquiry | Stage::Recycled) => {
                vec![warm(0), warm(1), warm(0), warm(2), warm(0), accepted()]
            }
            Some(Stage::Mql) => vec![
                accepted(),
                attempt(),
                qualified(),
                rejected(),
                disqualified(),
            ],
            Some(Stage::Sal) => vec![attempt(), qualified(), opened(), rejected()],
            Some(Stage::Sql) => vec![opened(), disqualified()],
            Some(Stage::Opportunity) => vec![
                won(),
                won(),
                with_program(Event::opportunity_lost(
                    lead.clone(),
                    at,
                    opportunity,
                    &self.reason,
                )),
                with_program(Event::recycled(lead.clone(), at, rep.clone(), &self.reason)),
            ],
            Some(Stage::Customer) => vec![warm(0), Event::unsubscribed(lead.clone(), at)],
            Some(Stage::Removed) => vec![warm(0)],
        };
        moves.swap_remove(self.pick.index(moves.len()))
    }
}

#[derive(Clone, Debug)]
struct Step {
    /// An index into the vocabulary's leads; `None`: the lead of the previous step (a
    /// lead's activity comes in bursts, which lets touches add up to a qualifying
    /// score).
    lead: Option<usize>,
    gap: Gap,
    id: Option<u8>,
    op: Op,
    /// Where a second delivery of this event goes (kept with the step so that both
    /// shrink together).
    redeliver: Option<Redelivery>,
}

/// Where the second delivery of an event goes.
#[derive(Clone, Debug)]
enum Redelivery {
    RightAfter,
    /// Anywhere after the original, up to the end of the stream.
    Later(Index),
}

/// The lead of the events [`event`] generates; [`build`] gives each its own.
const TEMPLATE_LEAD: &str = "L?";

/// The time of the events [`event`] generates; [`build`] gives each its own.
fn template_time() -> DateTime<Utc> {
    DateTime::UNIX_EPOCH
}

fn build(
    steps: &[Step],
    words: &Vocabulary,
    engine: &Engine,
    options: StreamOptions,
) -> EventStream {
    // Replays the stream as it is built, so that `Progress` sees each lead's stage.
    let mut book = LeadBook::new();
    let mut now = options.start;
    let mut lead = 0;
    let mut out: Vec<Event> = Vec::new();
    let mut redeliver: Vec<Option<Redelivery>> = Vec::new();
    for s in steps {
        lead = s.lead.unwrap_or(lead);
        let id = &words.leads[lead];
        let at = match s.gap {
            Gap::Back(h) if options.late_events => now - TimeDelta::hours(h),
            gap => {
                now += gap.delta();
                now
            }
        };
        let event = match &s.op {
            Op::Wait => continue,
            Op::Again(ix) => {
                if out.is_empty() || !options.late_events {
                    continue;
                }
                out[ix.index(out.len())].clone()
            }
            Op::Burst(n) => {
                for i in 0..*n {
                    let at = at + TimeDelta::minutes(i as i64);
                    let e = Event::touch(id.clone(), at, words.warm_kinds[0].as_str());
                    book.apply(engine, &e);
                    out.push(e);
                    redeliver.push(None);
                }
                now = now.max(at + TimeDelta::minutes(*n as i64));
                continue;
            }
            Op::Event(e) if e.event_type() == EventType::Tick => Event::tick(at),
            Op::Event(e) if e.event_type() == EventType::Merged && !options.merges => continue,
            Op::Event(template) => {
                let mut e = template.clone();
                *e.lead_mut().expect("only a tick names no lead") = id.clone();
                e.set_at(at);
                with_id(e, s.id)
            }
            Op::Progress(p) => {
                let e = p.resolve(words, book.get(id.as_str()).map(|l| l.stage()), id, at);
                with_id(e, s.id)
            }
        };
        book.apply(engine, &event);
        out.push(event);
        redeliver.push(s.redeliver.clone());
    }
    let n = out.len();
    let again = redeliver
        .into_iter()
        .enumerate()
        .map(|(i, r)| match r? {
            Redelivery::RightAfter => Some(i + 1),
            Redelivery::Later(ix) => Some(i + 1 + ix.index(n - i)),
        })
        .collect();
    EventStream { events: out, again }
}

fn with_id(e: Event, id: Option<u8>) -> Event {
    match id {
        Some(i) => e.with_id(format!("e{i}")),
        None => e,
    }
}

// ---------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------

fn word<T: Clone + fmt::Debug + 'static>(words: &[T]) -> impl Strategy<Value = T> + Clone {
    select(words.to_vec())
}

fn maybe<S: Strategy>(p: f64, s: S) -> impl Strategy<Value = Option<S::Value>> {
    prop::option::weighted(p, s)
}

/// Sets an optional field when the generator chose a value for it.
fn with<T>(e: Event, value: Option<T>, set: fn(Event, T) -> Event) -> Event {
    match value {
        Some(v) => set(e, v),
        None => e,
    }
}

/// Up to three profile attributes.
fn profile(words: &Vocabulary) -> impl Strategy<Value = Profile> {
    let attributes = words.attributes.clone();
    prop::collection::vec(0..attributes.len(), 0..=3)
        .prop_map(move |ix| ix.into_iter().map(|i| attributes[i].clone()).collect())
}

fn reason_program(words: &Vocabulary) -> impl Strategy<Value = (String, Option<String>)> {
    (word(&words.reasons), maybe(0.25, word(&words.programs)))
}

/// An event of any type, for [`TEMPLATE_LEAD`] at the template time.
fn event(words: &Vocabulary) -> impl Strategy<Value = Event> {
    let at = template_time();
    let lead = || LeadId::from(TEMPLATE_LEAD);
    let rep = || word(&words.reps);
    let recycling = |make: fn(LeadId, DateTime<Utc>, RepId, String) -> Event| {
        (rep(), reason_program(words)).prop_map(move |(rep, (reason, program))| {
            with(make(lead(), at, rep, reason), program, Event::with_program)
        })
    };
    let leads = words.leads.clone();
    prop_oneof![
        6 => (
            word(&words.sources),
            maybe(0.5, word(&words.campaigns)),
            maybe(0.3, word(&words.channels)),
            maybe(0.3, word(&words.accounts)),
            profile(words),
        )
            .prop_map(move |(source, campaign, channel, account, profile)| {
                let e = Event::created(lead(), at, source).with_profile(profile);
                let e = with(e, campaign, Event::with_campaign);
                let e = with(e, channel, Event::with_channel);
                with(e, account, Event::with_account)
            }),
        10 => (
            word(&words.kinds),
            maybe(0.3, word(&words.campaigns)),
            maybe(0.2, word(&words.channels)),
            maybe(0.25, word(&words.contents)),
        )
            .prop_map(move |(kind, campaign, channel, content)| {
                let e = Event::touch(lead(), at, kind);
                let e = with(e, campaign, Event::with_campaign);
                let e = with(e, channel, Event::with_channel);
                with(e, content, Event::with_content)
            }),
        2 => profile(words).prop_map(move |set| Event::profile(lead(), at, set)),
        5 => rep().prop_map(move |rep| Event::sales_accepted(lead(), at, rep)),
        2 => recycling(Event::sales_rejected),
        4 => (rep(), maybe(0.5, word(&words.channels)), maybe(0.5, word(&words.outcomes)))
            .prop_map(move |(rep, channel, outcome)| {
                let e = Event::sales_attempt(lead(), at, rep);
                let e = with(e, channel, Event::with_channel);
                with(e, outcome, Event::with_outcome)
            }),
        3 => rep().prop_map(move |rep| Event::sales_qualified(lead(), at, rep)),
        3 => (word(&words.opportunities), maybe(0.5, word(&words.amounts))).prop_map(
            move |(opportunity, amount)| {
                with(Event::opportunity_opened(lead(), at, opportunity), amount, Event::with_amount)
            }
        ),
        2 => word(&words.opportunities).prop_map(move |o| Event::opportunity_won(lead(), at, o)),
        2 => (word(&words.opportunities), reason_program(words)).prop_map(
            move |(opportunity, (reason, program))| {
                let e = Event::opportunity_lost(lead(), at, opportunity, reason);
                with(e, program, Event::with_program)
            }
        ),
        2 => recycling(Event::disqualified),
        2 => recycling(Event::recycled),
        1 => Just(Event::unsubscribed(lead(), at)),
        1 => word(&words.lost_causes).prop_map(move |cause| Event::contact_lost(lead(), at, cause)),
        2 => (0..leads.len()).prop_map(move |i| Event::merged(lead(), at, leads[i].clone())),
        6 => Just(Event::tick(at)),
    ]
}

fn gap() -> impl Strategy<Value = Gap> {
    prop_oneof![
        3 => (1..60i64).prop_map(Gap::Minutes),
        4 => (1..24i64).prop_map(Gap::Hours),
        5 => (1..21i64).prop_map(Gap::Days),
        1 => (1..7i64).prop_map(Gap::Months),
        1 => Just(Gap::Same),
        1 => (1..96i64).prop_map(Gap::Back),
    ]
}

fn step(words: &Vocabulary) -> impl Strategy<Value = Step> {
    let n = words.leads.len();
    // The last lead is picked rarely, so it is often never created.
    let lead = if n > 1 {
        prop_oneof![
            4 => Just(None),
            8 => (0..n - 1).prop_map(Some),
            1 => Just(Some(n - 1)),
        ]
        .boxed()
    } else {
        prop_oneof![4 => Just(None), 9 => Just(Some(0))].boxed()
    };
    let progress = (any::<Index>(), word(&words.reps), reason_program(words)).prop_map(
        |(pick, rep, (reason, program))| Progress {
            pick,
            rep,
            reason,
            program,
        },
    );
    let op = prop_oneof![
        1 => Just(Op::Wait),
        30 => event(words).prop_map(Op::Event),
        20 => progress.prop_map(Op::Progress),
        2 => (2..8usize).prop_map(Op::Burst),
        1 => any::<Index>().prop_map(Op::Again)
    ];
    let redeliver = maybe(
        0.5,
        prop_oneof![
            Just(Redelivery::RightAfter),
            any::<Index>().prop_map(Redelivery::Later)
        ],
    );
    (lead, gap(), maybe(0.6, 0u8..24), op, redeliver).prop_map(|(lead, gap, id, op, redeliver)| {
        Step {
            lead,
            gap,
            id,
            op,
            redeliver,
        }
    })
}
