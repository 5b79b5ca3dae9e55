//! The engine inside `timely` dataflow workers, partitioned by lead: the same effects
//! per lead as the replay example, on any number of threads and processes
//! (docs/scaling.md says how it works and how to run it on a cluster).
//!
//! ```text
//! cargo run --release --example timely -- [--policy POLICY.toml] [--events FILE.jsonl]
//!     [--until TIME] [--state-in DIR] [--state-out DIR] [--stats]
//!     [-w THREADS] [-n PROCESSES -p INDEX [-h HOSTFILE]]
//! ```
//!
//! `--help` lists every flag, its default and the exit codes.
//!
//! - Every worker owns a [`LeadBook`] of the leads that hash to it: FNV-1a (64 bit) of
//!   the lead id's UTF-8 bytes, modulo the number of workers. The hash is fixed, so a
//!   lead lands on the same worker on every run and machine.
//! - With `--events`, every worker reads the file and parses every W-th line (W
//!   workers); from standard input, worker 0 reads and parses every line. A line's
//!   event goes to its lead's worker; a `tick` goes to every worker; a line that is not
//!   an event becomes a `rejected` effect on worker 0.
//! - Time in the dataflow is an *epoch* that every reader computes alike from the line
//!   numbers (a new one every 1,024 lines, and one of its own for each line that may be
//!   a `merged` event). A worker applies an epoch's records in line order once its
//!   input frontier has passed the epoch, so a tick is applied after every event before
//!   it and before every event after it, on every worker: the tick is a watermark.
//! - A merge whose two leads live on different workers goes to both; each worker ships
//!   its lead's state to the other through a feedback edge (one epoch later), and each
//!   applies the merge with the other's lead put into its book for that one event
//!   ([`LeadBook::insert`]), keeps its own lead and prints its own lead's effects.
//! - Effects are JSON lines on standard output. A lead's effects all come from its own
//!   worker, in the replay example's order; effects of different leads interleave.
//! - `--until TIME` advances every worker's clock to TIME after the last event.
//! - `--state-out DIR` writes each worker's book snapshot at the end of the run (after
//!   `--until`), as `DIR/book-I-of-N.json`, each file replaced atomically.
//!   `--state-in DIR` starts from such a set, written by a run with any number of
//!   workers: every worker takes the leads that hash to it.
//! - Exit status 0 when it ran (even with rejected events); 2 with a one-line error on
//!   standard error when the arguments are wrong or the policy, the events or a state
//!   file cannot be read, parsed, validated or written.

#[path = "shared/cli.rs"]
mod cli;

use chrono::{DateTime, Utc};
use cli::{
    event_of_line, one_line, parse_time, policy_failure, set_once, AtomicFile, Failure, BOM,
};
use leadcycle::{Effect, Engine, Event, EventKind, Lead, LeadBook, Policy, Snapshot};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use timely::container::CapacityContainerBuilder;
use timely::dataflow::channels::pact::Exchange;
use timely::dataflow::operators::generic::operator::Operator;
use timely::dataflow::operators::{Capability, ConnectLoop, Feedback, Input, Probe};
use timely::dataflow::{InputHandle, ProbeHandle};
use timely::worker::Worker;

/// The usage line, appended to argument errors.
const USAGE: &str = "usage: timely [--policy POLICY.toml] [--events FILE.jsonl] [--until TIME] [--state-in DIR] [--state-out DIR] [--stats] [-w THREADS] [-n PROCESSES -p INDEX [-h HOSTFILE]] | --help";

/// What `--help` prints.
const HELP: &str = "\
timely: applies JSON-lines events to lead books inside timely dataflow workers, one
book per worker holding the leads that hash to it, and prints the effects as JSON
lines: per lead, the same effects in the same order as the replay example
(docs/scaling.md).

usage: timely [--policy POLICY.toml] [--events FILE.jsonl] [--until TIME]
              [--state-in DIR] [--state-out DIR] [--stats]
              [-w THREADS] [-n PROCESSES -p INDEX [-h HOSTFILE]]
       timely --help

