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

use chrono::{DateTime, Utc};
use leadcycle::{Engine, Event, Policy, PolicyError, WhatIf, WhatIfReplay};
use std::ffi::OsString;
use std::fs::{File, OpenOptions};
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

/// Why a run could not start or finish: a sentence for standard error.
#[derive(Debug)]
struct Failure(String);

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
            Long("before") => set_once(&mut parsed.before, "--before", parser.value()?.into())?,
            Long("after") => set_once(&mut parsed.after, "--after", parser.value()?.into())?,
            Long("events") => set_once(&mut parsed.events, "--events", parser.value()?.into())?,
            Long("out") => set_once(&mut parsed.out, "--out", parser.value()?.into())?,
            Long("until") => {
                let value = parser.value()?;
                let until = parse_time(&value)?;
                set_once(&mut parsed.until, "--until", until)?;
            }
            Short('h') | Long("help") => parsed.help = true,
            _ => return Err(arg.unexpected().into()),
        }
    }
    Ok(parsed)
}

/// Sets an option given at most once.
fn set_once<T>(slot: &mut Option<T>, flag: &str, value: T) -> Result<(), Failure> {
    if slot.is_some() {
        return Err(Failure(format!(
            "{flag} is given twice; give it once ({USAGE})"
        )));
    }
    *slot = Some(value);
    Ok(())
}

/// An RFC 3339 time, in any offset, as UTC.
fn parse_time(value: &OsString) -> Result<DateTime<Utc>, Failure> {
    let text = value.to_str().ok_or_else(|| {
        Failure(format!("--until {value:?} is not valid unicode; expected an RFC 3339 time such as 2026-03-01T00:00:00Z"))
    })?;
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            Failure(format!(
                "--until {text:?} is not an RFC 3339 time ({e}); expected a time such as 2026-03-01T00:00:00Z"
            ))
        })
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
    let out = args.out.as_deref().map(OutFile::create).transpose()?;

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

    let written = match out {
        Some(out) => Some((out.path.display().to_string(), out.commit(&report)?)),
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

/// A policy that cannot be used, on one line: what went wrong, and where.
fn policy_failure(shown: &str, e: PolicyError) -> Failure {
    Failure(match e {
        PolicyError::Read { message, .. } => format!("cannot read policy {shown}: {message}"),
        PolicyError::Parse { .. } => format!("cannot parse policy {shown}: {e}"),
        // Every problem, each after a `;`.
        _ => {
            let problems: Vec<String> = e.problems().iter().map(|p| p.to_string()).collect();
            format!("invalid policy {shown}: {}", problems.join("; "))
        }
    })
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

/// The UTF-8 byte-order mark some editors write at the start of a file.
const BOM: &[u8] = b"\xEF\xBB\xBF";

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
        // Bytes, not text: a line that is not UTF-8 is a malformed line, not an I/O error.
        match serde_json::from_slice::<Event>(line) {
            Ok(event) => {
                read.events += 1;
                replay.apply(&event);
            }
            Err(_) => read.malformed.push(read.lines),
        }
    }
}

/// The `--out` file: a temporary file beside it, created before the first event is
/// read (so a path that cannot be written stops the run before it starts), and renamed
/// over it once every line is written. Dropped without [`OutFile::commit`], it removes
/// the temporary file and leaves the file as it was.
struct OutFile {
    path: PathBuf,
    temp: PathBuf,
    file: Option<File>,
}

impl OutFile {
    fn create(path: &Path) -> Result<Self, Failure> {
        let shown = path.display();
        let cannot = |why: String| Failure(format!("cannot write --out {shown}: {why}"));
        if path.is_dir() {
            return Err(cannot("it is a directory; give a file path".to_owned()));
        }
        let name = path
            .file_name()
            .ok_or_else(|| cannot("it names no file; give a file path".to_owned()))?;
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        if !dir.is_dir() {
            return Err(cannot(format!(
                "directory {} does not exist",
                dir.display()
            )));
        }
        // The process id keeps two runs writing the same file from sharing a temporary.
        let mut temp_name = OsString::from(".");
        temp_name.push(name);
        temp_name.push(format!(".{}.tmp", std::process::id()));
        let temp = dir.join(temp_name);
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&temp)
            .map_err(|e| cannot(format!("cannot create a file in {}: {e}", dir.display())))?;
        Ok(OutFile {
            path: path.to_owned(),
            temp,
            file: Some(file),
        })
    }

    /// Writes every lead that differs as a JSON line, flushes and syncs the temporary
    /// file, and renames it over the file; returns how many lines it wrote.
    fn commit(mut self, report: &WhatIf) -> Result<usize, Failure> {
        let shown = self.path.display().to_string();
        let cannot =
            |e: &dyn std::fmt::Display| Failure(format!("cannot write --out {shown}: {e}"));
        let Some(file) = self.file.take() else {
            return Err(cannot(&"it was already written"));
        };
        let mut writer = BufWriter::new(file);
        for diff in &report.leads {
            serde_json::to_writer(&mut writer, diff).map_err(|e| cannot(&e))?;
            writer.write_all(b"\n").map_err(|e| cannot(&e))?;
        }
        let file = writer.into_inner().map_err(|e| cannot(e.error()))?;
        file.sync_all().map_err(|e| cannot(&e))?;
        drop(file);
        std::fs::rename(&self.temp, &self.path).map_err(|e| cannot(&e))?;
        Ok(report.leads.len())
    }
}

impl Drop for OutFile {
    fn drop(&mut self) {
        // Closed first, so that it can be removed on every platform. After a commit
        // the temporary file is the output file, and there is nothing to remove.
        drop(self.file.take());
        let _ = std::fs::remove_file(&self.temp);
    }
}

fn write_failure(e: io::Error) -> Failure {
    Failure(format!("cannot write the summary: {e}"))
}

/// The message on a single line: line breaks become spaces.
fn one_line(message: &str) -> String {
    let lines: Vec<&str> = message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    lines.join(" ")
}
