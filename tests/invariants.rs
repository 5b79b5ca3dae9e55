//! The invariants of DESIGN.md ("Invariants", 1-7), checked with proptest over random
//! event streams under `Policy::default()`.
//!
//! The generator produces realistic, colliding streams: a handful of leads (ids from a
//! small pool, so events collide and some name a lead that was never created), every
//! event type of CONTRACT.md with random reps, recycle reasons (with a program, remove
//! reasons, and reasons without a program), extension programs (known and unknown),
//! touch kinds (scored, hand-raisers, unknown), consumed content, profile sets, merges
//! (into other leads and into the lead itself), event ids from a small pool plus
//! verbatim redeliveries of earlier events, ticks, time steps from minutes to months
//! and occasional out-of-order times. A failing case prints as the JSON lines of its
//! stream (under a header line; the idempotency property marks the events it delivers
//! twice), ready to feed to the `replay` example.
//!
//! Every property also checks that the engine does not panic: the test profile keeps
//! debug assertions on, and `Engine` asserts every stage move against the waterfall.

use chrono::{DateTime, TimeDelta, Utc};
use leadcycle::{
    Cause, Effect, EffectKind, Engine, Event, EventKind, EventType, LeadBook, LeadId, NurtureEnd,
    Policy, Profile, ProfileValue, RejectKind, RepId, SlaKind, Snapshot, Stage, Touch,
};
use proptest::prelude::*;
use proptest::sample::{select, Index};
use proptest::test_runner::TestCaseError;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::OnceLock;

// ---------------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------------

/// The lead pool. The last one is rarely used, so it is often never created.
const LEADS: &[&str] = &["L1", "L2", "L3", "L4", "L5"];
const REPS: &[&str] = &["R1", "R2", "R3"];
const SOURCES: &[&str] = &["webinar", "form_fill", "list_import", "badge_scan"];
const CAMPAIGNS: &[&str] = &["w-17", "q1-ads", "summit"];
const CHANNELS: &[&str] = &["email", "paid_social", "events"];
const ACCOUNTS: &[&str] = &["acme", "globex"];
const OUTCOMES: &[&str] = &["voicemail", "connected", "no_answer"];
const LOST_CAUSES: &[&str] = &["bounced", "left_company", "invalid_address"];
const OPPORTUNITIES: &[&str] = &["O1", "O2"];
const AMOUNTS: &[f64] = &[5000.0, 25000.0, 120000.5];

/// Words taken from the default policy, plus some it does not know.
struct Vocab {
    /// Reasons with a program, remove reasons, and reasons without a program.
    reasons: Vec<String>,
    /// Every program of the policy, and one it does not define.
    programs: Vec<String>,
    /// Scored touch kinds, hand-raisers, and unknown kinds.
    kinds: Vec<String>,
    /// Every nurture step's content, and content no program sends.
    contents: Vec<String>,
}

fn vocab() -> &'static Vocab {
    static VOCAB: OnceLock<Vocab> = OnceLock::new();
    VOCAB.get_or_init(|| {
        let p = Policy::default();
        let mut reasons: Vec<String> = p.recycle.reasons.keys().cloned().collect();
        reasons.extend(p.recycle.remove_reasons.iter().cloned());
        for r in ["price_too_high", "went_dark"] {
            assert!(
                !p.recycle.reasons.contains_key(r)
                    && !p.recycle.remove_reasons.iter().any(|x| x == r)
            );
            reasons.push(r.to_owned());
        }
        let mut programs: Vec<String> = p.programs.keys().cloned().collect();
        assert!(!p.programs.contains_key("vip_track"));
        programs.push("vip_track".to_owned());
        let mut kinds: Vec<String> = p.scoring.engagement.keys().cloned().collect();
        kinds.extend(p.scoring.hand_raisers.iter().cloned());
        kinds.extend(["podcast_listen", "chat_opened"].map(str::to_owned));
        kinds.sort();
        kinds.dedup();
        let mut contents: Vec<String> = p
            .programs
            .values()
            .flat_map(|prog| prog.steps.iter().cloned())
            .collect();
        contents.extend(["blog-post", "pricing-sheet"].map(str::to_owned));
        contents.sort();
        contents.dedup();
        Vocab {
            reasons,
            programs,
            kinds,
            contents,
        }
    })
}

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new(Policy::default()).expect("the default policy is valid"))
}

fn base_time() -> DateTime<Utc> {
    "2026-01-05T09:00:00Z".parse().unwrap()
}

