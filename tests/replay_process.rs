//! The replay example as a real process: every exit status and every kind of failure
//! message it has, and a run killed with SIGKILL mid-run and mid-write that leaves the
//! previous snapshot intact (docs/testing.md, "Crash-safe state"). tests/replay.rs
//! checks the same command line in process, through its `run` function.

use leadcycle::{Engine, LeadBook, Policy, Snapshot};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data/sample.jsonl");

/// The replay example's executable, built by cargo if needed (`cargo test --test
/// replay_process` alone does not build the examples).
fn replay_binary() -> PathBuf {
    static BINARY: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BINARY
        .get_or_init(|| {
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
            let output = Command::new(cargo)
                .args(["build", "--example", "replay", "--message-format=json"])
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .stderr(Stdio::inherit())
                .output()
                .expect("cargo runs");
            assert!(output.status.success(), "cargo build --example replay");
            let stdout = String::from_utf8(output.stdout).expect("cargo prints UTF-8");
            stdout
                .lines()
                .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
                .filter(|m| m["target"]["name"] == "replay")
                .find_map(|m| m["executable"].as_str().map(PathBuf::from))
                .expect("cargo names the replay executable")
        })
        .clone()
}

/// A scratch directory of one test.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("replay-process")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// What one run of the process left: its exit status, standard output and error.
struct Exit {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs the replay with `args`, `stdin` on its standard input.
fn run(args: &[&str], stdin: Stdio) -> Exit {
    let output = Command::new(replay_binary())
        .args(args)
        .stdin(stdin)
        .output()
        .expect("the replay runs");
    Exit {
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout).expect("UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8"),
    }
}

/// Runs the replay with `args` and `input` on standard input.
fn run_with_input(args: &[&str], input: &[u8]) -> Exit {
    let mut child = Command::new(replay_binary())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the replay runs");
    let mut stdin = child.stdin.take().expect("piped");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        // The replay may stop reading early (a failure); that is its exit to check.
        let _ = stdin.write_all(&input);
    });
    let output = child.wait_with_output().expect("the replay ends");
    writer.join().expect("the writer ends");
    Exit {
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout).expect("UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8"),
    }
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

// --- every exit status and failure message ----------------------------------------

/// Files for the failure cases, in `dir`: a policy of another threshold, an unparsable
/// and an invalid policy, a good state and damaged copies of it.
struct Fixtures {
    other_policy: PathBuf,
    unparsable_policy: PathBuf,
    invalid_policy: PathBuf,
    good_state: PathBuf,
    unsealed_state: PathBuf,
    truncated_state: PathBuf,
    edited_state: PathBuf,
    unparsable_state: PathBuf,
    missing: PathBuf,
    dir: PathBuf,
    a_file: PathBuf,
}

fn fixtures() -> Fixtures {
    let dir = scratch("exits");
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    let good_state = dir.join("good-state.json");
    let made = run(
        &["--events", SAMPLE, "--state-out", path(&good_state)],
        Stdio::null(),
    );
    assert_eq!(made.code, Some(0), "{}", made.stderr);
    let sealed = std::fs::read(&good_state).unwrap();
    let newline = sealed.iter().position(|&b| b == b'\n').unwrap();
    let mut edited = sealed.clone();
    let last = edited.len() - 2;
    edited[last] = if edited[last] == b'1' { b'2' } else { b'1' };
    Fixtures {
        other_policy: write("other.toml", b"[scoring]\nmql_threshold = 80\n"),
        unparsable_policy: write("unparsable.toml", b"[scoring]\nmql_treshold = 80\n"),
        invalid_policy: write("invalid.toml", b"[scoring]\nhalf_life_days = 0\n"),
        unsealed_state: write("unsealed.json", &sealed[newline + 1..]),
        truncated_state: write("truncated.json", &sealed[..sealed.len() - 7]),
        edited_state: write("edited.json", &edited),
        unparsable_state: write(
            "unparsable-state.json",
            &LeadBook::new().snapshot().seal(b"{\"leads\": 7}"),
        ),
        good_state,
        missing: dir.join("no-such-file"),
        a_file: write("a-file", b"not a directory"),
        dir,
    }
}

