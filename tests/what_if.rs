//! What-if: the same history under two policies (`docs/what_if.md`), through the
//! library and through the `what_if` example's command line, run in process through
//! its `run` function.

#[allow(dead_code)]
#[path = "../examples/what_if.rs"]
mod what_if_example;

use leadcycle::{
    what_if, what_if_until, CountChange, EffectType, Engine, Event, LeadDiff, OutcomeField, Policy,
    Stage, WhatIf, WhatIfReplay,
};
use std::ffi::OsString;
use std::path::PathBuf;

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data/sample.jsonl");
const DEFAULT_POLICY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/policies/default.toml"
);

/// The default reason map with `bad_timing` sent to `budget_cycle` instead of
/// `timing_drip` (the map is replaced whole, so every reason is written).
const BAD_TIMING_TO_BUDGET: &str = r#"
[recycle.reasons]
no_budget = "budget_cycle"
bad_timing = "budget_cycle"
no_authority = "champion_enablement"
competitor_chosen = "competitive_displacement"
"#;

fn engine(toml: &str) -> Engine {
    Engine::new(Policy::from_toml_str(toml).expect("test policy is valid")).unwrap()
}

fn events(lines: &[&str]) -> Vec<Event> {
    lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn sample_events() -> Vec<Event> {
    std::fs::read_to_string(SAMPLE)
        .unwrap()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

fn diff<'a>(report: &'a WhatIf, lead: &str) -> &'a LeadDiff {
    report
        .leads
        .iter()
        .find(|d| d.lead.as_str() == lead)
        .unwrap_or_else(|| panic!("{lead} does not differ:\n{report}"))
}

fn ids(report: &WhatIf) -> Vec<&str> {
    report.leads.iter().map(|d| d.lead.as_str()).collect()
}

fn change(before: usize, after: usize) -> CountChange {
    CountChange { before, after }
}

#[test]
fn identical_engines_differ_nowhere() {
    let history = sample_events();
    let a = Engine::new(Policy::default()).unwrap();
    let b = Engine::new(Policy::default()).unwrap();
    for report in [
        what_if(&history, &a, &b),
        what_if_until(&history, &a, &b, "2026-09-01T00:00:00Z".parse().unwrap()),
        // The same engine on both sides.
        what_if(&history, &a, &a),
    ] {
        assert!(report.is_empty(), "{report}");
        assert_eq!(report.totals.events, history.len());
        assert_eq!(report.totals.leads_compared, 4); // L1..L4; L9 is unknown
        assert_eq!(report.totals.leads_changed, 0);
        assert_eq!(
            report.totals.effects.before, report.totals.effects.after,
            "{report}"
        );
        assert_eq!(report.before_policy, report.after_policy);
        let text = report.to_string();
        assert!(text.contains("leads that differ: none"), "{text}");
        assert!(text.contains("policies: the same"), "{text}");
    }
}

