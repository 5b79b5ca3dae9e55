//! Analytics of a history: replays the events (or reads the effects a host already
//! has) into an `analytics::Journal`, prints a short report and writes
//! `DIR/report.json`, `DIR/report.md` and `DIR/waterfall.svg` (docs/analytics.md).
//!
//! ```text
//! cargo run --release --example report -- --events E.jsonl [--policy P.toml]
//!     [--until TIME] --out DIR
//! cargo run --release --example report -- --events E.jsonl --effects F.jsonl
//!     [--policy P.toml] --out DIR
//! ```
//!
//! `--help` lists every flag, its default and the exit codes.

#[path = "shared/cli.rs"]
mod cli;
#[path = "shared/report.rs"]
mod report_files;

use chrono::{DateTime, Utc};
use cli::{event_of_line, one_line, parse_time, policy_failure, set_once, Failure, BOM};
use leadcycle::analytics::{Journal, Report};
use leadcycle::{Effect, Engine, Event, LeadBook, Policy};
use report_files::{Progress, ReportFiles};
use std::ffi::OsString;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

/// The usage line, appended to argument errors.
const USAGE: &str = "usage: report --events E.jsonl [--effects F.jsonl] [--policy P.toml] [--until TIME] --out DIR | --help";

/// What `--help` prints.
const HELP: &str = "\
report: the demand waterfall of a history, from the journal (the events fed and the
effects they gave): stages, conversion per pass, time in stage, recycling yield,
program effectiveness, content runway, persistence, black-hole symptoms and
attribution (docs/analytics.md). Prints a summary and writes DIR/report.json,
DIR/report.md and DIR/waterfall.svg.

usage: report --events E.jsonl [--policy P.toml] [--until TIME] --out DIR
       report --events E.jsonl --effects F.jsonl [--policy P.toml] --out DIR
       report --help

options:
  --events E.jsonl   the events, one JSON object per line. Default: none, it is
                     required.
  --effects F.jsonl  the effects those events gave (e.g. the replay example's
                     output); the events are then not replayed, and an events line
                     that is not an event is skipped (its `rejected` effect counts
                     it). Default: replay the events through a lead book under
                     --policy.
  --policy P.toml    the policy: replays under it, and gives each program's length.
                     Default: the embedded default policy.
  --until TIME       after the last event, advance the clock to TIME (RFC 3339) and
                     fire what falls due (replay only). Default: no tick after the
                     last event.
  --out DIR          the directory the three files are written to; created if
                     missing. Default: none, it is required.
  -h, --help         print this help and exit. Default: off.

A progress bar shows on standard error when it is a terminal and the run takes more
than 2 seconds.

exit status:
  0  the report was written, or --help printed
  2  the arguments are wrong, or the policy, the events or the effects cannot be
     read or parsed, the effects contradict each other, or a file cannot be
     written: one line on standard error
";

/// The exit status of a run that could not start or finish.
const EXIT_ERROR: i32 = 2;

fn main() {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    std::process::exit(run(args, io::stdout().lock(), io::stderr().lock()));
}

/// Runs the report command with `args` (without the program name) and returns the
/// exit status.
pub fn run(args: Vec<OsString>, stdout: impl Write, mut stderr: impl Write) -> i32 {
    match report(args, stdout) {
        Ok(()) => 0,
        Err(Failure(message)) => {
            let _ = writeln!(stderr, "report: {}", one_line(&message));
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
    events: Option<PathBuf>,
    effects: Option<PathBuf>,
    policy: Option<PathBuf>,
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
            Long("events") => set_once(
                &mut parsed.events,
                "--events",
                parser.value()?.into(),
                USAGE,
            )?,
            Long("effects") => set_once(
                &mut parsed.effects,
                "--effects",
                parser.value()?.into(),
                USAGE,
            )?,
            Long("policy") => set_once(
                &mut parsed.policy,
                "--policy",
                parser.value()?.into(),
                USAGE,
            )?,
            Long("out") => set_once(&mut parsed.out, "--out", parser.value()?.into(), USAGE)?,
            Long("until") => {
                let until = parse_time(&parser.value()?)?;
                set_once(&mut parsed.until, "--until", until, USAGE)?;
            }
            Short('h') | Long("help") => parsed.help = true,
            _ => return Err(arg.unexpected().into()),
        }
    }
    if parsed.help {
        return Ok(parsed);
    }
    if parsed.events.is_none() || parsed.out.is_none() {
        return Err(Failure(format!(
            "--events and --out are required ({USAGE})"
        )));
    }
    if parsed.effects.is_some() && parsed.until.is_some() {
        return Err(Failure(format!(
            "--until advances a replay; with --effects nothing is replayed: give one of them ({USAGE})"
        )));
    }
    Ok(parsed)
}

