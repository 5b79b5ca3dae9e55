//! The `[rules]` hooks (docs/rules.md): what each decides, the sandbox's limits, and
//! every way a hook can fail — each contained, reported in a `rule_failed` effect, with
//! the lead landing where the policy alone would have put it.

use leadcycle::rules::{Hook, EVENT_FIELDS, LEAD_FIELDS};
use leadcycle::{Effect, EffectKind, Engine, Event, LeadBook, Policy, PolicyProblem, Stage};
use serde_json::Value;

/// The default policy with `rules` (TOML, the body of a `[rules]` section).
fn engine(rules: &str) -> Engine {
    try_engine(rules).unwrap_or_else(|e| panic!("{e}"))
}

fn try_engine(rules: &str) -> Result<Engine, leadcycle::PolicyError> {
    let policy: Policy = toml::from_str(&format!("[rules]\n{rules}")).expect("policy parses");
    Engine::new(policy)
}

/// A hook's TOML line.
fn hook(name: &str, source: &str) -> String {
    format!("{name} = '''\n{source}\n'''\n")
}

fn events(lines: &str) -> Vec<Event> {
    lines
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// Every effect of replaying `lines` in one book, and the book.
fn replay(engine: &Engine, lines: &str) -> (Vec<Effect>, LeadBook) {
    let mut book = LeadBook::new();
    let mut out = Vec::new();
    for e in events(lines) {
        out.extend(book.apply(engine, &e));
    }
    (out, book)
}

fn json(effects: &[Effect]) -> Vec<Value> {
    effects
        .iter()
        .map(|e| serde_json::to_value(e).unwrap())
        .collect()
}

/// L1 becomes an MQL (a hand-raiser), is accepted by R7, then `ending` happens.
fn to_sal_then(ending: &str) -> String {
    format!(
        r#"{{"type":"created","lead":"L1","at":"2026-01-05T10:00:00Z","source":"webinar","profile":{{"seniority":"vp","employees":350}}}}
{{"type":"touch","lead":"L1","at":"2026-01-06T09:00:00Z","kind":"demo_request"}}
{{"type":"sales_accepted","lead":"L1","at":"2026-01-07T09:00:00Z","rep":"R7"}}
{ending}"#
    )
}

const DISQUALIFIED_BAD_TIMING: &str = r#"{"type":"disqualified","lead":"L1","at":"2026-01-20T12:00:00Z","rep":"R7","reason":"bad_timing"}"#;
const DISQUALIFIED_NOT_A_BUYER: &str = r#"{"type":"disqualified","lead":"L1","at":"2026-01-20T12:00:00Z","rep":"R7","reason":"not_a_buyer"}"#;

/// The effects of the last event only (those at its time, after the setup).
fn last_step(engine: &Engine, lines: &str) -> (Vec<Effect>, LeadBook) {
    let mut book = LeadBook::new();
    let mut last = Vec::new();
    for e in events(lines) {
        last = book.apply(engine, &e);
    }
    (last, book)
}

fn types(effects: &[Effect]) -> Vec<&'static str> {
    effects
        .iter()
        .map(|e| e.kind.effect_type().as_str())
        .collect()
}