/// Two leads recycled with `bad_timing`, one with `no_budget`, one recycled with
/// `bad_timing` into a program the rep chose, one removed, one left alone.
const REASONS_HISTORY: &[&str] = &[
    r#"{"type":"created","lead":"L1","at":"2026-01-05T10:00:00Z","source":"webinar"}"#,
    r#"{"type":"created","lead":"L2","at":"2026-01-05T10:00:00Z","source":"webinar"}"#,
    r#"{"type":"created","lead":"L3","at":"2026-01-05T10:00:00Z","source":"webinar"}"#,
    r#"{"type":"created","lead":"L4","at":"2026-01-05T10:00:00Z","source":"webinar"}"#,
    r#"{"type":"created","lead":"L5","at":"2026-01-05T10:00:00Z","source":"webinar"}"#,
    r#"{"type":"created","lead":"L6","at":"2026-01-05T10:00:00Z","source":"webinar"}"#,
    r#"{"type":"sales_accepted","lead":"L1","at":"2026-01-06T10:00:00Z","rep":"R1"}"#,
    r#"{"type":"sales_accepted","lead":"L2","at":"2026-01-06T10:00:00Z","rep":"R2"}"#,
    r#"{"type":"sales_accepted","lead":"L3","at":"2026-01-06T10:00:00Z","rep":"R3"}"#,
    r#"{"type":"sales_accepted","lead":"L5","at":"2026-01-06T10:00:00Z","rep":"R5"}"#,
    r#"{"type":"sales_accepted","lead":"L6","at":"2026-01-06T10:00:00Z","rep":"R6"}"#,
    r#"{"type":"disqualified","lead":"L1","at":"2026-01-10T10:00:00Z","rep":"R1","reason":"bad_timing"}"#,
    r#"{"type":"disqualified","lead":"L2","at":"2026-01-10T10:00:00Z","rep":"R2","reason":"no_budget"}"#,
    r#"{"type":"sales_rejected","lead":"L3","at":"2026-01-10T10:00:00Z","rep":"R3","reason":"bad_timing"}"#,
    r#"{"type":"disqualified","lead":"L5","at":"2026-01-10T10:00:00Z","rep":"R5","reason":"not_a_buyer"}"#,
    r#"{"type":"disqualified","lead":"L6","at":"2026-01-10T10:00:00Z","rep":"R6","reason":"bad_timing","program":"champion_enablement"}"#,
];

#[test]
fn a_changed_reason_map_changes_exactly_the_leads_recycled_by_that_reason() {
    let history = events(REASONS_HISTORY);
    let before = engine("");
    let after = engine(BAD_TIMING_TO_BUDGET);
    let report = what_if_until(
        &history,
        &before,
        &after,
        "2026-02-01T00:00:00Z".parse().unwrap(),
    );
    // L6 was recycled with bad_timing too, but into the program its rep chose.
    assert_eq!(ids(&report), ["L1", "L3"], "{report}");
    for lead in ["L1", "L3"] {
        let d = diff(&report, lead);
        let (b, a) = (d.before.as_ref().unwrap(), d.after.as_ref().unwrap());
        assert_eq!(b.program.as_deref(), Some("timing_drip"));
        assert_eq!(a.program.as_deref(), Some("budget_cycle"));
        assert_eq!((b.stage, a.stage), (Stage::Recycled, Stage::Recycled));
        // timing_drip sent steps on Jan 10 and Jan 24; budget_cycle only on Jan 10.
        assert_eq!((b.step, a.step), (Some(2), Some(1)));
        assert_eq!(
            d.changed,
            [
                OutcomeField::Program,
                OutcomeField::Step,
                OutcomeField::Effects
            ]
        );
    }
    assert!(report.stages.is_empty(), "{report}");
    assert_eq!(
        report.programs.clone().into_iter().collect::<Vec<_>>(),
        [
            ("budget_cycle".to_owned(), change(1, 3)),
            ("timing_drip".to_owned(), change(2, 0)),
        ]
    );
    // Two fewer steps sent (Jan 24), the rest one for one.
    assert_eq!(
        report.effects.get(&EffectType::NurtureStepDue),
        Some(&change(7, 5)),
        "{report}"
    );
    assert_eq!(report.totals.leads_compared, 6);
    assert_eq!(report.totals.leads_changed, 2);
    assert_eq!(report.until, Some("2026-02-01T00:00:00Z".parse().unwrap()));
    let text = report.to_string();
    assert!(
        text.contains("\n  L1: program timing_drip -> budget_cycle; step 2 -> 1; effects 6 -> 5\n"),
        "{text}"
    );
    assert!(text.contains("timing_drip   2 -> 0  (-2)"), "{text}");
}

