//! Replays a stream of events through a [`LeadBook`] and prints the effects: the
//! command line of the public contract (`docs/contract.md`, "The replay example").
//!
//! ```text
//! cargo run --release --example replay -- --policy POLICY.toml [--events FILE.jsonl]
//!     [--until TIME] [--state-in S.json] [--state-out S.json]
//! cargo run --release --example replay -- [--policy POLICY.toml] --print-policy
//! ```
//!
//! `--help` lists every flag, its default and the exit codes.
//!
//! - Events are JSON lines, from `--events` or standard input; effects are JSON lines
//!   on standard output, in order. A line that is not a valid event becomes a
//!   `rejected` effect of kind `malformed` with its (1-based) line number and the
//!   start of the line (`input`), and the run goes on; blank lines are skipped, and so
//!   is a UTF-8 byte-order mark at the start of the input.
//! - `--until TIME` (RFC 3339) advances the clock to TIME after the last event.
//! - `--state-in` starts from a book snapshot; `--state-out` writes the book's snapshot
//!   at the end. A run split in two with a snapshot between gives the same effects as
//!   one run. The file is sealed ([`Snapshot::seal`]: a header line naming the format,
//!   the crate version and the policy, with a length and a checksum, then the snapshot
//!   as JSON); one that is cut short, edited, written by another version of leadcycle or
//!   taken under another policy than `--policy` is refused ([`Snapshot::unseal`],
//!   [`LeadBook::restore`]). `--state-out` is checked before the first effect is
//!   written (its directory exists and a file can be created there), and replaced
//!   atomically at the end (a temporary file in the same directory, flushed, synced,
//!   then renamed over it): a run that fails leaves the old state file as it was.
//! - `--report DIR` also writes the analytics of the run (`DIR/report.json`,
//!   `DIR/report.md`, `DIR/waterfall.svg`; docs/analytics.md) at the end.
//! - A progress bar shows on standard error when it is a terminal and the run takes
//!   more than 2 seconds.
//! - `--print-policy` prints the effective policy (the file's keys and the default of
//!   every key it leaves out) as TOML and exits, reading no events.
//! - `--policy` may be omitted: the embedded default policy is used. An empty policy
//!   file is the default policy too.
//! - Exit status 0 when it ran (even with rejected events); 2 with a one-line error on
//!   standard error when the arguments are wrong or the policy, the events or a state
//!   file cannot be read, parsed, validated or written.

#[path = "shared/cli.rs"]
mod cli;
#[path = "shared/report.rs"]
mod report_files;

use chrono::{DateTime, Utc};
use cli::{
    event_of_line, one_line, parse_time, policy_failure, set_once, AtomicFile, Failure, BOM,
};
use leadcycle::analytics::Journal;
use leadcycle::{Effect, Engine, Event, LeadBook, Policy, Snapshot, SnapshotError};
use report_files::{Progress, ReportFiles};
use std::ffi::OsString;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// The usage line, appended to argument errors.
const USAGE: &str = "usage: replay [--policy POLICY.toml] [--events FILE.jsonl] [--until TIME] [--state-in S.json] [--state-out S.json] [--report DIR] | [--policy POLICY.toml] --print-policy | --help";

