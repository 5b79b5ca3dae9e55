//! Data-driven scenario tests: one file per rule in `tests/scenarios/*.scenario`.
//!
//! A scenario is a small, readable script run through one [`LeadBook`]:
//!
//! ```text
//! # Which DESIGN.md rule / CONTRACT.md sentence this checks, and how.
//! # (A scenario must open with a comment block; `#` lines may also annotate the body.)
//!
//! policy:
//! [scoring]
//! mql_threshold = 30
//!
//! > {"type":"created","lead":"L1","at":"2026-01-05T10:00:00Z","source":"webinar"}
//! < {"type":"transition","lead":"L1","at":"2026-01-05T10:00:00Z","from":null,"to":"inquiry","cause":"created"}
//! > {"type":"touch","lead":"L1","at":"2026-01-05T11:00:00Z","kind":"email_open"}
//! = L1 {"touch_counts":{"email_open":1}}
//! ```
//!
//! - `policy:` (optional, before the first input) starts TOML text that runs up to the
//!   first `>` line; it is parsed with `toml` into a [`Policy`]. Without it the scenario
//!   runs under [`Policy::default`].
//! - `> {event}` is an input event; the `< {effect}` lines after it are the exact
//!   effects it must produce, in order. An input without `<` lines must produce none.
//! - `= LEAD {fields}` checks the lead's state: each field given must equal the same
//!   field of the lead's serde form (the snapshot form); a key may be a dotted path
//!   (`"score.engagement"`); fields not given are not checked (a missing one reads as
//!   `null`). Effects say what happened; this says what the lead remembers (rule 3's
//!   first touch, for one, shows in no effect).
//!
//! JSON is compared as `serde_json::Value`, except that numbers compare by value
//! (`350` equals `350.0`). Every scenario is run, and every mismatch of every failing
//! scenario is reported with the scenario's name, the input line and the expected and
//! actual effects.

use leadcycle::{Engine, Event, LeadBook, Policy};
use serde_json::{Map, Value};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// One parsed scenario file.
#[derive(Debug)]
struct Scenario {
    /// TOML text and the line it starts on, if the scenario sets a policy.
    policy: Option<(usize, String)>,
    steps: Vec<Step>,
}

#[derive(Debug)]
enum Step {
    /// `> event` and the `< effect` lines that follow it.
    Input {
        line: usize,
        text: String,
        event: Box<Event>,
        /// Each expected effect, as written and as JSON.
        expected: Vec<(String, Value)>,
    },
    /// `= LEAD {fields}`.
    State {
        line: usize,
        text: String,
        lead: String,
        fields: Map<String, Value>,
    },
}

fn parse(text: &str) -> Result<Scenario, String> {
    let mut scenario = Scenario {
        policy: None,
        steps: Vec::new(),
    };
    let mut in_policy = false;
    let mut seen_content = false;
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let trimmed = raw.trim();
        if in_policy && !trimmed.starts_with('>') {
            // Policy lines go to TOML verbatim, comments included (a rhai map literal
            // `#{...}` starts with `#` too).
            if let Some((_, toml)) = &mut scenario.policy {
                toml.push_str(raw);
                toml.push('\n');
            }
            continue;
        }
        in_policy = false;
        if trimmed.is_empty() {
            continue;
        }
        if !seen_content && !trimmed.starts_with('#') {
            return Err(format!(
                "line {line}: a scenario opens with a `#` comment block saying which rule it checks"
            ));
        }
        seen_content = true;
        if trimmed.starts_with('#') {
            continue;
        }
        if trimmed == "policy:" {
            if scenario.policy.is_some() || !scenario.steps.is_empty() {
                return Err(format!(
                    "line {line}: `policy:` may appear once, before the first input"
                ));
            }
            scenario.policy = Some((line + 1, String::new()));
            in_policy = true;
        } else if let Some(json) = trimmed.strip_prefix('>') {
            let event: Event = serde_json::from_str(json.trim())
                .map_err(|e| format!("line {line}: not an event: {e}"))?;
            scenario.steps.push(Step::Input {
                line,
                text: trimmed.to_owned(),
                event: Box::new(event),
                expected: Vec::new(),
            });
        } else if let Some(json) = trimmed.strip_prefix('<') {
            let effect: Value = serde_json::from_str(json.trim())
                .map_err(|e| format!("line {line}: not JSON: {e}"))?;
            match scenario.steps.last_mut() {
                Some(Step::Input { expected, .. }) => {
                    expected.push((json.trim().to_owned(), effect))
                }
                _ => {
                    return Err(format!(
                        "line {line}: a `<` effect line must follow a `>` input or another `<` line"
                    ))
                }
            }
        } else if let Some(rest) = trimmed.strip_prefix('=') {
            let (lead, json) = rest
                .trim()
                .split_once(char::is_whitespace)
                .ok_or_else(|| format!("line {line}: expected `= LEAD {{fields}}`"))?;
            let fields = match serde_json::from_str(json.trim()) {
                Ok(Value::Object(fields)) => fields,
                Ok(_) => return Err(format!("line {line}: `= {lead}` takes a JSON object")),
                Err(e) => return Err(format!("line {line}: not JSON: {e}")),
            };
            scenario.steps.push(Step::State {
                line,
                text: trimmed.to_owned(),
                lead: lead.to_owned(),
                fields,
            });
        } else {
            return Err(format!(
                "line {line}: expected `# comment`, `policy:`, `> event`, `< effect` or `= LEAD {{fields}}`, got: {trimmed}"
            ));
        }
    }
    if !scenario
        .steps
        .iter()
        .any(|s| matches!(s, Step::Input { .. }))
    {
        return Err("the scenario has no `>` input event".to_owned());
    }
    Ok(scenario)
}