/// The example of `docs/what_if.md`: `bad_timing` removes instead of recycling.
#[test]
fn a_reason_that_removes_changes_the_lead_and_the_merge_into_it() {
    let after = engine(
        "[recycle]\nremove_reasons = [\"not_a_buyer\", \"bad_data\", \"wrong_industry\", \"bad_timing\"]\n",
    );
    let report = what_if_until(
        &sample_events(),
        &engine(""),
        &after,
        "2026-06-01T00:00:00Z".parse().unwrap(),
    );
    assert_eq!(ids(&report), ["L1", "L4"], "{report}");
    let l1 = diff(&report, "L1");
    let (b, a) = (l1.before.as_ref().unwrap(), l1.after.as_ref().unwrap());
    assert_eq!((b.stage, a.stage), (Stage::Recycled, Stage::Removed));
    assert_eq!(a.removed_reason.as_deref(), Some("bad_timing"));
    assert_eq!(b.routed_to.as_ref().map(|r| r.as_str()), Some("R7"));
    assert_eq!(a.routed_to, None);
    // L4's merge into L1 is refused once L1 is removed: L4 stays an inquiry.
    let l4 = diff(&report, "L4");
    assert_eq!(
        l4.changed,
        [
            OutcomeField::Stage,
            OutcomeField::RemovedReason,
            OutcomeField::Effects
        ]
    );
    assert_eq!(l4.after.as_ref().unwrap().stage, Stage::Inquiry);
    assert_eq!(
        report.stages.clone().into_iter().collect::<Vec<_>>(),
        [
            (Stage::Inquiry, change(0, 1)),
            (Stage::Recycled, change(2, 1))
        ]
    );
    assert_eq!(report.effects[&EffectType::Rejected], change(3, 5));
}

#[test]
fn a_lower_mql_threshold_changes_stages() {
    let history = events(&[
        // Fit 35 (vp, 350 employees): below 100, above 30.
        r#"{"type":"created","lead":"L1","at":"2026-01-05T10:00:00Z","source":"webinar","profile":{"seniority":"vp","employees":350}}"#,
        // Fit 0.
        r#"{"type":"created","lead":"L2","at":"2026-01-05T10:00:00Z","source":"ebook","profile":{"seniority":"manager","employees":40}}"#,
        r#"{"type":"touch","lead":"L2","at":"2026-01-06T10:00:00Z","kind":"email_click"}"#,
    ]);
    let before = engine("");
    let after = engine("[scoring]\nmql_threshold = 30\n");
    let report = what_if(&history, &before, &after);
    assert_eq!(ids(&report), ["L1"], "{report}");
    let d = diff(&report, "L1");
    assert_eq!(d.before.as_ref().unwrap().stage, Stage::Inquiry);
    assert_eq!(d.after.as_ref().unwrap().stage, Stage::Mql);
    assert_eq!(d.changed, [OutcomeField::Stage, OutcomeField::Effects]);
    assert_eq!(
        report.stages.clone().into_iter().collect::<Vec<_>>(),
        [(Stage::Inquiry, change(2, 1)), (Stage::Mql, change(0, 1))]
    );
    assert_eq!(
        report.effects.get(&EffectType::Transition),
        Some(&change(2, 3))
    );
    assert!(report.programs.is_empty());
    assert_ne!(report.before_policy, report.after_policy);
    let text = report.to_string();
    assert!(text.contains("  inquiry  2 -> 1  (-1)\n"), "{text}");
    assert!(text.contains("  mql      0 -> 1  (+1)\n"), "{text}");
    assert!(
        text.contains("L1: stage inquiry -> mql; effects 1 -> 2"),
        "{text}"
    );
}

#[test]
fn a_lead_in_one_book_only_is_reported() {
    // Under strict_events, a `created` event with a field its type does not have is
    // refused: the lead exists under the lax policy only.
    let history = events(&[
        r#"{"type":"created","lead":"L1","at":"2026-01-05T10:00:00Z","source":"webinar","colour":"red"}"#,
        r#"{"type":"created","lead":"L2","at":"2026-01-05T10:00:00Z","source":"webinar"}"#,
    ]);
    let lax = engine("");
    let strict = engine("strict_events = true\n");
    let report = what_if(&history, &lax, &strict);
    assert_eq!(ids(&report), ["L1"], "{report}");
    let d = diff(&report, "L1");
    assert_eq!(d.changed, [OutcomeField::Exists]);
    assert_eq!(d.before.as_ref().unwrap().stage, Stage::Inquiry);
    assert!(d.after.is_none());
    assert_eq!(report.totals.leads_compared, 2);
    assert_eq!(report.stages[&Stage::Inquiry], change(2, 1));
    assert_eq!(report.effects[&EffectType::Rejected], change(0, 1));
    assert!(report
        .to_string()
        .contains("L1: exists only before (inquiry)"));
    // And the other way round.
    let report = what_if(&history, &strict, &lax);
    assert!(report
        .to_string()
        .contains("L1: exists only after (inquiry)"));
}

