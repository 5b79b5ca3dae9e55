//! The public data contract (docs/contract.md): the JSON shapes of events and effects,
//! checked against the serde forms of the crate's types, and the contract's rules on
//! time and ordering, checked through a `LeadBook`.

use leadcycle::{
    Effect, EffectKind, Engine, Event, EventKind, EventType, LeadBook, NurtureEnd, Policy,
    RejectKind, RouteReason, SlaKind, Stage,
};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// The example event lines of CONTRACT.md ("Events"), verbatim.
const CONTRACT_EXAMPLE: [&str; 5] = [
    r#"{"type":"created","lead":"L1","at":"2026-01-05T10:00:00Z","source":"webinar","campaign":"w-17","profile":{"seniority":"vp","employees":350}}"#,
    r#"{"type":"touch","lead":"L1","at":"2026-01-06T09:00:00Z","kind":"pricing_page_view"}"#,
    r#"{"type":"sales_accepted","lead":"L1","at":"2026-01-08T12:00:00Z","rep":"R7"}"#,
    r#"{"type":"disqualified","lead":"L1","at":"2026-01-20T12:00:00Z","rep":"R7","reason":"bad_timing"}"#,
    r#"{"type":"tick","at":"2026-03-01T00:00:00Z"}"#,
];

/// One line per event type of the contract's events table, with every field the table
/// lists (optional ones included), and the fields of each type: (type, required,
/// optional).
const EVENT_TABLE: [(&str, &[&str], &[&str], &str); 16] = [
    (
        "created",
        &["source"],
        &["campaign", "channel", "account", "profile"],
        r#"{"type":"created","lead":"L1","at":"2026-01-05T10:00:00Z","source":"webinar","campaign":"w-17","channel":"paid_social","account":"ACME","profile":{"seniority":"vp","employees":350,"verified":true},"id":"e-1"}"#,
    ),
    (
        "touch",
        &["kind"],
        &["campaign", "channel", "content"],
        r#"{"type":"touch","lead":"L1","at":"2026-01-06T09:00:00Z","kind":"content_download","campaign":"w-17","channel":"email","content":"roi-calculator","id":"e-2"}"#,
    ),
    (
        "profile",
        &["set"],
        &[],
        r#"{"type":"profile","lead":"L1","at":"2026-01-06T10:00:00Z","set":{"employees":1200,"region":"emea","verified":false}}"#,
    ),
    (
        "sales_accepted",
        &["rep"],
        &[],
        r#"{"type":"sales_accepted","lead":"L1","at":"2026-01-08T12:00:00Z","rep":"R7"}"#,
    ),
    (
        "sales_rejected",
        &["rep", "reason"],
        &["program"],
        r#"{"type":"sales_rejected","lead":"L1","at":"2026-01-08T13:00:00Z","rep":"R7","reason":"no_budget","program":"budget_cycle"}"#,
    ),
    (
        "sales_attempt",
        &["rep"],
        &["channel", "outcome"],
        r#"{"type":"sales_attempt","lead":"L1","at":"2026-01-09T09:00:00Z","rep":"R7","channel":"call","outcome":"voicemail"}"#,
    ),
    (
        "sales_qualified",
        &["rep"],
        &[],
        r#"{"type":"sales_qualified","lead":"L1","at":"2026-01-10T09:00:00Z","rep":"R7"}"#,
    ),
    (
        "opportunity_opened",
        &["opportunity"],
        &["amount"],
        r#"{"type":"opportunity_opened","lead":"L1","at":"2026-01-11T09:00:00Z","opportunity":"O-9","amount":48000.5}"#,
    ),
    (
        "opportunity_won",
        &["opportunity"],
        &[],
        r#"{"type":"opportunity_won","lead":"L1","at":"2026-02-11T09:00:00Z","opportunity":"O-9"}"#,
    ),
    (
        "opportunity_lost",
        &["opportunity", "reason"],
        &["program"],
        r#"{"type":"opportunity_lost","lead":"L1","at":"2026-02-11T09:00:00Z","opportunity":"O-9","reason":"competitor_chosen","program":"competitive_displacement"}"#,
    ),
    (
        "disqualified",
        &["rep", "reason"],
        &["program"],
        r#"{"type":"disqualified","lead":"L1","at":"2026-01-20T12:00:00Z","rep":"R7","reason":"bad_timing","program":"timing_drip"}"#,
    ),
    (
        "recycled",
        &["rep", "reason"],
        &["program"],
        r#"{"type":"recycled","lead":"L1","at":"2026-01-20T12:00:00Z","rep":"R7","reason":"no_authority","program":"champion_enablement"}"#,
    ),
    (
        "unsubscribed",
        &[],
        &[],
        r#"{"type":"unsubscribed","lead":"L1","at":"2026-01-21T12:00:00Z"}"#,
    ),
    (
        "contact_lost",
        &["cause"],
        &[],
        r#"{"type":"contact_lost","lead":"L1","at":"2026-01-22T12:00:00Z","cause":"bounced"}"#,
    ),
    (
        "merged",
        &["into"],
        &[],
        r#"{"type":"merged","lead":"L4","at":"2026-01-23T12:00:00Z","into":"L1"}"#,
    ),
    (
        "tick",
        &[],
        &[],
        r#"{"type":"tick","at":"2026-03-01T00:00:00Z"}"#,
    ),
];

