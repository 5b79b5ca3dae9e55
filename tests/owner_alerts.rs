//! Alerts to the owning rep (`[alerts]`, docs/accounts.md): an engagement spike or a
//! hand-raiser on a lead a rep owns, at most once per window.

use leadcycle::{Engine, Event, LeadBook, Policy};
use serde_json::{json, Value};

const ALERTS: &str = "[alerts]\nwindow_days = 7\npoints = 30\n";

fn engine_of(toml: &str) -> Engine {
    let policy: Policy = toml::from_str(toml).unwrap_or_else(|e| panic!("{toml}: {e}"));
    Engine::new(policy).unwrap_or_else(|e| panic!("{toml}: {e}"))
}

fn ev(value: Value) -> Event {
    serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("bad test event {value}: {e}"))
}

fn touch(at: &str, kind: &str) -> Event {
    ev(json!({"type":"touch","lead":"L1","at":at,"kind":kind}))
}

/// L1, created and accepted by R7 on Jan 5 (now in sal, owned by R7).
fn owned() -> Vec<Event> {
    vec![
        ev(json!({"type":"created","lead":"L1","at":"2026-01-05T09:00:00Z","source":"web"})),
        ev(json!({"type":"sales_accepted","lead":"L1","at":"2026-01-05T10:00:00Z","rep":"R7"})),
    ]
}

fn alerts(engine: &Engine, events: &[Event]) -> Vec<Value> {
    let mut book = LeadBook::new();
    let mut out = Vec::new();
    for event in events {
        for effect in book.apply(engine, event) {
            let value = serde_json::to_value(&effect).unwrap();
            if value["type"] == "owner_alert" {
                out.push(value);
            }
        }
    }
    out
}

#[test]
fn the_owner_is_alerted_when_points_within_the_window_reach_the_threshold() {
    let mut events = owned();
    events.push(touch("2026-01-06T09:00:00Z", "webinar_attended")); // 15
    events.push(touch("2026-01-07T09:00:00Z", "pricing_page_view")); // 25
    events.push(touch("2026-01-08T09:00:00Z", "pricing_page_view")); // 35
    let found = alerts(&engine_of(ALERTS), &events);
    assert_eq!(
        found,
        [
            json!({"type":"owner_alert","rep":"R7","cause":"spike","points":35.0,
            "lead":"L1","at":"2026-01-08T09:00:00Z"})
        ]
    );
}

#[test]
fn points_older_than_the_window_do_not_add_up_to_a_spike() {
    let mut events = owned();
    events.push(touch("2026-01-06T09:00:00Z", "webinar_attended")); // 15, Jan 6
                                                                    // Jan 13: the 7-day window is Jan 7 - Jan 13, so Jan 6's 15 points are gone.
    events.push(touch("2026-01-13T09:00:00Z", "webinar_attended"));
    assert!(alerts(&engine_of(ALERTS), &events).is_empty());
}

#[test]
fn the_owner_is_alerted_at_most_once_per_window() {
    let mut events = owned();
    events.push(touch("2026-01-06T09:00:00Z", "webinar_attended"));
    events.push(touch("2026-01-06T10:00:00Z", "webinar_attended")); // alert: 30
    events.push(touch("2026-01-07T10:00:00Z", "webinar_attended")); // 45, within 7 days
    events.push(touch("2026-01-08T10:00:00Z", "demo_request")); // a hand-raiser, still within
    events.push(touch("2026-01-13T09:59:59Z", "webinar_attended")); // 1 s short of 7 days
    events.push(touch("2026-01-13T10:00:00Z", "webinar_attended")); // 7 days on: again
    let found = alerts(&engine_of(ALERTS), &events);
    let at: Vec<&str> = found.iter().map(|a| a["at"].as_str().unwrap()).collect();
    assert_eq!(
        at,
        ["2026-01-06T10:00:00Z", "2026-01-13T10:00:00Z"],
        "{found:#?}"
    );
}

#[test]
fn a_hand_raiser_touch_alerts_the_owner_at_once() {
    let mut events = owned();
    events.push(touch("2026-01-06T09:00:00Z", "contact_sales"));
    let found = alerts(&engine_of(ALERTS), &events);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["cause"], "hand_raiser");
    assert_eq!(found[0]["rep"], "R7");
}