/// Numbers compare by value: `350` and `350.0` are the same JSON number.
fn normalize(v: &Value) -> Value {
    match v {
        Value::Number(n) => n
            .as_f64()
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| v.clone(), Value::Number),
        Value::Array(items) => Value::Array(items.iter().map(normalize).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), normalize(v))).collect())
        }
        _ => v.clone(),
    }
}

fn effect_lines(effects: &[String]) -> String {
    if effects.is_empty() {
        return "    (no effects)\n".to_owned();
    }
    effects.iter().map(|e| format!("    < {e}\n")).collect()
}

/// Runs one scenario; returns a description of every mismatch (empty when it passes).
fn run(scenario: &Scenario) -> Vec<String> {
    let policy = match &scenario.policy {
        None => Policy::default(),
        Some((line, toml)) => match Policy::from_toml_str(toml) {
            Ok(p) => p,
            Err(e) => return vec![format!("the policy (from line {line}) is refused: {e}")],
        },
    };
    let engine = match Engine::new(policy) {
        Ok(engine) => engine,
        Err(e) => return vec![format!("the policy is refused: {e}")],
    };
    let mut book = LeadBook::new();
    let mut problems = Vec::new();
    for step in &scenario.steps {
        match step {
            Step::Input {
                line,
                text,
                event,
                expected,
            } => {
                let effects = book.apply(&engine, event);
                let actual: Vec<Value> = effects
                    .iter()
                    .map(|e| normalize(&serde_json::to_value(e).expect("effects serialize")))
                    .collect();
                let first_difference = actual
                    .iter()
                    .zip(expected)
                    .position(|(a, (_, e))| *a != normalize(e))
                    .or_else(|| {
                        (actual.len() != expected.len()).then(|| actual.len().min(expected.len()))
                    });
                if let Some(first) = first_difference {
                    let expected: Vec<String> = expected.iter().map(|(t, _)| t.clone()).collect();
                    let actual: Vec<String> = effects
                        .iter()
                        .map(|e| serde_json::to_string(e).expect("effects serialize"))
                        .collect();
                    problems.push(format!(
                        "  line {line}: {text}\n  effects differ from effect #{} on:\n  expected:\n{}  actual:\n{}",
                        first + 1,
                        effect_lines(&expected),
                        effect_lines(&actual),
                    ));
                }
            }
            Step::State {
                line,
                text,
                lead,
                fields,
            } => {
                let Some(found) = book.get(lead) else {
                    problems.push(format!(
                        "  line {line}: {text}\n  the book has no lead {lead}\n"
                    ));
                    continue;
                };
                let state = serde_json::to_value(found).expect("leads serialize");
                for (field, want) in fields {
                    let got = field
                        .split('.')
                        .try_fold(&state, |v, key| v.get(key))
                        .unwrap_or(&Value::Null);
                    if normalize(got) != normalize(want) {
                        problems.push(format!(
                            "  line {line}: {text}\n  lead {lead} field `{field}`:\n    expected {want}\n    actual   {got}\n"
                        ));
                    }
                }
            }
        }
    }
    problems
}

fn scenario_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "scenario"))
        .collect();
    files.sort();
    files
}