const SAMPLE: &str = include_str!("../examples/data/sample.jsonl");

/// The effects table of CONTRACT.md: (type, fields, optional fields). `rejected.line`
/// and `rejected.input` are the line number and the start of a malformed input line
/// (CONTRACT.md, "The replay example"; docs/semantics.md, additions beyond contract v1).
const EFFECT_TABLE: [(&str, &[&str], &[&str]); 8] = [
    ("transition", &["from", "to", "cause"], &["reason"]),
    ("nurture_assigned", &["program", "step", "reason"], &[]),
    ("nurture_step_due", &["program", "step", "content"], &[]),
    ("nurture_ended", &["program", "step", "why"], &[]),
    ("routed", &["rep", "why"], &[]),
    ("sla_breached", &["stage", "sla"], &["rep"]),
    ("rule_failed", &["hook", "error", "fallback"], &[]),
    (
        "rejected",
        &["kind", "message"],
        &["event", "line", "input"],
    ),
];

const STAGES: [&str; 8] = [
    "inquiry",
    "mql",
    "sal",
    "sql",
    "opportunity",
    "customer",
    "recycled",
    "removed",
];

const REJECT_KINDS: [&str; 8] = [
    "unknown_lead",
    "duplicate_lead",
    "duplicate_event",
    "illegal_transition",
    "out_of_order",
    "unknown_program",
    "removed_lead",
    "malformed",
];

fn parse(line: &str) -> Event {
    serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"))
}

fn time(s: &str) -> chrono::DateTime<chrono::Utc> {
    s.parse().unwrap()
}

fn engine() -> Engine {
    Engine::new(Policy::default()).unwrap()
}

/// Applies the lines in order to one book and returns every effect as JSON.
fn replay(engine: &Engine, lines: &[&str]) -> Vec<Value> {
    let mut book = LeadBook::new();
    lines
        .iter()
        .flat_map(|l| book.apply(engine, &parse(l)))
        .map(|e| serde_json::to_value(&e).unwrap())
        .collect()
}

/// Whether `s` is an RFC 3339 UTC time written with `Z`: `2026-03-05T14:00:00Z`,
/// optionally with a fraction of a second.
fn is_rfc3339_utc_z(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| r.clone().all(|i| b.get(i).is_some_and(u8::is_ascii_digit));
    let fixed = b.len() >= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19);
    let rest = &s[19.min(s.len())..];
    let frac_ok = match rest.strip_suffix('Z') {
        Some("") => true,
        Some(frac) => {
            frac.len() > 1 && frac.starts_with('.') && frac[1..].bytes().all(|c| c.is_ascii_digit())
        }
        None => false,
    };
    fixed && frac_ok && chrono::DateTime::parse_from_rfc3339(s).is_ok()
}

fn is_snake_case(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
        && !s.starts_with('_')
        && !s.ends_with('_')
}

/// JSON equality where numbers compare by value (`350` equals `350.0`).
fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

fn keys(object: &Map<String, Value>) -> BTreeSet<&str> {
    object.keys().map(String::as_str).collect()
}

// ---------------------------------------------------------------------------------
// Events

#[test]
fn every_example_event_line_of_the_contract_parses() {
    let types: Vec<&str> = CONTRACT_EXAMPLE
        .iter()
        .map(|l| parse(l).event_type().as_str())
        .collect();
    assert_eq!(
        types,
        ["created", "touch", "sales_accepted", "disqualified", "tick"]
    );
    let created = parse(CONTRACT_EXAMPLE[0]);
    assert_eq!(created.lead().unwrap().as_str(), "L1");
    assert_eq!(created.at(), time("2026-01-05T10:00:00Z"));
    let EventKind::Created {
        source,
        campaign,
        profile,
        ..
    } = created.kind()
    else {
        panic!("{created:?}")
    };
    assert_eq!(source, "webinar");
    assert_eq!(campaign.as_deref(), Some("w-17"));
    assert_eq!(profile["seniority"], "vp".into());
    assert_eq!(profile["employees"], 350.0.into());
    let tick = parse(CONTRACT_EXAMPLE[4]);
    assert_eq!(tick.lead(), None);
    assert_eq!(tick.event_type(), EventType::Tick);
}

#[test]
fn every_json_line_of_docs_contract_md_parses_as_an_event() {
    let doc = include_str!("../docs/contract.md");
    // The lines inside its ```json code blocks.
    let mut in_json = false;
    let lines: Vec<&str> = doc
        .lines()
        .filter(|l| {
            if l.starts_with("```") {
                in_json = *l == "```json";
                return false;
            }
            in_json
        })
        .filter(|l| l.starts_with('{'))
        .collect();
    assert_eq!(
        lines, CONTRACT_EXAMPLE,
        "docs/contract.md's example changed"
    );
    for line in lines {
        parse(line);
    }
}