options:
  --policy POLICY.toml  the policy, as TOML; every key left out keeps its default.
                        Default: the embedded default policy.
  --events FILE.jsonl   the events, one JSON object per line; every worker reads the
                        file (every process needs it at this path) and parses its
                        share of the lines. A line that is not an event becomes a
                        `rejected` effect (`malformed`). Default: standard input,
                        read by worker 0 alone.
  --until TIME          after the last event, advance every worker's clock to TIME
                        (RFC 3339) and fire what falls due. Default: no tick after
                        the last event.
  --state-in DIR        start from the book snapshots in DIR (book-I-of-N.json,
                        written by --state-out with any number of workers); refused
                        when one is missing, unreadable, or taken under another
                        policy. Default: empty books.
  --state-out DIR       at the end, write each worker's book snapshot to
                        DIR/book-I-of-N.json, each replaced atomically; DIR is
                        checked before the first effect is written. Default: no
                        snapshot is written.
  --stats               at the end, each worker writes one line of counts to
                        standard error. Default: off.
  -w, --threads N       timely: worker threads per process. Default: 1.
  -n, --processes N     timely: the number of processes; with more than one, timely
                        prints its connection progress on standard output before the
                        first effect (lines that do not start with `{`). Default: 1.
  -p, --process I       timely: this process's index, 0 to N-1. Default: 0.
  -h, --hostfile FILE   timely: the processes' addresses (host:port), one a line, in
                        process order. Default: localhost:2101, localhost:2102, ...
  --help                print this help and exit. Default: off.

exit status:
  0  it ran, rejected events included (they are `rejected` effects on standard
     output); or --help printed
  2  the arguments are wrong, or the policy, the events, --state-in or --state-out
     cannot be read, parsed, validated or written, or a worker could not write its
     effects: one line on standard error
";

/// The exit status of a run that could not start or finish.
const EXIT_ERROR: i32 = 2;

/// Ordinary lines per epoch: small enough that a worker holds little before it
/// applies, large enough that progress tracking costs little per event.
const EPOCH_LINES: u64 = 1024;

/// How many epochs a reader may run ahead of the slowest worker's input before it
/// waits: bounds the records held in flight.
const READ_AHEAD_EPOCHS: u64 = 16;

fn main() {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    // Not locked: the workers write `--stats` lines to it while `run` waits for them.
    std::process::exit(run(args, io::stderr()));
}

/// Runs the command with `args` (without the program name) and returns the exit
/// status: 0 when it ran, 2 after writing one line to `stderr` when it could not.
pub fn run(args: Vec<OsString>, mut stderr: impl Write) -> i32 {
    match start(args) {
        Ok(()) => 0,
        Err(Failure(message)) => {
            let line = one_line(&message);
            // Nothing more can be done if standard error itself cannot be written.
            let _ = writeln!(stderr, "timely: {line}");
            let _ = stderr.flush();
            EXIT_ERROR
        }
    }
}

impl From<lexopt::Error> for Failure {
    fn from(e: lexopt::Error) -> Self {
        Failure(format!("{e} ({USAGE})"))
    }
}

/// The parsed command line.
#[derive(Debug, Default)]
struct Args {
    policy: Option<PathBuf>,
    events: Option<PathBuf>,
    until: Option<DateTime<Utc>>,
    state_in: Option<PathBuf>,
    state_out: Option<PathBuf>,
    stats: bool,
    threads: Option<usize>,
    processes: Option<usize>,
    process: Option<usize>,
    hostfile: Option<PathBuf>,
    help: bool,
}

impl Args {
    /// timely's own arguments, as its `Config::from_args` reads them.
    fn timely_args(&self) -> Vec<String> {
        let mut args = vec!["timely".to_owned()];
        let mut push = |flag: &str, value: String| {
            args.push(flag.to_owned());
            args.push(value);
        };
        if let Some(n) = self.threads {
            push("-w", n.to_string());
        }
        if let Some(n) = self.processes {
            push("-n", n.to_string());
        }
        if let Some(i) = self.process {
            push("-p", i.to_string());
        }
        if let Some(file) = &self.hostfile {
            push("-h", file.display().to_string());
        }
        args
    }
}

/// A count of at least 1 (`-w`, `-n`) or an index (`-p`).
fn parse_count(flag: &str, value: OsString, least: usize) -> Result<usize, Failure> {
    let text = value.to_string_lossy();
    match text.parse::<usize>() {
        Ok(n) if n >= least => Ok(n),
        _ => Err(Failure(format!(
            "{flag} {text:?} is not a whole number of at least {least} ({USAGE})"
        ))),
    }
}

