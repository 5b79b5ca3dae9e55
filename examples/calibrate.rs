//! Checks a scoring policy against closed deals and learns a better one: evidence from
//! history (`docs/scoring.md`).
//!
//! ```text
//! cargo run --example calibrate -- --events E.jsonl --labels L.csv [--policy P.toml]
//! ```
//!
//! - `--events`: events in CONTRACT.md's format, one JSON object per line. They are
//!   grouped by lead, keeping file order; each lead is replayed alone and scored as of
//!   its last event. A line that is not a valid event is skipped and reported on
//!   standard error after a successful run; blank lines and `tick`s are skipped (a
//!   lead's own deadlines fire before each of its events anyway, and no tick changes a
//!   score).
//! - `--labels`: CSV with the header `lead,converted` and an optional third column
//!   `split`. `converted` is `1`, `0`, `true` or `false`; `split` is `train` or `test`.
//!   Without a `split` column the split is a deterministic 80/20 by lead id: a lead is
//!   in the test split when the 64-bit FNV-1a hash of its id's UTF-8 bytes is a
//!   multiple of 5. A labelled lead with no events is reported on standard error and
//!   skipped; leads with events but no label are left out.
//! - `--policy`: the policy whose scoring is checked and whose other settings the
//!   learned section is used with; the embedded default when omitted.
//!
//! Learns on the train rows ([`leadcycle::calibrate::learn`] with default options) and
//! prints the half-lives tried, the AUCs of the given policy, the written-back policy
//! and the learner's model side by side, conversion by grade and band on the train
//! rows and by grade, band, cell and decile on the test rows under the written-back
//! scoring, the learned weights and the dropped ones, the written-back `[scoring]`
//! section as TOML, and as its very last line
//! `holdout_auc=<AUC of the written-back section on the test rows, 4 decimals>`.
//!
//! Exit status 0 when it ran; 2 with one line on standard error when the arguments are
//! wrong, a file cannot be read, the CSV is malformed, or nothing can be learned from
//! the data (for example a split with only one class).

use leadcycle::calibrate::{
    self, Bucket, Evaluation, LabelledLead, LearnOptions, LearnReport, Weight,
};
use leadcycle::scoring::{Band, Grade};
use leadcycle::{Engine, Event, LeadId, Policy};
use std::collections::HashMap;
use std::ffi::OsString;
use std::fmt::Display;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The usage line, appended to argument errors.
const USAGE: &str = "usage: calibrate --events E.jsonl --labels L.csv [--policy P.toml]";

/// What `--help` prints.
const HELP: &str = "\
calibrate: checks a policy's scoring against closed deals and learns a better one
(docs/scoring.md). Learns on the train rows, then prints the AUCs of the given
policy, the written-back policy and the learner's model, conversion by grade, band,
cell and decile, the learned and the dropped weights, the written-back [scoring]
section as TOML, and last `holdout_auc=<AUC on the test rows>`.

usage: calibrate --events E.jsonl --labels L.csv [--policy P.toml]
       calibrate --help

options:
  --events E.jsonl  the leads' events, one JSON object per line (docs/contract.md);
                    lines that are not events are skipped and reported.
                    Default: none, required.
  --labels L.csv    header `lead,converted[,split]`; converted is 1, 0, true or
                    false, split is train or test. Default: none, required; without
                    a split column, a lead is in the test split when the FNV-1a hash
                    of its id is a multiple of 5.
  --policy P.toml   the policy whose scoring is checked. Default: the embedded
                    default policy.
  -h, --help        print this help and exit. Default: off.

exit status:
  0  it ran (skipped lines and leads are reported on standard error), or --help
     printed
  2  the arguments are wrong, a file cannot be read, the CSV is malformed, or
     nothing can be learned from the data: one line on standard error
";

fn main() {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let stdout = io::stdout().lock();
    let stderr = io::stderr().lock();
    std::process::exit(run(args, stdout, stderr));
}

