//! The worked examples of docs/rules.md (`examples/rules/`), replayed through the
//! replay example as a user would run them, with the outcome the page says; and
//! hostile or broken `disposition` hooks through the same command line, each contained
//! in a `rule_failed` effect while the lead lands where the policy alone puts it.

#[allow(dead_code)]
#[path = "../examples/replay.rs"]
mod replay;

use leadcycle::policy::Rules;
use leadcycle::Policy;
use serde_json::{json, Value};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The page the examples belong to.
const DOC: &str = include_str!("../docs/rules.md");

/// The worked examples, one per hook, each `NAME.toml` and `NAME.jsonl`.
const EXAMPLES: [&str; 4] = ["disposition", "route", "points", "requalify"];

fn example(name: &str) -> (String, String) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/rules");
    let path = |ext: &str| {
        dir.join(format!("{name}.{ext}"))
            .to_str()
            .expect("a UTF-8 path")
            .to_owned()
    };
    (path("toml"), path("jsonl"))
}

/// What one run of the replay example printed.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The effects, after asserting the run succeeded and said nothing on stderr.
    fn effects(&self) -> Vec<Value> {
        assert_eq!(
            (self.code, self.stderr.as_str()),
            (0, ""),
            "stdout: {}",
            self.stdout
        );
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    }

    /// Whether the run printed exactly this effect line.
    fn printed(&self, line: &str) -> bool {
        self.stdout.lines().any(|l| l == line)
    }
}

fn replay(args: &[&str]) -> Run {
    let args: Vec<OsString> = args.iter().map(OsString::from).collect();
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let code = replay::run(args, &b""[..], &mut stdout, &mut stderr);
    Run {
        code,
        stdout: String::from_utf8(stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(stderr).expect("stderr is UTF-8"),
    }
}

/// `replay --policy examples/rules/NAME.toml --events examples/rules/NAME.jsonl`.
fn run_example(name: &str) -> Run {
    let (policy, events) = example(name);
    replay(&["--policy", &policy, "--events", &events])
}

/// A directory of its own for one test, under the system's temporary directory,
/// removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(test: &str) -> Scratch {
        let dir = std::env::temp_dir()
            .join(format!("leadcycle-rules-examples-{}", std::process::id()))
            .join(test);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a scratch directory");
        Scratch(dir)
    }

    /// Writes `text` to `name` in the directory and returns its path.
    fn write(&self, name: &str, text: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, text).expect("a scratch file");
        path.to_str().expect("a UTF-8 path").to_owned()
    }

    fn path(&self, name: &str) -> String {
        self.0.join(name).to_str().expect("a UTF-8 path").to_owned()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The example's events under its policy without the hook: what the policy alone does.
fn run_without_hook(name: &str, scratch: &Scratch) -> Vec<Value> {
    let (policy, events) = example(name);
    let mut policy = Policy::from_toml_file(&policy).expect("the example policy is valid");
    policy.rules = Rules::default();
    let policy = scratch.write("without-hook.toml", &policy.to_toml_string());
    replay(&["--policy", &policy, "--events", &events]).effects()
}

/// The effects of `type` naming `lead`.
fn of<'a>(effects: &'a [Value], lead: &str, kind: &str) -> Vec<&'a Value> {
    effects
        .iter()
        .filter(|e| e["lead"] == lead && e["type"] == kind)
        .collect()
}

/// The one effect of `type` naming `lead` at `at`.
fn one_at<'a>(effects: &'a [Value], lead: &str, kind: &str, at: &str) -> &'a Value {
    let found: Vec<&Value> = of(effects, lead, kind)
        .into_iter()
        .filter(|e| e["at"] == at)
        .collect();
    assert_eq!(found.len(), 1, "one {kind} of {lead} at {at}: {effects:#?}");
    found[0]
}

/// Asserts the run printed `line` and the page shows it, word for word.
fn shown_and_printed(run: &Run, line: &str) {
    assert!(run.printed(line), "the run prints {line}\n{}", run.stdout);
    assert!(DOC.contains(line), "docs/rules.md shows {line}");
}

fn no_rule_failed(effects: &[Value]) {
    let failed: Vec<&Value> = effects
        .iter()
        .filter(|e| e["type"] == "rule_failed")
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");
}

// ---------------------------------------------------------------------------------
// The worked examples
// ---------------------------------------------------------------------------------

