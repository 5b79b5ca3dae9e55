//! The account roll-up (`[accounts]`, docs/accounts.md): distinct engaged contacts per
//! account within a window of whole UTC days, `account_engaged` once per crossing, the
//! qualification lift with cause `account`, merges, and the rejections and policy
//! problems of the section. Aliases are in `tests/account_aliases.rs`, the properties
//! (tick placement, a stream split by account) in `tests/account_properties.rs`.
//!
//! Events and effects are read through their JSON form (CONTRACT.md).

use leadcycle::policy::AccountsPolicy;
use leadcycle::{Engine, Event, LeadBook, Policy, PolicyProblem, Stage};
use serde_json::{json, Value};

/// Three distinct contacts with a counting touch within 10 days engage an account;
/// grade A and B leads are lifted.
const ACCOUNTS: &str = r#"
[accounts]
window_days = 10
min_contacts = 3
kinds = ["pricing_page_view", "webinar_attended", "content_download"]
lift_grades = ["A", "B"]
"#;

fn engine_of(toml: &str) -> Engine {
    let policy: Policy = toml::from_str(toml).unwrap_or_else(|e| panic!("{toml}: {e}"));
    Engine::new(policy).unwrap_or_else(|e| panic!("{toml}: {e}"))
}

fn ev(value: Value) -> Event {
    serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("bad test event {value}: {e}"))
}

/// A lead of `account` with no profile: fit grade D under the default policy.
fn created(lead: &str, at: &str, account: &str) -> Event {
    ev(json!({"type":"created","lead":lead,"at":at,"source":"web","account":account}))
}

/// A lead of `account` with 35 fit points (vp, 350 employees): grade B.
fn created_b(lead: &str, at: &str, account: &str) -> Event {
    ev(
        json!({"type":"created","lead":lead,"at":at,"source":"web","account":account,
        "profile":{"seniority":"vp","employees":350}}),
    )
}

fn touch(lead: &str, at: &str, kind: &str) -> Event {
    ev(json!({"type":"touch","lead":lead,"at":at,"kind":kind}))
}

fn apply(book: &mut LeadBook, engine: &Engine, event: Event) -> Vec<Value> {
    book.apply(engine, &event)
        .iter()
        .map(|e| serde_json::to_value(e).unwrap())
        .collect()
}

fn of_type<'a>(effects: &'a [Value], ty: &str) -> Vec<&'a Value> {
    effects.iter().filter(|e| e["type"] == ty).collect()
}

fn run(engine: &Engine, events: Vec<Event>) -> (LeadBook, Vec<Value>) {
    let mut book = LeadBook::new();
    let mut all = Vec::new();
    for event in events {
        all.extend(apply(&mut book, engine, event));
    }
    (book, all)
}

#[test]
fn an_account_is_engaged_once_when_its_third_distinct_contact_touches_within_the_window() {
    let engine = engine_of(ACCOUNTS);
    let (_, effects) = run(
        &engine,
        vec![
            created("L3", "2026-01-05T09:00:00Z", "Acme Inc."),
            created("L1", "2026-01-05T09:00:00Z", "ACME"),
            created("L2", "2026-01-05T09:00:00Z", "acme, inc"),
            touch("L3", "2026-01-05T10:00:00Z", "pricing_page_view"),
            // The same contact twice is one contact.
            touch("L3", "2026-01-06T10:00:00Z", "webinar_attended"),
            touch("L1", "2026-01-07T10:00:00Z", "content_download"),
            touch("L2", "2026-01-08T10:00:00Z", "pricing_page_view"),
            // Still engaged: no second effect.
            touch("L1", "2026-01-09T10:00:00Z", "pricing_page_view"),
            touch("L2", "2026-01-09T11:00:00Z", "webinar_attended"),
        ],
    );
    let engaged = of_type(&effects, "account_engaged");
    assert_eq!(engaged.len(), 1, "{effects:#?}");
    assert_eq!(
        *engaged[0],
        json!({"type":"account_engaged","account":"acme","leads":["L1","L2","L3"],
            "contacts":3,"points":43.0,"lead":"L2","at":"2026-01-08T10:00:00Z"})
    );
}

