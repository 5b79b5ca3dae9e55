//! The timely example (examples/timely.rs, docs/scaling.md) gives every lead the same
//! effects, byte for byte and in the same order, as the replay example: with 1, 2 and
//! 4 worker threads, with two processes on localhost, and across a restart from the
//! workers' snapshots (DESIGN.md, invariant 5). The example runs as its own process,
//! built once by `cargo build --example timely`; the replay example runs in process.

#[allow(dead_code)]
#[path = "../examples/replay.rs"]
mod replay;

use leadcycle::testing::{self, StreamOptions};
use leadcycle::{Engine, Policy};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data/sample.jsonl");
const UNTIL: &str = "2027-01-01T00:00:00Z";

/// The example's executable, built (or found up to date) once per test run.
fn example() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
        let output = Command::new(env!("CARGO"))
            .args(["build", "--example", "timely", "--message-format=json"])
            .args(["--manifest-path", manifest])
            .stderr(Stdio::inherit())
            .output()
            .expect("cargo runs");
        assert!(
            output.status.success(),
            "cargo build --example timely failed"
        );
        let messages = String::from_utf8(output.stdout).expect("cargo prints UTF-8");
        messages
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "timely")
            .find_map(|m| m["executable"].as_str().map(PathBuf::from))
            .expect("cargo names the example's executable")
    })
}

/// What one run of the timely example printed.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run_timely(args: &[&str]) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = Command::new(example())
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("the example starts");
    Run {
        code: status.code(),
        stdout: String::from_utf8(stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(stderr).expect("stderr is UTF-8"),
    }
}

impl Run {
    /// The effects of a run that succeeded.
    fn effects(&self) -> &str {
        assert_eq!(self.code, Some(0), "stderr: {}", self.stderr);
        &self.stdout
    }

    /// The merges that `--stats` says went across workers, summed over the workers.
    fn merges_across(&self) -> u64 {
        self.stderr
            .lines()
            .filter_map(|l| {
                l.split(", ")
                    .find(|p| p.ends_with(" merges across workers"))
            })
            .map(|p| p.split(' ').next().unwrap().parse::<u64>().unwrap())
            .sum()
    }
}

/// The replay example's effects for these events.
fn replay_effects(events: &Path, until: &str) -> String {
    let args: Vec<OsString> = ["--events", events.to_str().unwrap(), "--until", until]
        .iter()
        .map(OsString::from)
        .collect();
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let code = replay::run(args, &b""[..], &mut stdout, &mut stderr);
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&stderr));
    String::from_utf8(stdout).expect("effects are UTF-8")
}

/// Each lead's effect lines, in order; effects that name no lead under `None`. A line
/// is kept as printed, so equal maps mean the same bytes in the same order per lead.
fn per_lead(effects: &str) -> BTreeMap<Option<String>, Vec<String>> {
    let mut leads: BTreeMap<Option<String>, Vec<String>> = BTreeMap::new();
    for line in effects.lines() {
        let effect: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
        let lead = effect["lead"].as_str().map(str::to_owned);
        leads.entry(lead).or_default().push(line.to_owned());
    }
    leads
}

/// A scratch directory of one test, emptied.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("timely-tests")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Generated streams in the default policy's words, with late events, redeliveries
/// (duplicates), merges and ticks: the same streams on every run.
fn generated_streams(count: usize, steps: usize) -> Vec<String> {
    let engine = Engine::new(Policy::default()).unwrap();
    let strategy = testing::streams(&engine, StreamOptions::new(steps));
    let mut runner = TestRunner::deterministic();
    (0..count)
        .map(|_| {
            strategy
                .new_tree(&mut runner)
                .unwrap()
                .current()
                .to_string()
        })
        .collect()
}

/// Writes each generated stream to a file in `dir`.
fn write_streams(dir: &Path, streams: &[String]) -> Vec<PathBuf> {
    streams
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let path = dir.join(format!("stream-{i}.jsonl"));
            std::fs::write(&path, text).unwrap();
            path
        })
        .collect()
}