fn parse_args(args: Vec<OsString>) -> Result<Args, Failure> {
    use lexopt::prelude::*;
    let mut parsed = Args::default();
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = parser.next()? {
        match arg {
            Long("policy") => set_once(
                &mut parsed.policy,
                "--policy",
                parser.value()?.into(),
                USAGE,
            )?,
            Long("events") => set_once(
                &mut parsed.events,
                "--events",
                parser.value()?.into(),
                USAGE,
            )?,
            Long("state-in") => set_once(
                &mut parsed.state_in,
                "--state-in",
                parser.value()?.into(),
                USAGE,
            )?,
            Long("state-out") => set_once(
                &mut parsed.state_out,
                "--state-out",
                parser.value()?.into(),
                USAGE,
            )?,
            Long("until") => {
                let until = parse_time(&parser.value()?)?;
                set_once(&mut parsed.until, "--until", until, USAGE)?;
            }
            Long("stats") => parsed.stats = true,
            Short('w') | Long("threads") => {
                let n = parse_count("-w", parser.value()?, 1)?;
                set_once(&mut parsed.threads, "-w", n, USAGE)?;
            }
            Short('n') | Long("processes") => {
                let n = parse_count("-n", parser.value()?, 1)?;
                set_once(&mut parsed.processes, "-n", n, USAGE)?;
            }
            Short('p') | Long("process") => {
                let i = parse_count("-p", parser.value()?, 0)?;
                set_once(&mut parsed.process, "-p", i, USAGE)?;
            }
            Short('h') | Long("hostfile") => {
                set_once(&mut parsed.hostfile, "-h", parser.value()?.into(), USAGE)?
            }
            Long("help") => parsed.help = true,
            _ => return Err(arg.unexpected().into()),
        }
    }
    let processes = parsed.processes.unwrap_or(1);
    let process = parsed.process.unwrap_or(0);
    if process >= processes {
        return Err(Failure(format!(
            "-p {process} names no process of -n {processes}: give an index from 0 to {} ({USAGE})",
            processes - 1
        )));
    }
    Ok(parsed)
}

/// What every worker of this process shares: read-only, built before the first worker
/// starts, so that everything that can be refused is refused before any effect.
struct Shared {
    engine: Engine,
    events: Option<PathBuf>,
    until: Option<DateTime<Utc>>,
    /// The leads and clock of `--state-in`, checked; each worker takes its own leads.
    restored: Option<Snapshot>,
    /// `--state-out` files of this process's workers, by worker index, each taken by its
    /// worker at the end.
    state_out: Mutex<BTreeMap<usize, AtomicFile>>,
    stats: bool,
}

fn start(args: Vec<OsString>) -> Result<(), Failure> {
    let args = parse_args(args)?;
    if args.help {
        let mut stdout = io::stdout().lock();
        stdout.write_all(HELP.as_bytes()).map_err(write_failure)?;
        return stdout.flush().map_err(write_failure);
    }
    let config = timely::Config::from_args(args.timely_args().into_iter())
        .map_err(|e| Failure(format!("timely's arguments: {e} ({USAGE})")))?;
    let engine = load_engine(args.policy.as_deref())?;
    if let Some(path) = &args.events {
        File::open(path)
            .map_err(|e| Failure(format!("cannot read events {}: {e}", path.display())))?;
    }
    let restored = args
        .state_in
        .as_deref()
        .map(|dir| load_state(dir, &engine))
        .transpose()?;
    let threads = args.threads.unwrap_or(1);
    let peers = threads * args.processes.unwrap_or(1);
    let first = threads * args.process.unwrap_or(0);
    let mut state_out = BTreeMap::new();
    if let Some(dir) = &args.state_out {
        if !dir.is_dir() {
            return Err(Failure(format!(
                "cannot write state {}: it is not a directory; give an existing directory",
                dir.display()
            )));
        }
        for index in first..first + threads {
            let file = AtomicFile::create(&dir.join(part_name(index, peers)), "state")?;
            state_out.insert(index, file);
        }
    }
    let shared = Arc::new(Shared {
        engine,
        events: args.events,
        until: args.until,
        restored,
        state_out: Mutex::new(state_out),
        stats: args.stats,
    });
    let guards = timely::execute(config, move |worker| work(worker, &shared))
        .map_err(|e| Failure(format!("timely could not start: {e}")))?;
    for result in guards.join() {
        match result {
            Ok(Ok(())) => {}
            Ok(Err(failure)) => return Err(failure),
            Err(panic) => return Err(Failure(format!("a worker failed: {panic}"))),
        }
    }
    Ok(())
}