/// Runs the command with `args` (without the program name) and returns the exit
/// status: 0 when it ran, 2 after one line on `stderr` when it could not.
pub fn run(args: Vec<OsString>, mut stdout: impl Write, mut stderr: impl Write) -> i32 {
    // Warnings (skipped lines and leads) are shown only when the run succeeds, so that
    // a failure is exactly one line on standard error.
    let mut warnings = Vec::new();
    let result = calibrate(args, &mut stdout, &mut warnings).and_then(|()| {
        stdout
            .flush()
            .map_err(|e| Failure(format!("cannot write the report: {e}")))
    });
    match result {
        Ok(()) => {
            let _ = stderr.write_all(&warnings);
            0
        }
        Err(Failure(message)) => {
            let line = message.lines().collect::<Vec<_>>().join(" ");
            // Nothing more can be done if standard error itself cannot be written.
            let _ = writeln!(stderr, "calibrate: {line}");
            2
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

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        Failure(format!("cannot write the report: {e}"))
    }
}

#[derive(Debug, Default)]
struct Args {
    events: Option<PathBuf>,
    labels: Option<PathBuf>,
    policy: Option<PathBuf>,
    help: bool,
}

fn parse_args(args: Vec<OsString>) -> Result<Args, Failure> {
    use lexopt::prelude::*;
    let mut parsed = Args::default();
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = parser.next()? {
        let slot = match arg {
            Long("events") => &mut parsed.events,
            Long("labels") => &mut parsed.labels,
            Long("policy") => &mut parsed.policy,
            Short('h') | Long("help") => {
                parsed.help = true;
                continue;
            }
            _ => return Err(arg.unexpected().into()),
        };
        let value: PathBuf = parser.value()?.into();
        if slot.is_some() {
            return Err(Failure(format!(
                "an option is given twice; give each once ({USAGE})"
            )));
        }
        *slot = Some(value);
    }
    Ok(parsed)
}

fn calibrate(
    args: Vec<OsString>,
    out: &mut impl Write,
    err: &mut impl Write,
) -> Result<(), Failure> {
    let args = parse_args(args)?;
    if args.help {
        out.write_all(HELP.as_bytes())?;
        return Ok(());
    }
    let events_path = args
        .events
        .ok_or_else(|| Failure(format!("missing --events ({USAGE})")))?;
    let labels_path = args
        .labels
        .ok_or_else(|| Failure(format!("missing --labels ({USAGE})")))?;
    let engine = load_engine(args.policy.as_deref())?;
    let events = read_events(&events_path, err)?;
    let labels = read_labels(&labels_path)?;

    let mut train = Vec::new();
    let mut test = Vec::new();
    let mut groups = events.groups;
    let mut missing = 0;
    for label in &labels.rows {
        let Some(&index) = events.index.get(label.lead.as_str()) else {
            missing += 1;
            let _ = writeln!(
                err,
                "calibrate: lead {} (labels line {}) has no events in {}; skipped",
                label.lead,
                label.line,
                events_path.display()
            );
            continue;
        };
        let lead = LabelledLead {
            events: std::mem::take(&mut groups[index]),
            converted: label.converted,
        };
        let in_test = label.test.unwrap_or_else(|| in_test_split(&label.lead));
        if in_test {
            test.push(lead);
        } else {
            train.push(lead);
        }
    }
    let unlabelled = events.index.len() - (labels.rows.len() - missing);
    let report = calibrate::learn(&engine, &train, &test, &LearnOptions::default())
        .map_err(|e| Failure(e.to_string()))?;

    writeln!(
        out,
        "calibrate: {} labelled leads with events ({} train, {} test; split by {}); left out: {} lead(s) without a label, {} malformed line(s), {} tick(s)",
        train.len() + test.len(),
        train.len(),
        test.len(),
        if labels.has_split { "the split column" } else { "FNV-1a(lead id) % 5 == 0 -> test" },
        unlabelled,
        events.malformed,
        events.ticks,
    )?;
    print_report(out, &report, engine.policy().scoring.mql_threshold)?;
    writeln!(out)?;
    writeln!(out, "Written-back scoring section:")?;
    writeln!(out)?;
    #[derive(serde::Serialize)]
    struct Section<'a> {
        scoring: &'a leadcycle::policy::ScoringPolicy,
    }
    let toml = toml::to_string(&Section {
        scoring: &report.policy,
    })
    .map_err(|e| Failure(format!("cannot write the learned section as TOML: {e}")))?;
    write!(out, "{toml}")?;
    writeln!(out)?;
    writeln!(out, "holdout_auc={:.4}", report.holdout_auc)?;
    Ok(())
}

/// Whether a lead without a `split` label is in the test split: FNV-1a (64-bit) of its
/// id's bytes is a multiple of 5, about one lead in five.
fn in_test_split(lead: &str) -> bool {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in lead.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash % 5 == 0
}

fn load_engine(path: Option<&Path>) -> Result<Engine, Failure> {
    let policy = match path {
        None => Policy::default(),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Failure(format!("cannot read policy {}: {e}", path.display())))?;
            toml::from_str::<Policy>(&text)
                .map_err(|e| Failure(format!("cannot parse policy {}: {e}", path.display())))?
        }
    };
    Engine::new(policy).map_err(|e| Failure(format!("invalid policy: {e}")))
}

/// The events of a file, grouped by lead in order of first appearance.
struct Events {
    groups: Vec<Vec<Event>>,
    index: HashMap<LeadId, usize>,
    malformed: usize,
    ticks: usize,
}