#[test]
fn each_example_sets_its_own_hook_and_the_page_shows_its_text_verbatim() {
    for name in EXAMPLES {
        let (policy, events) = example(name);
        let policy = Policy::from_toml_file(&policy).unwrap_or_else(|e| panic!("{name}: {e}"));
        let hooks: Vec<(&str, &str)> = policy.rules.set().collect();
        let [(hook, source)] = hooks[..] else {
            panic!("{name}.toml sets one hook, not {hooks:?}")
        };
        assert_eq!(hook, name);
        assert!(DOC.contains(source), "docs/rules.md shows the {name} hook");
        // As the TOML the reader copies.
        let section = format!("[rules]\n{name} = '''\n{source}'''\n");
        assert!(DOC.contains(&section), "docs/rules.md shows:\n{section}");
        assert!(Path::new(&events).is_file(), "{events}");
        assert!(
            DOC.contains(&format!("examples/rules/{name}.jsonl")),
            "docs/rules.md names {name}.jsonl"
        );
    }
}

#[test]
fn disposition_example_sends_the_lead_down_the_stream_it_chose_and_keeps_an_engaged_one() {
    let run = run_example("disposition");
    let effects = run.effects();
    no_rule_failed(&effects);

    // L1: no choice yet, so the policy's default program for `went_dark`.
    let first = one_at(&effects, "L1", "nurture_assigned", "2026-01-07T10:00:00Z");
    assert_eq!(first["program"], "general_nurture");
    // It chose cost_stream (a branch), re-engaged, and was disqualified for
    // bad_timing (the policy's speed_stream): the hook sends it where it chose, at
    // the step it left off.
    let branch = one_at(&effects, "L1", "nurture_assigned", "2026-01-22T09:00:00Z");
    assert_eq!(
        (&branch["program"], &branch["reason"]),
        (&json!("cost_stream"), &json!("branch"))
    );
    shown_and_printed(
        &run,
        r#"{"type":"nurture_assigned","program":"cost_stream","step":2,"reason":"bad_timing","lead":"L1","at":"2026-02-10T10:00:00Z"}"#,
    );

    // L2: idle in SAL, but touched two days before: kept with R3, and recycled
    // passively only when idle again with no touch.
    shown_and_printed(
        &run,
        r#"{"type":"kept","stage":"sal","reason":"touched us in the last 7 days","cause":"sla_idle","lead":"L2","at":"2026-01-27T10:00:00Z"}"#,
    );
    assert!(of(&effects, "L2", "transition")
        .iter()
        .all(|t| t["at"] != "2026-01-27T10:00:00Z"));
    let recycled = one_at(&effects, "L2", "transition", "2026-02-17T10:00:00Z");
    assert_eq!(
        (&recycled["to"], &recycled["cause"]),
        (&json!("recycled"), &json!("sla_idle"))
    );
    let assigned = one_at(&effects, "L2", "nurture_assigned", "2026-02-17T10:00:00Z");
    assert_eq!(
        (&assigned["program"], &assigned["reason"]),
        (&json!("general_nurture"), &json!("sla_idle"))
    );

    // Without the hook: L1 follows its reason, L2 is recycled at the first idle limit.
    let scratch = Scratch::new("disposition");
    let without = run_without_hook("disposition", &scratch);
    let policy = one_at(&without, "L1", "nurture_assigned", "2026-02-10T10:00:00Z");
    assert_eq!(policy["program"], "speed_stream");
    assert!(of(&without, "L2", "kept").is_empty());
    one_at(&without, "L2", "nurture_assigned", "2026-01-27T10:00:00Z");
}

#[test]
fn route_example_routes_each_returning_lead_to_its_rep() {
    let run = run_example("route");
    let effects = run.effects();
    no_rule_failed(&effects);
    for line in [
        r#"{"type":"routed","rep":"R9","why":"re_engaged","lead":"L1","at":"2026-03-02T09:00:00Z"}"#,
        r#"{"type":"routed","rep":"R12","why":"re_engaged","lead":"L2","at":"2026-03-02T09:00:00Z"}"#,
        r#"{"type":"routed","rep":"R3","why":"re_engaged","lead":"L3","at":"2026-03-02T09:00:00Z"}"#,
    ] {
        shown_and_printed(&run, line);
    }
    // Only returning leads are routed: the first MQL of each is not.
    assert_eq!(effects.iter().filter(|e| e["type"] == "routed").count(), 3);

    let scratch = Scratch::new("route");
    let without = run_without_hook("route", &scratch);
    let reps: Vec<(&Value, &Value)> = without
        .iter()
        .filter(|e| e["type"] == "routed")
        .map(|e| (&e["lead"], &e["rep"]))
        .collect();
    assert_eq!(
        reps,
        [
            (&json!("L1"), &json!("R7")),
            (&json!("L2"), &json!("R7")),
            (&json!("L3"), &json!("R3"))
        ]
    );
}

