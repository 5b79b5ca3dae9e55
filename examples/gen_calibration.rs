//! Generates a deterministic synthetic calibration dataset: leads' events (JSON lines)
//! and whether each converted (CSV), with a planted signal for `calibrate` to find.
//!
//! ```text
//! cargo run --example gen_calibration -- [--seed N] [--leads N] [--out DIR]
//! ```
//!
//! Writes `DIR/events.jsonl` and `DIR/labels.csv` (defaults: seed 7, 500 leads,
//! `examples/data/calibration`). The same seed always writes the same bytes.
//!
//! The planted truth: a lead's log-odds of converting are
//!
//! ```text
//! -2.9 + 1.2 [seniority vp or c_level] + 1.0 [employees >= 1000]
//!      + 0.6 x pricing page views + 0.6 x webinars attended + 0.1 x email clicks
//!      + 1.2 x demo requests + 0.5 x sales attempts that connected
//! ```
//!
//! Email opens (numerous for newsletter readers), content downloads, directors,
//! industry and region carry no signal, so the default policy, which scores opens,
//! downloads and directors and counts 200 employees as large, is partly misled.
//! Touches fall in the 60 days after the lead is created; hot leads are followed up
//! by sales (accepted, one to four attempts, some qualified). Events are written in
//! time order across leads.

use chrono::{DateTime, TimeDelta, Utc};
use leadcycle::{Event, Profile, ProfileValue};
use std::ffi::OsString;
use std::io::{self, Write};
use std::path::PathBuf;

/// One synthetic lead.
#[derive(Clone, Debug)]
pub struct SynthLead {
    /// Its id (`C0001`).
    pub id: String,
    /// Its events, in time order, `created` first.
    pub events: Vec<Event>,
    /// Whether it converted.
    pub converted: bool,
}

/// SplitMix64: a small, fast, deterministic generator (no dependency).
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [0, n).
    pub fn below(&mut self, n: usize) -> usize {
        (self.unit() * n as f64) as usize
    }

    /// One of `items`, with the given weights.
    pub fn pick<'a>(&mut self, items: &[(&'a str, f64)]) -> &'a str {
        let total: f64 = items.iter().map(|(_, w)| w).sum();
        let mut x = self.unit() * total;
        for (item, w) in items {
            if x < *w {
                return item;
            }
            x -= w;
        }
        items[items.len() - 1].0
    }

    /// A Poisson count with mean `mean` (Knuth's method; fine for small means).
    pub fn poisson(&mut self, mean: f64) -> usize {
        let limit = (-mean).exp();
        let mut k = 0;
        let mut p = self.unit();
        while p > limit {
            k += 1;
            p *= self.unit();
        }
        k
    }
}

fn hours(h: f64) -> TimeDelta {
    TimeDelta::seconds((h * 3600.0).round() as i64)
}

/// `leads` synthetic leads from `seed`, ids `C0001`...
pub fn generate(seed: u64, leads: usize) -> Vec<SynthLead> {
    let mut rng = Rng::new(seed);
    let start: DateTime<Utc> = "2025-01-06T08:00:00Z".parse().expect("a valid time");
    (1..=leads)
        .map(|i| one_lead(&mut rng, format!("C{i:04}"), start))
        .collect()
}