// ---------------------------------------------------------------------------------
// Generator
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
    /// This event, built for lead [`TEMPLATE_LEAD`] at the base time: the step gives it
    /// its lead, time and id (a `tick` ignores the step's lead and id).
    Event(Event),
    /// A move that is legal from the lead's stage at this point of the stream, mostly
    /// forward (accept, qualify, open, win; touches that qualify), sometimes back
    /// (reject, disqualify, recycle, lose). Random kinds alone rarely walk a lead
    /// down the waterfall; this makes opportunities, customers, active recycling and
    /// re-engagement common.
    Progress(Progress),
    /// This many `webinar_attended` touches on the lead, a minute apart: enough of
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
    /// The event for `lead` at `at` when it is in `stage` (`None`: not created yet).
    fn resolve(&self, stage: Option<Stage>, lead: &str, at: DateTime<Utc>) -> Event {
        let rep = self.rep.clone();
        let with_program = |e: Event| match &self.program {
            Some(program) => e.with_program(program.as_str()),
            None => e,
        };
        let touch = |kind: &str| Event::touch(lead, at, kind);
        let accepted = || Event::sales_accepted(lead, at, rep.clone());
        let attempt = || Event::sales_attempt(lead, at, rep.clone());
        let qualified = || Event::sales_qualified(lead, at, rep.clone());
        let rejected = || with_program(Event::sales_rejected(lead, at, rep.clone(), &self.reason));
        let disqualified =
            || with_program(Event::disqualified(lead, at, rep.clone(), &self.reason));
        let opened = || Event::opportunity_opened(lead, at, "O1");
        let won = || Event::opportunity_won(lead, at, "O1");
        let mut moves: Vec<Event> = match stage {
            None => vec![Event::created(lead, at, "webinar")
                .with_profile([attribute(0), attribute(4)].into_iter().collect())],
            // Mostly engagement, so that leads also qualify by score (and cross the
            // hysteresis band); hand-raisers come from the random kinds.
            Some(Stage::Inquiry | Stage::Recycled) => vec![
                touch("webinar_attended"),
                touch("pricing_page_view"),
                touch("webinar_attended"),
                touch("content_download"),
                touch("webinar_attended"),
                accepted(),
            ],
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
                with_program(Event::opportunity_lost(lead, at, "O1", &self.reason)),
                with_program(Event::recycled(lead, at, rep.clone(), &self.reason)),
            ],
            Some(Stage::Customer) => vec![touch("webinar_attended"), Event::unsubscribed(lead, at)],
            Some(Stage::Removed) => vec![touch("email_click")],
        };
        moves.swap_remove(self.pick.index(moves.len()))
    }
}

#[derive(Clone, Debug)]
struct Step {
    /// An index into `LEADS`; `None`: the lead of the previous step (a lead's
    /// activity comes in bursts, which lets touches add up to a qualifying score).
    lead: Option<usize>,
    gap: Gap,
    id: Option<u8>,
    op: Op,
    /// Where a second delivery of this event goes (used by the idempotency property
    /// only; kept with the step so that both shrink together).
    redeliver: Option<Redelivery>,
}

/// Where the second delivery of an event goes.
#[derive(Clone, Debug)]
enum Redelivery {
    RightAfter,
    /// Anywhere after the original, up to the end of the stream.
    Later(Index),
}

/// How many books the partition property splits a stream across.
const BOOKS: usize = 3;

/// Which streams a property wants.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    /// Anything the generator makes.
    Any,
    /// Times never go back (no `Back` gap, no redelivery of an older event).
    Monotone,
    /// No `merged` event (a merge spans two leads, so it cannot be partitioned).
    NoMerge,
}

/// A stream of events. Its `Debug` form is the events' JSON lines (with the second
/// deliveries of the idempotency property noted after them).
#[derive(Clone)]
struct Stream(Vec<Event>, Vec<Option<Redelivery>>);

impl fmt::Debug for Stream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Stream ({} events):", self.0.len())?;
        for (i, e) in self.0.iter().enumerate() {
            write!(f, "{}", serde_json::to_string(e).unwrap())?;
            match self.1.get(i) {
                Some(Some(r)) if e.id().is_some() => writeln!(f, "   <- redelivered {r:?}")?,
                _ => writeln!(f)?,
            }
        }
        Ok(())
    }
}

impl Stream {
    /// The latest time in the stream (the base time for an empty one).
    fn end(&self) -> DateTime<Utc> {
        self.0.iter().map(Event::at).max().unwrap_or_else(base_time)
    }
}

fn build(steps: &[Step], mode: Mode) -> Stream {
    // Replays the stream as it is built, so that `Progress` sees each lead's stage.
    let mut book = LeadBook::new();
    let mut now = base_time();
    let mut lead = 0;
    let mut out: Vec<Event> = Vec::new();
    let mut redeliver = Vec::new();
    for s in steps {
        lead = s.lead.unwrap_or(lead);
        let at = match s.gap {
            Gap::Back(h) if mode != Mode::Monotone => now - TimeDelta::hours(h),
            gap => {
                now += gap.delta();
                now
            }
        };
        let event = match &s.op {
            Op::Wait => continue,
            Op::Again(ix) => {
                if out.is_empty() || mode == Mode::Monotone {
                    continue;
                }
                out[ix.index(out.len())].clone()
            }
            Op::Burst(n) => {
                for i in 0..*n {
                    let at = at + TimeDelta::minutes(i as i64);
                    let e = Event::touch(LEADS[lead], at, "webinar_attended");
                    book.apply(engine(), &e);
                    out.push(e);
                    redeliver.push(None);
                }
                now = now.max(at + TimeDelta::minutes(*n as i64));
                continue;
            }
            Op::Event(e) if e.event_type() == EventType::Tick => Event::tick(at),
            Op::Event(e) if e.event_type() == EventType::Merged && mode == Mode::NoMerge => {
                continue
            }
            Op::Event(_) | Op::Progress(_) => {
                let e = match &s.op {
                    Op::Event(template) => {
                        let mut e = template.clone();
                        *e.lead_mut().expect("only a tick names no lead") = LEADS[lead].into();
                        e.set_at(at);
                        e
                    }
                    Op::Progress(p) => {
                        p.resolve(book.get(LEADS[lead]).map(|l| l.stage()), LEADS[lead], at)
                    }
                    Op::Wait | Op::Again(_) | Op::Burst(_) => unreachable!(),
                };
                match s.id {
                    Some(i) => e.with_id(format!("e{i}")),
                    None => e,
                }
            }
        };
        book.apply(engine(), &event);
        out.push(event);
        redeliver.push(s.redeliver.clone());
    }
    Stream(out, redeliver)
}