#[test]
fn a_lead_no_rep_owns_raises_no_alert() {
    let engine = engine_of(ALERTS);
    // An MQL (a hand-raiser made it one) is marketing's, not a rep's.
    let events = vec![
        ev(json!({"type":"created","lead":"L1","at":"2026-01-05T09:00:00Z","source":"web"})),
        touch("2026-01-05T10:00:00Z", "demo_request"),
        touch("2026-01-05T11:00:00Z", "webinar_attended"),
        touch("2026-01-05T12:00:00Z", "webinar_attended"),
        touch("2026-01-05T13:00:00Z", "demo_request"),
    ];
    assert!(alerts(&engine, &events).is_empty());
    // Recycled by its rep: no longer owned.
    let mut events = owned();
    events.push(ev(json!({"type":"disqualified","lead":"L1","at":"2026-01-05T11:00:00Z","rep":"R7","reason":"bad_timing"})));
    events.push(touch("2026-01-05T12:00:00Z", "webinar_attended"));
    events.push(touch("2026-01-05T13:00:00Z", "webinar_attended"));
    events.push(touch("2026-01-05T14:00:00Z", "pricing_page_view"));
    assert!(alerts(&engine, &events).is_empty());
}

#[test]
fn points_gained_before_a_rep_owned_the_lead_do_not_count() {
    let engine = engine_of(ALERTS);
    let events = vec![
        ev(json!({"type":"created","lead":"L1","at":"2026-01-05T09:00:00Z","source":"web"})),
        touch("2026-01-05T10:00:00Z", "webinar_attended"),
        touch("2026-01-05T11:00:00Z", "webinar_attended"),
        ev(json!({"type":"sales_accepted","lead":"L1","at":"2026-01-05T12:00:00Z","rep":"R7"})),
        touch("2026-01-05T13:00:00Z", "email_click"),
    ];
    assert!(alerts(&engine, &events).is_empty());
}

#[test]
fn without_an_alerts_section_no_alert_is_made() {
    let mut events = owned();
    events.push(touch("2026-01-06T09:00:00Z", "demo_request"));
    events.push(touch("2026-01-06T10:00:00Z", "webinar_attended"));
    events.push(touch("2026-01-06T11:00:00Z", "webinar_attended"));
    assert!(alerts(&engine_of(""), &events).is_empty());
}

#[test]
fn an_alert_is_independent_of_where_ticks_fall() {
    let engine = engine_of(ALERTS);
    let mut events = owned();
    events.push(touch("2026-01-06T09:00:00Z", "webinar_attended"));
    events.push(touch("2026-01-09T09:00:00Z", "webinar_attended"));
    let plain = alerts(&engine, &events);
    let mut ticked = events.clone();
    ticked.insert(3, ev(json!({"type":"tick","at":"2026-01-08T00:00:00Z"})));
    ticked.insert(2, ev(json!({"type":"tick","at":"2026-01-05T11:00:00Z"})));
    assert_eq!(plain.len(), 1);
    assert_eq!(alerts(&engine, &ticked), plain);
}

/// docs/accounts.md, `[alerts]`: a spike is raised by an event that gains points. An
/// event that gains none (a touch of a kind the policy does not score, a rep's call
/// attempt) alerts nobody, even once the quiet week is over and the window's points
/// are at the threshold; the next touch that gains points does.
#[test]
fn only_an_event_that_gains_points_raises_a_spike() {
    let mut events = owned();
    events.push(touch("2026-01-06T09:00:00Z", "webinar_attended")); // 15
    events.push(touch("2026-01-06T10:00:00Z", "webinar_attended")); // 30: alert
    events.push(touch("2026-01-12T09:00:00Z", "webinar_attended")); // within the week
    events.push(touch("2026-01-12T10:00:00Z", "webinar_attended")); // Jan 12: 30
                                                                    // Jan 13 10:00: the week is over; the window Jan 7 - Jan 13 holds 30 points.
    events.push(touch("2026-01-13T10:00:00Z", "page_visit")); // an unscored kind: 0
    events.push(ev(
        json!({"type":"sales_attempt","lead":"L1","at":"2026-01-13T11:00:00Z","rep":"R7"}),
    ));
    events.push(touch("2026-01-13T12:00:00Z", "email_click")); // 3: 33
    let found = alerts(&engine_of(ALERTS), &events);
    assert_eq!(
        found,
        [
            json!({"type":"owner_alert","rep":"R7","cause":"spike","points":30.0,
            "lead":"L1","at":"2026-01-06T10:00:00Z"}),
            json!({"type":"owner_alert","rep":"R7","cause":"spike","points":33.0,
            "lead":"L1","at":"2026-01-13T12:00:00Z"}),
        ]
    );
}