fn one_lead(rng: &mut Rng, id: String, start: DateTime<Utc>) -> SynthLead {
    let created = start + hours(rng.unit() * 180.0 * 24.0);
    let seniority = rng.pick(&[
        ("ic", 0.35),
        ("manager", 0.30),
        ("director", 0.15),
        ("vp", 0.12),
        ("c_level", 0.08),
    ]);
    let employees = 10f64.powf(1.0 + rng.unit() * 3.3).round();
    let industry = rng.pick(&[
        ("software", 1.0),
        ("finance", 1.0),
        ("retail", 1.0),
        ("manufacturing", 1.0),
        ("healthcare", 1.0),
    ]);
    let region = rng.pick(&[("na", 2.0), ("emea", 1.5), ("apac", 1.0)]);
    let source = rng.pick(&[
        ("webinar", 1.0),
        ("content_syndication", 1.0),
        ("paid_search", 1.0),
        ("trade_show", 0.5),
        ("organic", 1.0),
    ]);
    let profile: Profile = [
        ("seniority", ProfileValue::from(seniority)),
        ("employees", ProfileValue::Number(employees)),
        ("industry", ProfileValue::from(industry)),
        ("region", ProfileValue::from(region)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();

    // Latent interest drives the telling touches; email opens follow their own noise.
    let interest = rng.unit();
    let reader = rng.unit();
    let counts = [
        // Newsletter readers open everything, buyers or not.
        ("email_open", rng.poisson(1.0 + 16.0 * reader * reader)),
        ("email_click", rng.poisson(0.5 + 1.0 * interest)),
        ("content_download", rng.poisson(0.8)),
        ("webinar_attended", rng.poisson(0.15 + 0.8 * interest)),
        ("pricing_page_view", rng.poisson(0.2 + 1.6 * interest)),
        (
            "demo_request",
            usize::from(rng.unit() < 0.03 + 0.05 * interest),
        ),
    ];
    let mut timed: Vec<Event> = Vec::new();
    for (kind, n) in counts {
        for _ in 0..n {
            let at = created + hours(1.0 + rng.unit() * 60.0 * 24.0);
            timed.push(Event::touch(id.as_str(), at, kind));
        }
    }
    let count = |kind: &str| counts.iter().find(|(k, _)| *k == kind).map_or(0, |c| c.1) as f64;
    let hot = count("pricing_page_view") + count("webinar_attended") + count("demo_request");

    // Sales follow up hot leads, and a few others.
    let mut connected = 0.0;
    if hot >= 2.0 || rng.unit() < 0.12 {
        let rep = format!("R{}", 1 + rng.below(6));
        let accepted = created + hours(24.0 * (3.0 + rng.unit() * 40.0));
        timed.push(Event::sales_accepted(id.as_str(), accepted, rep.as_str()));
        let attempts = 1 + rng.below(4);
        let mut at = accepted;
        for _ in 0..attempts {
            at += hours(24.0 * (0.5 + rng.unit() * 4.0));
            let outcome = rng.pick(&[
                ("connected", 0.2 + 0.3 * interest),
                ("voicemail", 0.4),
                ("no_answer", 0.4),
            ]);
            connected += f64::from(u8::from(outcome == "connected"));
            timed.push(
                Event::sales_attempt(id.as_str(), at, rep.as_str())
                    .with_channel("call")
                    .with_outcome(outcome),
            );
        }
        if connected > 0.0 && rng.unit() < 0.5 {
            let qualified = at + hours(24.0 * (1.0 + rng.unit() * 3.0));
            timed.push(Event::sales_qualified(id.as_str(), qualified, rep.as_str()));
        }
    }
    timed.sort_by_key(Event::at);

    let senior = f64::from(u8::from(matches!(seniority, "vp" | "c_level")));
    let large = f64::from(u8::from(employees >= 1000.0));
    let log_odds = -2.9
        + 1.2 * senior
        + 1.0 * large
        + 0.6 * count("pricing_page_view")
        + 0.6 * count("webinar_attended")
        + 0.1 * count("email_click")
        + 1.2 * count("demo_request")
        + 0.5 * connected;
    let converted = rng.unit() < 1.0 / (1.0 + (-log_odds).exp());

    let mut events = vec![Event::created(id.as_str(), created, source).with_profile(profile)];
    events.extend(timed);
    SynthLead {
        id,
        events,
        converted,
    }
}

/// Every lead's events as JSON lines, in time order across leads (ties in lead order).
pub fn event_lines(leads: &[SynthLead]) -> Vec<String> {
    let mut all: Vec<(DateTime<Utc>, usize, usize, &Event)> = leads
        .iter()
        .enumerate()
        .flat_map(|(i, l)| {
            l.events
                .iter()
                .enumerate()
                .map(move |(j, e)| (e.at(), i, j, e))
        })
        .collect();
    all.sort_by_key(|&(at, i, j, _)| (at, i, j));
    all.into_iter()
        .map(|(_, _, _, e)| serde_json::to_string(e).expect("an event serializes"))
        .collect()
}

/// The labels CSV: header `lead,converted`, then one `id,1|0` row per lead.
pub fn label_lines(leads: &[SynthLead]) -> Vec<String> {
    std::iter::once("lead,converted".to_owned())
        .chain(
            leads
                .iter()
                .map(|l| format!("{},{}", l.id, u8::from(l.converted))),
        )
        .collect()
}

/// What `--help` prints.
const HELP: &str = "\
gen_calibration: writes a deterministic synthetic calibration dataset with a planted
signal for `calibrate` to find: DIR/events.jsonl (the leads' events, JSON lines) and
DIR/labels.csv (whether each converted). The same seed writes the same bytes.

usage: gen_calibration [--seed N] [--leads N] [--out DIR]
       gen_calibration --help

options:
  --seed N     the generator's seed. Default: 7.
  --leads N    how many leads. Default: 500.
  --out DIR    the directory to write to (created if missing).
               Default: examples/data/calibration.
  -h, --help   print this help and exit. Default: off.

exit status:
  0  the files were written, or --help printed
  2  the arguments are wrong or a file cannot be written: one line on standard
     error
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
    match write_dataset(args, &mut stdout, &mut stderr) {
        Ok(()) => 0,
        Err(e) => {
            // Nothing more can be done if standard error itself cannot be written.
            let _ = writeln!(stderr, "gen_calibration: {e}");
            2
        }
    }
}

fn write_dataset(
    args: Vec<OsString>,
    stdout: &mut impl Write,
    stderr: &mut impl Write,
) -> Result<(), String> {
    use lexopt::prelude::*;
    let (mut seed, mut leads) = (7u64, 500usize);
    let mut out = PathBuf::from("examples/data/calibration");
    let mut parser = lexopt::Parser::from_args(args);
    let usage = "usage: gen_calibration [--seed N] [--leads N] [--out DIR] | --help";
    while let Some(arg) = parser.next().map_err(|e| format!("{e} ({usage})"))? {
        match arg {
            Long("seed") => seed = number(&mut parser, "--seed", usage)?,
            Long("leads") => leads = number(&mut parser, "--leads", usage)?,
            Long("out") => out = parser.value().map_err(|e| format!("{e} ({usage})"))?.into(),
            Short('h') | Long("help") => {
                return stdout
                    .write_all(HELP.as_bytes())
                    .and_then(|()| stdout.flush())
                    .map_err(|e| format!("cannot write the help: {e}"));
            }
            _ => return Err(format!("{} ({usage})", arg.unexpected())),
        }
    }
    let data = generate(seed, leads);
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    for (name, lines) in [
        ("events.jsonl", event_lines(&data)),
        ("labels.csv", label_lines(&data)),
    ] {
        let path = out.join(name);
        let mut text = lines.join("\n");
        text.push('\n');
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    let converted = data.iter().filter(|l| l.converted).count();
    // A note, not a failure: nothing more can be done if standard error cannot be written.
    let _ = writeln!(
        stderr,
        "gen_calibration: wrote {} leads ({converted} converted) to {}",
        data.len(),
        out.display()
    );
    Ok(())
}

fn number<T: std::str::FromStr>(
    parser: &mut lexopt::Parser,
    flag: &str,
    usage: &str,
) -> Result<T, String> {
    let value = parser.value().map_err(|e| format!("{e} ({usage})"))?;
    value
        .to_str()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("{flag} {value:?} is not a whole number ({usage})"))
}