fn report(args: Vec<OsString>, mut stdout: impl Write) -> Result<(), Failure> {
    let args = parse_args(args)?;
    if args.help {
        return stdout
            .write_all(HELP.as_bytes())
            .map_err(|e| Failure(format!("cannot write the help: {e}")));
    }
    let (Some(events), Some(out)) = (&args.events, &args.out) else {
        unreachable!("checked by parse_args")
    };
    let policy = load_policy(args.policy.as_deref())?;
    let files = ReportFiles::create(out)?;
    let (input, size) = open(events, "events")?;
    let mut progress = Progress::new(size);
    let mut journal = Journal::new();
    match &args.effects {
        None => {
            let engine = Engine::new(policy.clone())
                .map_err(|e| policy_failure(&shown(args.policy.as_deref()), e))?;
            let mut book = LeadBook::new();
            let mut effects = Vec::new();
            each_line(input, events, &mut progress, |line_no, line| {
                effects.clear();
                // The same reading as the replay example's, so the same `rejected`
                // effect for a line that is not an event.
                match event_of_line(line_no, line) {
                    Ok(event) => {
                        journal.record_event(&event);
                        book.apply_into(&engine, &event, &mut effects);
                    }
                    Err(malformed) => effects.push(malformed),
                }
                record(&mut journal, &effects)
            })?;
            if let Some(until) = args.until {
                effects.clear();
                book.apply_into(&engine, &Event::tick(until), &mut effects);
                record(&mut journal, &effects)?;
            }
        }
        Some(effects_path) => {
            // A line that is not an event was refused by the replay that made the
            // effects (a `rejected` effect of kind `malformed` says so): skipped here.
            each_line(input, events, &mut progress, |_, line| {
                if let Ok(event) = serde_json::from_slice::<Event>(line) {
                    journal.record_event(&event);
                }
                Ok(())
            })?;
            let (input, _) = open(effects_path, "effects")?;
            each_line(input, effects_path, &mut progress, |line_no, line| {
                let effect: Effect = serde_json::from_slice(line).map_err(|e| {
                    Failure(format!(
                        "effects {} line {line_no} is not an effect: {e}",
                        effects_path.display()
                    ))
                })?;
                journal.record_effect(&effect).map_err(|e| {
                    Failure(format!(
                        "effects {} line {line_no}: {e}",
                        effects_path.display()
                    ))
                })
            })?;
        }
    }
    progress.say("writing the report");
    let report = files.write(&journal, &policy)?;
    progress.finish();
    summary(&report, out, &mut stdout)
        .map_err(|e| Failure(format!("cannot write the summary: {e}")))
}

fn shown(path: Option<&Path>) -> String {
    path.map_or_else(
        || "(embedded default)".to_owned(),
        |p| p.display().to_string(),
    )
}

fn load_policy(path: Option<&Path>) -> Result<Policy, Failure> {
    match path {
        None => Ok(Policy::default()),
        Some(p) => Policy::from_toml_file(p).map_err(|e| policy_failure(&shown(path), e)),
    }
}

fn open(path: &Path, what: &str) -> Result<(BufReader<File>, Option<u64>), Failure> {
    let file = File::open(path)
        .map_err(|e| Failure(format!("cannot read {what} {}: {e}", path.display())))?;
    let size = file.metadata().ok().map(|m| m.len());
    Ok((BufReader::new(file), size))
}

/// Calls `each` with every non-blank line of `input` and its 1-based number.
fn each_line(
    mut input: impl BufRead,
    path: &Path,
    progress: &mut Progress,
    mut each: impl FnMut(u64, &[u8]) -> Result<(), Failure>,
) -> Result<(), Failure> {
    // Bytes, not text, as the replay example reads: a line that is not UTF-8 is a
    // malformed line, not an I/O error.
    let mut line = Vec::new();
    let mut line_no = 0;
    loop {
        line.clear();
        let read = input.read_until(b'\n', &mut line).map_err(|e| {
            Failure(format!(
                "cannot read {} after line {line_no}: {e}",
                path.display()
            ))
        })?;
        if read == 0 {
            return Ok(());
        }
        line_no += 1;
        progress.advance(read as u64);
        let text = match line.strip_prefix(BOM) {
            Some(rest) if line_no == 1 => rest,
            _ => &line[..],
        };
        if !text.iter().all(u8::is_ascii_whitespace) {
            each(line_no, text)?;
        }
    }
}

/// Records a replay's own effects: they cannot contradict each other.
fn record(journal: &mut Journal, effects: &[Effect]) -> Result<(), Failure> {
    for effect in effects {
        journal
            .record_effect(effect)
            .map_err(|e| Failure(format!("the replay's effects contradict each other: {e}")))?;
    }
    Ok(())
}

/// A few lines a person reads first; the files have everything.
fn summary(report: &Report, dir: &Path, out: &mut impl Write) -> io::Result<()> {
    writeln!(
        out,
        "{} leads, {} rejected events",
        report.leads, report.rejected
    )?;
    writeln!(out, "stage         now  entered  median days in stage")?;
    for (stage, f) in &report.stages {
        let median = f
            .time_in_stage
            .all
            .median_days
            .map_or("-".to_owned(), |d| format!("{d:.1}"));
        writeln!(
            out,
            "{:<12} {:>4} {:>8}  {median}",
            stage.as_str(),
            f.now,
            f.entered
        )?;
    }
    for pass in &report.passes {
        let rates: Vec<String> = pass
            .conversions
            .iter()
            .filter_map(|c| {
                c.rate
                    .rate
                    .map(|r| format!("{}->{} {:.0}%", c.from, c.to, r * 100.0))
            })
            .collect();
        writeln!(out, "pass {}: {}", pass.pass, rates.join(", "))?;
    }
    let r = &report.recycling;
    writeln!(
        out,
        "recycled {} leads: {} re-qualified, {} SQL again, {} won",
        r.recycled, r.requalified, r.sql_after_recycle, r.won_after_recycle
    )?;
    let b = &report.black_holes;
    for (name, s) in [
        ("MQLs accepted by sales", &b.mql_acceptance),
        ("SAL -> SQL", &b.sal_to_sql),
        ("SAL disqualifications", &b.sal_disqualification),
        ("SALs past their SLA", &b.sal_past_sla),
    ] {
        let observed = s
            .observed
            .rate
            .map_or("-".to_owned(), |r| format!("{:.1}%", r * 100.0));
        let verdict = if s.symptom { "SYMPTOM" } else { "ok" };
        writeln!(
            out,
            "black hole? {name}: {observed} ({verdict}, {} leads)",
            s.leads.len()
        )?;
    }
    writeln!(
        out,
        "wrote {0}/report.json, {0}/report.md, {0}/waterfall.svg",
        dir.display()
    )
}