#[test]
fn touches_of_kinds_the_account_section_does_not_list_do_not_count() {
    let engine = engine_of(ACCOUNTS);
    let (_, effects) = run(
        &engine,
        vec![
            created("L1", "2026-01-05T09:00:00Z", "Acme"),
            created("L2", "2026-01-05T09:00:00Z", "Acme"),
            created("L3", "2026-01-05T09:00:00Z", "Acme"),
            touch("L1", "2026-01-05T10:00:00Z", "pricing_page_view"),
            touch("L2", "2026-01-05T10:00:00Z", "pricing_page_view"),
            touch("L3", "2026-01-05T10:00:00Z", "email_open"),
        ],
    );
    assert!(
        of_type(&effects, "account_engaged").is_empty(),
        "{effects:#?}"
    );
}

#[test]
fn an_empty_kinds_list_counts_every_touch_kind_even_one_the_policy_does_not_score() {
    let engine = engine_of("[accounts]\nwindow_days = 10\nmin_contacts = 2\n");
    let (_, effects) = run(
        &engine,
        vec![
            created("L1", "2026-01-05T09:00:00Z", "Acme"),
            created("L2", "2026-01-05T09:00:00Z", "Acme"),
            touch("L1", "2026-01-05T10:00:00Z", "email_open"),
            touch("L2", "2026-01-05T10:00:00Z", "podcast_listened"),
        ],
    );
    let engaged = of_type(&effects, "account_engaged");
    assert_eq!(engaged.len(), 1, "{effects:#?}");
    assert_eq!(
        engaged[0]["points"], 1.0,
        "email_open 1 + an unscored kind 0"
    );
}

#[test]
fn min_points_must_be_reached_as_well_as_min_contacts() {
    let engine = engine_of("[accounts]\nwindow_days = 10\nmin_contacts = 2\nmin_points = 20\n");
    let (_, effects) = run(
        &engine,
        vec![
            created("L1", "2026-01-05T09:00:00Z", "Acme"),
            created("L2", "2026-01-05T09:00:00Z", "Acme"),
            touch("L1", "2026-01-05T10:00:00Z", "pricing_page_view"),
            touch("L2", "2026-01-05T11:00:00Z", "email_click"),
        ],
    );
    assert!(
        of_type(&effects, "account_engaged").is_empty(),
        "13 points: {effects:#?}"
    );
    let (_, effects) = run(
        &engine,
        vec![
            created("L1", "2026-01-05T09:00:00Z", "Acme"),
            created("L2", "2026-01-05T09:00:00Z", "Acme"),
            touch("L1", "2026-01-05T10:00:00Z", "pricing_page_view"),
            touch("L2", "2026-01-05T11:00:00Z", "pricing_page_view"),
        ],
    );
    assert_eq!(
        of_type(&effects, "account_engaged").len(),
        1,
        "20 points: {effects:#?}"
    );
}

#[test]
fn an_account_crosses_again_only_after_its_touches_age_out_of_the_window() {
    let engine = engine_of(ACCOUNTS);
    let mut events = vec![
        created("L1", "2026-01-01T09:00:00Z", "Acme"),
        created("L2", "2026-01-01T09:00:00Z", "Acme"),
        created("L3", "2026-01-01T09:00:00Z", "Acme"),
        touch("L1", "2026-01-01T10:00:00Z", "pricing_page_view"),
        touch("L2", "2026-01-02T10:00:00Z", "pricing_page_view"),
        touch("L3", "2026-01-03T10:00:00Z", "pricing_page_view"),
    ];
    // Day 10 of the window that began on Jan 1: L1's touch still counts, so the
    // account is still engaged, and nothing is said.
    events.push(touch("L2", "2026-01-10T23:00:00Z", "pricing_page_view"));
    // Jan 12: the window is Jan 3 - Jan 12; L1's touch aged out, L2 and L3 remain:
    // 2 contacts, below the threshold (nothing is said).
    events.push(touch("L2", "2026-01-12T10:00:00Z", "pricing_page_view"));
    // L1 touches again: 3 contacts in Jan 3 - Jan 12, a second crossing.
    events.push(touch("L1", "2026-01-12T11:00:00Z", "webinar_attended"));
    let (_, effects) = run(&engine, events);
    let engaged: Vec<(&Value, &Value)> = of_type(&effects, "account_engaged")
        .into_iter()
        .map(|e| (&e["at"], &e["contacts"]))
        .collect();
    assert_eq!(
        engaged,
        [
            (&json!("2026-01-03T10:00:00Z"), &json!(3)),
            (&json!("2026-01-12T11:00:00Z"), &json!(3)),
        ],
        "{effects:#?}"
    );
}