/// What `--help` prints.
const HELP: &str = "\
replay: applies JSON-lines events to a lead book and prints the effects, one JSON
object per line, in order (docs/contract.md, \"The replay example\").

usage: replay [--policy POLICY.toml] [--events FILE.jsonl] [--until TIME]
              [--state-in S.json] [--state-out S.json] [--report DIR]
       replay [--policy POLICY.toml] --print-policy
       replay --help

options:
  --policy POLICY.toml  the policy, as TOML; every key left out keeps its default.
                        Default: the embedded default policy.
  --events FILE.jsonl   the events, one JSON object per line; a line that is not an
                        event becomes a `rejected` effect (`malformed`) and the run
                        goes on. Default: standard input.
  --until TIME          after the last event, advance the clock to TIME (RFC 3339,
                        e.g. 2026-06-01T00:00:00Z) and fire what falls due.
                        Default: no tick after the last event.
  --state-in S.json     start from this book snapshot (as --state-out writes it);
                        refused when it is cut short, edited, of another leadcycle
                        version or taken under another policy. Default: an empty
                        book.
  --state-out S.json    write the book's snapshot here at the end; checked before the
                        first effect is written, and replaced atomically.
                        Default: no snapshot is written.
  --report DIR          also write the analytics of this run's events and effects
                        to DIR/report.json, DIR/report.md and DIR/waterfall.svg
                        (docs/analytics.md); DIR is created if missing, and checked
                        before the first effect is written. Default: no report.
  --print-policy        print the effective policy (after defaults) as TOML and
                        exit, reading no events. Default: off.
  -h, --help            print this help and exit. Default: off.

A progress bar shows on standard error when it is a terminal and the run takes more
than 2 seconds.

exit status:
  0  it ran, rejected events included (they are `rejected` effects on standard
     output); or --help or --print-policy printed
  2  the arguments are wrong, or the policy, the events, --state-in or --state-out
     cannot be read, parsed, validated or written: one line on standard error
";

/// The exit status of a run that could not start or finish.
const EXIT_ERROR: i32 = 2;

fn main() {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let stdin = io::stdin().lock();
    let stdout = io::stdout().lock();
    let stderr = io::stderr().lock();
    std::process::exit(run(args, stdin, stdout, stderr));
}

/// Runs the replay command with `args` (without the program name) and returns the exit
/// status: 0 when it ran, 2 after writing one line to `stderr` when it could not.
pub fn run(
    args: Vec<OsString>,
    stdin: impl BufRead,
    stdout: impl Write,
    mut stderr: impl Write,
) -> i32 {
    match replay(args, stdin, stdout) {
        Ok(()) => 0,
        Err(Failure(message)) => {
            // One line, whatever the underlying error printed.
            let line = one_line(&message);
            // Nothing more can be done if standard error itself cannot be written.
            let _ = writeln!(stderr, "replay: {line}");
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
    report: Option<PathBuf>,
    print_policy: bool,
    help: bool,
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
            Long("report") => set_once(
                &mut parsed.report,
                "--report",
                parser.value()?.into(),
                USAGE,
            )?,
            Long("until") => {
                let value = parser.value()?;
                let until = parse_time(&value)?;
                set_once(&mut parsed.until, "--until", until, USAGE)?;
            }
            Long("print-policy") => parsed.print_policy = true,
            Short('h') | Long("help") => parsed.help = true,
            _ => return Err(arg.unexpected().into()),
        }
    }
    let replays = parsed.events.is_some()
        || parsed.until.is_some()
        || parsed.state_in.is_some()
        || parsed.state_out.is_some()
        || parsed.report.is_some();
    if parsed.print_policy && replays && !parsed.help {
        return Err(Failure(format!(
            "--print-policy prints the policy and replays nothing: give it without --events, --until, --state-in, --state-out and --report ({USAGE})"
        )));
    }
    Ok(parsed)
}

fn replay(args: Vec<OsString>, stdin: impl BufRead, stdout: impl Write) -> Result<(), Failure> {
    let args = parse_args(args)?;
    let mut stdout = BufWriter::new(stdout);
    if args.help {
        stdout.write_all(HELP.as_bytes()).map_err(write_failure)?;
        return stdout.flush().map_err(write_failure);
    }
    // Everything that can be refused is checked before the first effect is written.
    let engine = load_engine(args.policy.as_deref())?;
    if args.print_policy {
        return print_policy(engine.policy(), &mut stdout);
    }
    let mut book = match &args.state_in {
        Some(path) => restore(path, &engine)?,
        None => LeadBook::new(),
    };
    let events = match &args.events {
        Some(path) => {
            let file = File::open(path)
                .map_err(|e| Failure(format!("cannot read events {}: {e}", path.display())))?;
            Some((file, format!("events {}", path.display())))
        }
        None => None,
    };
    let size = events
        .as_ref()
        .and_then(|(file, _)| file.metadata().ok())
        .map(|m| m.len());
    let mut progress = Progress::new(size);
    let report = args
        .report
        .as_deref()
        .map(ReportFiles::create)
        .transpose()?;
    // The journal is kept only when a report is asked for.
    let mut journal = report.as_ref().map(|_| Journal::new());
    let mut run = Run {
        engine: &engine,
        book: &mut book,
        progress: &mut progress,
        journal: journal.as_mut(),
    };
    let state_out = args
        .state_out
        .as_deref()
        .map(|path| AtomicFile::create(path, "state"))
        .transpose()?;
    match events {
        Some((file, source)) => run.apply_lines(BufReader::new(file), &source, &mut stdout)?,
        None => run.apply_lines(stdin, "events from standard input", &mut stdout)?,
    }
    if let Some(until) = args.until {
        let mut out = Vec::new();
        let tick = Event::tick(until);
        run.book.apply_into(&engine, &tick, &mut out);
        run.record(&tick, &out)?;
        write_effects(&mut stdout, &out)?;
    }
    stdout.flush().map_err(write_failure)?;
    if let (Some(files), Some(journal)) = (report, &journal) {
        progress.say("writing the report");
        files.write(journal, engine.policy())?;
    }
    progress.finish();
    if let Some(state_out) = state_out {
        let snapshot = book.snapshot();
        let body = serde_json::to_vec(&snapshot)
            .map_err(|e| Failure(format!("cannot write state: {e}")))?;
        state_out.commit(|w| {
            w.write_all(snapshot.sealed_header(&body).as_bytes())?;
            w.write_all(&body)
        })?;
    }
    // The process ends here, and the system takes its memory back whole: dropping
    // the book would first visit every lead's heap blocks, a cache miss each (14% of
    // a 1.47M-line replay's misses, docs/performance.md issue 11).
    std::mem::forget(book);
    Ok(())
}

/// Prints the policy as TOML: every key, the defaults included.
fn print_policy(policy: &Policy, stdout: &mut impl Write) -> Result<(), Failure> {
    let text = toml::to_string(policy)
        .map_err(|e| Failure(format!("cannot print the policy as TOML: {e}")))?;
    stdout.write_all(text.as_bytes()).map_err(write_failure)?;
    stdout.flush().map_err(write_failure)
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
    Engine::new(policy).map_err(|e| policy_failure(&shown, e))
}

/// The book in the sealed snapshot at `path`, checked whole and against the engine's
/// policy before anything is restored from it.
fn restore(path: &Path, engine: &Engine) -> Result<LeadBook, Failure> {
    let shown = path.display();
    let refused = |e: SnapshotError| Failure(format!("cannot restore state {shown}: {e}"));
    let bytes =
        std::fs::read(path).map_err(|e| Failure(format!("cannot read state {shown}: {e}")))?;
    let body = Snapshot::unseal(&bytes, engine).map_err(refused)?;
    let snapshot = serde_json::from_slice(body)
        .map_err(|e| Failure(format!("cannot parse state {shown}: {e}")))?;
    LeadBook::restore(snapshot, engine).map_err(refused)
}

/// A replay under way: the engine, the book, the progress bar, and the journal when a
/// report is asked for.
struct Run<'a> {
    engine: &'a Engine,
    book: &'a mut LeadBook,
    progress: &'a mut Progress,
    journal: Option<&'a mut Journal>,
}

