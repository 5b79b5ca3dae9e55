//! The replay example's command line (CONTRACT.md, "The replay example"), run in
//! process through its `run` function.

#[allow(dead_code)]
#[path = "../examples/replay.rs"]
mod replay;

use leadcycle::{
    Effect, EffectKind, Engine, Event, LeadBook, Policy, RejectKind, Snapshot, SnapshotHeader,
};
use serde_json::{json, Value};
use std::ffi::OsString;
use std::path::PathBuf;

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data/sample.jsonl");
const DEFAULT_POLICY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/policies/default.toml"
);

/// What one run printed.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The effects printed, as JSON values; every line must be one.
    fn effects(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    }

    /// Asserts the run ended with status 2 and exactly one line on standard error,
    /// and returns that line.
    fn single_error_line(&self) -> &str {
        assert_eq!(
            self.code, 2,
            "stdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        assert!(self.stderr.ends_with('\n'), "{:?}", self.stderr);
        assert_eq!(self.stderr.lines().count(), 1, "{:?}", self.stderr);
        let line = self.stderr.trim_end_matches('\n');
        assert!(line.starts_with("replay: "), "{line}");
        line
    }
}

fn run_with(args: &[&str], stdin: &str) -> Run {
    let args: Vec<OsString> = args.iter().map(OsString::from).collect();
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let code = replay::run(args, stdin.as_bytes(), &mut stdout, &mut stderr);
    Run {
        code,
        stdout: String::from_utf8(stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(stderr).expect("stderr is UTF-8"),
    }
}

/// A path for a scratch file of one test; each test uses its own names.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("replay-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    path
}