#[test]
fn an_account_that_stays_above_the_threshold_never_crosses_twice() {
    let engine = engine_of("[accounts]\nwindow_days = 3\nmin_contacts = 2\n");
    let mut events = vec![
        created("L1", "2026-01-01T09:00:00Z", "Acme"),
        created("L2", "2026-01-01T09:00:00Z", "Acme"),
    ];
    // A touch by each of the two every day for a month: the window always holds both.
    for day in 1..=30 {
        for lead in ["L1", "L2"] {
            events.push(touch(
                lead,
                &format!("2026-01-{day:02}T10:00:00Z"),
                "email_open",
            ));
        }
    }
    let (_, effects) = run(&engine, events);
    assert_eq!(
        of_type(&effects, "account_engaged").len(),
        1,
        "{effects:#?}"
    );
}

#[test]
fn the_crossing_lifts_the_accounts_inquiry_leads_of_a_listed_grade_with_cause_account() {
    let engine = engine_of(ACCOUNTS);
    let (book, effects) = run(
        &engine,
        vec![
            created_b("B1", "2026-01-05T09:00:00Z", "Acme"),
            created("D1", "2026-01-05T09:00:00Z", "Acme"),
            created("D2", "2026-01-05T09:00:00Z", "Acme"),
            // B2 has not touched at all, but is the account's: it is lifted too.
            created_b("B2", "2026-01-05T09:00:00Z", "Acme"),
            created_b("OTHER", "2026-01-05T09:00:00Z", "Globex"),
            touch("D1", "2026-01-05T10:00:00Z", "pricing_page_view"),
            touch("D2", "2026-01-05T11:00:00Z", "pricing_page_view"),
            touch("B1", "2026-01-05T12:00:00Z", "pricing_page_view"),
        ],
    );
    let last: Vec<&Value> = effects
        .iter()
        .filter(|e| e["at"] == "2026-01-05T12:00:00Z")
        .collect();
    let kinds: Vec<(&str, &str)> = last
        .iter()
        .map(|e| (e["type"].as_str().unwrap(), e["lead"].as_str().unwrap()))
        .collect();
    // The crossing, then the lift of every B lead of the account in id order.
    assert_eq!(
        kinds,
        [
            ("account_engaged", "B1"),
            ("transition", "B1"),
            ("transition", "B2")
        ],
        "{effects:#?}"
    );
    assert_eq!(last[1]["cause"], "account");
    assert_eq!(last[1]["from"], "inquiry");
    assert_eq!(last[1]["to"], "mql");
    for (lead, stage) in [
        ("B1", Stage::Mql),
        ("B2", Stage::Mql),
        ("D1", Stage::Inquiry),
        ("D2", Stage::Inquiry),
        ("OTHER", Stage::Inquiry),
    ] {
        assert_eq!(book.get(lead).unwrap().stage(), stage, "{lead}");
    }
}

#[test]
fn a_crossing_leaves_a_lead_whose_clock_is_past_it_to_its_own_next_event() {
    // B2 (grade B) already has an event of Jan 6; the account crosses at D2's touch of
    // Jan 5, 11:00, an older event of another lead. B2 is not lifted back in time: it
    // is judged at its own next event, while the account is engaged.
    let engine = engine_of(ACCOUNTS);
    let (book, effects) = run(
        &engine,
        vec![
            created("D1", "2026-01-05T09:00:00Z", "Acme"),
            created("D2", "2026-01-05T09:00:00Z", "Acme"),
            created_b("B2", "2026-01-05T09:00:00Z", "Acme"),
            touch("B2", "2026-01-05T09:30:00Z", "pricing_page_view"),
            ev(
                json!({"type":"profile","lead":"B2","at":"2026-01-06T09:00:00Z","set":{"region":"emea"}}),
            ),
            touch("D1", "2026-01-05T10:00:00Z", "pricing_page_view"),
            touch("D2", "2026-01-05T11:00:00Z", "pricing_page_view"),
        ],
    );
    assert_eq!(
        of_type(&effects, "account_engaged").len(),
        1,
        "{effects:#?}"
    );
    assert_eq!(
        book.get("B2").unwrap().stage(),
        Stage::Inquiry,
        "{effects:#?}"
    );
    assert!(
        !effects
            .iter()
            .any(|e| e["lead"] == "B2" && e["type"] == "transition" && e["to"] == "mql"),
        "{effects:#?}"
    );
}