#[test]
fn one_worker_prints_exactly_the_replay_examples_effects_in_the_same_order() {
    let expected = replay_effects(Path::new(SAMPLE), UNTIL);
    let run = run_timely(&["--events", SAMPLE, "--until", UNTIL, "-w", "1"]);
    assert_eq!(run.effects(), expected);
}

#[test]
fn each_lead_gets_the_replay_examples_effects_with_1_2_and_4_workers_on_the_sample() {
    let expected = per_lead(&replay_effects(Path::new(SAMPLE), UNTIL));
    assert!(expected.len() > 3, "the sample has several leads");
    for workers in ["1", "2", "4"] {
        let run = run_timely(&[
            "--events", SAMPLE, "--until", UNTIL, "-w", workers, "--stats",
        ]);
        assert_eq!(per_lead(run.effects()), expected, "-w {workers}");
        if workers != "1" {
            // The sample's merge has its two leads on different workers.
            assert!(run.merges_across() > 0, "-w {workers}: {}", run.stderr);
        }
    }
}

#[test]
fn each_lead_gets_the_replay_examples_effects_on_generated_streams_with_duplicates_late_events_and_merges(
) {
    let dir = scratch("generated");
    let streams = write_streams(&dir, &generated_streams(6, 120));
    let mut merges_across = [0, 0];
    let mut refusals = String::new();
    for (i, events) in streams.iter().enumerate() {
        let expected_text = replay_effects(events, UNTIL);
        refusals.push_str(&expected_text);
        let expected = per_lead(&expected_text);
        let events = events.to_str().unwrap();
        for (k, workers) in ["1", "2", "4"].iter().enumerate() {
            let run = run_timely(&[
                "--events", events, "--until", UNTIL, "-w", workers, "--stats",
            ]);
            assert_eq!(
                per_lead(run.effects()),
                expected,
                "stream {i}, -w {workers}"
            );
            if k > 0 {
                merges_across[k - 1] += run.merges_across();
            }
        }
    }
    // The streams exercise what the partitioning could get wrong.
    assert!(
        refusals.contains(r#""kind":"duplicate_event""#),
        "a redelivered event"
    );
    assert!(
        refusals.contains(r#""kind":"out_of_order""#),
        "a late event"
    );
    assert!(refusals.contains(r#""cause":"merged""#), "a merge applied");
    assert!(merges_across.iter().all(|&n| n > 0), "{merges_across:?}");
}

/// Two localhost addresses that were free a moment ago.
fn free_addresses() -> [String; 2] {
    let listeners = [0, 1].map(|_| TcpListener::bind("127.0.0.1:0").unwrap());
    listeners.map(|l| l.local_addr().unwrap().to_string())
}

/// Runs the example as two timely processes of two threads each on localhost; returns
/// both runs.
fn run_two_processes(events: &str, dir: &Path) -> [Run; 2] {
    let hostfile = dir.join("hosts");
    std::fs::write(&hostfile, free_addresses().join("\n") + "\n").unwrap();
    let hostfile = hostfile.to_str().unwrap().to_owned();
    let spawn = |process: &str| {
        let args = [
            "--events", events, "--until", UNTIL, "--stats", "-w", "2", "-n", "2", "-p", process,
            "-h", &hostfile,
        ];
        Command::new(example())
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the example starts")
    };
    let children = [spawn("0"), spawn("1")];
    children.map(|child| {
        let output = child.wait_with_output().expect("the process ends");
        Run {
            code: output.status.code(),
            stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        }
    })
}

/// The effects of both processes. timely itself prints its connection progress on
/// standard output before the dataflow starts; those lines, and only those, are not
/// effects.
fn effects_of_processes(runs: &[Run; 2]) -> String {
    let mut effects = String::new();
    for run in runs {
        for line in run.effects().lines() {
            if line.starts_with('{') {
                effects.push_str(line);
                effects.push('\n');
            } else {
                assert!(
                    line.starts_with("awaiting connections")
                        || (line.starts_with("worker ") && line.contains("connecting to worker")),
                    "not an effect and not timely's connection progress: {line:?}"
                );
            }
        }
    }
    effects
}

#[test]
fn two_processes_on_localhost_give_each_lead_the_replay_examples_effects() {
    let dir = scratch("processes");
    let mut inputs = vec![PathBuf::from(SAMPLE)];
    inputs.extend(write_streams(&dir, &generated_streams(2, 120)));
    let mut merges_across = 0;
    for events in &inputs {
        let expected = per_lead(&replay_effects(events, UNTIL));
        let runs = run_two_processes(events.to_str().unwrap(), &dir);
        assert_eq!(
            per_lead(&effects_of_processes(&runs)),
            expected,
            "{}",
            events.display()
        );
        merges_across += runs.iter().map(Run::merges_across).sum::<u64>();
    }
    assert!(
        merges_across > 0,
        "a merge crossed workers (and so, here, maybe processes)"
    );
}

/// The first `n` lines of `text`, and the rest.
fn split_lines(text: &str, n: usize) -> (String, String) {
    let lines: Vec<&str> = text.lines().collect();
    let n = n.min(lines.len());
    let join = |part: &[&str]| part.iter().map(|l| format!("{l}\n")).collect::<String>();
    (join(&lines[..n]), join(&lines[n..]))
}

#[test]
fn a_run_restarted_from_its_workers_snapshots_gives_each_lead_the_effects_of_an_uninterrupted_run()
{
    let dir = scratch("restart");
    let streams = generated_streams(3, 150);
    for (i, stream) in streams.iter().enumerate() {
        let whole = dir.join(format!("whole-{i}.jsonl"));
        std::fs::write(&whole, stream).unwrap();
        let uninterrupted = per_lead(&replay_effects(&whole, UNTIL));

        let (first, second) = split_lines(stream, stream.lines().count() / 2);
        let first_path = dir.join(format!("first-{i}.jsonl"));
        let second_path = dir.join(format!("second-{i}.jsonl"));
        std::fs::write(&first_path, first).unwrap();
        std::fs::write(&second_path, second).unwrap();

        // Two workers write their snapshots; the restart runs on two, then on three
        // (the leads are dealt out again by their hash).
        let state = dir.join(format!("state-{i}"));
        std::fs::create_dir_all(&state).unwrap();
        let before = run_timely(&[
            "--events",
            first_path.to_str().unwrap(),
            "-w",
            "2",
            "--state-out",
            state.to_str().unwrap(),
        ]);
        let before = before.effects().to_owned();
        assert!(
            state.join("book-0-of-2.json").is_file() && state.join("book-1-of-2.json").is_file()
        );
        for workers in ["2", "3"] {
            let after = run_timely(&[
                "--events",
                second_path.to_str().unwrap(),
                "--until",
                UNTIL,
                "-w",
                workers,
                "--state-in",
                state.to_str().unwrap(),
            ]);
            let restarted = per_lead(&(before.clone() + after.effects()));
            assert_eq!(
                restarted, uninterrupted,
                "stream {i}, restarted on {workers} workers"
            );
        }
    }
}

/// Asserts a run failed with status 2, one line on standard error and no effect.
fn assert_refused(run: &Run, expected: &str) {
    assert_eq!(
        run.code,
        Some(2),
        "stdout: {}\nstderr: {}",
        run.stdout,
        run.stderr
    );
    assert_eq!(run.stdout, "", "no effect is written");
    assert_eq!(run.stderr.lines().count(), 1, "{:?}", run.stderr);
    assert!(run.stderr.starts_with("timely: "), "{}", run.stderr);
    assert!(
        run.stderr.contains(expected),
        "{:?} does not say {expected:?}",
        run.stderr
    );
}

#[test]
fn an_incomplete_or_mixed_set_of_snapshots_is_refused_with_exit_2_before_any_effect() {
    let dir = scratch("bad-state");
    let state = dir.join("state");
    std::fs::create_dir_all(&state).unwrap();
    let run = run_timely(&[
        "--events",
        SAMPLE,
        "-w",
        "2",
        "--state-out",
        state.to_str().unwrap(),
    ]);
    run.effects();
    std::fs::remove_file(state.join("book-1-of-2.json")).unwrap();
    let run = run_timely(&["--events", SAMPLE, "--state-in", state.to_str().unwrap()]);
    assert_refused(&run, "book-0-of-N.json to book-(N-1)-of-N.json");

    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let run = run_timely(&["--events", SAMPLE, "--state-in", empty.to_str().unwrap()]);
    assert_refused(&run, "holds no book-I-of-N.json snapshot");

    let broken = dir.join("broken");
    std::fs::create_dir_all(&broken).unwrap();
    std::fs::write(broken.join("book-0-of-1.json"), "{").unwrap();
    let run = run_timely(&["--events", SAMPLE, "--state-in", broken.to_str().unwrap()]);
    assert_refused(&run, "it is not a leadcycle snapshot");

    // A part cut short is refused before any part is merged.
    let cut = dir.join("cut");
    std::fs::create_dir_all(&cut).unwrap();
    let whole = std::fs::read(state.join("book-0-of-2.json")).unwrap();
    std::fs::write(cut.join("book-0-of-1.json"), &whole[..whole.len() - 1]).unwrap();
    let run = run_timely(&["--events", SAMPLE, "--state-in", cut.to_str().unwrap()]);
    assert_refused(&run, "it is truncated");
}

#[test]
fn wrong_arguments_are_refused_with_exit_2_and_one_line_before_any_effect() {
    let missing = scratch("missing").join("no-such-dir");
    let cases: [(&[&str], &str); 5] = [
        (
            &["--events", SAMPLE, "-n", "2", "-p", "2"],
            "-p 2 names no process of -n 2",
        ),
        (
            &["--events", SAMPLE, "-w", "0"],
            "-w \"0\" is not a whole number of at least 1",
        ),
        (&["--events", SAMPLE, "--bogus"], "--bogus"),
        (
            &["--events", "/no/such/events.jsonl"],
            "cannot read events /no/such/events.jsonl",
        ),
        (
            &["--events", SAMPLE, "--state-out", missing.to_str().unwrap()],
            "is not a directory",
        ),
    ];
    for (args, expected) in cases {
        assert_refused(&run_timely(args), expected);
    }
}

#[test]
fn a_policy_that_rolls_up_accounts_is_refused_since_partitioning_by_lead_splits_accounts() {
    let run = run_timely(&[
        "--policy",
        "examples/policies/accounts.toml",
        "--events",
        "examples/data/accounts.jsonl",
        "-w",
        "2",
    ]);
    assert_refused(&run, "has an [accounts] section");
}

#[test]
fn help_lists_every_flag_with_its_default_and_the_exit_codes() {
    let run = run_timely(&["--help"]);
    let help = run.effects();
    for flag in [
        "--policy",
        "--events",
        "--until",
        "--state-in",
        "--state-out",
        "--stats",
        "-w, --threads",
        "-n, --processes",
        "-p, --process",
        "-h, --hostfile",
        "--help",
    ] {
        // The flag's entry: its line, and the indented lines up to the next flag.
        let mut lines = help
            .lines()
            .skip_while(|l| !l.trim_start().starts_with(flag));
        let first = lines
            .next()
            .unwrap_or_else(|| panic!("{flag} is not listed:\n{help}"));
        let entry: Vec<&str> = std::iter::once(first)
            .chain(lines.take_while(|l| {
                let text = l.trim_start();
                !text.is_empty() && !text.starts_with('-')
            }))
            .collect();
        let entry = entry.join("\n");
        assert!(
            entry.contains("Default:"),
            "{flag} has no default in:\n{help}"
        );
    }
    assert!(help.contains("exit status:") && help.contains("  0  ") && help.contains("  2  "));
}