fn write_scratch(name: &str, text: &str) -> String {
    let path = scratch(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

/// Whether every key of `expected` has the same value in `actual`.
fn has_fields(actual: &Value, expected: &Value) -> bool {
    expected
        .as_object()
        .unwrap()
        .iter()
        .all(|(k, v)| actual.get(k) == Some(v))
}

/// Asserts that `expected` (partial effects) appear in `effects` in this order.
fn assert_in_order(effects: &[Value], expected: &[Value]) {
    let mut rest = effects.iter();
    for want in expected {
        assert!(
            rest.any(|e| has_fields(e, want)),
            "missing (or out of order): {want}\nin:\n{}",
            effects
                .iter()
                .map(Value::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

/// The sample without its deliberately malformed line, so that line numbers do not
/// matter when the stream is split.
fn sample_without_malformed_line() -> Vec<String> {
    std::fs::read_to_string(SAMPLE)
        .unwrap()
        .lines()
        .filter(|l| serde_json::from_str::<Event>(l).is_ok())
        .map(str::to_owned)
        .collect()
}

#[test]
fn sample_file_replays_with_exit_0_and_the_expected_key_effects() {
    let run = run_with(&["--policy", DEFAULT_POLICY, "--events", SAMPLE], "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "");
    for line in run.stdout.lines() {
        serde_json::from_str::<Effect>(line).unwrap_or_else(|e| panic!("{e}: {line}"));
    }
    let effects = run.effects();
    assert_in_order(
        &effects,
        &[
            json!({"type": "transition", "lead": "L1", "from": null, "to": "inquiry", "cause": "created", "at": "2026-01-05T10:00:00Z"}),
            json!({"type": "transition", "lead": "L1", "from": "inquiry", "to": "sal", "cause": "sales_accepted"}),
            json!({"type": "transition", "lead": "L1", "from": "sal", "to": "recycled", "cause": "disqualified", "at": "2026-01-20T12:00:00Z"}),
            json!({"type": "nurture_assigned", "lead": "L1", "program": "timing_drip", "step": 0, "reason": "bad_timing"}),
            json!({"type": "nurture_step_due", "lead": "L1", "program": "timing_drip", "step": 0, "content": "timing-tips"}),
            json!({"type": "transition", "lead": "L2", "from": "inquiry", "to": "mql", "cause": "hand_raiser"}),
            json!({"type": "rejected", "lead": "L2", "kind": "duplicate_event"}),
            json!({"type": "transition", "lead": "L3", "from": "opportunity", "to": "customer", "cause": "opportunity_won"}),
            json!({"type": "nurture_assigned", "lead": "L3", "program": "onboarding", "step": 0, "reason": "opportunity_won"}),
            json!({"type": "rejected", "lead": "L1", "kind": "illegal_transition"}),
            // L4 is a duplicate of L1: removed, and L1 absorbs it.
            json!({"type": "transition", "lead": "L4", "from": "inquiry", "to": "removed", "cause": "merged", "at": "2026-01-22T09:00:00Z"}),
            json!({"type": "rejected", "lead": null, "at": null, "kind": "malformed", "line": 18}),
            // The tick fires L2's missed service levels and its passive recycling.
            json!({"type": "sla_breached", "lead": "L2", "stage": "mql", "sla": "respond", "at": "2026-01-11T08:00:00Z"}),
            json!({"type": "sla_breached", "lead": "L2", "stage": "mql", "sla": "idle", "at": "2026-01-16T08:00:00Z"}),
            json!({"type": "transition", "lead": "L2", "from": "mql", "to": "recycled", "cause": "sla_idle", "at": "2026-01-16T08:00:00Z"}),
            json!({"type": "nurture_assigned", "lead": "L2", "program": "stalled", "step": 0, "reason": "sla_idle"}),
            json!({"type": "nurture_ended", "lead": "L2", "program": "stalled", "why": "completed"}),
            json!({"type": "nurture_assigned", "lead": "L2", "program": "general_nurture", "reason": "completed"}),
            // L1 raises its hand and goes back to its original rep.
            json!({"type": "transition", "lead": "L1", "from": "recycled", "to": "mql", "cause": "hand_raiser", "at": "2026-03-05T09:00:00Z"}),
            json!({"type": "nurture_ended", "lead": "L1", "program": "timing_drip", "why": "re_engaged"}),
            json!({"type": "routed", "lead": "L1", "rep": "R7", "why": "re_engaged"}),
            json!({"type": "rejected", "lead": "L9", "kind": "unknown_lead"}),
        ],
    );
    // The last line is the refused touch of an unknown lead: nothing after it.
    assert_eq!(effects.last().unwrap()["lead"], "L9");
}

#[test]
fn sample_effects_are_exactly_the_books_effects_event_by_event() {
    let run = run_with(&["--events", SAMPLE], "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let engine = Engine::new(Policy::default()).unwrap();
    let mut book = LeadBook::new();
    let mut expected = Vec::new();
    for (i, line) in std::fs::read_to_string(SAMPLE).unwrap().lines().enumerate() {
        match serde_json::from_str::<Event>(line) {
            Ok(event) => {
                for effect in book.apply(&engine, &event) {
                    expected.push(serde_json::to_string(&effect).unwrap());
                }
            }
            // The problem text is serde's; the rest is checked here.
            Err(_) => expected.push(format!("malformed line {}", i + 1)),
        }
    }
    let got: Vec<String> = run
        .stdout
        .lines()
        .map(|l| {
            let effect: Effect = serde_json::from_str(l).unwrap();
            match effect.kind {
                EffectKind::Rejected {
                    kind: RejectKind::Malformed,
                    line: Some(n),
                    ..
                } => format!("malformed line {n}"),
                _ => l.to_owned(),
            }
        })
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn policy_flag_may_be_omitted_for_the_embedded_default() {
    let with = run_with(&["--policy", DEFAULT_POLICY, "--events", SAMPLE], "");
    let without = run_with(&["--events", SAMPLE], "");
    assert_eq!(without.code, 0, "{}", without.stderr);
    assert_eq!(with.stdout, without.stdout);
}

#[test]
fn events_are_read_from_standard_input_without_events_flag() {
    let text = std::fs::read_to_string(SAMPLE).unwrap();
    let from_stdin = run_with(&[], &text);
    let from_file = run_with(&["--events", SAMPLE], "");
    assert_eq!(from_stdin.code, 0, "{}", from_stdin.stderr);
    assert!(!from_stdin.stdout.is_empty());
    assert_eq!(from_stdin.stdout, from_file.stdout);
}

#[test]
fn malformed_line_yields_rejected_effect_with_its_physical_line_number_and_the_run_goes_on() {
    let input = concat!(
        r#"{"type":"created","lead":"A","at":"2026-01-05T10:00:00Z","source":"web"}"#,
        "\n",
        "\n", // line 2: blank, skipped without an effect
        "{not json\n",
        r#"{"type":"touch","lead":"A","at":"2026-01-06T10:00:00Z","kind":"demo_request"}"#,
        "\n",
    );
    let run = run_with(&[], input);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let effects = run.effects();
    assert_eq!(effects.len(), 3, "{}", run.stdout);
    assert_eq!(effects[0]["type"], "transition");
    let rejected = &effects[1];
    assert_eq!(rejected["type"], "rejected");
    assert_eq!(rejected["kind"], "malformed");
    assert_eq!(rejected["line"], 3);
    assert_eq!(rejected["lead"], Value::Null);
    assert_eq!(rejected["at"], Value::Null);
    let message = rejected["message"].as_str().unwrap();
    assert!(
        message.starts_with("line 3 is not a valid event: "),
        "{message}"
    );
    // The run went on: the touch on the next line was applied.
    assert!(has_fields(
        &effects[2],
        &json!({"type": "transition", "lead": "A", "from": "inquiry", "to": "mql", "cause": "hand_raiser"})
    ));
}

#[test]
fn event_missing_its_lead_is_a_malformed_line_naming_the_field() {
    let input = concat!(
        r#"{"type":"touch","at":"2026-01-06T10:00:00Z","kind":"email_open"}"#,
        "\n",
        r#"{"type":"tick","lead":"A","at":"2026-01-06T10:00:00Z"}"#,
        "\n",
    );
    let run = run_with(&[], input);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let effects = run.effects();
    assert_eq!(effects.len(), 2, "{}", run.stdout);
    assert_eq!(effects[0]["kind"], "malformed");
    assert_eq!(effects[0]["line"], 1);
    assert!(effects[0]["message"].as_str().unwrap().contains("`lead`"));
    assert_eq!(effects[1]["kind"], "malformed");
    assert_eq!(effects[1]["line"], 2);
    assert!(effects[1]["message"].as_str().unwrap().contains("tick"));
}

#[test]
fn invalid_utf8_line_is_malformed_and_the_run_goes_on() {
    let mut input = b"\xff\xfe garbage\n".to_vec();
    input.extend_from_slice(
        br#"{"type":"created","lead":"A","at":"2026-01-05T10:00:00Z","source":"web"}"#,
    );
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let code = replay::run(Vec::new(), &input[..], &mut stdout, &mut stderr);
    assert_eq!(code, 0);
    let stdout = String::from_utf8(stdout).unwrap();
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert_eq!(lines[0]["kind"], "malformed");
    assert_eq!(lines[0]["line"], 1);
    // The last line has no newline and is still read.
    assert_eq!(lines[1]["to"], "inquiry");
}

#[test]
fn crlf_line_endings_are_accepted() {
    let input = concat!(
        r#"{"type":"created","lead":"A","at":"2026-01-05T10:00:00Z","source":"web"}"#,
        "\r\n\r\n",
        r#"{"type":"touch","lead":"A","at":"2026-01-06T10:00:00Z","kind":"demo_request"}"#,
        "\r\n",
    );
    let run = run_with(&[], input);
    let effects = run.effects();
    assert_eq!(effects.len(), 2, "{}", run.stdout);
    assert!(effects.iter().all(|e| e["type"] == "transition"));
}

#[test]
fn until_fires_deadlines_due_after_the_last_event() {
    let input = concat!(
        r#"{"type":"created","lead":"A","at":"2026-01-05T10:00:00Z","source":"web"}"#,
        "\n",
        r#"{"type":"touch","lead":"A","at":"2026-01-06T10:00:00Z","kind":"demo_request"}"#,
        "\n",
    );
    let without = run_with(&[], input);
    assert!(
        !without.stdout.contains("sla_breached"),
        "{}",
        without.stdout
    );

    let run = run_with(&["--until", "2026-01-09T00:00:00Z"], input);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let effects = run.effects();
    assert_eq!(effects.len(), 3, "{}", run.stdout);
    // respond_days = 2 in mql: due 2026-01-08T10:00, stamped with the deadline's time.
    assert_eq!(
        effects[2],
        json!({"type": "sla_breached", "stage": "mql", "sla": "respond", "lead": "A", "at": "2026-01-08T10:00:00Z"})
    );
}

#[test]
fn until_with_an_offset_is_read_as_the_same_instant_in_utc() {
    let input = concat!(
        r#"{"type":"created","lead":"A","at":"2026-01-05T10:00:00Z","source":"web"}"#,
        "\n",
        r#"{"type":"touch","lead":"A","at":"2026-01-06T10:00:00Z","kind":"demo_request"}"#,
        "\n",
    );
    // 2026-01-08T10:30:00+01:00 is 09:30 UTC: before the 10:00 UTC deadline.
    let before = run_with(&["--until", "2026-01-08T10:30:00+01:00"], input);
    assert_eq!(before.code, 0, "{}", before.stderr);
    assert!(!before.stdout.contains("sla_breached"), "{}", before.stdout);
    let at = run_with(&["--until", "2026-01-08T11:00:00+01:00"], input);
    assert!(at.stdout.contains("sla_breached"), "{}", at.stdout);
}

#[test]
fn until_older_than_the_last_tick_is_rejected_out_of_order_with_exit_0() {
    let input = concat!(r#"{"type":"tick","at":"2026-03-01T00:00:00Z"}"#, "\n");
    let run = run_with(&["--until", "2026-02-01T00:00:00Z"], input);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let effects = run.effects();
    assert_eq!(effects.len(), 1, "{}", run.stdout);
    assert_eq!(effects[0]["type"], "rejected");
    assert_eq!(effects[0]["kind"], "out_of_order");
    assert_eq!(effects[0]["lead"], Value::Null);
    assert_eq!(effects[0]["at"], "2026-02-01T00:00:00Z");
}

#[test]
fn run_split_in_two_with_a_snapshot_gives_byte_identical_effects_to_one_run() {
    let lines = sample_without_malformed_line();
    let until = "2026-06-01T00:00:00Z";
    let all = lines.join("\n") + "\n";
    let whole_state = scratch("split-whole.json");
    let whole = run_with(
        &[
            "--until",
            until,
            "--state-out",
            whole_state.to_str().unwrap(),
        ],
        &all,
    );
    assert_eq!(whole.code, 0, "{}", whole.stderr);
    let whole_snapshot = std::fs::read(&whole_state).unwrap();

    for split in 0..=lines.len() {
        let first: String = lines[..split].iter().map(|l| format!("{l}\n")).collect();
        let second: String = lines[split..].iter().map(|l| format!("{l}\n")).collect();
        let state = scratch(&format!("split-{split}.json"));
        let state = state.to_str().unwrap();
        let end_state = scratch(&format!("split-{split}-end.json"));
        let end_state = end_state.to_str().unwrap();

        let a = run_with(&["--state-out", state], &first);
        assert_eq!(a.code, 0, "{}", a.stderr);
        let b = run_with(
            &[
                "--state-in",
                state,
                "--until",
                until,
                "--state-out",
                end_state,
            ],
            &second,
        );
        assert_eq!(b.code, 0, "{}", b.stderr);
        assert_eq!(
            a.stdout + b.stdout.as_str(),
            whole.stdout,
            "split after {split} lines"
        );
        assert_eq!(
            std::fs::read(end_state).unwrap(),
            whole_snapshot,
            "final snapshot, split after {split} lines"
        );
    }
}

#[test]
fn state_out_writes_the_books_snapshot() {
    let state = scratch("state-out.json");
    let run = run_with(
        &["--events", SAMPLE, "--state-out", state.to_str().unwrap()],
        "",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let engine = Engine::new(Policy::default()).unwrap();
    let sealed = std::fs::read(&state).unwrap();
    let (header, _) = SnapshotHeader::read(&sealed).unwrap();
    assert_eq!(header.crate_version, env!("CARGO_PKG_VERSION"));
    assert_eq!(
        header.policy_fingerprint.as_deref(),
        Some(engine.policy_fingerprint())
    );
    let written: Snapshot =
        serde_json::from_slice(Snapshot::unseal(&sealed, &engine).unwrap()).unwrap();

    let mut book = LeadBook::new();
    for line in std::fs::read_to_string(SAMPLE).unwrap().lines() {
        if let Ok(event) = serde_json::from_str::<Event>(line) {
            book.apply(&engine, &event);
        }
    }
    assert_eq!(written, book.snapshot());
    assert_eq!(
        written.watermark,
        Some("2026-03-01T00:00:00Z".parse().unwrap())
    );
}

#[test]
fn state_in_keeps_the_watermark_of_the_first_run() {
    let state = scratch("state-in-watermark.json");
    let state = state.to_str().unwrap();
    let first = run_with(
        &["--state-out", state],
        "{\"type\":\"tick\",\"at\":\"2026-03-01T00:00:00Z\"}\n",
    );
    assert_eq!(first.code, 0, "{}", first.stderr);
    let late = r#"{"type":"created","lead":"A","at":"2026-02-01T00:00:00Z","source":"web"}"#;
    let second = run_with(&["--state-in", state], late);
    assert_eq!(second.code, 0, "{}", second.stderr);
    let effects = second.effects();
    assert_eq!(effects.len(), 1, "{}", second.stdout);
    assert_eq!(effects[0]["kind"], "out_of_order");
}

// --- --state-out is checked first and written atomically; --state-in is checked
// against the policy -----------------------------------------------------------------

/// The files in the directory of `path` whose names start with `path`'s name and a dot
/// would be temporary state files (`.NAME.PID.tmp`).
fn temporary_state_files(path: &std::path::Path) -> Vec<String> {
    let name = path.file_name().unwrap().to_str().unwrap();
    std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|f| f.starts_with(&format!(".{name}.")))
        .collect()
}

#[test]
fn state_out_in_a_missing_directory_exits_2_before_printing_any_effect() {
    let dir = scratch("no-such-state-dir");
    let _ = std::fs::remove_dir_all(&dir);
    let state = dir.join("state.json");
    let run = run_with(
        &["--events", SAMPLE, "--state-out", state.to_str().unwrap()],
        "",
    );
    let line = run.single_error_line();
    assert!(line.starts_with("replay: cannot write state "), "{line}");
    assert!(line.contains("does not exist"), "{line}");
    assert_eq!(run.stdout, "", "nothing printed that must be taken back");
}

#[test]
fn state_out_naming_a_directory_exits_2_before_printing_any_effect() {
    let dir = scratch("state-out-is-a-dir");
    std::fs::create_dir_all(&dir).unwrap();
    let run = run_with(
        &["--events", SAMPLE, "--state-out", dir.to_str().unwrap()],
        "",
    );
    let line = run.single_error_line();
    assert!(line.starts_with("replay: cannot write state "), "{line}");
    assert!(line.contains("is a directory"), "{line}");
    assert_eq!(run.stdout, "");
}

#[test]
fn state_out_is_replaced_whole_and_leaves_no_temporary_file() {
    let state = scratch("state-out-replaced.json");
    std::fs::write(&state, "an older state").unwrap();
    let run = run_with(
        &["--events", SAMPLE, "--state-out", state.to_str().unwrap()],
        "",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let engine = Engine::new(Policy::default()).unwrap();
    let sealed = std::fs::read(&state).unwrap();
    let written: Snapshot =
        serde_json::from_slice(Snapshot::unseal(&sealed, &engine).unwrap()).unwrap();
    assert!(!written.leads.is_empty());
    assert_eq!(temporary_state_files(&state), Vec::<String>::new());
}

/// Standard output that refuses every write.
struct BrokenPipe;

impl std::io::Write for BrokenPipe {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        Err(std::io::ErrorKind::BrokenPipe.into())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Err(std::io::ErrorKind::BrokenPipe.into())
    }
}

#[test]
fn a_run_that_fails_leaves_the_old_state_file_and_no_temporary_file() {
    let state = scratch("state-out-kept.json");
    std::fs::write(&state, "the state of the last good run").unwrap();
    let args: Vec<OsString> = ["--events", SAMPLE, "--state-out", state.to_str().unwrap()]
        .iter()
        .map(OsString::from)
        .collect();
    let mut stderr = Vec::new();
    let code = replay::run(args, &b""[..], BrokenPipe, &mut stderr);
    assert_eq!(code, 2, "{}", String::from_utf8_lossy(&stderr));
    assert_eq!(
        std::fs::read_to_string(&state).unwrap(),
        "the state of the last good run"
    );
    assert_eq!(temporary_state_files(&state), Vec::<String>::new());
}

#[test]
fn state_in_taken_under_another_policy_exits_2_naming_both_fingerprints() {
    let state = scratch("state-in-other-policy.json");
    let first = run_with(
        &["--events", SAMPLE, "--state-out", state.to_str().unwrap()],
        "",
    );
    assert_eq!(first.code, 0, "{}", first.stderr);
    let policy = write_scratch(
        "state-in-other-policy.toml",
        "[scoring]\nmql_threshold = 80\n",
    );
    let run = run_with(
        &["--policy", &policy, "--state-in", state.to_str().unwrap()],
        "",
    );
    let line = run.single_error_line();
    assert!(line.starts_with("replay: cannot restore state "), "{line}");
    let other: Policy = toml::from_str("[scoring]\nmql_threshold = 80").unwrap();
    assert!(line.contains(&Policy::default().fingerprint()), "{line}");
    assert!(line.contains(&other.fingerprint()), "{line}");
    assert_eq!(run.stdout, "");
}

#[test]
fn print_policy_without_a_policy_prints_toml_that_reads_back_as_the_default_policy() {
    let run = run_with(&["--print-policy"], "this is not read");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "");
    let printed: Policy = toml::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(printed, Policy::default());
}

#[test]
fn print_policy_of_a_partial_file_prints_every_default_it_leaves_out() {
    let path = write_scratch("print-partial.toml", "[scoring]\nmql_threshold = 80\n");
    let run = run_with(&["--policy", &path, "--print-policy"], "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let printed: Policy = toml::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}"));
    let mut expected = Policy::default();
    expected.scoring.mql_threshold = 80.0;
    assert_eq!(printed, expected);
    assert!(
        run.stdout.contains("[programs.general_nurture]"),
        "{}",
        run.stdout
    );
}

#[test]
fn print_policy_of_an_invalid_policy_exits_2() {
    let path = write_scratch(
        "print-invalid.toml",
        "[recycle]\ndefault_program = \"nowhere\"\n",
    );
    let run = run_with(&["--policy", &path, "--print-policy"], "");
    let line = run.single_error_line();
    assert!(line.starts_with("replay: invalid policy "), "{line}");
    assert_eq!(run.stdout, "");
}

#[test]
fn print_policy_with_a_flag_that_replays_exits_2() {
    for flag in [
        &["--events", SAMPLE][..],
        &["--until", "2026-06-01T00:00:00Z"],
        &["--state-out", "unused.json"],
    ] {
        let mut args = vec!["--print-policy"];
        args.extend_from_slice(flag);
        let run = run_with(&args, "");
        let line = run.single_error_line();
        assert!(line.contains("--print-policy"), "{line}");
        assert_eq!(run.stdout, "");
    }
}

#[test]
fn missing_policy_file_exits_2_with_one_line_on_stderr() {
    let path = scratch("no-such-policy.toml");
    let run = run_with(
        &["--policy", path.to_str().unwrap(), "--events", SAMPLE],
        "",
    );
    let line = run.single_error_line();
    assert!(line.starts_with("replay: cannot read policy "), "{line}");
    assert!(line.contains("no-such-policy.toml"), "{line}");
    assert_eq!(run.stdout, "", "nothing is replayed without a policy");
}

#[test]
fn unparsable_policy_exits_2_naming_the_misspelt_key_on_one_line() {
    let policy = write_scratch("misspelt.toml", "[scoring]\nmql_treshold = 60\n");
    let run = run_with(&["--policy", &policy], "");
    let line = run.single_error_line();
    assert!(line.starts_with("replay: cannot parse policy "), "{line}");
    assert!(line.contains("mql_treshold"), "{line}");
    assert!(line.contains("line 2"), "{line}");
}

#[test]
fn invalid_policy_exits_2_with_the_policy_error_message() {
    let text = "[recycle.reasons]\nno_budget = \"budget_cycl\"\n";
    let err = Policy::from_toml_str(text).unwrap_err();
    let [problem] = err.problems() else {
        panic!("{err}")
    };
    let policy = write_scratch("undefined-program.toml", text);
    let run = run_with(&["--policy", &policy, "--events", SAMPLE], "");
    let line = run.single_error_line();
    assert!(line.starts_with("replay: invalid policy "), "{line}");
    assert!(
        line.ends_with(&format!("undefined-program.toml: {problem}")),
        "{line}\nexpected: {problem}"
    );
    assert_eq!(run.stdout, "");
}

#[test]
fn invalid_policy_names_every_problem_on_one_line() {
    let text = "[scoring]\nhalf_life_days = 0\n[recycle.reasons]\nno_budget = \"budget_cycl\"\n";
    let policy = write_scratch("two-problems.toml", text);
    let run = run_with(&["--policy", &policy, "--events", SAMPLE], "");
    let line = run.single_error_line();
    assert!(
        line.contains("`scoring.half_life_days` = 0 is invalid"),
        "{line}"
    );
    assert!(
        line.contains("; `recycle.reasons.no_budget` names program"),
        "{line}"
    );
    assert_eq!(run.stdout, "");
}

/// The effects of passive (idle) recycling in the sample under `policy`, run with the
/// README's command (`--until 2026-06-01T00:00:00Z`): each recycle is a `transition`
/// with cause `sla_idle` and a `nurture_assigned` with reason `sla_idle`.
fn idle_recycle_effects_in_the_sample(policy: &str) -> usize {
    let args = [
        "--policy",
        policy,
        "--events",
        SAMPLE,
        "--until",
        "2026-06-01T00:00:00Z",
    ];
    let run = run_with(&args, "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let effects = run.effects();
    let transitions = effects
        .iter()
        .filter(|e| e["type"] == "transition" && e["cause"] == "sla_idle")
        .count();
    let assignments = effects
        .iter()
        .filter(|e| e["type"] == "nurture_assigned" && e["reason"] == "sla_idle")
        .count();
    assert_eq!(transitions, assignments, "{}", run.stdout);
    transitions + assignments
}

#[test]
fn mql_respond_days_alone_keeps_the_default_idle_days_and_the_samples_idle_recycles() {
    // Issue 7: `[sla.mql] respond_days = 2` once dropped the MQL's `idle_days`, and
    // the sample's idle recycling (L2 and L1, both MQLs: 4 effects) fell to 0.
    assert_eq!(idle_recycle_effects_in_the_sample(DEFAULT_POLICY), 4);
    let partial = write_scratch("mql-respond-only.toml", "[sla.mql]\nrespond_days = 2\n");
    assert_eq!(idle_recycle_effects_in_the_sample(&partial), 4);
    // Switching it off is written out.
    let off = write_scratch("mql-idle-off.toml", "[sla.mql]\nidle_days = false\n");
    assert_eq!(idle_recycle_effects_in_the_sample(&off), 0);
}

#[test]
fn empty_policy_file_replays_like_the_default_policy() {
    let policy = write_scratch("empty.toml", "");
    let empty = run_with(&["--policy", &policy, "--events", SAMPLE], "");
    assert_eq!(empty.code, 0, "{}", empty.stderr);
    let default = run_with(&["--events", SAMPLE], "");
    assert!(!empty.stdout.is_empty());
    assert_eq!(empty.stdout, default.stdout);
}

#[test]
fn policy_file_changes_the_replay() {
    // With a threshold of 30, L1's fit (35) makes it an MQL when created.
    let policy = write_scratch("low-threshold.toml", "[scoring]\nmql_threshold = 30\n");
    let run = run_with(&["--policy", &policy, "--events", SAMPLE], "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_in_order(
        &run.effects(),
        &[
            json!({"type": "transition", "lead": "L1", "from": null, "to": "inquiry"}),
            json!({"type": "transition", "lead": "L1", "from": "inquiry", "to": "mql", "cause": "score", "at": "2026-01-05T10:00:00Z"}),
        ],
    );
}

#[test]
fn bad_until_time_exits_2_with_one_line() {
    let run = run_with(&["--until", "next tuesday"], "");
    let line = run.single_error_line();
    assert!(line.contains("--until"), "{line}");
    assert!(line.contains("RFC 3339"), "{line}");
    // A date without a time is not RFC 3339 either.
    run_with(&["--until", "2026-03-01"], "").single_error_line();
}

#[test]
fn unknown_flag_exits_2_with_one_line() {
    let run = run_with(&["--events", SAMPLE, "--verbose"], "");
    let line = run.single_error_line();
    assert!(line.contains("--verbose"), "{line}");
    assert_eq!(run.stdout, "");
}

#[test]
fn positional_argument_exits_2() {
    let line = run_with(&[SAMPLE], "").single_error_line().to_owned();
    assert!(line.contains("unexpected argument"), "{line}");
}

#[test]
fn flag_missing_its_value_exits_2() {
    for flag in [
        "--policy",
        "--events",
        "--until",
        "--state-in",
        "--state-out",
    ] {
        let run = run_with(&[flag], "");
        let line = run.single_error_line();
        assert!(line.contains(flag), "{line}");
    }
}

#[test]
fn flag_given_twice_exits_2() {
    let line = run_with(&["--events", SAMPLE, "--events", SAMPLE], "")
        .single_error_line()
        .to_owned();
    assert!(line.contains("--events"), "{line}");
}

#[test]
fn missing_events_file_exits_2_with_one_line() {
    let path = scratch("no-such-events.jsonl");
    let run = run_with(&["--events", path.to_str().unwrap()], "");
    let line = run.single_error_line();
    assert!(line.starts_with("replay: cannot read events "), "{line}");
    assert_eq!(run.stdout, "");
}

#[test]
fn missing_state_in_file_exits_2_with_one_line() {
    let path = scratch("no-such-state.json");
    let run = run_with(
        &["--state-in", path.to_str().unwrap(), "--events", SAMPLE],
        "",
    );
    let line = run.single_error_line();
    assert!(line.starts_with("replay: cannot read state "), "{line}");
    assert_eq!(run.stdout, "");
}

#[test]
fn state_in_file_without_a_snapshot_header_exits_2_saying_it_is_not_a_snapshot() {
    // What leadcycle wrote before snapshots were sealed: plain JSON.
    let path = write_scratch("garbage-state.json", "{\"watermark\": 12");
    let run = run_with(&["--state-in", &path, "--events", SAMPLE], "");
    let line = run.single_error_line();
    assert!(line.starts_with("replay: cannot restore state "), "{line}");
    assert!(line.contains("it is not a leadcycle snapshot"), "{line}");
    assert_eq!(run.stdout, "");
}

#[test]
fn sealed_state_in_whose_body_is_not_a_snapshot_exits_2_cannot_parse() {
    let sealed = LeadBook::new().snapshot().seal(b"{\"watermark\": 12");
    let path = scratch("sealed-garbage-state.json");
    std::fs::write(&path, sealed).unwrap();
    let run = run_with(
        &["--state-in", path.to_str().unwrap(), "--events", SAMPLE],
        "",
    );
    let line = run.single_error_line();
    assert!(line.starts_with("replay: cannot parse state "), "{line}");
    assert_eq!(run.stdout, "");
}

#[test]
fn unwritable_state_out_exits_2_with_one_line() {
    let dir = scratch("state-out-dir");
    std::fs::create_dir_all(&dir).unwrap();
    // A directory cannot be written as a file.
    let run = run_with(&["--state-out", dir.to_str().unwrap()], "");
    let line = run.single_error_line();
    assert!(line.starts_with("replay: cannot write state "), "{line}");
}