#[test]
fn points_example_qualifies_the_senior_reader_and_ignores_the_scanner() {
    let scratch = Scratch::new("points");
    let (policy, events) = example("points");
    let state = scratch.path("state.json");
    let run = replay(&[
        "--policy",
        &policy,
        "--events",
        &events,
        "--state-out",
        &state,
    ]);
    let effects = run.effects();
    no_rule_failed(&effects);

    // L1 becomes an MQL by score with the webinar replay; L2 and L3 do not.
    let mql: Vec<(&Value, &Value, &Value)> = effects
        .iter()
        .filter(|e| e["type"] == "transition" && e["to"] == "mql")
        .map(|e| (&e["lead"], &e["cause"], &e["at"]))
        .collect();
    assert_eq!(
        mql,
        [(
            &json!("L1"),
            &json!("score"),
            &json!("2026-01-06T18:00:00Z")
        )]
    );

    // The scores the page gives, and the scanner's opens scoring nothing.
    // The state file is sealed: its header line, then the snapshot as JSON.
    let sealed = std::fs::read_to_string(&state).unwrap();
    let (_header, body) = sealed.split_once('\n').expect("a header line");
    let snapshot: Value = serde_json::from_str(body).unwrap();
    let lead = |id: &str| {
        snapshot["leads"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["id"] == id)
            .unwrap_or_else(|| panic!("{id} in {snapshot}"))
            .clone()
    };
    let score = |l: &Value| {
        l["score"]["fit"].as_f64().unwrap() + l["score"]["engagement"].as_f64().unwrap()
    };
    let touches = |l: &Value, kind: &str| -> Vec<f64> {
        l["score"]["ledger"]["entries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["cause"]["kind"] == "touch" && e["cause"]["touch"] == kind)
            .map(|e| e["points"].as_f64().unwrap())
            .collect()
    };
    let (l1, l2, l3) = (lead("L1"), lead("L2"), lead("L3"));
    assert!((101.5..102.5).contains(&score(&l1)), "L1: {}", score(&l1));
    assert_eq!(touches(&l1, "pricing_page_view"), [20.0, 20.0, 20.0]);
    assert_eq!(touches(&l1, "webinar_replay"), [7.5]);
    assert!((51.5..52.5).contains(&score(&l2)), "L2: {}", score(&l2));
    assert_eq!(touches(&l2, "pricing_page_view"), [10.0, 10.0, 10.0]);
    assert!((94.5..95.0).contains(&score(&l3)), "L3: {}", score(&l3));
    assert_eq!(l3["touch_counts"]["email_open"], 8);
    assert!(touches(&l3, "email_open").is_empty());

    // Without the hook, no lead qualifies: L1 has 65 points.
    let without = run_without_hook("points", &scratch);
    assert!(without
        .iter()
        .all(|e| !(e["type"] == "transition" && e["to"] == "mql")));
}

#[test]
fn requalify_example_holds_the_early_demo_request_and_takes_the_roi_click() {
    let run = run_example("requalify");
    let effects = run.effects();
    no_rule_failed(&effects);
    // The demo request a week after recycling changes nothing.
    assert!(effects.iter().all(|e| e["at"] != "2026-01-23T09:00:00Z"));
    for line in [
        r#"{"type":"transition","from":"recycled","to":"mql","cause":"score","lead":"L1","at":"2026-02-14T09:00:00Z"}"#,
        r#"{"type":"nurture_ended","program":"timing_drip","step":3,"why":"re_engaged","lead":"L1","at":"2026-02-14T09:00:00Z"}"#,
        r#"{"type":"routed","rep":"R7","why":"re_engaged","lead":"L1","at":"2026-02-14T09:00:00Z"}"#,
    ] {
        shown_and_printed(&run, line);
    }

    // Without the hook the demo request sends L1 straight back to R7.
    let scratch = Scratch::new("requalify");
    let without = run_without_hook("requalify", &scratch);
    let back = one_at(&without, "L1", "transition", "2026-01-23T09:00:00Z");
    assert_eq!(
        (&back["to"], &back["cause"]),
        (&json!("mql"), &json!("hand_raiser"))
    );
}

// ---------------------------------------------------------------------------------
// Hostile and broken hooks, through the replay example
// ---------------------------------------------------------------------------------

/// L1 becomes an MQL, is accepted by R7, and is disqualified for `bad_timing`: the
/// default policy nurtures it in timing_drip from step 0.
const DISQUALIFIED: &str = r#"{"type":"created","lead":"L1","at":"2026-01-05T10:00:00Z","source":"webinar","profile":{"seniority":"vp","employees":350}}
{"type":"touch","lead":"L1","at":"2026-01-06T09:00:00Z","kind":"demo_request"}
{"type":"sales_accepted","lead":"L1","at":"2026-01-07T09:00:00Z","rep":"R7"}
{"type":"disqualified","lead":"L1","at":"2026-01-16T12:00:00Z","rep":"R7","reason":"bad_timing"}
"#;

fn disposition_policy(source: &str) -> String {
    format!("[rules]\ndisposition = '''\n{source}\n'''\n")
}

#[test]
fn a_hostile_or_broken_disposition_hook_is_contained_and_the_policy_default_applies() {
    // (what, the hook, what the error says, where: "line L, column C" when rhai
    // gives a position).
    let cases: &[(&str, &str, &str, Option<&str>)] = &[
        (
            "an endless loop",
            "let n = 0;\nloop {\n    n += 1;\n}",
            "the hook reached rules.limits.max_operations = 100000",
            Some("line 3, column "),
        ),
        (
            "deep recursion",
            "fn down(n) {\n    down(n + 1)\n}\ndown(0)",
            "the hook reached rules.limits.max_call_levels = 32",
            Some("line "),
        ),
        (
            "a string that doubles until it is huge",
            "let s = \"x\";\nloop {\n    s += s;\n}",
            "the hook reached rules.limits.max_string_size = 65536",
            Some("line 3, column "),
        ),
        (
            "an array that grows without end",
            "let a = [];\nloop {\n    a.push(lead.id);\n}",
            "the hook reached rules.limits.max_array_size = 10000",
            Some("line 3, column "),
        ),
        (
            "a call to an undefined function",
            "let grade = lead.fit_grade;\nno_such_function(grade)",
            "Function not found: no_such_function",
            Some("line 2, column 1: "),
        ),
        (
            "a wrong return type",
            r#""general_nurture""#,
            r#"the hook returned string "general_nurture": expected () or a map"#,
            None,
        ),
        (
            "an unknown program",
            r#"#{ program: "vip_track" }"#,
            "the hook chose program `vip_track`, which the policy does not define",
            None,
        ),
    ];
    let scratch = Scratch::new("hostile");
    let events = scratch.write("events.jsonl", DISQUALIFIED);
    let default = scratch.write("default.toml", "");
    let expected = replay(&["--policy", &default, "--events", &events]).effects();
    let expected_assigned = of(&expected, "L1", "nurture_assigned");
    assert_eq!(expected_assigned.len(), 1);
    assert_eq!(expected_assigned[0]["program"], "timing_drip");

    for (i, (what, source, says, position)) in cases.iter().enumerate() {
        let policy = scratch.write(&format!("hostile-{i}.toml"), &disposition_policy(source));
        let effects = replay(&["--policy", &policy, "--events", &events]).effects();
        let failed: Vec<&Value> = effects
            .iter()
            .filter(|e| e["type"] == "rule_failed")
            .collect();
        assert_eq!(failed.len(), 1, "{what}: {effects:#?}");
        let failed = failed[0];
        assert_eq!(failed["hook"], "disposition", "{what}");
        assert_eq!(failed["lead"], "L1", "{what}");
        assert_eq!(failed["at"], "2026-01-16T12:00:00Z", "{what}");
        let error = failed["error"].as_str().unwrap();
        assert!(error.contains(says), "{what}: {error}");
        if let Some(position) = position {
            assert!(error.starts_with(position), "{what}: {error}");
        }
        assert_eq!(
            failed["fallback"], "the policy's disposition: nurture in timing_drip at step 0",
            "{what}"
        );
        // The lead lands where the policy alone puts it, with the same effects.
        assert_eq!(
            of(&effects, "L1", "nurture_assigned"),
            expected_assigned,
            "{what}"
        );
        let rest: Vec<&Value> = effects
            .iter()
            .filter(|e| e["type"] != "rule_failed")
            .collect();
        assert_eq!(rest, expected.iter().collect::<Vec<_>>(), "{what}");
    }
}

#[test]
fn a_hook_that_does_not_compile_stops_the_replay_with_one_line_naming_it() {
    let scratch = Scratch::new("compile");
    let events = scratch.write("events.jsonl", DISQUALIFIED);
    for (what, source, says) in [
        (
            "a syntax error",
            "let x = 1;\nlet y = x + ;\n()",
            "`rules.disposition` does not compile: line 2, column 13: ",
        ),
        (
            "a misspelt field",
            "// lead.fit_grad in a comment is not read\nif lead.fit_grad == \"A\" { () }",
            "`rules.disposition` line 2, column 9: `lead.fit_grad` is not a field of the lead view",
        ),
    ] {
        let policy = scratch.write("broken.toml", &disposition_policy(source));
        let run = replay(&["--policy", &policy, "--events", &events]);
        assert_eq!(run.code, 2, "{what}: {}", run.stdout);
        assert_eq!(run.stdout, "", "{what}: nothing is replayed");
        assert!(run.stderr.ends_with('\n'), "{what}: {:?}", run.stderr);
        assert_eq!(run.stderr.lines().count(), 1, "{what}: {:?}", run.stderr);
        let line = run.stderr.trim_end();
        assert!(
            line.starts_with("replay: invalid policy "),
            "{what}: {line}"
        );
        assert!(line.contains(says), "{what}: {line}");
    }
}