#[test]
fn a_lead_that_ends_the_same_with_other_effects_differs_in_its_effects() {
    // Without a respond service level, the MQL misses only its idle limit; it is
    // recycled at the same time either way.
    let history = events(&[
        r#"{"type":"created","lead":"L1","at":"2026-01-05T10:00:00Z","source":"webinar"}"#,
        r#"{"type":"touch","lead":"L1","at":"2026-01-05T11:00:00Z","kind":"demo_request"}"#,
    ]);
    let before = engine("");
    let after = engine("[sla.mql]\nrespond_days = false\n");
    let report = what_if_until(
        &history,
        &before,
        &after,
        "2026-01-20T00:00:00Z".parse().unwrap(),
    );
    assert_eq!(ids(&report), ["L1"], "{report}");
    let d = diff(&report, "L1");
    assert_eq!(d.changed, [OutcomeField::Effects]);
    let (b, a) = (d.before.as_ref().unwrap(), d.after.as_ref().unwrap());
    assert_eq!(b.stage, Stage::Recycled);
    assert_eq!(b.effects, a.effects + 1);
    assert!(report.stages.is_empty() && report.programs.is_empty());
    assert_eq!(report.effects[&EffectType::SlaBreached], change(2, 1));
}

#[test]
fn the_streaming_replay_gives_the_same_report_as_the_function() {
    let history = sample_events();
    let before = engine("");
    let after = engine(BAD_TIMING_TO_BUDGET);
    let until = "2026-06-01T00:00:00Z".parse().unwrap();
    let mut replay = WhatIfReplay::new(&before, &after);
    for event in &history {
        replay.apply(event);
    }
    assert_eq!(replay.events(), history.len());
    assert_eq!(
        replay.finish(Some(until)),
        what_if_until(&history, &before, &after, until)
    );
}

#[test]
fn the_report_round_trips_through_json() {
    let history = events(REASONS_HISTORY);
    let report = what_if(&history, &engine(""), &engine(BAD_TIMING_TO_BUDGET));
    let json = serde_json::to_string(&report).unwrap();
    let back: WhatIf = serde_json::from_str(&json).unwrap();
    assert_eq!(back, report);
    let line = serde_json::to_value(&report.leads[0]).unwrap();
    assert_eq!(line["lead"], "L1");
    assert_eq!(line["changed"][0], "program");
    assert_eq!(line["before"]["program"], "timing_drip");
    assert_eq!(line["after"]["program"], "budget_cycle");
}

#[test]
fn the_summary_lists_at_most_the_leads_asked_for() {
    let history = events(REASONS_HISTORY);
    let report = what_if(&history, &engine(""), &engine(BAD_TIMING_TO_BUDGET));
    let text = report.summary(1).to_string();
    assert!(text.contains("leads that differ: 2\n  L1: "), "{text}");
    assert!(!text.contains("  L3: "), "{text}");
    assert!(text.ends_with("  ... and 1 more\n"), "{text}");
}

// The example's command line.

/// What one run printed.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run_with(args: &[&str], stdin: &str) -> Run {
    let args: Vec<OsString> = args.iter().map(OsString::from).collect();
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let code = what_if_example::run(args, stdin.as_bytes(), &mut stdout, &mut stderr);
    Run {
        code,
        stdout: String::from_utf8(stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(stderr).expect("stderr is UTF-8"),
    }
}

