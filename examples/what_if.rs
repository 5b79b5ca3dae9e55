//! Replays the same events under two policies and reports what differs: the rule change
//! a team means to ship, tried on its history first (`docs/what_if.md`).
//!
//! ```text
//! cargo run --release --example what_if -- --before A.toml --after B.toml
//!     [--events E.jsonl] [--until TIME] [--out diffs.jsonl]
//! ```
//!
//! `--help` lists every flag, its default and the exit codes.
//!
//! - Events are JSON lines, from `--events` or standard input, read as the replay
//!   example reads them: a line that is not a valid event is skipped under both
//!   policies, counted, and its line number reported in the summary; blank lines are
//!   skipped, and so is a UTF-8 byte-order mark at the start of the input.
//! - `--until TIME` (RFC 3339) advances both clocks to TIME after the last event.
//! - The summary ([`leadcycle::WhatIf`]'s `Display`, after a few lines about the input)
//!   goes to standard output. `--out FILE` writes every lead that differs as one JSON
//!   object per line ([`leadcycle::LeadDiff`]'s serde form), in lead id order; the file
//!   is checked before the first event is read, and replaced atomically at the end.
//!   Without `--out`, no JSON is written and the summary lists the first 20 leads.
//! - `--before` and `--after` may be omitted: the embedded default policy is used.
//! - Exit status 0 when it ran, whether or not anything differs; 2 with a one-line
//!   error on standard error when the arguments are wrong or a policy, the events or
//!   `--out` cannot be read, parsed, validated or written.

#[path = "shared/cli.rs"]
mod cli;

use chrono::{DateTime, Utc};
use cli::{
    event_of_line, one_line, parse_time, policy_failure, set_once, AtomicFile, Failure, BOM,
};
use leadcycle::{Engine, Policy, WhatIf, WhatIfReplay};
use std::ffi::OsString;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

/// The usage line, appended to argument errors.
const USAGE: &str = "usage: what_if [--before A.toml] [--after B.toml] [--events E.jsonl] [--until TIME] [--out diffs.jsonl] | --help";

/// What `--help` prints.
const HELP: &str = "\
what_if: replays the same JSON-lines events under two policies and reports what
differs (docs/what_if.md): per lead, a different stage, program, step, owner, route,
removal, recycle count or effects; per stage, program and effect type, the counts
that changed. The summary goes to standard output.

usage: what_if [--before A.toml] [--after B.toml] [--events E.jsonl]
               [--until TIME] [--out diffs.jsonl]
       what_if --help

options:
  --before A.toml     the policy of today, as TOML; every key left out keeps its
                      default. Default: the embedded default policy.
  --after B.toml      the changed policy, as TOML. Default: the embedded default
                      policy.
  --events E.jsonl    the events, one JSON object per line; a line that is not an
                      event is skipped under both policies and counted in the
                      summary. Default: standard input.
  --until TIME        after the last event, advance both clocks to TIME (RFC 3339,
                      e.g. 2026-06-01T00:00:00Z) and fire what falls due.
                      Default: no tick after the last event.
  --out diffs.jsonl   write every lead that differs here, one JSON object per line
                      (lead, before, after, changed), in lead id order; checked
                      before the first event is read, replaced atomically.
                      Default: not written; the summary lists the first 20 leads.
  -h, --help          print this help and exit. Default: off.

exit status:
  0  it ran, whether or not anything differs (malformed lines are counted in the
     summary); or --help printed
  2  the arguments are wrong, or a policy, the events or --out cannot be read,
     parsed, validated or written: one line on standard error
";

/// The exit status of a run that could not start or finish.
const EXIT_ERROR: i32 = 2;

/// How many malformed line numbers the summary names.
const LINES_SHOWN: usize = 10;

fn main() {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let stdin = io::stdin().lock();
    let stdout = io::stdout().lock();
    let stderr = io::stderr().lock();
    std::process::exit(run(args, stdin, stdout, stderr));
}