#[test]
fn a_lead_that_joins_an_engaged_account_is_lifted_at_its_own_created_event() {
    let engine = engine_of(ACCOUNTS);
    let (book, effects) = run(
        &engine,
        vec![
            created("D1", "2026-01-05T09:00:00Z", "Acme"),
            created("D2", "2026-01-05T09:00:00Z", "Acme"),
            created("D3", "2026-01-05T09:00:00Z", "Acme"),
            touch("D1", "2026-01-05T10:00:00Z", "pricing_page_view"),
            touch("D2", "2026-01-05T11:00:00Z", "pricing_page_view"),
            touch("D3", "2026-01-05T12:00:00Z", "pricing_page_view"),
            created_b("NEW", "2026-01-06T09:00:00Z", "acme"),
        ],
    );
    let new: Vec<&Value> = effects.iter().filter(|e| e["lead"] == "NEW").collect();
    assert_eq!(new.len(), 2, "{effects:#?}");
    assert_eq!(new[1]["cause"], "account");
    assert_eq!(book.get("NEW").unwrap().stage(), Stage::Mql);
    // Once the account has fallen below, a newcomer is not lifted.
    let (book, _) = run(
        &engine,
        vec![
            created("D1", "2026-01-05T09:00:00Z", "Acme"),
            created("D2", "2026-01-05T09:00:00Z", "Acme"),
            created("D3", "2026-01-05T09:00:00Z", "Acme"),
            touch("D1", "2026-01-05T10:00:00Z", "pricing_page_view"),
            touch("D2", "2026-01-05T11:00:00Z", "pricing_page_view"),
            touch("D3", "2026-01-05T12:00:00Z", "pricing_page_view"),
            created_b("LATE", "2026-02-06T09:00:00Z", "acme"),
        ],
    );
    assert_eq!(book.get("LATE").unwrap().stage(), Stage::Inquiry);
}

#[test]
fn a_lead_recycled_while_its_account_is_engaged_is_lifted_only_once_rearmed_at_its_own_event() {
    let engine = engine_of(ACCOUNTS);
    let mut events = vec![
        created_b("B1", "2026-01-05T09:00:00Z", "Acme"),
        created("D1", "2026-01-05T09:00:00Z", "Acme"),
        created("D2", "2026-01-05T09:00:00Z", "Acme"),
        touch("D1", "2026-01-05T10:00:00Z", "pricing_page_view"),
        touch("D2", "2026-01-05T11:00:00Z", "pricing_page_view"),
        touch("B1", "2026-01-05T12:00:00Z", "pricing_page_view"),
        // Lifted to mql; sales takes B1 and sends it back.
        ev(json!({"type":"sales_accepted","lead":"B1","at":"2026-01-05T13:00:00Z","rep":"R1"})),
        ev(
            json!({"type":"disqualified","lead":"B1","at":"2026-01-05T14:00:00Z","rep":"R1","reason":"bad_timing"}),
        ),
    ];
    // Another lead's touch while B1 is disarmed: B1 stays in nurture.
    events.push(touch("D1", "2026-01-05T15:00:00Z", "pricing_page_view"));
    let (book, effects) = run(&engine, events.clone());
    assert_eq!(
        book.get("B1").unwrap().stage(),
        Stage::Recycled,
        "{effects:#?}"
    );
    // B1's own next event re-arms it (its score is far below the threshold) and the
    // engaged account lifts it.
    events.push(touch("B1", "2026-01-06T10:00:00Z", "email_open"));
    let (book, effects) = run(&engine, events);
    assert_eq!(book.get("B1").unwrap().stage(), Stage::Mql, "{effects:#?}");
    let last = effects.iter().rfind(|e| e["type"] == "transition").unwrap();
    assert_eq!(last["cause"], "account");
    // A returning recycled lead goes back to its original rep.
    assert!(effects
        .iter()
        .any(|e| e["type"] == "routed" && e["rep"] == "R1" && e["lead"] == "B1"));
}