/// The engine for the policy file at `path`, or for the embedded default policy.
fn load_engine(path: Option<&Path>) -> Result<Engine, Failure> {
    let shown = path.map_or_else(
        || "(embedded default)".to_owned(),
        |p| p.display().to_string(),
    );
    let policy = match path {
        None => Policy::default(),
        Some(path) => Policy::from_toml_file(path).map_err(|e| policy_failure(&shown, e))?,
    };
    if policy.accounts.is_some() {
        // The roll-up needs every lead of an account in one book; partitioned by lead,
        // an account's leads land on different workers (docs/scaling.md).
        return Err(Failure(format!(
            "policy {shown} has an [accounts] section: the timely example partitions by lead, so an account's leads land on different workers and no book sees the whole account; expected a policy without [accounts] (run the replay example, or partition by account as docs/scaling.md describes)"
        )));
    }
    Engine::new(policy).map_err(|e| policy_failure(&shown, e))
}

/// The file name of worker `index`'s snapshot in a run of `peers` workers.
fn part_name(index: usize, peers: usize) -> String {
    format!("book-{index}-of-{peers}.json")
}

/// The worker index and worker count in a snapshot file name, `book-I-of-N.json`.
fn part_of(name: &str) -> Option<(usize, usize)> {
    let rest = name.strip_prefix("book-")?.strip_suffix(".json")?;
    let (index, peers) = rest.split_once("-of-")?;
    Some((index.parse().ok()?, peers.parse().ok()?))
}

/// The snapshots in `dir`, one book of all their leads: every part of one run must be
/// there, with one clock, under the engine's policy, each lead once.
fn load_state(dir: &Path, engine: &Engine) -> Result<Snapshot, Failure> {
    let shown = dir.display();
    let entries =
        std::fs::read_dir(dir).map_err(|e| Failure(format!("cannot read state {shown}: {e}")))?;
    let mut parts = BTreeMap::new();
    for entry in entries {
        let entry = entry.map_err(|e| Failure(format!("cannot read state {shown}: {e}")))?;
        let name = entry.file_name();
        if let Some(part) = name.to_str().and_then(part_of) {
            parts.insert(part, entry.path());
        }
    }
    let Some(&(_, peers)) = parts.keys().next() else {
        return Err(Failure(format!(
            "cannot read state {shown}: it holds no book-I-of-N.json snapshot; give the directory a run's --state-out wrote"
        )));
    };
    let expected: Vec<(usize, usize)> = (0..peers).map(|i| (i, peers)).collect();
    if parts.keys().copied().collect::<Vec<_>>() != expected {
        let found: Vec<String> = parts.keys().map(|&(i, n)| part_name(i, n)).collect();
        return Err(Failure(format!(
            "cannot read state {shown}: it holds {}, but a run's snapshots are book-0-of-N.json to book-(N-1)-of-N.json, all of one N; give the directory of one run",
            found.join(", ")
        )));
    }
    let mut whole: Option<Snapshot> = None;
    for path in parts.values() {
        let text = std::fs::read(path)
            .map_err(|e| Failure(format!("cannot read state {}: {e}", path.display())))?;
        // Each part whole, of this version and this policy, before any is merged.
        let body = Snapshot::unseal(&text, engine)
            .map_err(|e| Failure(format!("cannot restore state {}: {e}", path.display())))?;
        let part: Snapshot = serde_json::from_slice(body)
            .map_err(|e| Failure(format!("cannot parse state {}: {e}", path.display())))?;
        let Some(whole) = &mut whole else {
            whole = Some(part);
            continue;
        };
        if part.watermark != whole.watermark {
            return Err(Failure(format!(
                "cannot restore state {}: its clock is {:?} but the other snapshots' is {:?}; give the snapshots of one run",
                path.display(),
                part.watermark,
                whole.watermark
            )));
        }
        match (&whole.policy_fingerprint, part.policy_fingerprint) {
            (Some(a), Some(b)) if *a != b => {
                return Err(Failure(format!(
                    "cannot restore state {}: it was taken under policy {b}, the other snapshots under {a}; give the snapshots of one run",
                    path.display()
                )))
            }
            (None, b) => whole.policy_fingerprint = b,
            _ => {}
        }
        whole.leads.extend(part.leads);
    }
    let whole = whole.unwrap_or_else(|| unreachable!("at least one part was read"));
    // The library's own checks: the policy, and each lead once.
    LeadBook::restore(whole.clone(), engine)
        .map_err(|e| Failure(format!("cannot restore state {shown}: {e}")))?;
    Ok(whole)
}

