//! The serde form of a `Lead` is the format hosts keep leads and snapshots in, so its
//! bytes must not change when the record's memory layout does (issue 11). A stream that
//! fills every part of the record (touch counts, content seen, program positions,
//! choices, recycle reasons, owner, opportunity, removal, alerts, remembered ids, an
//! SLA clock, a creation time later than the first touch after a merge) is
//! replayed and each lead's JSON is compared with the file written before the layout
//! changed, `tests/lead_wire/leads.jsonl`.

use leadcycle::{Engine, Event, Lead, LeadBook, Policy, Snapshot};

const EXPECTED: &str = include_str!("lead_wire/leads.jsonl");

fn engine() -> Engine {
    let branches = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/policies/branches.toml"
    ))
    .expect("the branches example policy is readable");
    let toml = format!("{branches}\n[alerts]\nwindow_days = 7\npoints = 30\n");
    let policy = Policy::from_toml_str(&toml).expect("the example policy with alerts is valid");
    Engine::new(policy).expect("the example policy with alerts is valid")
}

const STREAM: &[&str] = &[
    r#"{"type":"created","lead":"L1","at":"2026-01-01T10:00:00Z","source":"webinar","campaign":"spring-launch","channel":"paid_social","account":"acme","profile":{"industry":"software","employees":500},"id":"e1"}"#,
    r#"{"type":"touch","lead":"L1","at":"2026-01-01T11:00:00Z","kind":"demo_request","campaign":"spring-nurture","channel":"email","id":"e2"}"#,
    r#"{"type":"sales_accepted","lead":"L1","at":"2026-01-02T10:00:00Z","rep":"R7","id":"e3"}"#,
    r#"{"type":"touch","lead":"L1","at":"2026-01-02T12:00:00Z","kind":"email_open","id":"e4"}"#,
    r#"{"type":"touch","lead":"L1","at":"2026-01-02T13:00:00Z","kind":"email_open","id":"e5"}"#,
    r#"{"type":"disqualified","lead":"L1","at":"2026-01-03T10:00:00Z","rep":"R7","reason":"bad_timing","id":"e6"}"#,
    r#"{"type":"created","lead":"L2","at":"2026-01-01T10:00:00Z","source":"ebook","channel":"organic"}"#,
    r#"{"type":"touch","lead":"L2","at":"2026-01-01T11:00:00Z","kind":"demo_request"}"#,
    r#"{"type":"sales_accepted","lead":"L2","at":"2026-01-02T10:00:00Z","rep":"R2"}"#,
    r#"{"type":"disqualified","lead":"L2","at":"2026-01-03T10:00:00Z","rep":"R2","reason":"went_dark"}"#,
    r#"{"type":"created","lead":"L3","at":"2026-01-01T09:00:00Z","source":"trade_show","profile":{"seniority":"director"}}"#,
    r#"{"type":"touch","lead":"L3","at":"2026-01-01T10:00:00Z","kind":"contact_sales"}"#,
    r#"{"type":"sales_accepted","lead":"L3","at":"2026-01-02T09:00:00Z","rep":"R2"}"#,
    r#"{"type":"sales_qualified","lead":"L3","at":"2026-01-03T09:00:00Z","rep":"R2"}"#,
    r#"{"type":"opportunity_opened","lead":"L3","at":"2026-01-04T09:00:00Z","opportunity":"O-9","amount":48000}"#,
    r#"{"type":"opportunity_lost","lead":"L3","at":"2026-01-05T09:00:00Z","opportunity":"O-9","reason":"no_budget"}"#,
    r#"{"type":"created","lead":"L4","at":"2026-01-01T08:00:00Z","source":"list_import"}"#,
    r#"{"type":"touch","lead":"L4","at":"2026-01-01T09:00:00Z","kind":"email_open","content":"welcome"}"#,
    r#"{"type":"unsubscribed","lead":"L4","at":"2026-01-02T09:00:00Z"}"#,
    r#"{"type":"tick","at":"2026-01-04T00:00:00Z"}"#,
    r#"{"type":"touch","lead":"L2","at":"2026-01-04T10:00:00Z","kind":"email_click","content":"priority-speed"}"#,
    r#"{"type":"touch","lead":"L2","at":"2026-01-04T11:00:00Z","kind":"email_click","content":"priority-cost","campaign":"a-campaign-name-longer-than-24-bytes"}"#,
    r#"{"type":"touch","lead":"L1","at":"2026-01-04T12:00:00Z","kind":"webinar_attended","content":"speed-roi"}"#,
    r#"{"type":"created","lead":"L5","at":"2026-01-18T10:00:00Z","source":"webinar","campaign":"spring-launch","id":"e10"}"#,
    r#"{"type":"touch","lead":"L5","at":"2026-01-18T11:00:00Z","kind":"demo_request","id":"e11"}"#,
    r#"{"type":"sales_accepted","lead":"L5","at":"2026-01-19T09:00:00Z","rep":"R9","id":"e12"}"#,
    r#"{"type":"touch","lead":"L5","at":"2026-01-19T10:00:00Z","kind":"pricing_page_view","id":"e13"}"#,
    r#"{"type":"tick","at":"2026-01-20T00:00:00Z"}"#,
    r#"{"type":"created","lead":"L6","at":"2026-01-20T01:00:00Z","source":"ebook","campaign":"spring-launch"}"#,
    r#"{"type":"created","lead":"L7","at":"2026-01-20T02:00:00Z","source":"webinar"}"#,
    r#"{"type":"merged","lead":"L6","at":"2026-01-20T03:00:00Z","into":"L7"}"#,
];