#[test]
fn every_exit_status_and_failure_kind_of_the_replay_process() {
    let f = fixtures();
    let state_in_missing_dir = f.missing.join("state.json");
    let report_under_a_file = f.a_file.join("report");
    // (arguments, exit status, the start of the line on standard error)
    let cases: Vec<(Vec<&str>, i32, &str)> = vec![
        (vec!["--events", SAMPLE], 0, ""),
        (vec!["--help"], 0, ""),
        (vec!["--print-policy"], 0, ""),
        (vec!["--bogus"], 2, "replay: invalid option '--bogus'"),
        (vec![SAMPLE], 2, "replay: unexpected argument"),
        (
            vec!["--events"],
            2,
            "replay: missing argument for option '--events'",
        ),
        (
            vec!["--events", SAMPLE, "--events", SAMPLE],
            2,
            "replay: --events is given twice",
        ),
        (
            vec!["--until", "March"],
            2,
            "replay: --until \"March\" is not an RFC 3339 time",
        ),
        (
            vec!["--print-policy", "--events", SAMPLE],
            2,
            "replay: --print-policy prints the policy and replays nothing",
        ),
        (
            vec!["--policy", path(&f.missing)],
            2,
            "replay: cannot read policy",
        ),
        (
            vec!["--policy", path(&f.unparsable_policy)],
            2,
            "replay: cannot parse policy",
        ),
        (
            vec!["--policy", path(&f.invalid_policy)],
            2,
            "replay: invalid policy",
        ),
        (
            vec!["--events", path(&f.missing)],
            2,
            "replay: cannot read events",
        ),
        (
            vec!["--state-in", path(&f.missing)],
            2,
            "replay: cannot read state",
        ),
        (
            vec!["--state-in", path(&f.unsealed_state)],
            2,
            "replay: cannot restore state",
        ),
        (
            vec!["--state-in", path(&f.truncated_state)],
            2,
            "replay: cannot restore state",
        ),
        (
            vec!["--state-in", path(&f.edited_state)],
            2,
            "replay: cannot restore state",
        ),
        (
            vec![
                "--policy",
                path(&f.other_policy),
                "--state-in",
                path(&f.good_state),
            ],
            2,
            "replay: cannot restore state",
        ),
        (
            vec!["--state-in", path(&f.unparsable_state)],
            2,
            "replay: cannot parse state",
        ),
        (
            vec!["--state-out", path(&state_in_missing_dir)],
            2,
            "replay: cannot write state",
        ),
        (
            vec!["--state-out", path(&f.dir)],
            2,
            "replay: cannot write state",
        ),
        (
            vec!["--report", path(&report_under_a_file)],
            2,
            "replay: cannot create report directory",
        ),
    ];
    for (args, code, error) in &cases {
        let exit = run(args, Stdio::null());
        assert_eq!(exit.code, Some(*code), "{args:?}: {}", exit.stderr);
        if *code == 0 {
            assert_eq!(exit.stderr, "", "{args:?}");
            assert!(!exit.stdout.is_empty(), "{args:?} prints something");
        } else {
            assert_eq!(exit.stderr.lines().count(), 1, "{args:?}: {}", exit.stderr);
            assert!(exit.stderr.starts_with(error), "{args:?}: {}", exit.stderr);
            assert_eq!(
                exit.stdout, "",
                "{args:?}: nothing printed before a refusal"
            );
        }
    }
    // The damaged states each name what is wrong with them.
    for (state, says) in [
        (&f.unsealed_state, "it is not a leadcycle snapshot"),
        (&f.truncated_state, "it is truncated"),
        (&f.edited_state, "its checksum does not match"),
    ] {
        let exit = run(&["--state-in", path(state)], Stdio::null());
        assert!(exit.stderr.contains(says), "{}", exit.stderr);
    }
}

#[test]
fn replay_process_exits_0_for_rejected_and_malformed_events() {
    let input = b"not json\n{\"type\":\"touch\",\"lead\":\"L9\",\"at\":\"2026-01-05T10:00:00Z\",\"kind\":\"email_open\"}\n";
    let exit = run_with_input(&[], input);
    assert_eq!(exit.code, Some(0), "{}", exit.stderr);
    let kinds: Vec<serde_json::Value> = exit
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["kind"].clone())
        .collect();
    assert_eq!(kinds, ["malformed", "unknown_lead"]);
}