/// The effects of: `first` (a lead of Acme created on Jan 5) accepted and recycled
/// into timing_drip (every 14 days, next step due Jan 19) the same day, its own touch
/// on Jan 6 (which re-arms it and counts as a contact), then D1's and D2's touches on
/// Jan 24 and 25, at which Acme crosses (window 30 days), with no tick between.
fn recycled_then_crossed(first: Event) -> Vec<Value> {
    let lead = first
        .lead()
        .expect("a created event names its lead")
        .to_string();
    let engine = engine_of(&ACCOUNTS.replace("window_days = 10", "window_days = 30"));
    let (_, effects) = run(
        &engine,
        vec![
            first,
            ev(json!({"type":"sales_accepted","lead":lead,"at":"2026-01-05T10:00:00Z","rep":"R1"})),
            ev(
                json!({"type":"disqualified","lead":lead,"at":"2026-01-05T11:00:00Z","rep":"R1","reason":"bad_timing"}),
            ),
            touch(&lead, "2026-01-06T10:00:00Z", "content_download"),
            created("D1", "2026-01-05T09:00:00Z", "Acme"),
            created("D2", "2026-01-05T09:00:00Z", "Acme"),
            touch("D1", "2026-01-24T10:00:00Z", "pricing_page_view"),
            touch("D2", "2026-01-25T10:00:00Z", "pricing_page_view"),
        ],
    );
    effects
}

#[test]
fn a_lift_fires_the_lifted_leads_due_deadlines_first() {
    // B2 is recycled into timing_drip (every 14 days); its next step is due on Jan 19.
    // The account crosses on Jan 25 at another lead's touch, with no tick between:
    // B2's step fires first, stamped Jan 19, then the lift.
    let effects = recycled_then_crossed(created_b("B2", "2026-01-05T09:00:00Z", "Acme"));
    let b2: Vec<(&str, &str)> = effects
        .iter()
        .filter(|e| e["lead"] == "B2" && e["at"].as_str() > Some("2026-01-07"))
        .map(|e| (e["type"].as_str().unwrap(), e["at"].as_str().unwrap()))
        .collect();
    assert_eq!(
        b2,
        [
            ("nurture_step_due", "2026-01-19T11:00:00Z"),
            ("transition", "2026-01-25T10:00:00Z"),
            ("nurture_ended", "2026-01-25T10:00:00Z"),
            ("routed", "2026-01-25T10:00:00Z"),
        ],
        "{effects:#?}"
    );
}

#[test]
fn a_crossing_leaves_a_lead_of_a_grade_the_policy_does_not_lift_untouched() {
    // As above, but R2 has no profile (grade D; the policy lifts A and B): its step due
    // on Jan 19 does not fire at the crossing on Jan 25, another lead's event, and it
    // is not lifted. Its deadlines wait for its own next event or a tick.
    let effects = recycled_then_crossed(created("R2", "2026-01-05T09:00:00Z", "Acme"));
    assert_eq!(
        of_type(&effects, "account_engaged").len(),
        1,
        "{effects:#?}"
    );
    let r2_later: Vec<&Value> = effects
        .iter()
        .filter(|e| e["lead"] == "R2" && e["at"].as_str() > Some("2026-01-07"))
        .collect();
    assert!(r2_later.is_empty(), "{r2_later:#?}");
}

/// Three leads of Acme, of which D (a duplicate of S) and S have touched.
fn acme_duplicate_survivor_and_third() -> Vec<Event> {
    vec![
        created("D", "2026-01-05T09:00:00Z", "Acme"),
        created("S", "2026-01-05T09:00:00Z", "Acme"),
        created("C", "2026-01-05T09:00:00Z", "Acme"),
        touch("D", "2026-01-05T10:00:00Z", "pricing_page_view"),
        touch("S", "2026-01-05T11:00:00Z", "pricing_page_view"),
    ]
}