fn read_events(path: &Path, err: &mut impl Write) -> Result<Events, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure(format!("cannot read events {}: {e}", path.display())))?;
    let mut events = Events {
        groups: Vec::new(),
        index: HashMap::new(),
        malformed: 0,
        ticks: 0,
    };
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let event: Event = match serde_json::from_str(line) {
            Ok(e) => e,
            Err(e) => {
                events.malformed += 1;
                let _ = writeln!(
                    err,
                    "calibrate: {} line {} is not a valid event, skipped: {e}",
                    path.display(),
                    n + 1
                );
                continue;
            }
        };
        let Some(lead) = event.lead().cloned() else {
            // Only a tick names no lead.
            events.ticks += 1;
            continue;
        };
        let next = events.groups.len();
        let index = *events.index.entry(lead).or_insert(next);
        if index == next {
            events.groups.push(Vec::new());
        }
        events.groups[index].push(event);
    }
    Ok(events)
}

struct Label {
    lead: String,
    converted: bool,
    /// `Some(true)` for `test`, `Some(false)` for `train`, `None` without a column.
    test: Option<bool>,
    line: usize,
}

struct Labels {
    rows: Vec<Label>,
    has_split: bool,
}

fn read_labels(path: &Path) -> Result<Labels, Failure> {
    let shown = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure(format!("cannot read labels {shown}: {e}")))?;
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(n, l)| (n + 1, l.trim_start_matches('\u{feff}').trim()))
        .filter(|(_, l)| !l.is_empty());
    let Some((_, header)) = lines.next() else {
        return Err(Failure(format!(
            "labels {shown} is empty: expected the header `lead,converted` (or `lead,converted,split`) and one row per lead"
        )));
    };
    let columns: Vec<String> = fields(header).map(|f| f.to_ascii_lowercase()).collect();
    let has_split = match columns.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["lead", "converted"] => false,
        ["lead", "converted", "split"] => true,
        _ => {
            return Err(Failure(format!(
                "labels {shown}: the header is `{header}`; expected `lead,converted` or `lead,converted,split`"
            )))
        }
    };
    let mut rows: Vec<Label> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (line, row) in lines {
        let cells: Vec<&str> = fields(row).collect();
        if cells.len() != columns.len() {
            return Err(Failure(format!(
                "labels {shown} line {line} has {} fields: expected {} ({})",
                cells.len(),
                columns.len(),
                columns.join(",")
            )));
        }
        let lead = cells[0].to_owned();
        if lead.is_empty() {
            return Err(Failure(format!(
                "labels {shown} line {line} has an empty lead id: expected one"
            )));
        }
        let converted = match cells[1].to_ascii_lowercase().as_str() {
            "1" | "true" => true,
            "0" | "false" => false,
            other => {
                return Err(Failure(format!(
                "labels {shown} line {line}: converted is `{other}`; expected 1, 0, true or false"
            )))
            }
        };
        let test = if has_split {
            match cells[2].to_ascii_lowercase().as_str() {
                "test" => Some(true),
                "train" => Some(false),
                other => {
                    return Err(Failure(format!(
                        "labels {shown} line {line}: split is `{other}`; expected train or test"
                    )))
                }
            }
        } else {
            None
        };
        if let Some(first) = seen.insert(lead.clone(), line) {
            return Err(Failure(format!(
                "labels {shown}: lead {lead} is labelled twice (lines {first} and {line}); expected one row per lead"
            )));
        }
        rows.push(Label {
            lead,
            converted,
            test,
            line,
        });
    }
    Ok(Labels { rows, has_split })
}

/// The comma-separated fields of a CSV line, trimmed, surrounding quotes removed.
fn fields(line: &str) -> impl Iterator<Item = &str> {
    line.split(',').map(|f| {
        let f = f.trim();
        f.strip_prefix('"')
            .and_then(|f| f.strip_suffix('"'))
            .unwrap_or(f)
    })
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "-".to_owned(), |r| format!("{:.1}%", 100.0 * r))
}