impl Run<'_> {
    /// Keeps the event and its effects in the journal, if there is one.
    fn record(&mut self, event: &Event, effects: &[Effect]) -> Result<(), Failure> {
        let Some(journal) = self.journal.as_deref_mut() else {
            return Ok(());
        };
        journal.record_event(event);
        record_effects(journal, effects)
    }

    /// Applies every line of `input` to the book, writing the effects of each as it goes.
    /// A byte-order mark at the start of the input is skipped.
    ///
    /// Lines are read and parsed [`BATCH`] at a time, then applied and written in order:
    /// the effects are the same as line by line, but the parser's code and the book's
    /// each stay in the instruction cache for a whole batch instead of evicting each
    /// other on every line (docs/performance.md, "Lines in batches, and the index's
    /// hash"). The book warms each batch's leads first ([`LeadBook::warm`]), so their
    /// cache misses overlap.
    fn apply_lines(
        &mut self,
        mut input: impl BufRead,
        source: &str,
        stdout: &mut impl Write,
    ) -> Result<(), Failure> {
        let mut batch = Batch::default();
        let mut parsed: Vec<Result<Event, Effect>> = Vec::with_capacity(BATCH);
        let mut out = Vec::new();
        let mut line_no: u64 = 0;
        loop {
            let read = batch.read(&mut input, &mut line_no, self.progress);
            parsed.extend(batch.events());
            self.book
                .warm(parsed.iter().filter_map(|line| line.as_ref().ok()));
            for line in parsed.drain(..) {
                out.clear();
                match line {
                    Ok(event) => {
                        self.book.apply_into(self.engine, &event, &mut out);
                        self.record(&event, &out)?;
                    }
                    Err(malformed) => {
                        out.push(malformed);
                        if let Some(journal) = self.journal.as_deref_mut() {
                            record_effects(journal, &out)?;
                        }
                    }
                }
                write_effects(stdout, &out)?;
            }
            // A read error comes after the effects of every line read before it.
            let ended = read
                .map_err(|e| Failure(format!("cannot read {source} after line {line_no}: {e}")))?;
            if ended {
                return Ok(());
            }
        }
    }
}