/// The worker a lead lives on: FNV-1a (64 bit) of its id's UTF-8 bytes, modulo the
/// number of workers. Stable across runs, machines and Rust versions, unlike std's
/// `RandomState`.
fn home(lead: &str, peers: usize) -> usize {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in lead.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    // The remainder is below `peers`, so it fits in a usize.
    (hash % peers as u64) as usize
}

/// A value that crosses between processes as JSON text inside timely's bincode: the
/// crate's types are serde, but some are shaped for self-describing formats (tagged
/// enums, untagged profile values) that bincode cannot read back. Between the threads
/// of one process, timely moves the value itself and this costs nothing.
#[derive(Clone, Debug)]
struct Wire<T>(T);

impl<T: Serialize> Serialize for Wire<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let text = serde_json::to_string(&self.0).map_err(serde::ser::Error::custom)?;
        serializer.serialize_str(&text)
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Wire<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        serde_json::from_str(&text)
            .map(Wire)
            .map_err(serde::de::Error::custom)
    }
}

/// The dataflow's input: routed lines, at their epochs.
type Records = InputHandle<u64, CapacityContainerBuilder<Vec<Routed>>>;

/// One input line on its way to a worker.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Routed {
    /// The worker it goes to.
    to: usize,
    /// Its line number: a worker applies an epoch's records in this order.
    line: u64,
    item: Item,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
enum Item {
    /// An event for a lead of the worker, a tick (every worker gets one), or a merge
    /// with a lead of the worker on either side.
    Event(Wire<Box<Event>>),
    /// A line that is not an event: its `rejected` effect, printed by worker 0.
    Malformed(Wire<Box<Effect>>),
}

/// A lead's state, shipped to the worker of the other lead of a merge.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Shipped {
    /// The worker it goes to.
    to: usize,
    lead: Wire<Lead>,
}

/// The merge's two leads, when they live on different workers.
fn remote_merge(event: &Event, peers: usize) -> Option<(&str, &str)> {
    let (EventKind::Merged { into, .. }, Some(lead)) = (event.kind(), event.lead()) else {
        return None;
    };
    (into != lead && home(lead.as_str(), peers) != home(into.as_str(), peers))
        .then(|| (lead.as_str(), into.as_str()))
}

/// How many of what a worker handled, for `--stats`.
#[derive(Debug, Default)]
struct Counts {
    lines_read: u64,
    lines_parsed: u64,
    records: u64,
    merges_across: u64,
    effects: u64,
}