/// A scratch directory of one test; each test uses its own.
fn scratch_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("what-if-tests")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn the_example_writes_a_summary_and_the_differences_as_json_lines() {
    let dir = scratch_dir("end-to-end");
    let after = dir.join("after.toml");
    std::fs::write(&after, BAD_TIMING_TO_BUDGET).unwrap();
    let out = dir.join("diffs.jsonl");
    let run = run_with(
        &[
            "--before",
            DEFAULT_POLICY,
            "--after",
            after.to_str().unwrap(),
            "--events",
            SAMPLE,
            "--until",
            "2026-06-01T00:00:00Z",
            "--out",
            out.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "");
    // The malformed line of the sample is skipped and reported.
    assert!(
        run.stdout
            .contains("21 lines, 20 events, 1 malformed line skipped (line 18)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("then the clock advanced to 2026-06-01T00:00:00Z"),
        "{}",
        run.stdout
    );
    // The JSON lines are the library's report, lead by lead.
    let text = std::fs::read_to_string(&out).unwrap();
    let diffs: Vec<LeadDiff> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let expected = what_if_until(
        &sample_events(),
        &engine(""),
        &engine(BAD_TIMING_TO_BUDGET),
        "2026-06-01T00:00:00Z".parse().unwrap(),
    );
    assert_eq!(diffs, expected.leads);
    // L1 was disqualified for bad timing: its nurture differs.
    assert_eq!(
        diffs.iter().map(|d| d.lead.as_str()).collect::<Vec<_>>(),
        ["L1"]
    );
    assert!(diffs[0].changed.contains(&OutcomeField::Effects));
    assert!(run.stdout.contains(&expected.to_string()), "{}", run.stdout);
    assert!(
        run.stdout
            .ends_with(&format!("1 lead written to {}\n", out.display())),
        "{}",
        run.stdout
    );
    // No temporary file is left beside it.
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn the_example_reads_standard_input_and_defaults_to_the_embedded_policy() {
    let events = std::fs::read_to_string(SAMPLE).unwrap();
    let run = run_with(&[], &events);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("before: (embedded default)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("input:  standard input: 21 lines"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("leads that differ: none"),
        "{}",
        run.stdout
    );
}

/// Asserts the run ended with status 2 and exactly one line on standard error, and
/// returns that line.
fn single_error_line(run: Run) -> String {
    assert_eq!(
        run.code, 2,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1, "{:?}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    let line = run.stderr.trim_end_matches('\n');
    assert!(line.starts_with("what_if: "), "{line}");
    line.to_owned()
}

#[test]
fn the_example_exits_2_with_one_line_when_a_policy_or_file_cannot_be_read() {
    let dir = scratch_dir("errors");
    let missing = dir.join("missing.toml");
    let line = single_error_line(run_with(
        &["--after", missing.to_str().unwrap(), "--events", SAMPLE],
        "",
    ));
    assert!(line.contains("cannot read policy"), "{line}");

    let invalid = dir.join("invalid.toml");
    std::fs::write(&invalid, "[recycle.reasons]\nbad_timing = \"nowhere\"\n").unwrap();
    let line = single_error_line(run_with(
        &["--before", invalid.to_str().unwrap(), "--events", SAMPLE],
        "",
    ));
    assert!(line.contains("invalid policy"), "{line}");

    let line = single_error_line(run_with(
        &["--events", dir.join("missing.jsonl").to_str().unwrap()],
        "",
    ));
    assert!(line.contains("cannot read events"), "{line}");

    let out = dir.join("no-such-dir").join("diffs.jsonl");
    let line = single_error_line(run_with(
        &["--events", SAMPLE, "--out", out.to_str().unwrap()],
        "",
    ));
    assert!(line.contains("does not exist"), "{line}");

    let line = single_error_line(run_with(&["--until", "tomorrow"], ""));
    assert!(line.contains("RFC 3339"), "{line}");

    let line = single_error_line(run_with(&["--events", SAMPLE, "--events", SAMPLE], ""));
    assert!(line.contains("given twice"), "{line}");
}