fn print_report(out: &mut impl Write, report: &LearnReport, threshold: f64) -> io::Result<()> {
    writeln!(out)?;
    writeln!(
        out,
        "Half-life, chosen by {}-fold cross-validation on the train leads (mean AUC):",
        LearnOptions::default().folds
    )?;
    for t in &report.half_lives {
        let chosen = if t.half_life_days == report.policy.half_life_days {
            "  <- chosen"
        } else {
            ""
        };
        writeln!(
            out,
            "  {:>6} days  {:.4}{chosen}",
            t.half_life_days, t.cv_auc
        )?;
    }

    writeln!(out)?;
    writeln!(out, "ROC AUC")?;
    let rows = [
        ("given policy (engine)", None, report.baseline_holdout_auc),
        (
            "written-back policy (engine)",
            Some(report.train_auc),
            report.holdout_auc,
        ),
        (
            "learner's model (log-odds)",
            Some(report.model.train_auc),
            report.model.holdout_auc,
        ),
        (
            "every candidate feature (log-odds)",
            Some(report.all_features_model.train_auc),
            report.all_features_model.holdout_auc,
        ),
    ];
    writeln!(out, "  {:<40}{:>8}{:>8}", "", "train", "test")?;
    for (name, train, test) in rows {
        let train = train.map_or_else(|| "-".to_owned(), |t| format!("{t:.4}"));
        writeln!(out, "  {name:<40}{train:>8}{test:>8.4}")?;
    }

    let t = &report.training;
    writeln!(out)?;
    writeln!(
        out,
        "Train leads under the written-back policy: {} leads, {} converted (base rate {})",
        t.leads,
        t.conversions,
        percent(Some(t.base_rate))
    )?;
    print_buckets(out, "grade", &t.by_grade)?;
    print_buckets(out, "band", &t.by_band)?;

    let h = &report.holdout;
    writeln!(out)?;
    writeln!(
        out,
        "Test leads under the written-back policy: {} leads, {} converted (base rate {})",
        h.leads,
        h.conversions,
        percent(Some(h.base_rate))
    )?;
    print_buckets(out, "grade", &h.by_grade)?;
    print_buckets(out, "band", &h.by_band)?;
    print_cells(out, h)?;
    writeln!(out)?;
    writeln!(
        out,
        "  {:<7}{:>7}{:>7}{:>8}{:>7}   scores",
        "decile", "leads", "conv", "rate", "lift"
    )?;
    for d in &h.deciles {
        let range = match (d.min_score, d.max_score) {
            (Some(lo), Some(hi)) => format!("{lo:.0} .. {hi:.0}"),
            _ => "-".to_owned(),
        };
        writeln!(
            out,
            "  {:<7}{:>7}{:>7}{:>8}{:>7}   {range}",
            d.decile,
            d.leads,
            d.conversions,
            percent(d.rate),
            d.lift.map_or_else(|| "-".to_owned(), |l| format!("{l:.2}")),
        )?;
    }

    writeln!(out)?;
    writeln!(
        out,
        "Learned weights ({:.2} points per unit of log-odds, {}; threshold {threshold})",
        report.scale.points_per_log_odds,
        match report.scale.method {
            calibrate::ScaleMethod::TargetRate => format!(
                "so that the top {:.0}% of train leads reach the threshold",
                100.0 * report.scale.target_rate
            ),
            _ => "the fallback scale".to_owned(),
        }
    )?;
    writeln!(
        out,
        "  {:<40}{:>9}{:>7}{:>8}",
        "feature", "log-odds", "z", "points"
    )?;
    print_weights(out, &report.model.weights)?;
    writeln!(out)?;
    writeln!(
        out,
        "Dropped as unsupported (lowering the deviance by less than {:.0}: the Akaike criterion), as they stood when dropped",
        LearnOptions::default().min_z.powi(2)
    )?;
    print_weights(out, &report.dropped)
}

fn print_weights(out: &mut impl Write, weights: &[Weight]) -> io::Result<()> {
    for w in weights {
        let points = w.points.map_or_else(String::new, |p| format!("{p:>8}"));
        writeln!(
            out,
            "  {:<40}{:>9.3}{:>7.2}{points}",
            w.feature.to_string(),
            w.log_odds,
            w.z
        )?;
    }
    Ok(())
}

fn print_buckets<K: Display>(
    out: &mut impl Write,
    what: &str,
    buckets: &[Bucket<K>],
) -> io::Result<()> {
    writeln!(out)?;
    writeln!(out, "  {what:<7}{:>7}{:>7}{:>8}", "leads", "conv", "rate")?;
    for b in buckets {
        writeln!(
            out,
            "  {:<7}{:>7}{:>7}{:>8}",
            b.key.to_string(),
            b.leads,
            b.conversions,
            percent(b.rate)
        )?;
    }
    Ok(())
}

/// The 4 x 4 matrix: converted / leads (rate) per cell, grades down, bands across.
fn print_cells(out: &mut impl Write, h: &Evaluation) -> io::Result<()> {
    writeln!(out)?;
    write!(out, "  {:<7}", "cell")?;
    for band in Band::ALL {
        write!(out, "{:>16}", format!("band {band}"))?;
    }
    writeln!(out)?;
    for grade in Grade::ALL {
        write!(out, "  {:<7}", grade.to_string())?;
        for band in Band::ALL {
            let cell = h
                .by_cell
                .iter()
                .find(|b| b.key.grade == grade && b.key.band == band);
            let text = cell.map_or_else(String::new, |b| {
                format!("{}/{} {}", b.conversions, b.leads, percent(b.rate))
            });
            write!(out, "{text:>16}")?;
        }
        writeln!(out)?;
    }
    Ok(())
}