fn text(words: &'static [&'static str]) -> impl Strategy<Value = String> + Clone {
    select(words).prop_map(str::to_owned)
}

fn word(words: &'static [String]) -> impl Strategy<Value = String> + Clone {
    select(words)
}

fn maybe<S: Strategy>(p: f64, s: S) -> impl Strategy<Value = Option<S::Value>> {
    prop::option::weighted(p, s)
}

fn rep() -> impl Strategy<Value = RepId> + Clone {
    text(REPS).prop_map(RepId::from)
}

/// Profile attributes, numbers as numbers and as text, strings and a boolean.
fn attribute(i: usize) -> (String, ProfileValue) {
    let (k, v): (&str, ProfileValue) = match i {
        0 => ("seniority", "vp".into()),
        1 => ("seniority", "c_level".into()),
        2 => ("seniority", "director".into()),
        3 => ("seniority", "manager".into()),
        4 => ("employees", 350.0.into()),
        5 => ("employees", 50.0.into()),
        6 => ("employees", "500".into()),
        7 => ("region", "emea".into()),
        8 => ("region", "na".into()),
        _ => ("partner", true.into()),
    };
    (k.to_owned(), v)
}

fn profile() -> impl Strategy<Value = Profile> {
    prop::collection::vec(0..10usize, 0..=3).prop_map(|ix| ix.into_iter().map(attribute).collect())
}

fn reason_program() -> impl Strategy<Value = (String, Option<String>)> {
    let v = vocab();
    (word(&v.reasons), maybe(0.25, word(&v.programs)))
}

/// The lead of the events [`event`] generates; [`build`] gives each its own.
const TEMPLATE_LEAD: &str = "L?";

/// Sets an optional field when the generator chose a value for it.
fn with<T>(e: Event, value: Option<T>, set: fn(Event, T) -> Event) -> Event {
    match value {
        Some(v) => set(e, v),
        None => e,
    }
}