#[test]
fn a_merged_duplicate_counts_once_as_its_survivor() {
    let engine = engine_of(ACCOUNTS);
    let base = acme_duplicate_survivor_and_third();
    let mut merged = base.clone();
    merged.push(ev(
        json!({"type":"merged","lead":"D","at":"2026-01-05T12:00:00Z","into":"S"}),
    ));
    merged.push(touch("C", "2026-01-05T13:00:00Z", "pricing_page_view"));
    let (_, effects) = run(&engine, merged);
    assert!(
        of_type(&effects, "account_engaged").is_empty(),
        "D and S are one person: {effects:#?}"
    );
    let mut unmerged = base;
    unmerged.push(touch("C", "2026-01-05T13:00:00Z", "pricing_page_view"));
    let (_, effects) = run(&engine, unmerged);
    assert_eq!(of_type(&effects, "account_engaged").len(), 1);
}

#[test]
fn a_refused_merge_leaves_both_leads_counting_for_their_account() {
    let engine = engine_of(ACCOUNTS);
    let mut events = acme_duplicate_survivor_and_third();
    events.extend([
        // Older than D's last event: refused as out of order, so D and S stay two
        // people, and two contacts of Acme.
        ev(json!({"type":"merged","lead":"D","at":"2026-01-05T09:30:00Z","into":"S"})),
        touch("C", "2026-01-05T13:00:00Z", "pricing_page_view"),
    ]);
    let (book, effects) = run(&engine, events);
    let rejected = of_type(&effects, "rejected");
    assert_eq!(rejected.len(), 1, "{effects:#?}");
    assert_eq!(rejected[0]["kind"], "out_of_order");
    assert_eq!(book.get("D").map(|l| l.stage()), Some(Stage::Inquiry));
    let engaged = of_type(&effects, "account_engaged");
    assert_eq!(
        engaged.len(),
        1,
        "D, S and C are three contacts: {effects:#?}"
    );
    assert_eq!(engaged[0]["contacts"], 3);
}

#[test]
fn a_duplicate_merged_from_another_account_brings_its_touches_to_the_survivors_account() {
    let engine = engine_of("[accounts]\nwindow_days = 10\nmin_contacts = 2\n");
    let (_, effects) = run(
        &engine,
        vec![
            created("D", "2026-01-05T09:00:00Z", "Globex"),
            created("S", "2026-01-05T09:00:00Z", "Acme"),
            created("C", "2026-01-05T09:00:00Z", "Acme"),
            touch("D", "2026-01-05T10:00:00Z", "pricing_page_view"),
            ev(json!({"type":"merged","lead":"D","at":"2026-01-05T12:00:00Z","into":"S"})),
            touch("C", "2026-01-05T13:00:00Z", "email_open"),
        ],
    );
    let engaged = of_type(&effects, "account_engaged");
    assert_eq!(engaged.len(), 1, "{effects:#?}");
    assert_eq!(engaged[0]["account"], "acme");
    assert_eq!(engaged[0]["leads"], json!(["C", "S"]));
}

#[test]
fn a_removed_lead_keeps_counting_until_its_touches_leave_the_window() {
    let engine = engine_of("[accounts]\nwindow_days = 10\nmin_contacts = 2\n");
    let (_, effects) = run(
        &engine,
        vec![
            created("L1", "2026-01-05T09:00:00Z", "Acme"),
            created("L2", "2026-01-05T09:00:00Z", "Acme"),
            touch("L1", "2026-01-05T10:00:00Z", "pricing_page_view"),
            ev(
                json!({"type":"contact_lost","lead":"L1","at":"2026-01-05T11:00:00Z","cause":"left_company"}),
            ),
            touch("L2", "2026-01-06T10:00:00Z", "pricing_page_view"),
        ],
    );
    let engaged = of_type(&effects, "account_engaged");
    assert_eq!(engaged.len(), 1, "{effects:#?}");
    assert_eq!(engaged[0]["leads"], json!(["L1", "L2"]));
}