/// One worker: reads (its share of) the input into the dataflow, and runs its book.
fn work(worker: &mut Worker, shared: &Arc<Shared>) -> Result<(), Failure> {
    let index = worker.index();
    let peers = worker.peers();
    let restored = shared.restored.as_ref().map(|whole| Snapshot {
        watermark: whole.watermark,
        leads: whole
            .leads
            .iter()
            .filter(|lead| home(lead.id().as_str(), peers) == index)
            .cloned()
            .collect(),
        policy_fingerprint: whole.policy_fingerprint.clone(),
        // Without [accounts] (refused above) this holds only the aliases of
        // `account_alias` events, which every book must know.
        accounts: whole.accounts.clone(),
    });
    // Checked whole before the workers started.
    let book = Rc::new(RefCell::new(
        restored.map_or_else(LeadBook::new, LeadBook::from_snapshot),
    ));
    let counts = Rc::new(RefCell::new(Counts::default()));
    let failure: Rc<RefCell<Option<Failure>>> = Rc::new(RefCell::new(None));

    let mut input = Records::new();
    let probe = ProbeHandle::new();
    let mut partition = Partition {
        shared: Arc::clone(shared),
        index,
        peers,
        book: Rc::clone(&book),
        counts: Rc::clone(&counts),
        failure: Rc::clone(&failure),
        epochs: BTreeMap::new(),
        effects: Vec::new(),
        output: Vec::new(),
    };
    worker.dataflow::<u64, _, _>(|scope| {
        let records = scope.input_from(&mut input);
        // A merge's lead states come back into the books one epoch later.
        let (handle, shipped) = scope.feedback::<Vec<Shipped>>(1);
        records
            .binary_frontier(
                shipped,
                Exchange::new(|r: &Routed| r.to as u64),
                Exchange::new(|s: &Shipped| s.to as u64),
                "books",
                move |_initial, _info| {
                    move |(records, records_frontier), (shipped, shipped_frontier), output| {
                        records.for_each(|cap, data| {
                            let Some(&epoch) = cap.least() else { return };
                            let at = partition.epochs.entry(epoch).or_default();
                            for routed in data.drain(..) {
                                if let Item::Event(Wire(event)) = &routed.item {
                                    if at.cap.is_none() && remote_merge(event, peers).is_some() {
                                        at.cap = cap.retain_least(0);
                                    }
                                }
                                at.records.push((routed.line, routed.item));
                            }
                        });
                        shipped.for_each(|cap, data| {
                            let Some(&epoch) = cap.least() else { return };
                            let at = partition.epochs.entry(epoch).or_default();
                            at.partners.extend(data.drain(..).map(|s| s.lead.0));
                        });
                        // Apply every epoch both inputs have passed, in order.
                        while let Some((&epoch, _)) = partition.epochs.first_key_value() {
                            if records_frontier.frontier().less_equal(&epoch)
                                || shipped_frontier.frontier().less_equal(&epoch)
                            {
                                break;
                            }
                            let Some((_, pending)) = partition.epochs.pop_first() else {
                                break;
                            };
                            let ships = partition.apply_epoch(epoch, pending);
                            if let Some((cap, ships)) = ships {
                                output.session(&cap).give_iterator(ships.into_iter());
                            }
                        }
                    }
                },
            )
            .probe_with(&probe)
            .connect_loop(handle);
    });

    read_input(worker, shared, input, &probe, &counts)?;
    while worker.step_or_park(None) {}

    if let Some(failure) = failure.borrow_mut().take() {
        return Err(failure);
    }
    let book = book.borrow();
    let state_out = shared
        .state_out
        .lock()
        .map_err(|_| Failure("a worker failed while holding the state files".to_owned()))?
        .remove(&index);
    if let Some(state_out) = state_out {
        let snapshot = book.snapshot();
        let body = serde_json::to_vec(&snapshot)
            .map_err(|e| Failure(format!("cannot write state: {e}")))?;
        state_out.commit(|w| {
            w.write_all(snapshot.sealed_header(&body).as_bytes())?;
            w.write_all(&body)
        })?;
    }
    if shared.stats {
        let c = counts.borrow();
        eprintln!(
            "timely: worker {index} of {peers}: {} leads, {} lines read, {} parsed, {} records applied, {} merges across workers, {} effects",
            book.len(),
            c.lines_read,
            c.lines_parsed,
            c.records,
            c.merges_across,
            c.effects
        );
    }
    Ok(())
}

/// What a worker holds for one epoch until both its inputs have passed it.
#[derive(Default)]
struct Pending {
    /// Input lines, by line number.
    records: Vec<(u64, Item)>,
    /// Leads shipped by other workers for merges of the epoch before.
    partners: Vec<Lead>,
    /// Merges to apply now that the partners have come, by line number.
    merges: Vec<(u64, Event)>,
    /// For an epoch with a merge across workers: the right to ship at this epoch.
    cap: Option<Capability<u64>>,
}

/// A worker's book and what it has not applied yet.
struct Partition {
    shared: Arc<Shared>,
    index: usize,
    peers: usize,
    book: Rc<RefCell<LeadBook>>,
    counts: Rc<RefCell<Counts>>,
    failure: Rc<RefCell<Option<Failure>>>,
    /// Records and shipped leads by epoch.
    epochs: BTreeMap<u64, Pending>,
    effects: Vec<Effect>,
    /// Effects as JSON lines, written to standard output once per epoch.
    output: Vec<u8>,
}

