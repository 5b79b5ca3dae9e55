//! `--help` on every example: exit status 0, and a text that lists every flag with its
//! default, and the exit codes. The examples are used as modules (their `main`
//! functions are not called here).

// `replay` and `what_if` each include examples/shared/cli.rs as their own module, as
// their binaries do; here both are in one crate, so the file is loaded twice.
#![allow(clippy::duplicate_mod)]

#[allow(dead_code)]
#[path = "../examples/replay.rs"]
mod replay;

#[allow(dead_code)]
#[path = "../examples/calibrate.rs"]
mod calibrate;

#[allow(dead_code)]
#[path = "../examples/gen_calibration.rs"]
mod gen_calibration;

#[allow(dead_code)]
#[path = "../examples/quickstart.rs"]
mod quickstart;

#[allow(dead_code)]
#[path = "../examples/what_if.rs"]
mod what_if;

#[allow(dead_code)]
#[path = "../examples/report.rs"]
mod report;

use std::ffi::OsString;

fn args(list: &[&str]) -> Vec<OsString> {
    list.iter().map(OsString::from).collect()
}

/// One entry of a help's options section: the flag names on its first line (`-h,
/// --help`), and its whole text.
struct OptionEntry {
    names: Vec<String>,
    text: String,
}

/// The entries of the `options:` section; an entry starts at a line `  -...`.
fn option_entries(section: &str) -> Vec<OptionEntry> {
    let mut entries: Vec<OptionEntry> = Vec::new();
    for line in section.lines() {
        if line.starts_with("  -") {
            // The names come before the first two spaces after them: `  --until TIME  ...`.
            let head = line.trim_start().split("  ").next().unwrap_or_default();
            let names = head
                .split(", ")
                .filter_map(|n| n.split_whitespace().next())
                .map(str::to_owned)
                .collect();
            entries.push(OptionEntry {
                names,
                text: line.to_owned(),
            });
        } else if let Some(last) = entries.last_mut() {
            last.text.push('\n');
            last.text.push_str(line);
        }
    }
    entries
}

/// Asserts that `help` lists exactly `flags` in its options section, each with its
/// default, and each exit code on a line of its own in its exit status section.
fn assert_lists_flags_defaults_and_exit_codes(help: &str, flags: &[&str], codes: &[u8]) {
    assert!(help.ends_with('\n'), "{help}");
    let (_, rest) = help
        .split_once("\noptions:\n")
        .unwrap_or_else(|| panic!("no options section:\n{help}"));
    let (options, exit) = rest
        .split_once("\nexit status:\n")
        .unwrap_or_else(|| panic!("no exit status section:\n{help}"));
    let entries = option_entries(options);
    for flag in flags {
        let entry = entries
            .iter()
            .find(|e| e.names.iter().any(|n| n == flag))
            .unwrap_or_else(|| panic!("{flag} is not listed:\n{options}"));
        assert!(
            entry.text.contains("Default: "),
            "{flag} states no default:\n{}",
            entry.text
        );
    }
    let long_names: Vec<&str> = entries
        .iter()
        .flat_map(|e| &e.names)
        .map(String::as_str)
        .filter(|n| n.starts_with("--"))
        .collect();
    assert_eq!(long_names, flags, "the options listed:\n{options}");
    for code in codes {
        assert!(
            exit.lines().any(|l| l.starts_with(&format!("  {code}  "))),
            "exit code {code} is not listed:\n{exit}"
        );
    }
}

#[test]
fn replay_help_lists_every_flag_its_default_and_the_exit_codes() {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let code = replay::run(args(&["--help"]), &b""[..], &mut out, &mut err);
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&err));
    assert!(err.is_empty());
    let help = String::from_utf8(out).unwrap();
    assert_lists_flags_defaults_and_exit_codes(
        &help,
        &[
            "--policy",
            "--events",
            "--until",
            "--state-in",
            "--state-out",
            "--report",
            "--print-policy",
            "--help",
        ],
        &[0, 2],
    );
}