#[test]
fn every_event_type_of_the_contract_table_parses_with_all_its_fields() {
    let mut seen = BTreeSet::new();
    for (ty, required, optional, line) in EVENT_TABLE {
        let event = parse(line);
        assert_eq!(event.event_type().as_str(), ty, "{line}");
        assert_eq!(event.lead().is_none(), ty == "tick", "{line}");
        // Every field of the line, documented or common, survives in the serde form.
        let written: Value = serde_json::from_str(line).unwrap();
        let read = serde_json::to_value(&event).unwrap();
        assert!(same_json(&written, &read), "{written}\n{read}");
        let fields: BTreeSet<&str> = keys(read.as_object().unwrap())
            .into_iter()
            .filter(|k| !["type", "lead", "at", "id"].contains(k))
            .collect();
        let documented: BTreeSet<&str> = required.iter().chain(optional).copied().collect();
        assert_eq!(fields, documented, "{ty}");
        // The crate's own list of the type's fields, in the table's order.
        assert_eq!(
            event.event_type().fields(),
            [required, optional].concat(),
            "{ty}"
        );
        assert!(seen.insert(ty), "{ty} twice");
    }
    assert_eq!(
        seen.len(),
        16,
        "every event type of the contract is covered"
    );
}

#[test]
fn every_event_type_parses_with_only_its_required_fields() {
    for (ty, required, optional, line) in EVENT_TABLE {
        let mut object: Map<String, Value> = serde_json::from_str(line).unwrap();
        object.remove("id");
        for field in optional {
            object.remove(*field);
        }
        let minimal = Value::Object(object).to_string();
        let event = parse(&minimal);
        assert_eq!(event.event_type().as_str(), ty);
        let read = serde_json::to_value(&event).unwrap();
        let mut expected = BTreeSet::from(["type", "at"]);
        if ty != "tick" {
            expected.insert("lead");
        }
        expected.extend(required.iter().copied());
        assert_eq!(keys(read.as_object().unwrap()), expected, "{minimal}");
    }
}

#[test]
fn event_missing_a_required_field_fails_to_parse_naming_it() {
    for (_, required, _, line) in EVENT_TABLE {
        for field in required.iter().chain(&["at"]) {
            let mut object: Map<String, Value> = serde_json::from_str(line).unwrap();
            object.remove(*field);
            let text = Value::Object(object).to_string();
            let err = serde_json::from_str::<Event>(&text)
                .unwrap_err()
                .to_string();
            assert!(err.contains(&format!("`{field}`")), "{text}: {err}");
        }
    }
}