/// Runs every scenario file in `dir`; returns (scenarios run, report of the failures).
fn run_dir(dir: &Path) -> (usize, String) {
    let files = scenario_files(dir);
    let mut report = String::new();
    let mut failed = 0;
    for path in &files {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let problems = match parse(&text) {
            Ok(scenario) => run(&scenario),
            Err(e) => vec![format!("  cannot read the scenario: {e}\n")],
        };
        if !problems.is_empty() {
            failed += 1;
            let _ = writeln!(report, "FAILED scenario {name} ({})", path.display());
            for p in problems {
                let _ = writeln!(report, "{p}");
            }
        }
    }
    if failed > 0 {
        let _ = writeln!(
            report,
            "{failed} of {} scenarios failed (see above)",
            files.len()
        );
    }
    (files.len(), report)
}

#[test]
fn every_scenario_produces_exactly_its_expected_effects() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let (count, report) = run_dir(&dir);
    assert!(
        count > 0,
        "no scenarios found in {}: expected at least one *.scenario file",
        dir.display()
    );
    assert!(report.is_empty(), "\n{report}");
    println!("{count} scenarios passed");
}

// The harness itself: a mismatch must be reported, never passed over.

const CREATED: &str = r#"> {"type":"created","lead":"L1","at":"2026-01-05T10:00:00Z","source":"webinar","profile":{"employees":350}}"#;

#[test]
fn harness_reports_the_scenario_input_and_both_effect_lists_on_mismatch() {
    let text = format!(
        "# harness self-test\n{CREATED}\n< {}\n",
        r#"{"type":"transition","lead":"L1","at":"2026-01-05T10:00:00Z","from":null,"to":"mql","cause":"created"}"#
    );
    let problems = run(&parse(&text).unwrap());
    assert_eq!(problems.len(), 1, "{problems:?}");
    let p = &problems[0];
    assert!(p.contains("line 2: > {\"type\":\"created\""), "{p}");
    assert!(p.contains("\"to\":\"mql\""), "expected list missing: {p}");
    assert!(p.contains("\"to\":\"inquiry\""), "actual list missing: {p}");
}

#[test]
fn harness_passes_a_matching_scenario_and_compares_numbers_by_value() {
    let text = format!(
        "# harness self-test\n{CREATED}\n< {}\n= L1 {}\n",
        r#"{"type":"transition","lead":"L1","at":"2026-01-05T10:00:00Z","from":null,"to":"inquiry","cause":"created"}"#,
        r#"{"stage":"inquiry","profile":{"employees":350},"score.fit":15}"#
    );
    let problems = run(&parse(&text).unwrap());
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn harness_expects_no_effects_from_an_input_without_effect_lines() {
    let text = format!("# harness self-test\n{CREATED}\n");
    let problems = run(&parse(&text).unwrap());
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("(no effects)"), "{}", problems[0]);
}

#[test]
fn harness_refuses_scenarios_it_cannot_read() {
    for bad in [
        format!("{CREATED}\n"),                          // no comment block
        "# only a comment\n".to_owned(),                 // no input
        format!("# c\n< {{}}\n{CREATED}\n"),             // effect before any input
        format!("# c\n{CREATED}\nsomething else\n"),     // unknown line
        format!("# c\n{CREATED}\npolicy:\n[scoring]\n"), // policy after an input
        "# c\n> {\"type\":\"tick\",\"lead\":\"L1\",\"at\":\"2026-01-05T10:00:00Z\"}\n".to_owned(),
    ] {
        assert!(parse(&bad).is_err(), "accepted:\n{bad}");
    }
}

#[test]
fn harness_reports_every_failing_scenario_in_a_directory() {
    let dir = std::env::temp_dir().join(format!("leadcycle-scenarios-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["a_fails", "b_fails"] {
        std::fs::write(
            dir.join(format!("{name}.scenario")),
            format!("# c\n{CREATED}\n"),
        )
        .unwrap();
    }
    let (count, report) = run_dir(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(count, 2);
    assert!(report.contains("FAILED scenario a_fails"), "{report}");
    assert!(report.contains("FAILED scenario b_fails"), "{report}");
    assert!(report.contains("2 of 2 scenarios failed"), "{report}");
}

#[test]
fn an_empty_scenario_directory_finds_nothing_to_run() {
    let dir = std::env::temp_dir().join(format!("leadcycle-no-scenarios-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (count, _) = run_dir(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(
        count, 0,
        "the main test asserts count > 0 and so fails here"
    );
}