#[test]
fn calibrate_help_lists_every_flag_its_default_and_the_exit_codes() {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let code = calibrate::run(args(&["--help"]), &mut out, &mut err);
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&err));
    let help = String::from_utf8(out).unwrap();
    assert_lists_flags_defaults_and_exit_codes(
        &help,
        &["--events", "--labels", "--policy", "--help"],
        &[0, 2],
    );
}

#[test]
fn gen_calibration_help_lists_every_flag_its_default_and_the_exit_codes() {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let code = gen_calibration::run(args(&["--help"]), &mut out, &mut err);
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&err));
    assert!(err.is_empty(), "--help writes no dataset");
    let help = String::from_utf8(out).unwrap();
    assert_lists_flags_defaults_and_exit_codes(
        &help,
        &["--seed", "--leads", "--out", "--help"],
        &[0, 2],
    );
}

#[test]
fn quickstart_help_lists_its_only_flag_and_the_exit_codes() {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let code = quickstart::handle_flags(args(&["--help"]), &mut out, &mut err);
    assert_eq!(code, Some(0), "{}", String::from_utf8_lossy(&err));
    let help = String::from_utf8(out).unwrap();
    assert_lists_flags_defaults_and_exit_codes(&help, &["--help"], &[0, 1, 2]);
}

#[test]
fn what_if_help_lists_every_flag_its_default_and_the_exit_codes() {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let code = what_if::run(args(&["--help"]), &b""[..], &mut out, &mut err);
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&err));
    assert!(err.is_empty());
    let help = String::from_utf8(out).unwrap();
    assert_lists_flags_defaults_and_exit_codes(
        &help,
        &[
            "--before", "--after", "--events", "--until", "--out", "--help",
        ],
        &[0, 2],
    );
}

#[test]
fn report_help_lists_every_flag_its_default_and_the_exit_codes() {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let code = report::run(args(&["--help"]), &mut out, &mut err);
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&err));
    assert!(err.is_empty());
    let help = String::from_utf8(out).unwrap();
    assert_lists_flags_defaults_and_exit_codes(
        &help,
        &[
            "--events",
            "--effects",
            "--policy",
            "--until",
            "--out",
            "--help",
        ],
        &[0, 2],
    );
}

#[test]
fn every_example_takes_dash_h_for_help() {
    let mut out = Vec::new();
    assert_eq!(
        replay::run(args(&["-h"]), &b""[..], &mut out, Vec::new()),
        0
    );
    assert!(out.starts_with(b"replay: "));
    let mut out = Vec::new();
    assert_eq!(calibrate::run(args(&["-h"]), &mut out, Vec::new()), 0);
    assert!(out.starts_with(b"calibrate: "));
    let mut out = Vec::new();
    assert_eq!(gen_calibration::run(args(&["-h"]), &mut out, Vec::new()), 0);
    assert!(out.starts_with(b"gen_calibration: "));
    let mut out = Vec::new();
    assert_eq!(
        quickstart::handle_flags(args(&["-h"]), &mut out, Vec::new()),
        Some(0)
    );
    assert!(out.starts_with(b"quickstart: "));
    let mut out = Vec::new();
    assert_eq!(
        what_if::run(args(&["-h"]), &b""[..], &mut out, Vec::new()),
        0
    );
    assert!(out.starts_with(b"what_if: "));
    let mut out = Vec::new();
    assert_eq!(report::run(args(&["-h"]), &mut out, Vec::new()), 0);
    assert!(out.starts_with(b"report: "));
}

#[test]
fn quickstart_refuses_an_argument_with_exit_2_and_runs_without_one() {
    let mut err = Vec::new();
    let code = quickstart::handle_flags(args(&["--leads"]), Vec::new(), &mut err);
    assert_eq!(code, Some(2));
    let err = String::from_utf8(err).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("quickstart: "), "{err}");
    assert_eq!(
        quickstart::handle_flags(args(&[]), Vec::new(), Vec::new()),
        None
    );
}
