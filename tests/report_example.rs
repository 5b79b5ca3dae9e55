//! The `report` example and `replay --report DIR`, run in process: the three files,
//! the same report whether the events are replayed or the effects are read, and one
//! clear line on standard error when the input is wrong.

// Both examples include examples/shared/cli.rs and report.rs as their own modules.
#![allow(clippy::duplicate_mod)]

#[allow(dead_code)]
#[path = "../examples/replay.rs"]
mod replay;

#[allow(dead_code)]
#[path = "../examples/report.rs"]
mod report;

use leadcycle::analytics::Report;
use std::ffi::OsString;
use std::path::PathBuf;

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data/sample.jsonl");

fn args(list: &[&str]) -> Vec<OsString> {
    list.iter().map(OsString::from).collect()
}

/// A scratch directory of one test, emptied first.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("report-tests")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn run_report(list: &[&str]) -> (i32, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = report::run(args(list), &mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

fn read_report(dir: &std::path::Path) -> (String, Report) {
    let text = std::fs::read_to_string(dir.join("report.json")).unwrap();
    let report = serde_json::from_str(&text).unwrap();
    (text, report)
}

#[test]
fn report_writes_json_markdown_and_svg_and_replay_report_writes_the_same() {
    let dir = scratch("replayed");
    let out = dir.to_str().unwrap();
    let (code, stdout, stderr) = run_report(&["--events", SAMPLE, "--out", out]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("wrote "), "{stdout}");
    let (json, report) = read_report(&dir);
    assert!(report.leads > 0);
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(md.starts_with("# Waterfall report"), "{md}");
    let svg = std::fs::read_to_string(dir.join("waterfall.svg")).unwrap();
    roxmltree::Document::parse(&svg).unwrap();

    // replay --report: the same events give the same report, and the effects printed
    // read back through --effects give it too.
    let again = scratch("from-replay");
    let mut effects = Vec::new();
    let code = replay::run(
        args(&["--events", SAMPLE, "--report", again.to_str().unwrap()]),
        &b""[..],
        &mut effects,
        Vec::new(),
    );
    assert_eq!(code, 0);
    assert_eq!(read_report(&again).0, json);
    let effects_file = scratch("effects").with_extension("jsonl");
    std::fs::create_dir_all(effects_file.parent().unwrap()).unwrap();
    std::fs::write(&effects_file, &effects).unwrap();
    let read = scratch("read");
    let (code, _, stderr) = run_report(&[
        "--events",
        SAMPLE,
        "--effects",
        effects_file.to_str().unwrap(),
        "--out",
        read.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(read_report(&read).0, json);
}

#[test]
fn report_refuses_wrong_input_with_one_line_and_exit_2() {
    let dir = scratch("refused");
    let bad_effects = dir.join("bad.jsonl");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        &bad_effects,
        r#"{"type":"transition","from":"sal","to":"sql","cause":"sales_qualified","lead":"L1","at":"2026-01-03T00:00:00Z"}"#,
    )
    .unwrap();
    let out = dir.join("out");
    let cases: [(Vec<&str>, &str); 3] = [
        (vec!["--events", SAMPLE], "--events and --out are required"),
        (
            vec![
                "--events",
                SAMPLE,
                "--effects",
                bad_effects.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ],
            "line 1: lead L1 at 2026-01-03 00:00:00 UTC: a transition from sal but the journal has the lead in none",
        ),
        (
            vec!["--events", "/nonexistent/e.jsonl", "--out", out.to_str().unwrap()],
            "cannot read events /nonexistent/e.jsonl",
        ),
    ];
    for (list, expected) in cases {
        let (code, _, stderr) = run_report(&list);
        assert_eq!(code, 2, "{list:?}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.starts_with("report: "), "{stderr}");
        assert!(stderr.contains(expected), "{stderr}");
    }
}