#[test]
fn replay_process_exits_2_when_standard_input_cannot_be_read() {
    // A directory as standard input: every read fails.
    let dir = std::fs::File::open(scratch("stdin-dir")).unwrap();
    let exit = run(&[], Stdio::from(dir));
    assert_eq!(exit.code, Some(2), "{}", exit.stderr);
    assert!(
        exit.stderr
            .starts_with("replay: cannot read events from standard input after line 0"),
        "{}",
        exit.stderr
    );
}

#[test]
fn replay_process_exits_2_when_its_standard_output_is_closed() {
    // A pipe whose read end is closed before the replay starts: every write is a
    // broken pipe (Rust programs ignore SIGPIPE). Closing it after the spawn would race
    // with the replay, whose whole output fits in the pipe's buffer.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let output = Command::new(replay_binary())
        .args(["--events", SAMPLE])
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.starts_with("replay: cannot write effects"),
        "{stderr}"
    );
}

#[test]
fn replay_help_lists_exactly_the_exit_statuses_the_process_has() {
    let help = run(&["--help"], Stdio::null()).stdout;
    let section = help
        .split("exit status:")
        .nth(1)
        .expect("an exit status section");
    let codes: Vec<&str> = section
        .lines()
        .filter_map(|l| l.strip_prefix("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|w| w.chars().all(|c| c.is_ascii_digit()))
        .collect();
    // 0 and 2 are what the test above produces; there is no 1 (a failure is 2, as
    // CONTRACT.md fixes it).
    assert_eq!(codes, ["0", "2"]);
}

// --- killed mid-run and mid-write ---------------------------------------------------

/// `leads` leads' events as JSON lines, in time order: the first part creates and
/// scores them, the second moves them on (accepts, attempts, disqualifies, ticks).
fn generated_events(leads: usize) -> (String, String) {
    let mut first = String::new();
    let mut second = String::new();
    let at = |day: u32, n: usize| {
        format!(
            "2026-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            1 + day / 28,
            1 + day % 28,
            (n / 3600) % 24,
            (n / 60) % 60,
            n % 60
        )
    };
    for i in 0..leads {
        first.push_str(&format!(
            "{{\"type\":\"created\",\"lead\":\"L{i}\",\"at\":\"{}\",\"source\":\"webinar\",\"campaign\":\"c{}\",\"profile\":{{\"seniority\":\"vp\",\"employees\":{}}}}}\n",
            at(0, i),
            i % 17,
            i % 900
        ));
        first.push_str(&format!(
            "{{\"type\":\"touch\",\"lead\":\"L{i}\",\"at\":\"{}\",\"kind\":\"pricing_page_view\",\"content\":\"roi-calculator\",\"id\":\"t{i}\"}}\n",
            at(1, i)
        ));
    }
    for i in 0..leads {
        let (accept, later) = (at(2, i), at(3, i));
        second.push_str(&format!("{{\"type\":\"sales_accepted\",\"lead\":\"L{i}\",\"at\":\"{accept}\",\"rep\":\"R{}\"}}\n", i % 7));
        if i % 3 == 0 {
            second.push_str(&format!("{{\"type\":\"disqualified\",\"lead\":\"L{i}\",\"at\":\"{later}\",\"rep\":\"R{}\",\"reason\":\"bad_timing\"}}\n", i % 7));
        } else {
            second.push_str(&format!("{{\"type\":\"sales_attempt\",\"lead\":\"L{i}\",\"at\":\"{later}\",\"rep\":\"R{}\"}}\n", i % 7));
        }
    }
    second.push_str("{\"type\":\"tick\",\"at\":\"2026-04-01T00:00:00Z\"}\n");
    (first, second)
}

/// The temporary file the replay with process id `pid` writes `state` through.
fn temporary(state: &Path, pid: u32) -> PathBuf {
    let name = state.file_name().unwrap().to_str().unwrap();
    state.with_file_name(format!(".{name}.{pid}.tmp"))
}

/// Starts the second part from `state`, writing it back to `state`.
fn start_second_part(events: &Path, state: &Path, stdout: Stdio) -> Child {
    Command::new(replay_binary())
        .args(["--events", path(events), "--state-in", path(state)])
        .args(["--state-out", path(state)])
        .stdout(stdout)
        .stderr(Stdio::null())
        .spawn()
        .expect("the replay starts")
}

/// Kills the second part with SIGKILL once its temporary state file holds bytes: the
/// snapshot is being written. Tries again (from the same state) when a run ends by
/// itself first; returns the attempts it took and the temporary file the killed run
/// left, or `None` when no run was caught writing.
#[cfg(unix)]
fn kill_while_writing(events: &Path, state: &Path, previous: &[u8]) -> Option<(usize, PathBuf)> {
    use std::os::unix::process::ExitStatusExt;
    for attempt in 1..=5 {
        let mut child = start_second_part(events, state, Stdio::null());
        let temp = temporary(state, child.id());
        let status = loop {
            if let Some(status) = child.try_wait().expect("the replay is there") {
                break status;
            }
            if std::fs::metadata(&temp).is_ok_and(|m| m.len() > 0) {
                child.kill().expect("SIGKILL is sent");
                break child.wait().expect("the replay is reaped");
            }
            std::thread::sleep(std::time::Duration::from_micros(200));
        };
        // Only a death by SIGKILL is a kill mid-write: a run that exited by itself
        // (before the poll, or between it and the signal) replaced the state.
        if status.signal() == Some(9) {
            return Some((attempt, temp));
        }
        std::fs::write(state, previous).unwrap();
    }
    None
}

/// The temporary state files (`.NAME.PID.tmp`) beside `state`, sorted.
fn temporaries_beside(state: &Path) -> Vec<String> {
    let prefix = format!(".{}.", state.file_name().unwrap().to_str().unwrap());
    let mut names: Vec<String> = std::fs::read_dir(state.parent().unwrap())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.starts_with(&prefix) && name.ends_with(".tmp"))
        .collect();
    names.sort();
    names
}

#[cfg(unix)]
#[test]
fn replay_killed_mid_run_or_mid_write_leaves_the_previous_snapshot_and_a_rerun_from_it_gives_the_uninterrupted_effects(
) {
    use std::os::unix::process::ExitStatusExt;
    let dir = scratch("killed");
    let (first, second) = generated_events(6_000);
    let first_events = dir.join("first.jsonl");
    let second_events = dir.join("second.jsonl");
    let all_events = dir.join("all.jsonl");
    std::fs::write(&first_events, &first).unwrap();
    std::fs::write(&second_events, &second).unwrap();
    std::fs::write(&all_events, format!("{first}{second}")).unwrap();
    let state = dir.join("state.json");

    let first_run = run(
        &["--events", path(&first_events), "--state-out", path(&state)],
        Stdio::null(),
    );
    assert_eq!(first_run.code, Some(0), "{}", first_run.stderr);
    let previous = std::fs::read(&state).unwrap();

    // Killed mid-run: after its first effect, long before the end of its input.
    let mut child = start_second_part(&second_events, &state, Stdio::piped());
    let mut effects = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    effects.read_line(&mut line).unwrap();
    assert!(line.contains("\"lead\""), "an effect was written: {line}");
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.signal(), Some(9), "killed by SIGKILL");
    assert_eq!(std::fs::read(&state).unwrap(), previous, "killed mid-run");

    // Killed mid-write: while the new snapshot is written to its temporary file, which
    // the killed run leaves behind.
    let (_, left_behind) = kill_while_writing(&second_events, &state, &previous)
        .expect("no run was caught writing its snapshot");
    assert_eq!(std::fs::read(&state).unwrap(), previous, "killed mid-write");
    assert!(
        std::fs::metadata(&left_behind).is_ok_and(|m| m.len() > 0),
        "the run killed mid-write left its partial temporary file"
    );

    // The previous snapshot restores, and a rerun from it gives the effects that an
    // uninterrupted run gives for the same events.
    let engine = Engine::new(Policy::default()).unwrap();
    let body = Snapshot::unseal(&previous, &engine).expect("the snapshot is intact");
    let snapshot: Snapshot = serde_json::from_slice(body).unwrap();
    LeadBook::restore(snapshot, &engine).expect("the snapshot restores");
    let rerun = run(
        &["--events", path(&second_events), "--state-in", path(&state)],
        Stdio::null(),
    );
    assert_eq!(rerun.code, Some(0), "{}", rerun.stderr);
    assert!(
        !temporaries_beside(&state).is_empty(),
        "a run without --state-out leaves the killed runs' temporaries alone"
    );
    // The next run that writes the state removes what the killed runs left.
    let written = run(
        &[
            "--events",
            path(&second_events),
            "--state-in",
            path(&state),
            "--state-out",
            path(&state),
        ],
        Stdio::null(),
    );
    assert_eq!(written.code, Some(0), "{}", written.stderr);
    assert_eq!(
        written.stdout, rerun.stdout,
        "the same run, writing its state"
    );
    assert_eq!(temporaries_beside(&state), Vec::<String>::new());
    let whole = run(&["--events", path(&all_events)], Stdio::null());
    assert_eq!(whole.code, Some(0), "{}", whole.stderr);
    assert_eq!(
        format!("{}{}", first_run.stdout, rerun.stdout),
        whole.stdout
    );
    assert!(
        rerun.stdout.lines().count() > 20_000,
        "the second part did something"
    );
}