/// Up to [`BATCH`] input lines that are not blank, read ahead of the book: their
/// bytes, and each line's (1-based) number and place in them.
#[derive(Default)]
struct Batch {
    text: Vec<u8>,
    lines: Vec<(u64, Range<usize>)>,
}

impl Batch {
    /// Reads the lines after line `line_no` until it holds [`BATCH`] or the input ends
    /// (then `true`); `line_no` counts blank lines too. A byte-order mark at the start
    /// of the input is skipped.
    fn read(
        &mut self,
        input: &mut impl BufRead,
        line_no: &mut u64,
        progress: &mut Progress,
    ) -> io::Result<bool> {
        self.text.clear();
        self.lines.clear();
        while self.lines.len() < BATCH {
            let start = self.text.len();
            let read = input.read_until(b'\n', &mut self.text)?;
            if read == 0 {
                return Ok(true);
            }
            progress.advance(read as u64);
            *line_no += 1;
            let begin = if *line_no == 1 && self.text[start..].starts_with(BOM) {
                start + BOM.len()
            } else {
                start
            };
            if self.text[begin..].iter().all(u8::is_ascii_whitespace) {
                self.text.truncate(start);
            } else {
                self.lines.push((*line_no, begin..self.text.len()));
            }
        }
        Ok(false)
    }

    /// Each line's event, or the `malformed` effect that says why it is not one.
    fn events(&self) -> impl Iterator<Item = Result<Event, Effect>> + '_ {
        self.lines
            .iter()
            .map(|(line_no, range)| event_of_line(*line_no, &self.text[range.clone()]))
    }
}

/// How many lines the replay parses before it applies them (see `Run::apply_lines`).
const BATCH: usize = 32;

/// Records a replay's own effects in the journal: they cannot contradict each other.
fn record_effects(journal: &mut Journal, effects: &[Effect]) -> Result<(), Failure> {
    for effect in effects {
        journal
            .record_effect(effect)
            .map_err(|e| Failure(format!("the replay's effects contradict each other: {e}")))?;
    }
    Ok(())
}

fn write_effects(stdout: &mut impl Write, effects: &[Effect]) -> Result<(), Failure> {
    for effect in effects {
        serde_json::to_writer(&mut *stdout, effect)
            .map_err(|e| Failure(format!("cannot write effects: {e}")))?;
        stdout.write_all(b"\n").map_err(write_failure)?;
    }
    Ok(())
}

fn write_failure(e: io::Error) -> Failure {
    Failure(format!("cannot write effects: {e}"))
}