#[test]
fn without_an_accounts_section_the_book_keeps_no_account_state_and_snapshots_are_unchanged() {
    let engine = engine_of("");
    let (book, effects) = run(
        &engine,
        vec![
            created("L1", "2026-01-05T09:00:00Z", "Acme"),
            created("L2", "2026-01-05T09:00:00Z", "Acme"),
            created("L3", "2026-01-05T09:00:00Z", "Acme"),
            touch("L1", "2026-01-05T10:00:00Z", "pricing_page_view"),
            touch("L2", "2026-01-05T10:00:00Z", "pricing_page_view"),
            touch("L3", "2026-01-05T10:00:00Z", "pricing_page_view"),
        ],
    );
    assert!(of_type(&effects, "account_engaged").is_empty());
    assert!(book.account_roll_up().is_empty());
    let snapshot = serde_json::to_value(book.snapshot()).unwrap();
    assert!(snapshot.get("accounts").is_none(), "{snapshot}");
    assert!(!serde_json::to_string(&snapshot).unwrap().contains("alerts"));
}

#[test]
fn a_snapshot_keeps_the_roll_up_so_a_restored_book_crosses_where_the_original_does() {
    let engine = engine_of(ACCOUNTS);
    let events = vec![
        created_b("L1", "2026-01-05T09:00:00Z", "Acme"),
        created("L2", "2026-01-05T09:00:00Z", "Acme"),
        created("L3", "2026-01-05T09:00:00Z", "Acme"),
        touch("L1", "2026-01-05T10:00:00Z", "pricing_page_view"),
        touch("L2", "2026-01-05T10:00:00Z", "pricing_page_view"),
        touch("L3", "2026-01-05T10:00:00Z", "pricing_page_view"),
    ];
    let (_, whole) = run(&engine, events.clone());
    let mut book = LeadBook::new();
    let mut split = Vec::new();
    for event in &events[..5] {
        split.extend(apply(&mut book, &engine, event.clone()));
    }
    // What the snapshot must keep: the book's roll-up holds the account's leads.
    assert!(!book.account_roll_up().is_empty());
    let text = serde_json::to_string(&book.snapshot()).unwrap();
    let mut restored = LeadBook::restore(serde_json::from_str(&text).unwrap(), &engine).unwrap();
    split.extend(apply(&mut restored, &engine, events[5].clone()));
    assert_eq!(split, whole);
    assert_eq!(of_type(&whole, "account_engaged").len(), 1);
}

#[test]
fn every_accounts_policy_problem_names_its_key() {
    let problems = |toml: &str| -> Vec<String> {
        let policy: Policy = toml::from_str(toml).unwrap();
        let err = Engine::new(policy).unwrap_err();
        err.problems().iter().map(|p| p.to_string()).collect()
    };
    let found = problems("[accounts]\nwindow_days = 0\nmin_contacts = 0\n");
    assert!(found[0].contains("`accounts.window_days` = 0"), "{found:?}");
    assert!(
        found[1].contains("`accounts.min_contacts` = 0"),
        "{found:?}"
    );
    let found = problems("[alerts]\nwindow_days = 0\npoints = 0\n");
    assert!(found[0].contains("`alerts.window_days` = 0"), "{found:?}");
    assert!(found[1].contains("`alerts.points` = 0"), "{found:?}");
    let policy = Policy {
        accounts: Some(AccountsPolicy {
            min_points: Some(f64::NAN),
            ..AccountsPolicy::default()
        }),
        ..Policy::default()
    };
    let err = Engine::new(policy).unwrap_err();
    assert!(matches!(
        &err.problems()[0],
        PolicyProblem::InvalidValue { key, .. } if key == "accounts.min_points"
    ));
    // A grade that is not A-D does not parse.
    let text = "[accounts]\nlift_grades = [\"E\"]\n";
    assert!(toml::from_str::<Policy>(text).is_err());
}