#[test]
fn event_with_an_unknown_type_fails_to_parse_naming_it() {
    let err = serde_json::from_str::<Event>(
        r#"{"type":"teleported","lead":"L1","at":"2026-01-05T10:00:00Z"}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("teleported"), "{err}");
}

#[test]
fn event_with_a_time_that_is_not_rfc3339_fails_to_parse() {
    for at in ["yesterday", "2026-01-05", "1767607200"] {
        let line = format!(r#"{{"type":"touch","lead":"L1","at":"{at}","kind":"email_open"}}"#);
        assert!(serde_json::from_str::<Event>(&line).is_err(), "{line}");
    }
}

#[test]
fn tick_with_a_lead_fails_to_parse_with_a_clear_message() {
    let err =
        serde_json::from_str::<Event>(r#"{"type":"tick","lead":"L1","at":"2026-03-01T00:00:00Z"}"#)
            .unwrap_err()
            .to_string();
    assert!(err.contains("`tick`"), "{err}");
    assert!(err.contains("`lead`"), "{err}");
    assert!(err.contains("L1"), "{err}");
}

#[test]
fn event_other_than_tick_without_a_lead_fails_to_parse_with_a_clear_message() {
    for (ty, _, _, line) in EVENT_TABLE {
        if ty == "tick" {
            continue;
        }
        let mut object: Map<String, Value> = serde_json::from_str(line).unwrap();
        object.remove("lead");
        let text = Value::Object(object).to_string();
        let err = serde_json::from_str::<Event>(&text)
            .unwrap_err()
            .to_string();
        assert!(err.contains("missing field `lead`"), "{err}");
        assert!(err.contains(&format!("`{ty}`")), "{err}");
        // `lead: null` is no lead either.
        let null = text.replacen('{', r#"{"lead":null,"#, 1);
        let err = serde_json::from_str::<Event>(&null)
            .unwrap_err()
            .to_string();
        assert!(err.contains("missing field `lead`"), "{err}");
    }
}

#[test]
fn event_with_a_profile_value_that_is_not_string_number_or_bool_fails_to_parse() {
    for value in ["null", "[1,2]", r#"{"a":1}"#] {
        let line = format!(
            r#"{{"type":"created","lead":"L1","at":"2026-01-05T10:00:00Z","source":"web","profile":{{"x":{value}}}}}"#
        );
        assert!(serde_json::from_str::<Event>(&line).is_err(), "{line}");
    }
}

#[test]
fn unknown_fields_of_an_event_are_ignored_and_never_written_back() {
    let line = r#"{"type":"touch","lead":"L1","at":"2026-01-06T09:00:00Z","kind":"email_open","host_ref":"x-9","score":12,"rep":"R1"}"#;
    let plain = r#"{"type":"touch","lead":"L1","at":"2026-01-06T09:00:00Z","kind":"email_open"}"#;
    let event = parse(line);
    // Remembered (`rep` is a field of other types, not of `touch`) ...
    assert_eq!(event.unknown_fields(), ["host_ref", "rep", "score"]);
    assert!(parse(plain).unknown_fields().is_empty());
    // ... but the serde form, and so a `rejected` effect's echo, is the contract's.
    assert_eq!(
        serde_json::to_value(&event).unwrap(),
        serde_json::to_value(parse(plain)).unwrap()
    );
    // And without strict_events the engine applies it as if they were not there.
    let created = r#"{"type":"created","lead":"L1","at":"2026-01-05T10:00:00Z","source":"web"}"#;
    assert_eq!(
        replay(&engine(), &[created, line]),
        replay(&engine(), &[created, plain])
    );
}

#[test]
fn event_id_is_read_and_written_as_id() {
    let event = parse(EVENT_TABLE[0].3);
    assert_eq!(event.id().unwrap().as_str(), "e-1");
    assert_eq!(serde_json::to_value(&event).unwrap()["id"], "e-1");
    let tick = parse(r#"{"type":"tick","at":"2026-03-01T00:00:00Z"}"#);
    assert!(serde_json::to_value(&tick).unwrap().get("id").is_none());
}

#[test]
fn sample_file_parses_except_its_one_deliberately_malformed_line() {
    let mut failures = Vec::new();
    let mut parsed = 0;
    for (i, line) in SAMPLE.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Event>(line) {
            Ok(_) => parsed += 1,
            Err(_) => failures.push((i + 1, line)),
        }
    }
    assert_eq!(failures, [(18, "not json at all")]);
    assert_eq!(parsed, 20);
}

#[test]
fn events_round_trip_through_their_serde_form() {
    let lines = CONTRACT_EXAMPLE
        .iter()
        .copied()
        .chain(EVENT_TABLE.iter().map(|t| t.3))
        .chain(SAMPLE.lines().filter(|l| l.starts_with('{')));
    let mut n = 0;
    for line in lines {
        let event = parse(line);
        let text = serde_json::to_string(&event).unwrap();
        assert_eq!(parse(&text), event, "{line}\n{text}");
        // And the serde form is the line's JSON (numbers compared by value).
        let written: Value = serde_json::from_str(line).unwrap();
        assert!(
            same_json(&written, &serde_json::from_str(&text).unwrap()),
            "{line}\n{text}"
        );
        n += 1;
    }
    assert_eq!(n, 5 + 16 + 20);
}

#[test]
fn event_time_with_an_offset_is_the_same_instant_and_is_written_in_utc_with_z() {
    let event = parse(
        r#"{"type":"touch","lead":"L1","at":"2026-01-06T10:00:00+01:00","kind":"email_open"}"#,
    );
    assert_eq!(event.at(), time("2026-01-06T09:00:00Z"));
    assert_eq!(
        serde_json::to_value(&event).unwrap()["at"],
        "2026-01-06T09:00:00Z"
    );
}

// ---------------------------------------------------------------------------------
// Effects

/// One effect of every type in the contract's effects table, all but `rule_failed`
/// produced by the engine.
fn one_of_each_effect() -> Vec<Value> {
    let engine = engine();
    let mut effects = replay(
        &engine,
        &[
            // transition (from null)
            r#"{"type":"created","lead":"A","at":"2026-01-05T10:00:00Z","source":"web"}"#,
            r#"{"type":"touch","lead":"A","at":"2026-01-06T10:00:00Z","kind":"demo_request","id":"e-1"}"#,
            // rejected (duplicate_event), with the refused event
            r#"{"type":"touch","lead":"A","at":"2026-01-06T10:00:00Z","kind":"demo_request","id":"e-1"}"#,
            r#"{"type":"sales_accepted","lead":"A","at":"2026-01-07T10:00:00Z","rep":"R1"}"#,
            // sla_breached with rep: 4 attempts were due within 14 days in sal
            r#"{"type":"tick","at":"2026-01-22T00:00:00Z"}"#,
            // nurture_assigned, nurture_step_due
            r#"{"type":"disqualified","lead":"A","at":"2026-01-23T10:00:00Z","rep":"R1","reason":"bad_timing"}"#,
            // nurture_ended (re_engaged), routed back to R1
            r#"{"type":"touch","lead":"A","at":"2026-01-24T10:00:00Z","kind":"contact_sales"}"#,
            // sla_breached without rep: nobody owns B
            r#"{"type":"created","lead":"B","at":"2026-01-24T10:00:00Z","source":"web"}"#,
            r#"{"type":"touch","lead":"B","at":"2026-01-24T11:00:00Z","kind":"demo_request"}"#,
            r#"{"type":"tick","at":"2026-01-27T00:00:00Z"}"#,
            // rejected tick: lead null
            r#"{"type":"tick","at":"2026-01-26T00:00:00Z"}"#,
        ],
    );
    let malformed = Effect::malformed_line(7, "expected value at column 1", b"not json at all\n");
    // No hook runs yet, so no engine run makes a `rule_failed`: read its JSON line.
    let rule_failed: Effect = serde_json::from_value(json!({
        "type": "rule_failed",
        "hook": "disposition",
        "error": "Variable not found: leed (line 1, position 4)",
        "fallback": "recycle.reasons",
        "lead": "A",
        "at": "2026-01-23T10:00:00Z",
    }))
    .unwrap();
    assert!(matches!(rule_failed.kind, EffectKind::RuleFailed { .. }));
    for effect in [malformed, rule_failed] {
        effects.push(serde_json::to_value(&effect).unwrap());
    }
    effects
}

#[test]
fn every_effect_type_of_the_contract_is_produced_with_exactly_its_documented_keys() {
    let effects = one_of_each_effect();
    let table: BTreeMap<&str, (&[&str], &[&str])> = EFFECT_TABLE
        .iter()
        .map(|&(ty, fields, optional)| (ty, (fields, optional)))
        .collect();
    let mut seen = BTreeSet::new();
    for effect in &effects {
        let object = effect.as_object().expect("an effect is a JSON object");
        let ty = object["type"].as_str().expect("`type` is a string");
        let (fields, optional) = table
            .get(ty)
            .unwrap_or_else(|| panic!("undocumented effect type {ty}"));
        let mut required: BTreeSet<&str> = ["type", "lead", "at"].into();
        required.extend(fields.iter().copied());
        let present = keys(object);
        let missing: Vec<_> = required.difference(&present).collect();
        assert!(missing.is_empty(), "{effect}: missing {missing:?}");
        let extra: Vec<_> = present
            .iter()
            .filter(|k| !required.contains(*k) && !optional.contains(k))
            .collect();
        assert!(extra.is_empty(), "{effect}: undocumented {extra:?}");
        seen.insert(ty);
    }
    let documented: BTreeSet<&str> = table.keys().copied().collect();
    assert_eq!(seen, documented, "one effect of every type was produced");
}

#[test]
fn effect_values_are_snake_case_and_from_the_contracts_lists() {
    let causes: BTreeSet<&str> = EVENT_TABLE
        .iter()
        .map(|t| t.0)
        .chain(["sla_idle", "score", "hand_raiser"])
        .collect();
    for effect in one_of_each_effect() {
        let ty = effect["type"].as_str().unwrap();
        assert!(is_snake_case(ty), "{effect}");
        let one_of = |field: &str, allowed: &[&str]| {
            let v = effect[field].as_str().unwrap_or_else(|| panic!("{effect}"));
            assert!(is_snake_case(v), "{effect}");
            assert!(allowed.contains(&v), "{field} = {v} in {effect}");
        };
        match ty {
            "transition" => {
                one_of("to", &STAGES);
                if !effect["from"].is_null() {
                    one_of("from", &STAGES);
                }
                let cause = effect["cause"].as_str().unwrap();
                assert!(causes.contains(cause), "{effect}");
            }
            "nurture_ended" => one_of(
                "why",
                &[
                    "completed",
                    "re_engaged",
                    "unsubscribed",
                    "removed",
                    "reassigned",
                ],
            ),
            "routed" => one_of("why", &["re_engaged"]),
            "sla_breached" => {
                one_of("stage", &STAGES);
                one_of("sla", &["respond", "attempts", "idle"]);
            }
            "rejected" => one_of("kind", &REJECT_KINDS),
            _ => {}
        }
        if let Some(step) = effect.get("step") {
            assert!(step.is_u64(), "{effect}");
        }
    }
}

#[test]
fn effect_field_values_are_the_ones_the_engine_decided() {
    let effects = one_of_each_effect();
    let find = |ty: &str, extra: Value| -> &Value {
        effects
            .iter()
            .find(|e| {
                e["type"] == ty
                    && extra
                        .as_object()
                        .unwrap()
                        .iter()
                        .all(|(k, v)| e.get(k) == Some(v))
            })
            .unwrap_or_else(|| panic!("no {ty} {extra} in {effects:#?}"))
    };
    assert_eq!(
        *find("transition", json!({"lead": "A", "to": "inquiry"})),
        json!({"type": "transition", "from": null, "to": "inquiry", "cause": "created", "lead": "A", "at": "2026-01-05T10:00:00Z"})
    );
    assert_eq!(
        *find("sla_breached", json!({"lead": "A"})),
        json!({"type": "sla_breached", "stage": "sal", "sla": "attempts", "rep": "R1", "lead": "A", "at": "2026-01-21T10:00:00Z"})
    );
    assert_eq!(
        *find("sla_breached", json!({"lead": "B"})),
        json!({"type": "sla_breached", "stage": "mql", "sla": "respond", "lead": "B", "at": "2026-01-26T11:00:00Z"})
    );
    assert_eq!(
        *find("nurture_assigned", json!({"lead": "A"})),
        json!({"type": "nurture_assigned", "program": "timing_drip", "step": 0, "reason": "bad_timing", "lead": "A", "at": "2026-01-23T10:00:00Z"})
    );
    assert_eq!(
        *find("nurture_step_due", json!({"lead": "A"})),
        json!({"type": "nurture_step_due", "program": "timing_drip", "step": 0, "content": "timing-tips", "lead": "A", "at": "2026-01-23T10:00:00Z"})
    );
    assert_eq!(
        *find("nurture_ended", json!({"lead": "A"})),
        json!({"type": "nurture_ended", "program": "timing_drip", "step": 1, "why": "re_engaged", "lead": "A", "at": "2026-01-24T10:00:00Z"})
    );
    assert_eq!(
        *find("routed", json!({"lead": "A"})),
        json!({"type": "routed", "rep": "R1", "why": "re_engaged", "lead": "A", "at": "2026-01-24T10:00:00Z"})
    );
    let duplicate = find("rejected", json!({"kind": "duplicate_event"}));
    assert_eq!(duplicate["lead"], "A");
    assert_eq!(duplicate["at"], "2026-01-06T10:00:00Z");
    assert_eq!(duplicate["event"]["id"], "e-1");
    assert_eq!(duplicate["event"]["type"], "touch");
    assert!(duplicate.get("line").is_none());
    let tick = find("rejected", json!({"kind": "out_of_order"}));
    assert_eq!(tick["lead"], Value::Null);
    assert_eq!(tick["at"], "2026-01-26T00:00:00Z");
    assert_eq!(
        tick["event"],
        json!({"type": "tick", "at": "2026-01-26T00:00:00Z"})
    );
    let malformed = find("rejected", json!({"kind": "malformed"}));
    assert_eq!(malformed["line"], 7);
    assert_eq!(malformed["input"], "not json at all");
    assert_eq!(malformed["lead"], Value::Null);
    assert_eq!(malformed["at"], Value::Null);
    assert!(malformed.get("event").is_none());
}

#[test]
fn effect_times_are_rfc3339_utc_with_z() {
    for effect in one_of_each_effect() {
        match &effect["at"] {
            Value::String(at) => assert!(is_rfc3339_utc_z(at), "{effect}"),
            Value::Null => assert_eq!(effect["kind"], "malformed", "{effect}"),
            other => panic!("`at` is {other}"),
        }
        if let Some(Value::String(at)) = effect.get("event").map(|e| &e["at"]) {
            assert!(is_rfc3339_utc_z(at), "{effect}");
        }
    }
}

#[test]
fn deadline_of_a_fractional_day_is_written_rfc3339_utc_with_z() {
    let policy = Policy::from_toml_str("[sla.mql]\nrespond_days = 0.25\n").unwrap();
    let engine = Engine::new(policy).unwrap();
    let effects = replay(
        &engine,
        &[
            r#"{"type":"created","lead":"A","at":"2026-01-05T10:00:00.250Z","source":"web"}"#,
            r#"{"type":"touch","lead":"A","at":"2026-01-05T10:00:00.250Z","kind":"demo_request"}"#,
            r#"{"type":"tick","at":"2026-01-06T00:00:00Z"}"#,
        ],
    );
    let breach = effects
        .iter()
        .find(|e| e["type"] == "sla_breached")
        .unwrap();
    assert_eq!(breach["at"], "2026-01-05T16:00:00.250Z");
    for effect in &effects {
        assert!(is_rfc3339_utc_z(effect["at"].as_str().unwrap()), "{effect}");
    }
}

#[test]
fn effects_round_trip_through_their_serde_form() {
    for value in one_of_each_effect() {
        let effect: Effect = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(serde_json::to_value(&effect).unwrap(), value);
    }
}

#[test]
fn enum_values_serialize_as_the_contracts_snake_case_names() {
    let name = |v: Value| v.as_str().unwrap().to_owned();
    let stages: Vec<String> = Stage::ALL
        .iter()
        .map(|s| name(serde_json::to_value(s).unwrap()))
        .collect();
    assert_eq!(stages, STAGES);
    let kinds: Vec<String> = [
        RejectKind::UnknownLead,
        RejectKind::DuplicateLead,
        RejectKind::DuplicateEvent,
        RejectKind::IllegalTransition,
        RejectKind::OutOfOrder,
        RejectKind::UnknownProgram,
        RejectKind::RemovedLead,
        RejectKind::Malformed,
    ]
    .iter()
    .map(|k| {
        assert_eq!(name(serde_json::to_value(k).unwrap()), k.as_str());
        k.as_str().to_owned()
    })
    .collect();
    assert_eq!(kinds, REJECT_KINDS);
    let ends: Vec<String> = [
        NurtureEnd::Completed,
        NurtureEnd::ReEngaged,
        NurtureEnd::Unsubscribed,
        NurtureEnd::Removed,
        NurtureEnd::Reassigned,
    ]
    .iter()
    .map(|w| name(serde_json::to_value(w).unwrap()))
    .collect();
    assert_eq!(
        ends,
        [
            "completed",
            "re_engaged",
            "unsubscribed",
            "removed",
            "reassigned"
        ]
    );
    let slas: Vec<String> = [SlaKind::Respond, SlaKind::Attempts, SlaKind::Idle]
        .iter()
        .map(|s| name(serde_json::to_value(s).unwrap()))
        .collect();
    assert_eq!(slas, ["respond", "attempts", "idle"]);
    assert_eq!(
        name(serde_json::to_value(RouteReason::ReEngaged).unwrap()),
        "re_engaged"
    );
}

#[test]
fn created_lead_enters_inquiry_with_a_transition_from_null() {
    let effects = replay(&engine(), &CONTRACT_EXAMPLE[..1]);
    assert_eq!(
        effects,
        [
            json!({"type": "transition", "from": null, "to": "inquiry", "cause": "created", "lead": "L1", "at": "2026-01-05T10:00:00Z"})
        ]
    );
}

#[test]
fn contract_example_recycles_the_lead_into_timing_drip_and_steps_on_the_tick() {
    let effects = replay(&engine(), &CONTRACT_EXAMPLE);
    let brief: Vec<(String, String)> = effects
        .iter()
        .map(|e| {
            let what = match e["type"].as_str().unwrap() {
                "transition" => format!("{} -> {}", e["from"], e["to"]),
                "nurture_step_due" => format!("step {} {}", e["step"], e["content"]),
                other => other.to_owned(),
            };
            (what, e["at"].as_str().unwrap().to_owned())
        })
        .collect();
    let expected = [
        ("null -> \"inquiry\"", "2026-01-05T10:00:00Z"),
        ("\"inquiry\" -> \"sal\"", "2026-01-08T12:00:00Z"),
        ("\"sal\" -> \"recycled\"", "2026-01-20T12:00:00Z"),
        ("nurture_assigned", "2026-01-20T12:00:00Z"),
        ("step 0 \"timing-tips\"", "2026-01-20T12:00:00Z"),
        ("step 1 \"case-study\"", "2026-02-03T12:00:00Z"),
        ("step 2 \"roi-calculator\"", "2026-02-17T12:00:00Z"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(brief, expected);
}

// ---------------------------------------------------------------------------------
// Rules of the contract that a host relies on

#[test]
fn merge_into_the_lead_itself_is_rejected_as_malformed() {
    let effects = replay(
        &engine(),
        &[
            r#"{"type":"created","lead":"A","at":"2026-01-05T10:00:00Z","source":"web"}"#,
            r#"{"type":"merged","lead":"A","at":"2026-01-06T10:00:00Z","into":"A"}"#,
        ],
    );
    assert_eq!(effects.len(), 2);
    assert_eq!(effects[1]["type"], "rejected");
    assert_eq!(effects[1]["kind"], "malformed");
    assert_eq!(effects[1]["lead"], "A");
}

#[test]
fn tick_older_than_the_last_tick_is_out_of_order_and_an_equal_one_is_not() {
    let effects = replay(
        &engine(),
        &[
            r#"{"type":"tick","at":"2026-03-01T00:00:00Z"}"#,
            r#"{"type":"tick","at":"2026-03-01T00:00:00Z"}"#,
            r#"{"type":"tick","at":"2026-02-28T23:59:59Z"}"#,
        ],
    );
    assert_eq!(effects.len(), 1, "{effects:?}");
    assert_eq!(effects[0]["kind"], "out_of_order");
    assert_eq!(effects[0]["at"], "2026-02-28T23:59:59Z");
}

#[test]
fn redelivered_event_with_an_applied_id_is_refused_as_duplicate_event() {
    let effects = replay(
        &engine(),
        &[
            r#"{"type":"created","lead":"A","at":"2026-01-05T00:00:00Z","source":"web"}"#,
            r#"{"type":"touch","lead":"A","at":"2026-01-06T00:00:00Z","kind":"email_open","id":"e-1"}"#,
            r#"{"type":"touch","lead":"A","at":"2026-01-06T00:00:00Z","kind":"email_open","id":"e-1"}"#,
        ],
    );
    assert_eq!(effects.len(), 2, "{effects:?}");
    assert_eq!(effects[1]["kind"], "duplicate_event");
}

/// CONTRACT.md: "an event whose `id` was already applied to that lead is refused as a
/// duplicate"; docs/semantics.md: `duplicate_event` is checked before `out_of_order`.
/// A host that redelivers an event after a tick must be told it is a duplicate.
#[test]
fn redelivered_event_older_than_the_last_tick_is_refused_as_duplicate_event() {
    let effects = replay(
        &engine(),
        &[
            r#"{"type":"created","lead":"A","at":"2026-01-05T00:00:00Z","source":"web"}"#,
            r#"{"type":"touch","lead":"A","at":"2026-01-06T00:00:00Z","kind":"email_open","id":"e-1"}"#,
            r#"{"type":"tick","at":"2026-01-07T00:00:00Z"}"#,
            r#"{"type":"touch","lead":"A","at":"2026-01-06T00:00:00Z","kind":"email_open","id":"e-1"}"#,
        ],
    );
    assert_eq!(effects.len(), 2, "{effects:?}");
    assert_eq!(effects[1]["kind"], "duplicate_event", "{}", effects[1]);
}

#[test]
fn deadlines_fire_on_a_tick_in_deadline_then_lead_id_order_stamped_with_the_deadline() {
    let effects = replay(
        &engine(),
        &[
            // Both become MQLs; B an hour before A, so B's respond deadline comes first.
            r#"{"type":"created","lead":"B","at":"2026-01-05T09:00:00Z","source":"web"}"#,
            r#"{"type":"touch","lead":"B","at":"2026-01-05T09:00:00Z","kind":"demo_request"}"#,
            r#"{"type":"created","lead":"A","at":"2026-01-05T10:00:00Z","source":"web"}"#,
            r#"{"type":"touch","lead":"A","at":"2026-01-05T10:00:00Z","kind":"demo_request"}"#,
            // C and D at the same instant: lead id decides.
            r#"{"type":"created","lead":"D","at":"2026-01-05T11:00:00Z","source":"web"}"#,
            r#"{"type":"touch","lead":"D","at":"2026-01-05T11:00:00Z","kind":"demo_request"}"#,
            r#"{"type":"created","lead":"C","at":"2026-01-05T11:00:00Z","source":"web"}"#,
            r#"{"type":"touch","lead":"C","at":"2026-01-05T11:00:00Z","kind":"demo_request"}"#,
            r#"{"type":"tick","at":"2026-01-08T00:00:00Z"}"#,
        ],
    );
    let fired: Vec<(&str, &str, &str)> = effects
        .iter()
        .filter(|e| e["type"] == "sla_breached")
        .map(|e| {
            (
                e["lead"].as_str().unwrap(),
                e["sla"].as_str().unwrap(),
                e["at"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        fired,
        [
            ("B", "respond", "2026-01-07T09:00:00Z"),
            ("A", "respond", "2026-01-07T10:00:00Z"),
            ("C", "respond", "2026-01-07T11:00:00Z"),
            ("D", "respond", "2026-01-07T11:00:00Z"),
        ]
    );
}

/// The sample's events (less the malformed line) with a tick inserted after event
/// number `after` of each set, at the earliest time of the events that follow it.
fn sample_with_ticks(after: &[usize]) -> Vec<String> {
    let events: Vec<&str> = SAMPLE.lines().filter(|l| l.starts_with('{')).collect();
    let mut lines = Vec::new();
    for (i, line) in events.iter().enumerate() {
        lines.push(line.to_string());
        if after.contains(&i) {
            let next = events[i + 1..].iter().map(|l| parse(l).at()).min();
            if let Some(at) = next {
                lines.push(format!(
                    r#"{{"type":"tick","at":"{}"}}"#,
                    at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
                ));
            }
        }
    }
    lines.push(r#"{"type":"tick","at":"2026-07-01T00:00:00Z"}"#.to_owned());
    lines
}

/// Every effect of each lead, in order.
fn by_lead(effects: &[Value]) -> BTreeMap<String, Vec<Value>> {
    let mut map: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for e in effects {
        if let Some(lead) = e["lead"].as_str() {
            map.entry(lead.to_owned()).or_default().push(e.clone());
        }
    }
    map
}

#[test]
fn a_leads_effects_do_not_depend_on_where_ticks_fall() {
    let engine = engine();
    let run = |lines: Vec<String>| {
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        by_lead(&replay(&engine, &refs))
    };
    let baseline = run(sample_with_ticks(&[]));
    assert!(baseline.len() >= 4);
    let n = SAMPLE.lines().filter(|l| l.starts_with('{')).count();
    for i in 0..n {
        assert_eq!(
            run(sample_with_ticks(&[i])),
            baseline,
            "tick after event {i}"
        );
    }
    let every: Vec<usize> = (0..n).collect();
    assert_eq!(
        run(sample_with_ticks(&every)),
        baseline,
        "a tick after every event"
    );
}

#[test]
fn a_stream_split_by_lead_across_books_gives_each_lead_the_same_effects() {
    let engine = engine();
    let lines = sample_with_ticks(&[3, 9, 15]);
    let one_book = by_lead(&replay(
        &engine,
        &lines.iter().map(String::as_str).collect::<Vec<_>>(),
    ));
    // A merge concerns two leads: both go to the book of the survivor.
    let book_of = |lead: &str| -> String {
        match lead {
            "L4" => "L1".to_owned(),
            other => other.to_owned(),
        }
    };
    let mut books: BTreeMap<String, LeadBook> = BTreeMap::new();
    let mut split: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for line in &lines {
        let event = parse(line);
        if let EventKind::Merged { into, .. } = event.kind() {
            assert_eq!(book_of(event.lead().unwrap().as_str()), into.as_str());
        }
        let targets: Vec<String> = match event.lead() {
            Some(lead) => vec![book_of(lead.as_str())],
            // A tick goes to every book there is or will be.
            None => ["L1", "L2", "L3", "L9"].map(String::from).to_vec(),
        };
        for target in targets {
            let book = books.entry(target).or_default();
            for effect in book.apply(&engine, &event) {
                let value = serde_json::to_value(&effect).unwrap();
                if let Some(lead) = value["lead"].as_str() {
                    split.entry(lead.to_owned()).or_default().push(value);
                }
            }
        }
    }
    assert_eq!(split, one_book);
}

#[test]
fn rejected_message_names_the_lead_the_stage_and_what_was_expected() {
    let effects = replay(
        &engine(),
        &[
            r#"{"type":"created","lead":"A","at":"2026-01-05T10:00:00Z","source":"web"}"#,
            r#"{"type":"opportunity_won","lead":"A","at":"2026-01-06T10:00:00Z","opportunity":"O-1"}"#,
        ],
    );
    let message = effects[1]["message"].as_str().unwrap();
    assert_eq!(effects[1]["kind"], "illegal_transition");
    assert!(message.contains('A'), "{message}");
    assert!(message.contains("inquiry"), "{message}");
    assert!(message.contains("opportunity"), "{message}");
}
