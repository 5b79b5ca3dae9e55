//! An endless stream of events, generated lazily: `lanes` generated streams
//! (`leadcycle::testing::streams`, each over five leads of its own) interleaved in time
//! order. When a lane's stream runs out, its leads that are still live are retired
//! (`contact_lost`, which removes a lead from any live stage) and the lane starts a new
//! stream with new leads at the current time. So the leads in play stay about
//! `lanes x 5` however long the stream runs, and only the events of the streams in
//! play are in memory.

use leadcycle::chrono::{DateTime, TimeDelta, Utc};
use leadcycle::testing::{EventStream, StreamOptions, Vocabulary};
use leadcycle::{Engine, Event, LeadId};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// Leads per generated stream.
pub const LEADS_PER_STREAM: usize = 5;

/// Where the next event comes from.
pub enum Next {
    /// An event of a lane's stream.
    Event(Event),
    /// A lane's stream ran out: retire these leads (those still live), at this time.
    Retire(Vec<LeadId>, DateTime<Utc>),
}

struct Lane {
    events: VecDeque<Event>,
    leads: Vec<LeadId>,
}

/// Interleaved lanes of generated streams.
pub struct Lanes<'e> {
    engine: &'e Engine,
    words: Vocabulary,
    runner: TestRunner,
    max_steps: usize,
    lanes: Vec<Lane>,
    /// (time of the lane's next event, order of insertion, lane).
    heap: BinaryHeap<Reverse<(DateTime<Utc>, u64, usize)>>,
    order: u64,
    /// Streams generated so far: it names their leads.
    pub streams: u64,
    /// The latest time handed out.
    clock: DateTime<Utc>,
}

impl<'e> Lanes<'e> {
    /// `lanes` lanes of streams of up to `max_steps` steps for `engine`'s policy,
    /// drawn with `runner`.
    pub fn new(engine: &'e Engine, runner: TestRunner, lanes: usize, max_steps: usize) -> Self {
        let start = StreamOptions::default().start;
        let mut me = Lanes {
            engine,
            words: Vocabulary::of(engine.policy()),
            runner,
            max_steps,
            lanes: Vec::with_capacity(lanes),
            heap: BinaryHeap::new(),
            order: 0,
            streams: 0,
            clock: start,
        };
        for lane in 0..lanes {
            let fresh = me.fresh(start);
            me.lanes.push(fresh);
            me.queue(lane);
        }
        me
    }

    /// A new stream with new leads, starting at `at`.
    fn fresh(&mut self, at: DateTime<Utc>) -> Lane {
        let n = self.streams;
        self.streams += 1;
        let mut words = self.words.clone();
        words.leads = (0..LEADS_PER_STREAM)
            .map(|i| LeadId::from(format!("s{n}-{i}")))
            .collect();
        let leads = words.leads.clone();
        let options = StreamOptions::new(self.max_steps).starting_at(at);
        let stream: EventStream = words
            .streams(self.engine, options)
            .new_tree(&mut self.runner)
            .expect("the stream strategy never rejects")
            .current();
        Lane {
            events: stream.into_events().into(),
            leads,
        }
    }

    fn queue(&mut self, lane: usize) {
        let at = match self.lanes[lane].events.front() {
            Some(e) => e.at(),
            // An empty stream: retire it at once.
            None => self.clock,
        };
        self.order += 1;
        self.heap.push(Reverse((at, self.order, lane)));
    }

    /// The next event in time order (each lane's own order kept), or a lane to retire.
    pub fn next(&mut self) -> Next {
        let Reverse((_, _, lane)) = self.heap.pop().expect("every lane is always queued");
        match self.lanes[lane].events.pop_front() {
            Some(e) => {
                self.clock = self.clock.max(e.at());
                self.queue(lane);
                Next::Event(e)
            }
            None => {
                let at = self.clock;
                let fresh = self.fresh(at + TimeDelta::minutes(1));
                let old = std::mem::replace(&mut self.lanes[lane], fresh);
                self.queue(lane);
                Next::Retire(old.leads, at)
            }
        }
    }

    /// A cause of `contact_lost` in the policy's words.
    pub fn lost_cause(&self) -> &str {
        &self.words.lost_causes[0]
    }
}