impl Partition {
    /// Applies one epoch: first the merges whose partners came, then the records in
    /// line order. Returns the leads to ship for this epoch's merges across workers,
    /// with the capability to send them at this epoch.
    fn apply_epoch(
        &mut self,
        epoch: u64,
        mut pending: Pending,
    ) -> Option<(Capability<u64>, Vec<Shipped>)> {
        let engine = &self.shared.engine;
        let mut book = self.book.borrow_mut();
        let mut counts = self.counts.borrow_mut();
        pending.merges.sort_by_key(|(line, _)| *line);
        for (_, merge) in &pending.merges {
            counts.merges_across += 1;
            // The other lead, put into this book for this one event, then taken out:
            // its own worker applies the same merge and prints its effects.
            let partner = remote_merge(merge, self.peers).map(|(dup, surv)| {
                if home(dup, self.peers) == self.index {
                    surv
                } else {
                    dup
                }
            });
            let visiting = partner.and_then(|id| {
                let lead = pending
                    .partners
                    .iter()
                    .position(|l| l.id().as_str() == id)?;
                Some(pending.partners.swap_remove(lead))
            });
            let visiting = match visiting {
                Some(lead) => match book.insert(lead) {
                    Ok(()) => partner,
                    Err(e) => {
                        self.fail(format!(
                            "a lead of another worker collided with one of this worker's: {e}"
                        ));
                        None
                    }
                },
                None => None,
            };
            book.apply_into(engine, merge, &mut self.effects);
            if let Some(id) = visiting {
                book.remove(id);
            }
        }
        let mut ships = Vec::new();
        pending.records.sort_by_key(|(line, _)| *line);
        for (line, item) in pending.records {
            counts.records += 1;
            match item {
                Item::Malformed(Wire(effect)) => self.effects.push(*effect),
                Item::Event(Wire(event)) => match remote_merge(&event, self.peers) {
                    Some((dup, surv)) => {
                        // Ship this worker's lead to the other's worker; both apply the
                        // merge next epoch, when each has the other's lead.
                        let (mine, theirs) = if home(dup, self.peers) == self.index {
                            (dup, surv)
                        } else {
                            (surv, dup)
                        };
                        if let Some(lead) = book.get(mine) {
                            ships.push(Shipped {
                                to: home(theirs, self.peers),
                                lead: Wire(lead.clone()),
                            });
                        }
                        let next = self.epochs.entry(epoch + 1).or_default();
                        next.merges.push((line, *event));
                    }
                    None => book.apply_into(engine, &event, &mut self.effects),
                },
            }
        }
        drop(counts);
        drop(book);
        self.print();
        match pending.cap {
            Some(cap) if !ships.is_empty() => Some((cap, ships)),
            _ => None,
        }
    }

    /// Writes the effects of this worker's leads (and, on worker 0, those that name no
    /// lead) to standard output: the other lead of a merge prints its own on its own
    /// worker, and every worker refuses the same bad tick.
    fn print(&mut self) {
        let mut printed = 0;
        for effect in self.effects.drain(..) {
            let ours = match &effect.lead {
                Some(lead) => home(lead.as_str(), self.peers) == self.index,
                None => self.index == 0,
            };
            if ours {
                printed += 1;
                // Writing to a Vec cannot fail; an effect always serializes.
                let _ = serde_json::to_writer(&mut self.output, &effect);
                self.output.push(b'\n');
            }
        }
        self.counts.borrow_mut().effects += printed;
        if self.output.is_empty() || self.failure.borrow().is_some() {
            self.output.clear();
            return;
        }
        let mut stdout = io::stdout().lock();
        if let Err(e) = stdout.write_all(&self.output).and_then(|()| stdout.flush()) {
            self.fail(format!("cannot write effects: {e}"));
        }
        self.output.clear();
    }

    fn fail(&self, message: String) {
        self.failure.borrow_mut().get_or_insert(Failure(message));
    }
}

/// Whether a line may be a `merged` event: then it gets an epoch of its own, so that a
/// merge across workers can ship its leads in the next. Every reader decides alike
/// without parsing the line; a false alarm costs an epoch, never an answer. An escaped
/// character (`\u006d`) could spell the type, so a backslash counts too.
fn may_merge(line: &[u8]) -> bool {
    line.contains(&b'\\') || line.windows(6).any(|w| w == b"merged")
}