/// An event of any type, for [`TEMPLATE_LEAD`] at the base time.
fn event() -> impl Strategy<Value = Event> {
    let v = vocab();
    let (lead, at) = (TEMPLATE_LEAD, base_time());
    let recycling = |make: fn(&str, DateTime<Utc>, RepId, String) -> Event| {
        (rep(), reason_program()).prop_map(move |(rep, (reason, program))| {
            with(make(lead, at, rep, reason), program, Event::with_program)
        })
    };
    prop_oneof![
        6 => (
            text(SOURCES),
            maybe(0.5, text(CAMPAIGNS)),
            maybe(0.3, text(CHANNELS)),
            maybe(0.3, text(ACCOUNTS)),
            profile(),
        )
            .prop_map(move |(source, campaign, channel, account, profile)| {
                let e = Event::created(lead, at, source).with_profile(profile);
                let e = with(e, campaign, Event::with_campaign);
                let e = with(e, channel, Event::with_channel);
                with(e, account, Event::with_account)
            }),
        10 => (
            word(&v.kinds),
            maybe(0.3, text(CAMPAIGNS)),
            maybe(0.2, text(CHANNELS)),
            maybe(0.25, word(&v.contents)),
        )
            .prop_map(move |(kind, campaign, channel, content)| {
                let e = Event::touch(lead, at, kind);
                let e = with(e, campaign, Event::with_campaign);
                let e = with(e, channel, Event::with_channel);
                with(e, content, Event::with_content)
            }),
        2 => profile().prop_map(move |set| Event::profile(lead, at, set)),
        5 => rep().prop_map(move |rep| Event::sales_accepted(lead, at, rep)),
        2 => recycling(|l, t, rep, reason| Event::sales_rejected(l, t, rep, reason)),
        4 => (rep(), maybe(0.5, text(CHANNELS)), maybe(0.5, text(OUTCOMES)))
            .prop_map(move |(rep, channel, outcome)| {
                let e = Event::sales_attempt(lead, at, rep);
                let e = with(e, channel, Event::with_channel);
                with(e, outcome, Event::with_outcome)
            }),
        3 => rep().prop_map(move |rep| Event::sales_qualified(lead, at, rep)),
        3 => (text(OPPORTUNITIES), maybe(0.5, select(AMOUNTS))).prop_map(
            move |(opportunity, amount)| {
                with(Event::opportunity_opened(lead, at, opportunity), amount, Event::with_amount)
            }
        ),
        2 => text(OPPORTUNITIES).prop_map(move |o| Event::opportunity_won(lead, at, o)),
        2 => (text(OPPORTUNITIES), reason_program()).prop_map(
            move |(opportunity, (reason, program))| {
                let e = Event::opportunity_lost(lead, at, opportunity, reason);
                with(e, program, Event::with_program)
            }
        ),
        2 => recycling(|l, t, rep, reason| Event::disqualified(l, t, rep, reason)),
        2 => recycling(|l, t, rep, reason| Event::recycled(l, t, rep, reason)),
        1 => Just(Event::unsubscribed(lead, at)),
        1 => text(LOST_CAUSES).prop_map(move |cause| Event::contact_lost(lead, at, cause)),
        2 => (0..LEADS.len()).prop_map(move |i| Event::merged(lead, at, LEADS[i])),
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

fn step() -> impl Strategy<Value = Step> {
    let lead = prop_oneof![
        4 => Just(None),
        8 => (0..LEADS.len() - 1).prop_map(Some),
        1 => Just(Some(LEADS.len() - 1)),
    ];
    let progress =
        (any::<Index>(), rep(), reason_program()).prop_map(|(pick, rep, (reason, program))| {
            Progress {
                pick,
                rep,
                reason,
                program,
            }
        });
    let op = prop_oneof![
        1 => Just(Op::Wait),
        30 => event().prop_map(Op::Event),
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

fn stream(mode: Mode, max_len: usize) -> impl Strategy<Value = Stream> {
    prop::collection::vec(step(), 1..=max_len).prop_map(move |steps| build(&steps, mode))
}

// ---------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------

fn snap_json(book: &LeadBook) -> String {
    serde_json::to_string(&book.snapshot()).unwrap()
}

fn effect_json(e: &Effect) -> String {
    serde_json::to_string(e).unwrap()
}

fn lines(effects: &[Effect]) -> String {
    effects
        .iter()
        .map(effect_json)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The kind of the refusal an event's effects end with, if they do.
fn rejected_kind(effects: &[Effect]) -> Option<RejectKind> {
    match effects.last() {
        Some(Effect {
            kind: EffectKind::Rejected { kind, .. },
            ..
        }) => Some(*kind),
        _ => None,
    }
}

/// Whether a refusal of this kind is judged against the stage the lead is really in,
/// after its due deadlines fired (CONTRACT.md, "Time"); the others fire nothing.
/// `removed_lead` is either: a lead already removed has no deadline left to fire.
fn judged_after_deadlines(kind: RejectKind) -> bool {
    matches!(
        kind,
        RejectKind::IllegalTransition | RejectKind::UnknownProgram | RejectKind::RemovedLead
    )
}

/// The leads whose deadlines an event fires before it is judged: its own lead, and a
/// merge's survivor.
fn leads_of(e: &Event) -> Vec<LeadId> {
    let mut leads: Vec<LeadId> = e.lead().into_iter().cloned().collect();
    if let EventKind::Merged { into, .. } = e.kind() {
        leads.push(into.clone());
    }
    leads
}

fn any_rejected(effects: &[Effect]) -> bool {
    effects
        .iter()
        .any(|f| matches!(f.kind, EffectKind::Rejected { .. }))
}

/// Runs the stream on a new book; the effects of each event.
fn run(events: &[Event]) -> (LeadBook, Vec<Vec<Effect>>) {
    let mut book = LeadBook::new();
    let effects = events.iter().map(|e| book.apply(engine(), e)).collect();
    (book, effects)
}

/// Each lead's effects as JSON lines, in order; effects without a lead (a refused
/// tick) are left out.
fn per_lead<'a>(effects: impl IntoIterator<Item = &'a Effect>) -> BTreeMap<LeadId, Vec<String>> {
    let mut map: BTreeMap<LeadId, Vec<String>> = BTreeMap::new();
    for f in effects {
        if let Some(lead) = &f.lead {
            map.entry(lead.clone()).or_default().push(effect_json(f));
        }
    }
    map
}

/// `cases` cases, or `PROPTEST_CASES` when set (`PROPTEST_CASES=100000 cargo test
/// --release --test invariants` for a soak).
fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        // Minimal cases are reported in the failure message; nothing is written to disk.
        failure_persistence: None,
        max_shrink_iters: 8192,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------
// Invariant 1: conservation
// ---------------------------------------------------------------------------------

fn check_conservation(s: &Stream) -> Result<(), TestCaseError> {
    let mut book = LeadBook::new();
    // Each lead's stage as told by its `transition` effects.
    let mut told: BTreeMap<LeadId, Stage> = BTreeMap::new();
    for (i, e) in s.0.iter().enumerate() {
        let effects = book.apply(engine(), e);
        for f in &effects {
            if let EffectKind::Transition { from, to, .. } = &f.kind {
                let lead = f.lead.clone().expect("a transition names its lead");
                match from {
                    None => {
                        prop_assert!(
                            !told.contains_key(&lead),
                            "event {i}: lead {lead} was created twice"
                        );
                        prop_assert_eq!(*to, Stage::Inquiry);
                    }
                    Some(from) => prop_assert_eq!(
                        told.get(&lead),
                        Some(from),
                        "event {}: transition of lead {} does not start where the last one ended",
                        i,
                        lead
                    ),
                }
                told.insert(lead, *to);
            }
        }
        let counts = book.stage_counts();
        prop_assert_eq!(counts.len(), Stage::ALL.len(), "every stage is listed");
        let total: usize = counts.values().sum();
        prop_assert_eq!(
            total,
            told.len(),
            "event {}: stage counts vs leads created",
            i
        );
        prop_assert_eq!(
            book.len(),
            told.len(),
            "event {}: book size vs leads created",
            i
        );
        let mut recount: BTreeMap<Stage, usize> = Stage::ALL.iter().map(|&s| (s, 0)).collect();
        for lead in book.leads() {
            *recount.get_mut(&lead.stage()).unwrap() += 1;
            prop_assert_eq!(
                told.get(lead.id()),
                Some(&lead.stage()),
                "event {}: lead {} is not in the stage its transitions say",
                i,
                lead.id()
            );
        }
        prop_assert_eq!(recount, counts, "event {}: stage counts", i);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------
// Invariant 2: no black hole
// ---------------------------------------------------------------------------------

/// A deadline that must fire on a tick.
#[derive(Debug)]
enum Due {
    Sla(SlaKind, DateTime<Utc>),
    Nurture(DateTime<Utc>),
}

fn due_by(book: &LeadBook, t: DateTime<Utc>) -> Vec<(LeadId, Due)> {
    let mut due = Vec::new();
    for lead in book.leads() {
        let s = lead.sla();
        for (kind, at) in [
            (SlaKind::Respond, s.respond_due),
            (SlaKind::Attempts, s.attempts_due),
            (SlaKind::Idle, s.idle_due),
        ] {
            if let Some(at) = at.filter(|&d| d <= t) {
                due.push((lead.id().clone(), Due::Sla(kind, at)));
            }
        }
        if let Some(at) = lead.nurture().and_then(|n| n.due).filter(|&d| d <= t) {
            due.push((lead.id().clone(), Due::Nurture(at)));
        }
    }
    due
}

fn check_tick_fired(
    due: &[(LeadId, Due)],
    effects: &[Effect],
    what: &str,
) -> Result<(), TestCaseError> {
    for (lead, d) in due {
        let of = || effects.iter().filter(|f| f.lead.as_ref() == Some(lead));
        let found = match d {
            Due::Sla(kind, at) => {
                let breached = of().any(|f| {
                    f.at == Some(*at)
                        && matches!(&f.kind, EffectKind::SlaBreached { sla, .. } if sla == kind)
                });
                let moved = *kind != SlaKind::Idle
                    || of().any(|f| {
                        f.at == Some(*at)
                            && matches!(
                                &f.kind,
                                EffectKind::Transition {
                                    cause: Cause::SlaIdle,
                                    ..
                                }
                            )
                    });
                breached && moved
            }
            Due::Nurture(at) => of().any(|f| {
                let said = f.at == Some(*at)
                    && matches!(
                        &f.kind,
                        EffectKind::NurtureStepDue { .. }
                            | EffectKind::NurtureEnded {
                                why: NurtureEnd::Completed,
                                ..
                            }
                    );
                let moved = f.at.is_some_and(|t| t <= *at)
                    && matches!(&f.kind, EffectKind::Transition { .. });
                said || moved
            }),
        };
        prop_assert!(
            found,
            "{what}: lead {lead} had {d:?} due, but no effect says so or moves it; effects:\n{}",
            lines(effects)
        );
    }
    Ok(())
}

fn check_no_black_hole(s: &Stream, extra: Gap) -> Result<(), TestCaseError> {
    let mut book = LeadBook::new();
    let last = Event::tick(s.end() + extra.delta() + TimeDelta::days(1));
    for (i, e) in s.0.iter().chain([&last]).enumerate() {
        let what = format!("event {i} ({} at {})", e.event_type(), e.at());
        let due = match e.lead() {
            None => due_by(&book, e.at()),
            Some(_) => Vec::new(),
        };
        let effects = book.apply(engine(), e);
        if let Some(kind) = rejected_kind(&effects) {
            // A refusal judged against the lead's stage came after its due deadlines
            // fired: the time passed whatever the event turned out to be.
            if judged_after_deadlines(kind) {
                for id in leads_of(e) {
                    if let Some(lead) = book.get(id.as_str()) {
                        prop_assert!(
                            lead.next_deadline().is_none_or(|d| d > e.at()),
                            "{what}, refused as {kind:?}: lead {id} still has a deadline at {:?}",
                            lead.next_deadline()
                        );
                    }
                }
            }
            continue;
        }
        match e.lead() {
            None => {
                check_tick_fired(&due, &effects, &what)?;
                for lead in book.leads() {
                    prop_assert!(
                        lead.next_deadline().is_none_or(|d| d > e.at()),
                        "{what}: after the tick, lead {} still has a deadline at {:?}",
                        lead.id(),
                        lead.next_deadline()
                    );
                }
            }
            Some(id) => {
                // The lead's own deadlines up to the event fired before it.
                let mut leads = vec![id.clone()];
                if let EventKind::Merged { into, .. } = e.kind() {
                    leads.push(into.clone());
                }
                for id in leads {
                    let lead = book
                        .get(id.as_str())
                        .expect("an applied event's lead exists");
                    prop_assert!(
                        lead.next_deadline().is_none_or(|d| d > e.at()),
                        "{what}: after it, lead {id} still has a deadline at {:?}",
                        lead.next_deadline()
                    );
                }
            }
        }
    }
    prop_assert_eq!(book.watermark(), Some(last.at()));
    Ok(())
}

// ---------------------------------------------------------------------------------
// Invariant 3: a recycled lead has a nurture enrollment; a removed one gets nothing
// ---------------------------------------------------------------------------------

fn check_recycled_and_removed(s: &Stream) -> Result<(), TestCaseError> {
    let mut book = LeadBook::new();
    let mut removed: BTreeSet<LeadId> = BTreeSet::new();
    let last = Event::tick(s.end() + TimeDelta::days(400));
    for (i, e) in s.0.iter().chain([&last]).enumerate() {
        let effects = book.apply(engine(), e);
        // Leads removed by this very event: their enrollment ends right after.
        let mut removed_now: BTreeSet<LeadId> = BTreeSet::new();
        for f in &effects {
            let Some(lead) = &f.lead else { continue };
            if removed.contains(lead) {
                let ok = match &f.kind {
                    EffectKind::Rejected { .. } => true,
                    EffectKind::NurtureEnded { .. } => removed_now.contains(lead),
                    _ => false,
                };
                prop_assert!(
                    ok,
                    "event {i}: removed lead {lead} got an effect after its removal: {}\nall effects:\n{}",
                    effect_json(f),
                    lines(&effects)
                );
            }
            if let EffectKind::Transition {
                to: Stage::Removed, ..
            } = &f.kind
            {
                removed.insert(lead.clone());
                removed_now.insert(lead.clone());
            }
        }
        for lead in book.leads() {
            match lead.stage() {
                Stage::Recycled => prop_assert!(
                    lead.nurture().is_some(),
                    "event {i}: lead {} is recycled without a nurture enrollment; effects:\n{}",
                    lead.id(),
                    lines(&effects)
                ),
                Stage::Removed => {
                    prop_assert!(
                        lead.nurture().is_none(),
                        "event {i}: removed lead {} is still enrolled",
                        lead.id()
                    );
                    prop_assert!(removed.contains(lead.id()));
                }
                _ => {}
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------
// Invariant 4: first touch
// ---------------------------------------------------------------------------------

fn check_first_touch(s: &Stream) -> Result<(), TestCaseError> {
    let mut book = LeadBook::new();
    let mut first: BTreeMap<LeadId, Touch> = BTreeMap::new();
    // The touch of every `created` event applied so far.
    let mut created: Vec<Touch> = Vec::new();
    for (i, e) in s.0.iter().enumerate() {
        let effects = book.apply(engine(), e);
        let accepted = !any_rejected(&effects);
        for lead in book.leads() {
            let now = lead.first_touch();
            match first.get(lead.id()) {
                None => {
                    // Just created by this event: its touch is the event's.
                    let EventKind::Created {
                        source,
                        campaign,
                        channel,
                        ..
                    } = e.kind()
                    else {
                        return Err(TestCaseError::fail(format!(
                            "event {i}: lead {} appeared without a `created` event",
                            lead.id()
                        )));
                    };
                    let expected = Touch {
                        source: source.clone(),
                        campaign: campaign.clone(),
                        channel: channel.clone(),
                        at: e.at(),
                    };
                    prop_assert!(accepted && e.lead() == Some(lead.id()));
                    prop_assert_eq!(now, &expected, "event {}: first touch of a new lead", i);
                    created.push(expected);
                }
                Some(before) if before == now => {}
                Some(before) => {
                    let merged_into_it = accepted
                        && matches!(e.kind(), EventKind::Merged { into, .. } if into == lead.id());
                    prop_assert!(
                        merged_into_it,
                        "event {i} ({}) changed the first touch of lead {} from {before:?} to {now:?}",
                        e.event_type(),
                        lead.id()
                    );
                    prop_assert!(
                        now.at < before.at,
                        "event {i}: a merge replaced lead {}'s first touch {before:?} with a later one {now:?}",
                        lead.id()
                    );
                    prop_assert!(
                        created.contains(now),
                        "event {i}: lead {}'s new first touch {now:?} is no lead's created touch",
                        lead.id()
                    );
                }
            }
            first.insert(lead.id().clone(), now.clone());
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------
// Invariant 5: determinism
// ---------------------------------------------------------------------------------

fn check_rerun(s: &Stream) -> Result<(), TestCaseError> {
    let (book1, a) = run(&s.0);
    let (book2, b) = run(&s.0);
    let a: Vec<String> = a.iter().flatten().map(effect_json).collect();
    let b: Vec<String> = b.iter().flatten().map(effect_json).collect();
    prop_assert_eq!(a, b);
    prop_assert_eq!(snap_json(&book1), snap_json(&book2));
    Ok(())
}

fn check_snapshot_restore(s: &Stream, split: usize) -> Result<(), TestCaseError> {
    let (whole_book, whole) = run(&s.0);
    let k = split.min(s.0.len());
    let (first_book, mut split_effects) = run(&s.0[..k]);
    let json = snap_json(&first_book);
    let snapshot: Snapshot = serde_json::from_str(&json).expect("a snapshot reads back");
    let mut book = LeadBook::from_snapshot(snapshot);
    let restored = snap_json(&book);
    for e in &s.0[k..] {
        split_effects.push(book.apply(engine(), e));
    }
    for (i, (a, b)) in whole.iter().zip(&split_effects).enumerate() {
        prop_assert_eq!(
            lines(a),
            lines(b),
            "event {} ({} at {}) after a restore at {}",
            i,
            s.0[i].event_type(),
            s.0[i].at(),
            k
        );
    }
    // A restored book is the book that was saved: the JSON round trip is exact.
    prop_assert_eq!(
        restored,
        json,
        "the snapshot after {} events does not survive a JSON round trip (left: restored, right: saved)",
        k
    );
    prop_assert_eq!(snap_json(&whole_book), snap_json(&book), "final state");
    Ok(())
}

fn check_partition(s: &Stream, assign: &[usize]) -> Result<(), TestCaseError> {
    let (_, whole) = run(&s.0);
    // `assign` gives each lead of `LEADS` its book; a book may get no lead.
    let n = BOOKS;
    let mut books: Vec<LeadBook> = (0..n).map(|_| LeadBook::new()).collect();
    let mut parts: Vec<Effect> = Vec::new();
    for e in &s.0 {
        match e.lead() {
            None => {
                for book in &mut books {
                    book.apply_into(engine(), e, &mut parts);
                }
            }
            Some(id) => {
                let i = LEADS.iter().position(|l| *l == id.as_str()).unwrap();
                books[assign[i]].apply_into(engine(), e, &mut parts);
            }
        }
    }
    let one = per_lead(whole.iter().flatten());
    let split = per_lead(&parts);
    for lead in one.keys().chain(split.keys()).collect::<BTreeSet<_>>() {
        prop_assert_eq!(
            one.get(lead).map(|v| v.join("\n")),
            split.get(lead).map(|v| v.join("\n")),
            "effects of lead {} in one book vs {} books",
            lead,
            n
        );
    }
    Ok(())
}

fn check_tick_placement(s: &Stream) -> Result<(), TestCaseError> {
    let last = Event::tick(s.end());
    let with_ticks: Vec<Event> = s.0.iter().cloned().chain([last.clone()]).collect();
    let without: Vec<Event> =
        s.0.iter()
            .filter(|e| e.lead().is_some())
            .cloned()
            .chain([last])
            .collect();
    let (book_a, a) = run(&with_ticks);
    let (book_b, b) = run(&without);
    // A lead's effects, the refusals judged after its deadlines included, come in the
    // same order with or without ticks: such a refusal fires the lead's due deadlines
    // first, as a tick would have. A refusal judged before the deadlines fires nothing,
    // so without a tick before it, it comes before the deadline effects a tick would
    // have fired first: those refusals, in order, must be the same too.
    let split = |effects: &[Vec<Effect>]| {
        let (before, ordered): (Vec<&Effect>, Vec<&Effect>) =
            effects.iter().flatten().partition(|f| {
                matches!(f.kind, EffectKind::Rejected { kind, .. } if !judged_after_deadlines(kind))
            });
        (per_lead(ordered), per_lead(before))
    };
    let (a_applied, a_refused) = split(&a);
    let (b_applied, b_refused) = split(&b);
    for (what, a, b) in [
        ("effects", &a_applied, &b_applied),
        (
            "refusals judged before the deadlines",
            &a_refused,
            &b_refused,
        ),
    ] {
        for lead in a.keys().chain(b.keys()).collect::<BTreeSet<_>>() {
            prop_assert_eq!(
                a.get(lead).map(|v| v.join("\n")),
                b.get(lead).map(|v| v.join("\n")),
                "{} of lead {} with every tick vs only a final tick",
                what,
                lead
            );
        }
    }
    prop_assert_eq!(snap_json(&book_a), snap_json(&book_b), "final state");
    Ok(())
}

// ---------------------------------------------------------------------------------
// Invariant 6: idempotency
// ---------------------------------------------------------------------------------

fn check_idempotency(s: &Stream) -> Result<(), TestCaseError> {
    let (once_book, once) = run(&s.0);
    let n = s.0.len();
    // A second delivery of an applied event with an id: (position, original index).
    // A copy at position p is delivered just before original event p (p = n: at the
    // end). A copy of a refused event is not a duplicate, so only applied ones count.
    let mut at_pos: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, e) in s.0.iter().enumerate() {
        let applied = e.id().is_some() && !any_rejected(&once[i]);
        let Some(Some(copy)) = s.1.get(i).filter(|_| applied) else {
            continue;
        };
        let pos = match copy {
            Redelivery::RightAfter => i + 1,
            Redelivery::Later(ix) => i + 1 + ix.index(n - i),
        };
        at_pos.entry(pos).or_default().push(i);
    }
    // (original index, is a copy)
    let mut doubled: Vec<(usize, bool)> = Vec::new();
    for p in 0..=n {
        for &i in at_pos.get(&p).into_iter().flatten() {
            doubled.push((i, true));
        }
        if p < n {
            doubled.push((p, false));
        }
    }
    let shown = Stream(
        doubled.iter().map(|&(i, _)| s.0[i].clone()).collect(),
        Vec::new(),
    );
    let window = TimeDelta::days(7); // the default policy's dedupe_window_days
    let mut book = LeadBook::new();
    for &(i, copy) in &doubled {
        let e = &s.0[i];
        if copy {
            // The contract's answer for a second delivery: `duplicate_event` while the
            // lead remembers the id (applied within the window before its clock); once
            // it is forgotten the time rule refuses it (`out_of_order`), or the lead's
            // own refusal does (`duplicate_lead` for a `created`, `removed_lead`).
            let lead = book
                .get(
                    e.lead()
                        .as_ref()
                        .expect("an applied event names a lead")
                        .as_str(),
                )
                .expect("an applied event's lead exists");
            let id = e.id().expect("only events with an id are redelivered");
            let expected = if lead.applied_ids().contains_since(id, lead.clock() - window) {
                RejectKind::DuplicateEvent
            } else if matches!(e.kind(), EventKind::Created { .. }) {
                RejectKind::DuplicateLead
            } else if lead.stage() == Stage::Removed {
                RejectKind::RemovedLead
            } else {
                RejectKind::OutOfOrder
            };
            let effects = book.apply(engine(), e);
            prop_assert_eq!(
                effects.len(),
                1,
                "the second delivery of event {} fired something: {}\ndoubled stream: {:?}",
                i,
                lines(&effects),
                shown
            );
            prop_assert_eq!(
                rejected_kind(&effects),
                Some(expected),
                "the second delivery of event {} was not refused as {:?}: {}\ndoubled stream: {:?}",
                i,
                expected,
                lines(&effects),
                shown
            );
        } else {
            let effects = book.apply(engine(), e);
            prop_assert_eq!(
                lines(&effects),
                lines(&once[i]),
                "event {} gave other effects in the doubled stream {:?}",
                i,
                shown
            );
        }
    }
    prop_assert_eq!(
        snap_json(&book),
        snap_json(&once_book),
        "final state; doubled stream {:?}",
        shown
    );
    Ok(())
}

// ---------------------------------------------------------------------------------
// Invariant 7: a rejected event changes nothing
// ---------------------------------------------------------------------------------

fn check_rejected_unchanged(s: &Stream) -> Result<(), TestCaseError> {
    let mut book = LeadBook::new();
    for (i, e) in s.0.iter().enumerate() {
        let before = book.clone();
        let effects = book.apply(engine(), e);
        let Some(kind) = rejected_kind(&effects) else {
            prop_assert!(
                !any_rejected(&effects),
                "event {i}: a `rejected` effect that is not the event's last:\n{}",
                lines(&effects)
            );
            continue;
        };
        let (fired, rejected) = effects.split_at(effects.len() - 1);
        let EffectKind::Rejected { event, .. } = &rejected[0].kind else {
            unreachable!()
        };
        prop_assert_eq!(
            event.as_deref(),
            Some(e),
            "event {}: the rejection echoes it",
            i
        );
        prop_assert_eq!(rejected[0].lead.as_ref(), e.lead());
        prop_assert_eq!(rejected[0].at, Some(e.at()));
        prop_assert!(
            !any_rejected(fired),
            "event {i}: two `rejected` effects:\n{}",
            lines(&effects)
        );
        // The book the refusal must leave: the one the lead's own due deadlines alone
        // give (both leads' for a merge), or, for a refusal judged before the
        // deadlines, the book as it was.
        let mut expected = before.snapshot();
        let mut expected_fired = Vec::new();
        if judged_after_deadlines(kind) {
            let named = leads_of(e);
            for lead in expected.leads.iter_mut() {
                if named.contains(lead.id()) {
                    expected_fired.extend(engine().advance(lead, e.at()));
                }
            }
        }
        prop_assert_eq!(
            per_lead(fired),
            per_lead(&expected_fired),
            "event {} ({}) refused as {:?} fired other effects than the lead's due deadlines",
            i,
            e.event_type(),
            kind
        );
        prop_assert_eq!(fired.len(), expected_fired.len());
        prop_assert_eq!(
            snap_json(&book),
            serde_json::to_string(&expected).unwrap(),
            "event {} ({}) was refused ({:?}) but changed the book beyond its due deadlines",
            i,
            e.event_type(),
            kind
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------------
// The properties
// ---------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(256))]

    /// Invariant 1: every created lead is in exactly one stage, the one its
    /// transitions lead to, and the stage counts add up to the leads created.
    #[test]
    fn inv1_conservation(s in stream(Mode::Any, 60)) {
        check_conservation(&s)?;
    }

    /// Invariant 2: after a tick at t no lead has a deadline at or before t, and every
    /// deadline that was due is reported (`sla_breached`, the idle recycle, the nurture
    /// step) or the lead was moved; after an event, its lead has nothing due at or
    /// before the event's time either.
    #[test]
    fn inv2_no_black_hole(s in stream(Mode::Any, 60), extra in gap()) {
        check_no_black_hole(&s, extra)?;
    }

    /// Invariant 3: a recycled lead always has a nurture enrollment; a removed lead
    /// never gets a nurture assignment, a step, a routing or a transition after its
    /// removal.
    #[test]
    fn inv3_recycled_enrolled_removed_left_alone(s in stream(Mode::Any, 60)) {
        check_recycled_and_removed(&s)?;
    }

    /// Invariant 4: the first touch never changes, except that a merge may replace it
    /// with the survivor's duplicate's earlier one.
    #[test]
    fn inv4_first_touch_kept(s in stream(Mode::Any, 60)) {
        check_first_touch(&s)?;
    }

    /// Invariant 5: the same stream gives byte-identical effects twice.
    #[test]
    fn inv5_determinism_rerun(s in stream(Mode::Any, 60)) {
        check_rerun(&s)?;
    }

    /// Invariant 5: a snapshot taken mid-stream, written as JSON and restored, then
    /// continued, gives the same effects as one uninterrupted run.
    #[test]
    fn inv5_determinism_snapshot_restore(s in stream(Mode::Any, 60), split in 0..70usize) {
        check_snapshot_restore(&s, split)?;
    }

    /// Invariant 5: a stream partitioned by lead across books (ticks to every book)
    /// gives each lead the same effects as one book.
    #[test]
    fn inv5_determinism_partitioned_by_lead(
        s in stream(Mode::NoMerge, 60),
        assign in prop::collection::vec(0..BOOKS, LEADS.len()),
    ) {
        check_partition(&s, &assign)?;
    }

    /// Invariant 5 (CONTRACT.md, "Time"): a lead's effects do not depend on where the
    /// ticks fall: every tick, or only a final one, gives the same effects per lead, a
    /// refusal judged after the lead's due deadlines (`illegal_transition`,
    /// `unknown_program`, `removed_lead`, a merge's included) in its place among them.
    #[test]
    fn inv5_determinism_tick_placement(s in stream(Mode::Monotone, 60)) {
        check_tick_placement(&s)?;
    }

    /// Invariant 6: delivering every applied event that has an id a second time (right
    /// after, or later) never applies it twice: each copy fires nothing and is refused
    /// as `duplicate_event` while its lead remembers the id (applied within
    /// `dedupe_window_days` before the lead's clock), and by the time rule or the lead's
    /// own refusal once it is forgotten; the run ends in the same state as delivering
    /// each event once.
    #[test]
    fn inv6_idempotency(s in stream(Mode::Any, 60)) {
        check_idempotency(&s)?;
    }

    /// Invariant 7: a rejected event changes nothing itself: the book afterwards is byte
    /// for byte the book the lead's own due deadlines alone give (both leads' for a
    /// merge; none for a refusal judged before its stage is looked at), and its effects
    /// are exactly those deadlines' effects, then the one `rejected`.
    #[test]
    fn inv7_rejected_leaves_book_unchanged(s in stream(Mode::Any, 60)) {
        check_rejected_unchanged(&s)?;
    }
}

proptest! {
    #![proptest_config(config(128))]

    /// The engine never panics, on longer streams and with a long final tick.
    #[test]
    fn never_panics(s in stream(Mode::Any, 120)) {
        let (mut book, _) = run(&s.0);
        book.apply(engine(), &Event::tick(s.end() + TimeDelta::days(730)));
    }
}
