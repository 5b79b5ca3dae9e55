//! Branches (issue 8, "let the lead's choice pick its stream"): the example policy
//! `examples/policies/branches.toml`, the choices a lead remembers through merges and
//! snapshots, and effects that do not depend on where ticks fall. The rules themselves
//! are the `branch_*` scenarios in `tests/scenarios/`; validation is in
//! `tests/policy_file.rs`.

use leadcycle::{Effect, Engine, Event, LeadBook, Policy, Snapshot, Stage};
use serde_json::Value;

const BRANCHES_POLICY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/policies/branches.toml"
);

fn policy() -> Policy {
    Policy::from_toml_file(BRANCHES_POLICY).expect("the branches example policy is valid")
}

fn engine() -> Engine {
    Engine::new(policy()).expect("the branches example policy is valid")
}

fn ev(json: &str) -> Event {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("bad test event {json}: {e}"))
}

/// The events that take `lead` to `recycled` in general_nurture (sent `welcome`) on
/// day `day` of January 2026 (days `day`..`day + 2`).
fn recycled_into_general_nurture(lead: &str, day: u32) -> Vec<Event> {
    [
        format!(r#"{{"type":"created","lead":"{lead}","at":"2026-01-{day:02}T10:00:00Z","source":"webinar"}}"#),
        format!(r#"{{"type":"touch","lead":"{lead}","at":"2026-01-{day:02}T11:00:00Z","kind":"demo_request"}}"#),
        format!(r#"{{"type":"sales_accepted","lead":"{lead}","at":"2026-01-{:02}T10:00:00Z","rep":"R7"}}"#, day + 1),
        format!(r#"{{"type":"disqualified","lead":"{lead}","at":"2026-01-{:02}T10:00:00Z","rep":"R7","reason":"went_dark"}}"#, day + 2),
    ]
    .iter()
    .map(|json| ev(json))
    .collect()
}

fn click(lead: &str, at: &str, content: &str) -> Event {
    ev(&format!(
        r#"{{"type":"touch","lead":"{lead}","at":"{at}","kind":"email_click","content":"{content}"}}"#
    ))
}

fn tick(at: &str) -> Event {
    ev(&format!(r#"{{"type":"tick","at":"{at}"}}"#))
}

fn run(book: &mut LeadBook, engine: &Engine, events: &[Event]) -> Vec<Effect> {
    events.iter().flat_map(|e| book.apply(engine, e)).collect()
}

fn choices(book: &LeadBook, lead: &str) -> Vec<String> {
    let lead = book.get(lead).expect("the lead exists");
    lead.choices().iter().map(|c| c.to_string()).collect()
}

fn program(book: &LeadBook, lead: &str) -> Option<String> {
    let lead = book.get(lead).expect("the lead exists");
    lead.nurture().map(|e| e.program.clone())
}

#[test]
fn the_example_policy_reads_validates_and_writes_back_as_itself() {
    let policy = policy();
    let general = &policy.programs["general_nurture"];
    assert_eq!(general.branches["priority-speed"], "speed_stream");
    assert_eq!(general.branches["priority-cost"], "cost_stream");
    assert!(policy.programs["speed_stream"].branches.is_empty());
    let text = policy.to_toml_string();
    assert!(
        text.contains("branches"),
        "the branches are written:\n{text}"
    );
    assert_eq!(Policy::from_toml_str(&text).unwrap(), policy, "{text}");
}

#[test]
fn a_policy_without_branches_serializes_and_fingerprints_as_before_branches_existed() {
    // The key is left out when empty, so the serde form, the TOML a policy writes and
    // the fingerprint (computed from the serde form) of such a policy are unchanged.
    let default = Policy::default();
    let json = serde_json::to_string(&default).unwrap();
    assert!(!json.contains("branches"), "{json}");
    assert!(!default.to_toml_string().contains("branches"));

    let mut branching = Policy::default();
    branching
        .programs
        .get_mut("general_nurture")
        .unwrap()
        .branches
        .insert("priority-speed".into(), "timing_drip".into());
    Engine::new(branching.clone()).expect("a branch to a defined program is valid");
    assert_ne!(branching.fingerprint(), default.fingerprint());
}

#[test]
fn a_merge_keeps_the_survivors_choices_then_adds_the_duplicates_it_lacks() {
    let engine = engine();
    let mut book = LeadBook::new();
    run(&mut book, &engine, &recycled_into_general_nurture("L1", 5));
    run(&mut book, &engine, &recycled_into_general_nurture("L2", 5));
    // L1 answers "speed"; L2 answers "cost", finishes cost_stream (3 steps, 7 days
    // apart: back in general_nurture on Feb 1), then answers "speed".
    run(
        &mut book,
        &engine,
        &[
            click("L1", "2026-01-08T10:00:00Z", "priority-speed"),
            click("L2", "2026-01-09T10:00:00Z", "priority-cost"),
            tick("2026-02-01T10:00:00Z"),
        ],
    );
    assert_eq!(program(&book, "L2").as_deref(), Some("general_nurture"));
    run(
        &mut book,
        &engine,
        &[click("L2", "2026-02-02T10:00:00Z", "priority-speed")],
    );
    assert_eq!(choices(&book, "L1"), ["priority-speed"]);
    assert_eq!(choices(&book, "L2"), ["priority-cost", "priority-speed"]);
    let survivor_program = program(&book, "L1");

    run(
        &mut book,
        &engine,
        &[ev(
            r#"{"type":"merged","lead":"L2","at":"2026-02-03T10:00:00Z","into":"L1"}"#,
        )],
    );
    assert_eq!(choices(&book, "L1"), ["priority-speed", "priority-cost"]);
    assert_eq!(
        program(&book, "L1"),
        survivor_program,
        "the survivor keeps its enrollment"
    );
    assert_eq!(book.get("L2").unwrap().stage(), Stage::Removed);
}

#[test]
fn a_survivor_that_cannot_be_emailed_records_its_choice_but_does_not_branch() {
    // A merge with an unsubscribed duplicate leaves the survivor enrolled but
    // do-not-email: it is never enrolled in a program again, a branch included.
    let engine = engine();
    let mut book = LeadBook::new();
    run(&mut book, &engine, &recycled_into_general_nurture("L1", 5));
    run(
        &mut book,
        &engine,
        &[
            // A sales-accepted lead that unsubscribes keeps its stage: it can be merged.
            ev(
                r#"{"type":"created","lead":"L2","at":"2026-01-08T09:00:00Z","source":"form_fill"}"#,
            ),
            ev(r#"{"type":"sales_accepted","lead":"L2","at":"2026-01-08T10:00:00Z","rep":"R7"}"#),
            ev(r#"{"type":"unsubscribed","lead":"L2","at":"2026-01-08T11:00:00Z"}"#),
            ev(r#"{"type":"merged","lead":"L2","at":"2026-01-08T12:00:00Z","into":"L1"}"#),
        ],
    );
    assert_eq!(book.get("L2").unwrap().stage(), Stage::Removed);
    assert!(book.get("L1").unwrap().is_do_not_email());
    assert_eq!(program(&book, "L1").as_deref(), Some("general_nurture"));

    let effects = run(
        &mut book,
        &engine,
        &[click("L1", "2026-01-09T10:00:00Z", "priority-speed")],
    );
    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(choices(&book, "L1"), ["priority-speed"]);
    assert_eq!(program(&book, "L1").as_deref(), Some("general_nurture"));
}

/// The required scenario's stream (`tests/scenarios/branch_a_recycled_lead_...`), with
/// its ticks only where the test puts them.
fn priority_stream() -> Vec<Event> {
    [
        r#"{"type":"created","lead":"L1","at":"2026-01-05T10:00:00Z","source":"webinar"}"#,
        r#"{"type":"touch","lead":"L1","at":"2026-01-05T11:00:00Z","kind":"demo_request"}"#,
        r#"{"type":"sales_accepted","lead":"L1","at":"2026-01-06T10:00:00Z","rep":"R7"}"#,
        r#"{"type":"disqualified","lead":"L1","at":"2026-01-07T10:00:00Z","rep":"R7","reason":"bad_timing"}"#,
        r#"{"type":"touch","lead":"L1","at":"2026-01-15T10:00:00Z","kind":"demo_request"}"#,
        r#"{"type":"sales_accepted","lead":"L1","at":"2026-01-16T10:00:00Z","rep":"R7"}"#,
        r#"{"type":"disqualified","lead":"L1","at":"2026-01-17T10:00:00Z","rep":"R7","reason":"went_dark"}"#,
        r#"{"type":"touch","lead":"L1","at":"2026-02-01T10:00:00Z","kind":"email_click","content":"priority-speed"}"#,
        r#"{"type":"touch","lead":"L1","at":"2026-02-20T10:00:00Z","kind":"email_click","content":"priority-cost"}"#,
        r#"{"type":"tick","at":"2026-04-01T00:00:00Z"}"#,
    ]
    .iter()
    .map(|json| ev(json))
    .collect()
}

fn effect_lines(effects: &[Effect]) -> Vec<String> {
    effects
        .iter()
        .map(|e| serde_json::to_string(e).unwrap())
        .collect()
}

#[test]
fn a_leads_branch_effects_do_not_depend_on_where_ticks_fall() {
    let engine = engine();
    let untouched = priority_stream();
    // A tick every 12 hours between the events, whatever falls due there.
    let mut ticked = Vec::new();
    for event in &untouched {
        let mut t: chrono::DateTime<chrono::Utc> = "2026-01-05T10:00:00Z".parse().unwrap();
        if let Some(last) = ticked.last().map(Event::at) {
            t = last;
        }
        while t + chrono::TimeDelta::hours(12) < event.at() {
            t += chrono::TimeDelta::hours(12);
            ticked.push(tick(&t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)));
        }
        ticked.push(event.clone());
    }
    assert!(ticked.len() > untouched.len() + 100);

    let mut one = LeadBook::new();
    let mut other = LeadBook::new();
    let whole = effect_lines(&run(&mut one, &engine, &untouched));
    let with_ticks = effect_lines(&run(&mut other, &engine, &ticked));
    assert_eq!(whole, with_ticks);
    assert!(
        whole.iter().any(|e| e.contains(r#""reason":"branch""#)),
        "{whole:#?}"
    );
    assert_eq!(one.snapshot(), other.snapshot());
    assert_eq!(choices(&one, "L1"), ["priority-speed", "priority-cost"]);
}

#[test]
fn a_snapshot_restored_mid_stream_remembers_the_choices() {
    let engine = engine();
    let events = priority_stream();
    let mut whole = LeadBook::new();
    let expected = effect_lines(&run(&mut whole, &engine, &events));

    let (first, rest) = events.split_at(8); // just after the "priority-speed" click
    let mut book = LeadBook::new();
    let mut effects = effect_lines(&run(&mut book, &engine, first));
    assert_eq!(choices(&book, "L1"), ["priority-speed"]);
    let json = serde_json::to_string(&book.snapshot()).unwrap();
    let snapshot: Snapshot = serde_json::from_str(&json).unwrap();
    let mut restored = LeadBook::restore(snapshot, &engine).expect("same policy");
    assert_eq!(choices(&restored, "L1"), ["priority-speed"]);
    effects.extend(effect_lines(&run(&mut restored, &engine, rest)));
    assert_eq!(effects, expected);
}

#[test]
fn a_snapshot_written_before_choices_existed_restores_with_no_choices() {
    let engine = engine();
    let mut book = LeadBook::new();
    run(&mut book, &engine, &recycled_into_general_nurture("L1", 5));
    // A lead that made no choice is written without the field, as before branches.
    let mut old: Value = serde_json::to_value(book.snapshot()).unwrap();
    assert!(old["leads"][0].get("choices").is_none(), "{old}");

    run(
        &mut book,
        &engine,
        &[click("L1", "2026-01-08T10:00:00Z", "priority-cost")],
    );
    let mut new: Value = serde_json::to_value(book.snapshot()).unwrap();
    assert_eq!(
        new["leads"][0]["choices"],
        serde_json::json!(["priority-cost"])
    );

    // An older release wrote no `choices`: such a snapshot loads with none.
    new["leads"][0]
        .as_object_mut()
        .unwrap()
        .remove("choices")
        .unwrap();
    let restored: Snapshot = serde_json::from_value(new).expect("loads without `choices`");
    let restored = LeadBook::restore(restored, &engine).unwrap();
    assert!(restored.get("L1").unwrap().choices().is_empty());
    assert_eq!(program(&restored, "L1").as_deref(), Some("cost_stream"));

    old["policy_fingerprint"] = Value::Null;
    let old: Snapshot = serde_json::from_value(old).unwrap();
    assert!(LeadBook::restore(old, &engine)
        .unwrap()
        .get("L1")
        .unwrap()
        .choices()
        .is_empty());
}

#[test]
fn a_branch_reads_as_a_sentence() {
    let engine = engine();
    let mut book = LeadBook::new();
    run(&mut book, &engine, &recycled_into_general_nurture("L1", 5));
    let effects = run(
        &mut book,
        &engine,
        &[click("L1", "2026-01-08T10:00:00Z", "priority-speed")],
    );
    let lines: Vec<String> = effects.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "2026-01-08T10:00:00Z L1: left general_nurture at step 1 (reassigned)",
            "2026-01-08T10:00:00Z L1: enrolled in speed_stream at step 0 (branch)",
            "2026-01-08T10:00:00Z L1: send \"speed-benchmark\" (speed_stream step 0)",
        ]
    );
}