fn rule_failed(effects: &[Effect]) -> (String, String, String) {
    let failed: Vec<_> = effects
        .iter()
        .filter_map(|e| match &e.kind {
            EffectKind::RuleFailed {
                hook,
                error,
                fallback,
                ..
            } => Some((hook.clone(), error.clone(), fallback.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(failed.len(), 1, "expected one rule_failed in {effects:#?}");
    failed.into_iter().next().unwrap()
}

fn enrolled(effects: &[Effect]) -> Option<(String, usize)> {
    effects.iter().find_map(|e| match &e.kind {
        EffectKind::NurtureAssigned { program, step, .. } => Some((program.clone(), *step)),
        _ => None,
    })
}

// ---------------------------------------------------------------------------------
// disposition
// ---------------------------------------------------------------------------------

#[test]
fn disposition_hook_chooses_the_program_and_step() {
    let e = engine(&hook(
        "disposition",
        r#"if event.reason == "bad_timing" && lead.fit_grade == "B" { #{ program: "competitive_displacement", step: 1 } }"#,
    ));
    let (effects, book) = last_step(&e, &to_sal_then(DISQUALIFIED_BAD_TIMING));
    assert_eq!(
        enrolled(&effects),
        Some(("competitive_displacement".into(), 1))
    );
    assert_eq!(book.get("L1").unwrap().stage(), Stage::Recycled);
    assert_eq!(book.get("L1").unwrap().recycle_reasons(), ["bad_timing"]);
}

#[test]
fn disposition_hook_without_a_step_enters_where_the_lead_left_off() {
    let e = engine(&hook("disposition", r#"#{ program: "general_nurture" }"#));
    let (effects, _) = last_step(&e, &to_sal_then(DISQUALIFIED_BAD_TIMING));
    assert_eq!(enrolled(&effects), Some(("general_nurture".into(), 0)));
}

#[test]
fn disposition_hook_returning_unit_keeps_the_policy_decision() {
    let with = engine(&hook("disposition", "()"));
    let without = Engine::new(Policy::default()).unwrap();
    for ending in [DISQUALIFIED_BAD_TIMING, DISQUALIFIED_NOT_A_BUYER] {
        let lines = to_sal_then(ending);
        assert_eq!(
            json(&replay(&with, &lines).0),
            json(&replay(&without, &lines).0)
        );
    }
}

#[test]
fn disposition_hook_can_remove_a_lead_with_its_own_reason() {
    let e = engine(&hook(
        "disposition",
        r#"if lead.times_recycled == 0 && event.rep == "R7" { #{ remove: "r7_says_never" } }"#,
    ));
    let (effects, book) = last_step(&e, &to_sal_then(DISQUALIFIED_BAD_TIMING));
    assert_eq!(types(&effects), ["transition"]);
    let lead = book.get("L1").unwrap();
    assert_eq!(lead.stage(), Stage::Removed);
    assert_eq!(lead.removed_reason(), Some("r7_says_never"));
}

#[test]
fn disposition_hook_can_keep_a_lead_with_sales_and_its_idle_clock_restarts() {
    let e = engine(&hook(
        "disposition",
        r#"#{ keep: "rep asked for another week" }"#,
    ));
    let (effects, book) = last_step(&e, &to_sal_then(DISQUALIFIED_BAD_TIMING));
    let lines: Vec<String> = effects.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        lines,
        ["2026-01-20T12:00:00Z L1: kept in sal by the disposition rule (rep asked for another week), not recycled by disqualified"]
    );
    let lead = book.get("L1").unwrap();
    assert_eq!(lead.stage(), Stage::Sal);
    assert_eq!(lead.owner().map(|r| r.as_str()), Some("R7"));
    // sla.sal.idle_days = 21 from the event that would have recycled it.
    assert_eq!(
        lead.sla().idle_due,
        Some("2026-02-10T12:00:00Z".parse().unwrap())
    );
    let v = serde_json::to_value(&effects[0]).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"type":"kept","lead":"L1","at":"2026-01-20T12:00:00Z","stage":"sal","reason":"rep asked for another week","cause":"disqualified"})
    );
}

#[test]
fn disposition_hook_decides_passive_recycling_and_sees_sla_idle() {
    let e = engine(&hook(
        "disposition",
        r#"if event.type == "sla_idle" && event.reason == "sla_idle" && lead.stage == "sal" { #{ program: "timing_drip" } }"#,
    ));
    // SAL idle after 21 days (the attempts SLA breaches first).
    let lines = to_sal_then(r#"{"type":"tick","at":"2026-03-01T00:00:00Z"}"#);
    let (effects, book) = replay(&e, &lines);
    assert_eq!(enrolled(&effects), Some(("timing_drip".into(), 0)));
    assert_eq!(book.get("L1").unwrap().recycle_reasons(), ["sla_idle"]);
}

#[test]
fn disposition_hook_cannot_email_a_lead_that_unsubscribed() {
    let e = engine(&hook("disposition", r#"#{ program: "general_nurture" }"#));
    let lines = to_sal_then(&format!(
        "{}\n{}",
        r#"{"type":"unsubscribed","lead":"L1","at":"2026-01-10T12:00:00Z"}"#,
        DISQUALIFIED_BAD_TIMING
    ));
    let (_, book) = replay(&e, &lines);
    let lead = book.get("L1").unwrap();
    assert_eq!(lead.stage(), Stage::Removed);
    assert_eq!(lead.removed_reason(), Some("unsubscribed"));
}

// ---------------------------------------------------------------------------------
// route, points, requalify
// ---------------------------------------------------------------------------------

/// L1 is disqualified (bad_timing) by R7, then hand-raises again.
fn recycled_then_hand_raises() -> String {
    to_sal_then(&format!(
        "{DISQUALIFIED_BAD_TIMING}\n{}",
        r#"{"type":"touch","lead":"L1","at":"2026-02-01T09:00:00Z","kind":"contact_sales"}"#
    ))
}

fn routed(effects: &[Effect]) -> Option<String> {
    effects.iter().find_map(|e| match &e.kind {
        EffectKind::Routed { rep, .. } => Some(rep.to_string()),
        _ => None,
    })
}

#[test]
fn route_hook_names_the_rep_of_a_returning_lead() {
    let e = engine(&hook(
        "route",
        r#"if lead.original_rep == "R7" && lead.times_recycled > 0 { "R9" }"#,
    ));
    let (effects, book) = last_step(&e, &recycled_then_hand_raises());
    assert_eq!(routed(&effects).as_deref(), Some("R9"));
    assert_eq!(
        book.get("L1").unwrap().owner().map(|r| r.as_str()),
        Some("R9")
    );
}

#[test]
fn route_hook_returning_unit_routes_to_the_original_rep() {
    let e = engine(&hook("route", "()"));
    let (effects, _) = last_step(&e, &recycled_then_hand_raises());
    assert_eq!(routed(&effects).as_deref(), Some("R7"));
}

#[test]
fn points_hook_adds_points_on_top_of_the_table() {
    // 35 fit + 10 (pricing_page_view) + 60 from the hook = 105 >= mql_threshold 100.
    let e = engine(&hook(
        "points",
        r#"if event.kind == "pricing_page_view" && lead.profile.seniority == "vp" { 60 }"#,
    ));
    let lines = r#"{"type":"created","lead":"L1","at":"2026-01-05T10:00:00Z","source":"webinar","profile":{"seniority":"vp","employees":350}}
{"type":"touch","lead":"L1","at":"2026-01-06T09:00:00Z","kind":"pricing_page_view"}"#;
    let (effects, book) = last_step(&e, lines);
    assert_eq!(types(&effects), ["transition"]);
    assert_eq!(book.get("L1").unwrap().stage(), Stage::Mql);
    let without = Engine::new(Policy::default()).unwrap();
    assert_eq!(
        replay(&without, lines).1.get("L1").unwrap().stage(),
        Stage::Inquiry
    );
}

#[test]
fn points_hook_can_score_a_kind_the_table_does_not_and_take_points_away() {
    let e = engine(&hook(
        "points",
        r#"switch event.kind { "podcast_listen" => 5.5, "email_open" => -1, _ => () }"#,
    ));
    let lines = r#"{"type":"created","lead":"L1","at":"2026-01-05T10:00:00Z","source":"webinar"}
{"type":"touch","lead":"L1","at":"2026-01-05T10:00:00Z","kind":"podcast_listen"}
{"type":"touch","lead":"L1","at":"2026-01-05T10:00:00Z","kind":"email_open"}"#;
    let (_, book) = replay(&e, lines);
    // 5.5 for the podcast; the email open's 1 point cancelled.
    assert_eq!(book.get("L1").unwrap().score().engagement, 5.5);
}

#[test]
fn requalify_hook_false_holds_a_hand_raiser_in_nurture() {
    let e = engine(&hook("requalify", "lead.times_recycled < 1"));
    let (effects, book) = last_step(&e, &recycled_then_hand_raises());
    assert!(effects
        .iter()
        .all(|e| !matches!(e.kind, EffectKind::Transition { .. })));
    assert_eq!(book.get("L1").unwrap().stage(), Stage::Recycled);
}

#[test]
fn requalify_hook_true_brings_a_lead_back_below_the_threshold() {
    let e = engine(&hook(
        "requalify",
        r#"if event.type == "touch" && event.content == "roi-calculator" { true }"#,
    ));
    let lines = to_sal_then(&format!(
        "{DISQUALIFIED_BAD_TIMING}\n{}",
        r#"{"type":"touch","lead":"L1","at":"2026-02-01T09:00:00Z","kind":"email_click","content":"roi-calculator"}"#
    ));
    let (effects, book) = last_step(&e, &lines);
    assert_eq!(book.get("L1").unwrap().stage(), Stage::Mql);
    assert_eq!(routed(&effects).as_deref(), Some("R7"));
    let EffectKind::Transition { cause, .. } = &effects[0].kind else {
        panic!("{effects:?}")
    };
    assert_eq!(cause.to_string(), "score");
}

// ---------------------------------------------------------------------------------
// The views
// ---------------------------------------------------------------------------------

#[test]
fn every_view_field_can_be_read() {
    let mut reads: Vec<String> = LEAD_FIELDS
        .iter()
        .map(|f| format!("seen.push(type_of(lead.{f}));"))
        .collect();
    reads.extend(
        EVENT_FIELDS
            .iter()
            .map(|f| format!("seen.push(type_of(event.{f}));")),
    );
    let source = format!(
        "let seen = [];\n{}\nif seen.len() != {} {{ throw \"missing\" }}\n#{{ keep: seen.reduce(|sum, t| sum + t + \",\", \"\") }}",
        reads.join("\n"),
        LEAD_FIELDS.len() + EVENT_FIELDS.len()
    );
    let e = engine(&hook("disposition", &source));
    let (effects, _) = last_step(&e, &to_sal_then(DISQUALIFIED_BAD_TIMING));
    let EffectKind::Kept { reason, .. } = &effects[0].kind else {
        panic!("{effects:#?}")
    };
    let got: Vec<&str> = reason.trim_end_matches(',').split(',').collect();
    let expected = [
        // lead
        "string", "string", "f64", "string", "f64", "string", "i64", "string", "f64", "f64", "f64",
        "map", "map", "map", "f64", "i64", "array", "()", "()", "map", "array", "array", "string",
        "string", "()", "()", "bool", "map", // event (a `disqualified`)
        "string", "string", "string", "()", "string", "string", "()", "()", "()", "()", "()", "()",
        "()", "()", "()", "()",
    ];
    let named: Vec<String> = LEAD_FIELDS
        .iter()
        .chain(EVENT_FIELDS)
        .zip(&got)
        .map(|(f, t)| format!("{f}: {t}"))
        .collect();
    assert_eq!(got, expected, "{named:#?}");
}

#[test]
fn a_misspelt_view_field_is_a_compile_error_with_its_position() {
    let err = try_engine(&hook(
        "disposition",
        "// lead.not_checked\nif lead.fit_grad == \"A\" { () }",
    ))
    .unwrap_err();
    let [PolicyProblem::HookUnknownField {
        hook,
        line,
        column,
        view,
        field,
        ..
    }] = err.problems()
    else {
        panic!("{err}")
    };
    assert_eq!(
        (*hook, *line, *column, *view, field.as_str()),
        ("disposition", 2, 9, "lead", "fit_grad")
    );
    assert!(
        err.to_string().contains("expected one of id, stage"),
        "{err}"
    );
}

#[test]
fn a_field_a_script_adds_to_a_view_does_not_reach_the_next_call() {
    let e = engine(&hook(
        "disposition",
        r#"let seen = "extra" in lead; lead["extra"] = 1; if seen { #{ keep: "leaked" } }"#,
    ));
    for _ in 0..3 {
        let (effects, _) = last_step(&e, &to_sal_then(DISQUALIFIED_BAD_TIMING));
        assert!(
            effects
                .iter()
                .all(|e| !matches!(e.kind, EffectKind::Kept { .. })),
            "{effects:#?}"
        );
    }
}

#[test]
fn the_views_are_read_only() {
    for write in [
        r#"lead.stage = "customer""#,
        r#"lead.profile.seniority = "intern""#,
        "lead.touches.demo_request = 99",
        r#"event.reason = "no_budget""#,
        "lead = #{}",
    ] {
        // Twice on one thread: the views are reused from call to call.
        for _ in 0..2 {
            let e = engine(&hook(
                "disposition",
                &format!(
                    "{write};
let x = [lead.stage, lead.profile, lead.touches, event.reason]; ()"
                ),
            ));
            let (effects, book) = last_step(&e, &to_sal_then(DISQUALIFIED_BAD_TIMING));
            let (hook, error, _) = rule_failed(&effects);
            assert_eq!(hook, "disposition");
            assert!(error.contains("constant"), "{write}: {error}");
            assert_eq!(book.get("L1").unwrap().stage(), Stage::Recycled);
        }
    }
}

// ---------------------------------------------------------------------------------
// The sandbox
// ---------------------------------------------------------------------------------

#[test]
fn eval_import_and_unknown_variables_do_not_compile() {
    for source in [
        r#"eval("1")"#,
        r#"import "x" as y; ()"#,
        "undefined_variable",
    ] {
        let err = try_engine(&hook("points", source)).unwrap_err();
        assert!(
            matches!(
                err.problems(),
                [PolicyProblem::HookSyntax {
                    hook: "points",
                    line: 1,
                    ..
                }]
            ),
            "{source}: {err}"
        );
    }
}

#[test]
fn print_and_debug_are_harmless() {
    let e = engine(&hook("points", r#"print("to stdout?"); debug(lead); 1"#));
    let (effects, _) = replay(
        &e,
        r#"{"type":"created","lead":"L1","at":"2026-01-05T10:00:00Z","source":"webinar"}
{"type":"touch","lead":"L1","at":"2026-01-05T10:00:00Z","kind":"email_open"}"#,
    );
    assert!(effects
        .iter()
        .all(|e| !matches!(e.kind, EffectKind::RuleFailed { .. })));
}

#[test]
fn limits_are_read_from_the_policy_and_zero_is_refused() {
    let e = engine(&format!(
        "{}[rules.limits]\nmax_operations = 50\n",
        hook("disposition", "let x = 0; while x < 1000 { x += 1 } ()")
    ));
    let (effects, _) = last_step(&e, &to_sal_then(DISQUALIFIED_BAD_TIMING));
    let (_, error, _) = rule_failed(&effects);
    assert!(
        error.ends_with("the hook reached rules.limits.max_operations = 50"),
        "{error}"
    );

    let e = engine(&format!(
        "{}[rules.limits]\nmax_map_size = 100\n",
        hook(
            "disposition",
            "let m = #{}; let i = 0; loop { let one = #{}; one[`k${i}`] = i; m += one; i += 1; }"
        )
    ));
    let (effects, _) = last_step(&e, &to_sal_then(DISQUALIFIED_BAD_TIMING));
    let (_, error, _) = rule_failed(&effects);
    assert!(
        error.ends_with("the hook reached rules.limits.max_map_size = 100"),
        "{error}"
    );

    let err = try_engine("[rules.limits]\nmax_call_levels = 0\n").unwrap_err();
    assert!(
        err.to_string()
            .contains("`rules.limits.max_call_levels` = 0 is invalid"),
        "{err}"
    );
}

#[test]
fn an_expression_nested_too_deep_does_not_compile() {
    let deep = format!("{}1{}", "(".repeat(100), ")".repeat(100));
    let err = try_engine(&hook("points", &deep)).unwrap_err();
    assert!(
        matches!(err.problems(), [PolicyProblem::HookSyntax { .. }]),
        "{err}"
    );
}

/// Hostile and broken disposition hooks: each is stopped, reported with the hook, the
/// error and its position, and the lead lands in the policy's default program.
#[test]
fn a_failing_disposition_hook_is_contained_and_the_policy_default_applies() {
    let cases: &[(&str, &str, &str)] = &[
        ("endless loop", "loop { }", "rules.limits.max_operations"),
        (
            "deep recursion",
            "fn down(n) { down(n + 1) } down(0)",
            "rules.limits.max_call_levels",
        ),
        (
            "a string that doubles",
            r#"let s = "x"; loop { s += s; }"#,
            "rules.limits.max_string_size",
        ),
        (
            "an array that grows",
            "let a = []; loop { a.push(1); }",
            "rules.limits.max_array_size",
        ),
        (
            "an undefined function",
            "no_such_function(lead)",
            "Function not found: no_such_function",
        ),
        ("a thrown error", r#"throw "no idea""#, "no idea"),
        (
            "a wrong return type",
            "42",
            "the hook returned i64 \"42\": expected ()",
        ),
        (
            "an unknown program",
            r#"#{ program: "vip_track" }"#,
            "program `vip_track`, which the policy does not define",
        ),
        (
            "a negative step",
            r#"#{ program: "timing_drip", step: -1 }"#,
            "step -1 of program `timing_drip`",
        ),
        (
            "a step past the end",
            r#"#{ program: "timing_drip", step: 5 }"#,
            "expected a step from 0 to 4",
        ),
        (
            "an unknown decision",
            r#"#{ nurture: "timing_drip" }"#,
            "a map with keys nurture",
        ),
        ("an empty reason", r#"#{ remove: "" }"#, "empty `remove`"),
    ];
    let without = Engine::new(Policy::default()).unwrap();
    let (expected, expected_book) = last_step(&without, &to_sal_then(DISQUALIFIED_BAD_TIMING));
    for (what, source, says) in cases {
        let e = engine(&hook("disposition", source));
        let (effects, book) = last_step(&e, &to_sal_then(DISQUALIFIED_BAD_TIMING));
        let (hook, error, fallback) = rule_failed(&effects);
        assert_eq!(hook, "disposition", "{what}");
        assert!(error.contains(says), "{what}: {error}");
        assert_eq!(
            fallback, "the policy's disposition: nurture in timing_drip at step 0",
            "{what}"
        );
        // The rule_failed effect comes first, then exactly what the policy does.
        assert_eq!(types(&effects)[0], "rule_failed", "{what}");
        assert_eq!(json(&effects[1..]), json(&expected), "{what}");
        assert_eq!(book.get("L1"), expected_book.get("L1"), "{what}");
    }
}

#[test]
fn a_runtime_error_names_its_line_and_column() {
    let e = engine(&hook(
        "disposition",
        "let x = 1;\nlet y = x + no_such_function();\n()",
    ));
    let (effects, _) = last_step(&e, &to_sal_then(DISQUALIFIED_BAD_TIMING));
    let (_, error, _) = rule_failed(&effects);
    assert!(error.starts_with("line 2, column 13: "), "{error}");
}

#[test]
fn failing_route_points_and_requalify_hooks_fall_back_and_say_so() {
    let e = engine(&hook("route", "42"));
    let (effects, _) = last_step(&e, &recycled_then_hand_raises());
    assert_eq!(rule_failed(&effects).2, "the original rep, R7");
    assert_eq!(routed(&effects).as_deref(), Some("R7"));

    let e = engine(&hook("points", r#""many""#));
    let (effects, _) = last_step(&e, &recycled_then_hand_raises());
    assert_eq!(rule_failed(&effects).2, "no extra points");

    let e = engine(&hook("points", "1.0 / 0.0"));
    let (effects, _) = last_step(&e, &recycled_then_hand_raises());
    assert!(rule_failed(&effects).1.contains("expected a finite number"));

    let e = engine(&hook("requalify", r#""yes""#));
    let (effects, book) = last_step(&e, &recycled_then_hand_raises());
    assert_eq!(
        rule_failed(&effects).2,
        "the policy's threshold (requalify_threshold = 100)"
    );
    // The policy decides: a hand-raiser qualifies at once.
    assert_eq!(book.get("L1").unwrap().stage(), Stage::Mql);
}

#[test]
fn engine_with_hooks_is_send_sync_and_cheap_to_clone() {
    fn send_sync<T: Send + Sync + Clone>(_: &T) {}
    let e = engine(&hook("disposition", "()"));
    send_sync(&e);
    let clone = e.clone();
    assert!(
        std::ptr::eq(e.policy(), clone.policy()),
        "a clone shares the compiled policy"
    );
    assert_eq!(
        Hook::ALL.map(|h| h.as_str()),
        leadcycle::policy::Rules::HOOKS
    );
}