/// Reads the input, parses this worker's share of it, and sends each event to its
/// lead's worker at the line's epoch; then the `--until` tick to every worker.
fn read_input(
    worker: &mut Worker,
    shared: &Shared,
    mut input: Records,
    probe: &ProbeHandle<u64>,
    counts: &Rc<RefCell<Counts>>,
) -> Result<(), Failure> {
    let index = worker.index();
    let peers = worker.peers();
    // (every stride-th line, starting at offset), or no reading at all.
    let (reader, source, stride, offset): (Box<dyn BufRead>, String, usize, usize) =
        match &shared.events {
            Some(path) => {
                let file = File::open(path)
                    .map_err(|e| Failure(format!("cannot read events {}: {e}", path.display())))?;
                (
                    Box::new(BufReader::with_capacity(1 << 16, file)),
                    format!("events {}", path.display()),
                    peers,
                    index,
                )
            }
            None if index == 0 => (
                Box::new(io::stdin().lock()),
                "events from standard input".to_owned(),
                1,
                0,
            ),
            None => {
                input.close();
                return Ok(());
            }
        };
    let mut reader = reader;
    let mut epoch: u64 = 0;
    let mut in_epoch: u64 = 0;
    let mut buffer = Vec::new();
    let mut line_no: u64 = 0;
    let send = |input: &mut Records, line: u64, to: usize, item: Item| {
        input.send(Routed { to, line, item });
    };
    loop {
        buffer.clear();
        let read = reader
            .read_until(b'\n', &mut buffer)
            .map_err(|e| Failure(format!("cannot read {source} after line {line_no}: {e}")))?;
        if read == 0 {
            break;
        }
        line_no += 1;
        let line = match buffer.strip_prefix(BOM) {
            Some(rest) if line_no == 1 => rest,
            _ => &buffer[..],
        };
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        counts.borrow_mut().lines_read += 1;
        // The epoch of this line: the same on every reader.
        let before = epoch;
        let line_epoch = if may_merge(line) {
            epoch += 2;
            let own = epoch;
            // Leave own + 1 free for the shipped leads.
            epoch += 2;
            in_epoch = 0;
            own
        } else {
            if in_epoch == EPOCH_LINES {
                epoch += 2;
                in_epoch = 0;
            }
            in_epoch += 1;
            epoch
        };
        if line_epoch > *input.time() {
            input.advance_to(line_epoch);
        }
        if (line_no as usize) % stride == offset {
            counts.borrow_mut().lines_parsed += 1;
            match event_of_line(line_no, line) {
                Err(malformed) => send(
                    &mut input,
                    line_no,
                    0,
                    Item::Malformed(Wire(Box::new(malformed))),
                ),
                Ok(event) => match event.lead() {
                    None => {
                        for to in 0..peers {
                            send(
                                &mut input,
                                line_no,
                                to,
                                Item::Event(Wire(Box::new(event.clone()))),
                            );
                        }
                    }
                    Some(lead) => {
                        let to = home(lead.as_str(), peers);
                        if let Some((_, surv)) = remote_merge(&event, peers) {
                            send(
                                &mut input,
                                line_no,
                                home(surv, peers),
                                Item::Event(Wire(Box::new(event.clone()))),
                            );
                        }
                        send(&mut input, line_no, to, Item::Event(Wire(Box::new(event))));
                    }
                },
            }
        }
        if epoch != before {
            // Let the workers run, and wait for them when this reader is far ahead.
            worker.step();
            let behind = line_epoch.saturating_sub(2 * READ_AHEAD_EPOCHS);
            while probe.less_than(&behind) {
                worker.step_or_park(None);
            }
        }
    }
    if let Some(until) = shared.until {
        // One reader sends it, to every worker, after every line.
        input.advance_to(epoch + 2);
        if offset == 0 {
            for to in 0..peers {
                send(
                    &mut input,
                    line_no + 1,
                    to,
                    Item::Event(Wire(Box::new(Event::tick(until)))),
                );
            }
        }
    }
    input.close();
    Ok(())
}

fn write_failure(e: io::Error) -> Failure {
    Failure(format!("cannot write effects: {e}"))
}