/// Runs the what-if command with `args` (without the program name) and returns the
/// exit status: 0 when it ran, 2 after writing one line to `stderr` when it could not.
pub fn run(
    args: Vec<OsString>,
    stdin: impl BufRead,
    stdout: impl Write,
    mut stderr: impl Write,
) -> i32 {
    match what_if(args, stdin, stdout) {
        Ok(()) => 0,
        Err(Failure(message)) => {
            let line = one_line(&message);
            // Nothing more can be done if standard error itself cannot be written.
            let _ = writeln!(stderr, "what_if: {line}");
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
    before: Option<PathBuf>,
    after: Option<PathBuf>,
    events: Option<PathBuf>,
    until: Option<DateTime<Utc>>,
    out: Option<PathBuf>,
    help: bool,
}

fn parse_args(args: Vec<OsString>) -> Result<Args, Failure> {
    use lexopt::prelude::*;
    let mut parsed = Args::default();
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = parser.next()? {
        match arg {
            Long("before") => set_once(
                &mut parsed.before,
                "--before",
                parser.value()?.into(),
                USAGE,
            )?,
            Long("after") => set_once(&mut parsed.after, "--after", parser.value()?.into(), USAGE)?,
            Long("events") => set_once(
                &mut parsed.events,
                "--events",
                parser.value()?.into(),
                USAGE,
            )?,
            Long("out") => set_once(&mut parsed.out, "--out", parser.value()?.into(), USAGE)?,
            Long("until") => {
                let value = parser.value()?;
                let until = parse_time(&value)?;
                set_once(&mut parsed.until, "--until", until, USAGE)?;
            }
            Short('h') | Long("help") => parsed.help = true,
            _ => return Err(arg.unexpected().into()),
        }
    }
    Ok(parsed)
}

fn what_if(args: Vec<OsString>, stdin: impl BufRead, stdout: impl Write) -> Result<(), Failure> {
    let args = parse_args(args)?;
    let mut stdout = BufWriter::new(stdout);
    if args.help {
        stdout.write_all(HELP.as_bytes()).map_err(write_failure)?;
        return stdout.flush().map_err(write_failure);
    }
    // Everything that can be refused is checked before the first event is read.
    let (before, before_shown) = load_engine(args.before.as_deref())?;
    let (after, after_shown) = load_engine(args.after.as_deref())?;
    let events = match &args.events {
        Some(path) => {
            let file = File::open(path)
                .map_err(|e| Failure(format!("cannot read events {}: {e}", path.display())))?;
            Some((file, path.display().to_string()))
        }
        None => None,
    };
    let out = args
        .out
        .as_deref()
        .map(|path| AtomicFile::create(path, "--out"))
        .transpose()?;

    let mut replay = WhatIfReplay::new(&before, &after);
    let (input, source) = match events {
        Some((file, shown)) => (
            read_events(&mut replay, BufReader::new(file), &shown)?,
            shown,
        ),
        None => (
            read_events(&mut replay, stdin, "standard input")?,
            "standard input".to_owned(),
        ),
    };
    let report = replay.finish(args.until);

    let shown_out = args.out.as_deref().map(|p| p.display().to_string());
    let written = match out.zip(shown_out) {
        Some((out, shown)) => Some((shown, write_diffs(out, &report)?)),
        None => None,
    };
    writeln!(stdout, "before: {before_shown}").map_err(write_failure)?;
    writeln!(stdout, "after:  {after_shown}").map_err(write_failure)?;
    writeln!(stdout, "input:  {source}: {input}").map_err(write_failure)?;
    writeln!(stdout).map_err(write_failure)?;
    write!(stdout, "{report}").map_err(write_failure)?;
    if let Some((path, lines)) = written {
        writeln!(stdout).map_err(write_failure)?;
        writeln!(
            stdout,
            "{lines} {} written to {path}",
            if lines == 1 { "lead" } else { "leads" }
        )
        .map_err(write_failure)?;
    }
    stdout.flush().map_err(write_failure)
}

/// The engine for the policy file at `path`, or for the embedded default policy, and
/// how to name it in the summary.
fn load_engine(path: Option<&Path>) -> Result<(Engine, String), Failure> {
    let shown = path.map_or_else(
        || "(embedded default)".to_owned(),
        |p| p.display().to_string(),
    );
    let policy = match path {
        None => Policy::default(),
        Some(path) => Policy::from_toml_file(path).map_err(|e| policy_failure(&shown, e))?,
    };
    let engine = Engine::new(policy).map_err(|e| policy_failure(&shown, e))?;
    Ok((engine, shown))
}

/// What was read: lines, events, and the lines that were not events.
#[derive(Debug, Default)]
struct Input {
    lines: u64,
    events: u64,
    malformed: Vec<u64>,
}

/// `21 lines, 20 events, 1 malformed line skipped (line 18)`.
impl std::fmt::Display for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}, {}",
            counted(self.lines, "line"),
            counted(self.events, "event")
        )?;
        if self.malformed.is_empty() {
            return write!(f, ", no malformed line");
        }
        let n = self.malformed.len() as u64;
        let shown: Vec<String> = self
            .malformed
            .iter()
            .take(LINES_SHOWN)
            .map(u64::to_string)
            .collect();
        let more = if self.malformed.len() > LINES_SHOWN {
            ", ..."
        } else {
            ""
        };
        let which = if n == 1 { "line" } else { "lines" };
        write!(
            f,
            ", {} skipped ({which} {}{more})",
            counted(n, "malformed line"),
            shown.join(", ")
        )
    }
}

/// `1 line`, `2 lines`.
fn counted(n: u64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Applies every event of `input` to both books. A byte-order mark at the start is
/// skipped, and so are blank lines; a line that is not an event is counted.
fn read_events(
    replay: &mut WhatIfReplay<'_>,
    mut input: impl BufRead,
    source: &str,
) -> Result<Input, Failure> {
    let mut buffer = Vec::new();
    let mut read = Input::default();
    loop {
        buffer.clear();
        let n = input.read_until(b'\n', &mut buffer).map_err(|e| {
            Failure(format!(
                "cannot read events {source} after line {}: {e}",
                read.lines
            ))
        })?;
        if n == 0 {
            return Ok(read);
        }
        read.lines += 1;
        let line = match buffer.strip_prefix(BOM) {
            Some(rest) if read.lines == 1 => rest,
            _ => &buffer[..],
        };
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match event_of_line(read.lines, line) {
            Ok(event) => {
                read.events += 1;
                replay.apply(&event);
            }
            Err(_) => read.malformed.push(read.lines),
        }
    }
}

/// Writes every lead that differs as a JSON line; returns how many.
fn write_diffs(out: AtomicFile, report: &WhatIf) -> Result<usize, Failure> {
    out.commit(|w| {
        for diff in &report.leads {
            serde_json::to_writer(&mut *w, diff)?;
            w.write_all(b"\n")?;
        }
        Ok(report.leads.len())
    })
}

fn write_failure(e: io::Error) -> Failure {
    Failure(format!("cannot write the summary: {e}"))
}