/// A state file's temporaries that killed runs left (`.NAME.PID.tmp`, docs/semantics.md,
/// "Snapshots and stored leads") are removed by the next run that writes that state
/// file; a name of any other shape, and another file's temporaries, are not touched.
#[test]
fn a_state_out_write_removes_the_temporaries_killed_runs_left_for_that_file_and_nothing_else() {
    let dir = scratch("stale-temporaries");
    let state = dir.join("state.json");
    let stale = [".state.json.4242.tmp", ".state.json.7.tmp"];
    let kept = [
        ".other.json.4242.tmp",  // another file's temporary
        ".state.json.42a.tmp",   // not a process id
        ".state.json..tmp",      // no process id
        "state.json.4242.tmp",   // not hidden
        ".state.json.4242.tmp~", // not ending in .tmp
        ".state.json.4242",      // no .tmp at all
        ".state.jsonx.4242.tmp", // a longer name
    ];
    for name in stale.iter().chain(&kept) {
        std::fs::write(dir.join(name), b"{\"half a snapsh").unwrap();
    }

    let exit = run(
        &["--events", SAMPLE, "--state-out", path(&state)],
        Stdio::null(),
    );
    assert_eq!(exit.code, Some(0), "{}", exit.stderr);

    for name in stale {
        assert!(!dir.join(name).exists(), "{name} is removed");
    }
    for name in kept {
        assert!(dir.join(name).exists(), "{name} is kept");
    }
    let engine = Engine::new(Policy::default()).unwrap();
    let sealed = std::fs::read(&state).unwrap();
    let body = Snapshot::unseal(&sealed, &engine).expect("the new snapshot is whole");
    let snapshot: Snapshot = serde_json::from_slice(body).unwrap();
    LeadBook::restore(snapshot, &engine).expect("the new snapshot restores");
}

/// A run that fails before writing its state (here: an unreadable events file) keeps
/// the leftovers too: only a completed write replaces them.
#[test]
fn a_failed_run_leaves_the_state_files_temporaries_alone() {
    let dir = scratch("stale-temporaries-failed-run");
    let state = dir.join("state.json");
    let stale = dir.join(".state.json.4242.tmp");
    std::fs::write(&stale, b"{\"half").unwrap();
    let missing = dir.join("no-such-events.jsonl");
    let exit = run(
        &["--events", path(&missing), "--state-out", path(&state)],
        Stdio::null(),
    );
    assert_eq!(exit.code, Some(2), "{}", exit.stderr);
    assert!(stale.exists(), "a failed run removes nothing");
    assert!(!state.exists(), "and writes no state");
}