fn replayed() -> LeadBook {
    let engine = engine();
    let mut book = LeadBook::new();
    for line in STREAM {
        let event: Event =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("bad test event {line}: {e}"));
        book.apply(&engine, &event);
    }
    book
}

fn lines(book: &LeadBook) -> String {
    book.iter()
        .map(|lead| serde_json::to_string(lead).expect("a lead serializes") + "\n")
        .collect()
}

#[test]
fn every_lead_serializes_to_the_bytes_written_before_the_layout_changed() {
    let got = lines(&replayed());
    if std::env::var_os("LEADCYCLE_WRITE_LEAD_WIRE").is_some() {
        std::fs::write(
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/lead_wire/leads.jsonl"),
            &got,
        )
        .expect("the expected file is writable");
    }
    for (n, (got, expected)) in got.lines().zip(EXPECTED.lines()).enumerate() {
        assert_eq!(got, expected, "lead {n}");
    }
    assert_eq!(got, EXPECTED);
}

#[test]
fn the_stream_fills_every_part_of_the_record_the_wire_test_protects() {
    let book = replayed();
    let all: Vec<&Lead> = book.iter().collect();
    assert_eq!(all.len(), 7);
    assert!(
        all.iter().any(|l| l.created_at() > l.first_touch().at),
        "a merge gave a lead an earlier first touch than its creation"
    );
    assert!(all.iter().any(|l| l.sla().has_deadline()));
    assert!(all.iter().any(|l| l.touch_counts().len() >= 2));
    assert!(all.iter().any(|l| l.content_seen().len() >= 2));
    assert!(all.iter().any(|l| l.program_positions().len() >= 2));
    assert!(all.iter().any(|l| !l.choices().is_empty()));
    assert!(all.iter().any(|l| !l.recycle_reasons().is_empty()));
    assert!(all.iter().any(|l| l.owner().is_some()));
    assert!(all.iter().any(|l| l.original_rep().is_some()));
    assert!(all.iter().any(|l| l.opportunity().is_some()));
    assert!(all.iter().any(|l| l.removed_reason().is_some()));
    assert!(all.iter().any(|l| l.nurture().is_some()));
    assert!(all.iter().any(|l| l.applied_ids().len() >= 2));
    assert!(all.iter().any(|l| l.last_touch().campaign.is_some()));
    assert!(all.iter().any(|l| l
        .last_touch()
        .campaign
        .as_deref()
        .is_some_and(|c| c.len() > 24)));
    let json = lines(&book);
    assert!(json.contains("\"alerts\""), "{json}");
}

#[test]
fn every_lead_reads_back_from_its_json_and_writes_the_same_bytes_again() {
    for line in EXPECTED.lines() {
        let lead: Lead = serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        assert_eq!(serde_json::to_string(&lead).unwrap(), line);
    }
    let book = replayed();
    let json = serde_json::to_string(&book.snapshot()).unwrap();
    let snapshot: Snapshot = serde_json::from_str(&json).unwrap();
    assert_eq!(serde_json::to_string(&snapshot).unwrap(), json);
}