#[test]
fn an_empty_accounts_section_switches_the_roll_up_on_with_its_defaults() {
    let policy: Policy = toml::from_str("[accounts]\n").unwrap();
    let accounts = policy.accounts.unwrap();
    assert_eq!(accounts.window_days, 90);
    assert_eq!(accounts.min_contacts, 3);
    assert!(accounts.kinds.is_empty() && accounts.lift_grades.is_empty());
    assert!(Policy::default().accounts.is_none() && Policy::default().alerts.is_none());
}

#[test]
fn the_shipped_accounts_example_crosses_once_lifts_its_b_leads_and_alerts_the_owner_once() {
    let policy = Policy::from_toml_str(include_str!("../examples/policies/accounts.toml")).unwrap();
    let engine = Engine::new(policy).unwrap();
    let events: Vec<Event> = include_str!("../examples/data/accounts.jsonl")
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let (book, effects) = run(&engine, events);
    let engaged = of_type(&effects, "account_engaged");
    assert_eq!(engaged.len(), 1, "{effects:#?}");
    assert_eq!(engaged[0]["account"], "amex");
    assert_eq!(engaged[0]["leads"], json!(["L2", "L3", "L4"]));
    let lifted: Vec<&Value> = effects
        .iter()
        .filter(|e| e["type"] == "transition" && e["cause"] == "account")
        .map(|e| &e["lead"])
        .collect();
    assert_eq!(lifted, [&json!("L1"), &json!("L4")]);
    let alerts = of_type(&effects, "owner_alert");
    assert_eq!(
        alerts.len(),
        1,
        "the demo request comes within the window: {effects:#?}"
    );
    assert_eq!(alerts[0]["rep"], "R7");
    let rejected = of_type(&effects, "rejected");
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0]["kind"], "malformed");
    assert_eq!(book.get("L1").unwrap().stage(), Stage::Sal);
}

#[test]
fn a_policy_with_accounts_and_alerts_round_trips_through_its_toml_text() {
    let text = format!(
        "{ACCOUNTS}min_points = 12.5\n[accounts.aliases]\namex = [\"American Express\"]\n[alerts]\nwindow_days = 3\npoints = 25\n"
    );
    let policy = Policy::from_toml_str(&text).unwrap();
    let written = policy.to_toml_string();
    assert_eq!(
        Policy::from_toml_str(&written).unwrap(),
        policy,
        "{written}"
    );
    assert_ne!(policy.fingerprint(), Policy::default().fingerprint());
    // Left out, the sections are not written at all.
    let default = Policy::default().to_toml_string();
    assert!(!default.contains("[accounts") && !default.contains("[alerts"));
}

/// docs/accounts.md, "Removed and unsubscribed leads": a lead taken out of the book is
/// no longer a member of its account, so a lead created again with its id belongs to
/// the account of its new `created` event (its touches count there, and it is among
/// that account's engaged contacts), whichever way it was taken out.
#[test]
fn a_lead_taken_out_of_the_book_and_created_again_with_its_id_counts_for_its_new_account() {
    let engine = engine_of("[accounts]\nwindow_days = 10\nmin_contacts = 2\n");
    for way in ["evict_removed", "remove"] {
        let (mut book, _) = run(
            &engine,
            vec![
                created("L1", "2026-01-05T09:00:00Z", "Acme"),
                ev(
                    json!({"type":"contact_lost","lead":"L1","at":"2026-01-05T10:00:00Z","cause":"left_company"}),
                ),
            ],
        );
        match way {
            "evict_removed" => assert_eq!(book.evict_removed(), 1),
            _ => assert!(book.remove("L1").is_some()),
        }
        let mut effects = Vec::new();
        for event in [
            created("L1", "2026-01-06T09:00:00Z", "Globex"),
            created("G2", "2026-01-06T09:00:00Z", "Globex"),
            touch("L1", "2026-01-06T10:00:00Z", "pricing_page_view"),
            touch("G2", "2026-01-06T11:00:00Z", "pricing_page_view"),
        ] {
            effects.extend(apply(&mut book, &engine, event));
        }
        let engaged = of_type(&effects, "account_engaged");
        assert_eq!(engaged.len(), 1, "{way}: {effects:#?}");
        assert_eq!(engaged[0]["account"], "globex", "{way}");
        assert_eq!(engaged[0]["leads"], json!(["G2", "L1"]), "{way}");
    }
}
