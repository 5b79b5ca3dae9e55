//! Events and effects as a Rust host meets them: a constructor per event type with
//! `with_*` optional fields, equal to the event its JSON line reads as; `Display` as
//! one line for a person; type names that parse and print; `chrono` re-exported.

use leadcycle::chrono::{DateTime, Utc};
use leadcycle::{
    Effect, EffectKind, EffectType, Engine, Event, EventType, LeadBook, ParseNameError, Policy,
    Profile,
};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn parse(line: &str) -> Event {
    serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"))
}

/// Every event type built in Rust with every optional field, beside its JSON line.
fn every_type() -> Vec<(Event, &'static str)> {
    let profile: Profile = [
        ("seniority".to_owned(), "vp".into()),
        ("employees".to_owned(), 350.0.into()),
    ]
    .into();
    vec![
        (
            Event::created("L1", at("2026-01-05T10:00:00Z"), "webinar")
                .with_campaign("w-17")
                .with_channel("paid_social")
                .with_account("ACME")
                .with_profile(profile.clone())
                .with_id("e-1"),
            r#"{"type":"created","lead":"L1","at":"2026-01-05T10:00:00Z","source":"webinar","campaign":"w-17","channel":"paid_social","account":"ACME","profile":{"seniority":"vp","employees":350.0},"id":"e-1"}"#,
        ),
        (
            Event::touch("L1", at("2026-01-06T09:00:00Z"), "content_download")
                .with_campaign("w-17")
                .with_channel("email")
                .with_content("roi-calculator"),
            r#"{"type":"touch","lead":"L1","at":"2026-01-06T09:00:00Z","kind":"content_download","campaign":"w-17","channel":"email","content":"roi-calculator"}"#,
        ),
        (
            Event::profile("L1", at("2026-01-06T10:00:00Z"), profile),
            r#"{"type":"profile","lead":"L1","at":"2026-01-06T10:00:00Z","set":{"seniority":"vp","employees":350.0}}"#,
        ),
        (
            Event::sales_accepted("L1", at("2026-01-08T12:00:00Z"), "R7"),
            r#"{"type":"sales_accepted","lead":"L1","at":"2026-01-08T12:00:00Z","rep":"R7"}"#,
        ),
        (
            Event::sales_rejected("L1", at("2026-01-08T13:00:00Z"), "R7", "no_budget")
                .with_program("budget_cycle"),
            r#"{"type":"sales_rejected","lead":"L1","at":"2026-01-08T13:00:00Z","rep":"R7","reason":"no_budget","program":"budget_cycle"}"#,
        ),
        (
            Event::sales_attempt("L1", at("2026-01-09T09:00:00Z"), "R7")
                .with_channel("call")
                .with_outcome("voicemail"),
            r#"{"type":"sales_attempt","lead":"L1","at":"2026-01-09T09:00:00Z","rep":"R7","channel":"call","outcome":"voicemail"}"#,
        ),
        (
            Event::sales_qualified("L1", at("2026-01-10T09:00:00Z"), "R7"),
            r#"{"type":"sales_qualified","lead":"L1","at":"2026-01-10T09:00:00Z","rep":"R7"}"#,
        ),
        (
            Event::opportunity_opened("L1", at("2026-01-11T09:00:00Z"), "O-9").with_amount(48000.5),
            r#"{"type":"opportunity_opened","lead":"L1","at":"2026-01-11T09:00:00Z","opportunity":"O-9","amount":48000.5}"#,
        ),
        (
            Event::opportunity_won("L1", at("2026-02-11T09:00:00Z"), "O-9"),
            r#"{"type":"opportunity_won","lead":"L1","at":"2026-02-11T09:00:00Z","opportunity":"O-9"}"#,
        ),
        (
            Event::opportunity_lost("L1", at("2026-02-11T09:00:00Z"), "O-9", "competitor_chosen")
                .with_program("competitive_displacement"),
            r#"{"type":"opportunity_lost","lead":"L1","at":"2026-02-11T09:00:00Z","opportunity":"O-9","reason":"competitor_chosen","program":"competitive_displacement"}"#,
        ),
        (
            Event::disqualified("L1", at("2026-01-20T12:00:00Z"), "R7", "bad_timing")
                .with_program("timing_drip"),
            r#"{"type":"disqualified","lead":"L1","at":"2026-01-20T12:00:00Z","rep":"R7","reason":"bad_timing","program":"timing_drip"}"#,
        ),
        (
            Event::recycled("L1", at("2026-01-20T12:00:00Z"), "R7", "no_authority")
                .with_program("champion_enablement"),
            r#"{"type":"recycled","lead":"L1","at":"2026-01-20T12:00:00Z","rep":"R7","reason":"no_authority","program":"champion_enablement"}"#,
        ),
        (
            Event::unsubscribed("L1", at("2026-01-21T12:00:00Z")),
            r#"{"type":"unsubscribed","lead":"L1","at":"2026-01-21T12:00:00Z"}"#,
        ),
        (
            Event::contact_lost("L1", at("2026-01-22T12:00:00Z"), "bounced"),
            r#"{"type":"contact_lost","lead":"L1","at":"2026-01-22T12:00:00Z","cause":"bounced"}"#,
        ),
        (
            Event::merged("L4", at("2026-01-23T12:00:00Z"), "L1"),
            r#"{"type":"merged","lead":"L4","at":"2026-01-23T12:00:00Z","into":"L1"}"#,
        ),
        (
            Event::tick(at("2026-03-01T00:00:00Z")).with_id("t-1"),
            r#"{"type":"tick","at":"2026-03-01T00:00:00Z","id":"t-1"}"#,
        ),
        (
            Event::account_alias(at("2026-03-01T00:00:00Z"), "amex", "American Express"),
            r#"{"type":"account_alias","at":"2026-03-01T00:00:00Z","account":"amex","alias":"American Express"}"#,
        ),
    ]
}

#[test]
fn each_constructor_builds_the_event_its_json_line_reads_as() {
    let built = every_type();
    let types: Vec<EventType> = built.iter().map(|(e, _)| e.event_type()).collect();
    assert_eq!(types, EventType::ALL, "one constructor per event type");
    for (event, line) in built {
        assert_eq!(event, parse(line), "{line}");
        assert!(event.unknown_fields().is_empty(), "{line}");
        // And it writes that line back (keys in the serde form's order).
        assert_eq!(
            serde_json::to_value(&event).unwrap(),
            serde_json::from_str::<serde_json::Value>(line).unwrap()
        );
    }
}

#[test]
fn constructors_leave_every_optional_field_absent() {
    let t = at("2026-01-05T10:00:00Z");
    assert_eq!(
        Event::created("L1", t, "web"),
        parse(r#"{"type":"created","lead":"L1","at":"2026-01-05T10:00:00Z","source":"web"}"#)
    );
    assert_eq!(
        Event::sales_attempt("L1", t, "R1"),
        parse(r#"{"type":"sales_attempt","lead":"L1","at":"2026-01-05T10:00:00Z","rep":"R1"}"#)
    );
}

#[test]
fn a_built_event_applies_like_its_json_line() {
    let engine = Engine::new(Policy::default()).unwrap();
    let run = |events: Vec<Event>| {
        let mut book = LeadBook::new();
        let effects: Vec<Effect> = events.iter().flat_map(|e| book.apply(&engine, e)).collect();
        effects
    };
    let built: Vec<Event> = every_type().into_iter().map(|(e, _)| e).collect();
    let parsed: Vec<Event> = every_type().into_iter().map(|(_, l)| parse(l)).collect();
    assert_eq!(run(built), run(parsed));
}

#[test]
fn set_at_and_lead_mut_reuse_one_event_value() {
    let mut event = Event::touch("L1", at("2026-01-05T10:00:00Z"), "email_click");
    event.set_at(at("2026-01-06T10:00:00Z"));
    *event.lead_mut().unwrap() = "L2".into();
    assert_eq!(
        event,
        Event::touch("L2", at("2026-01-06T10:00:00Z"), "email_click")
    );
}

#[test]
fn event_displays_as_one_line_with_its_time_lead_type_and_fields() {
    let shown: Vec<String> = every_type().iter().map(|(e, _)| e.to_string()).collect();
    assert_eq!(
        shown,
        [
            "2026-01-05T10:00:00Z L1: created source=webinar campaign=w-17 channel=paid_social account=ACME profile={employees=350, seniority=vp} id=e-1",
            "2026-01-06T09:00:00Z L1: touch kind=content_download campaign=w-17 channel=email content=roi-calculator",
            "2026-01-06T10:00:00Z L1: profile set={employees=350, seniority=vp}",
            "2026-01-08T12:00:00Z L1: sales_accepted rep=R7",
            "2026-01-08T13:00:00Z L1: sales_rejected rep=R7 reason=no_budget program=budget_cycle",
            "2026-01-09T09:00:00Z L1: sales_attempt rep=R7 channel=call outcome=voicemail",
            "2026-01-10T09:00:00Z L1: sales_qualified rep=R7",
            "2026-01-11T09:00:00Z L1: opportunity_opened opportunity=O-9 amount=48000.5",
            "2026-02-11T09:00:00Z L1: opportunity_won opportunity=O-9",
            "2026-02-11T09:00:00Z L1: opportunity_lost opportunity=O-9 reason=competitor_chosen program=competitive_displacement",
            "2026-01-20T12:00:00Z L1: disqualified rep=R7 reason=bad_timing program=timing_drip",
            "2026-01-20T12:00:00Z L1: recycled rep=R7 reason=no_authority program=champion_enablement",
            "2026-01-21T12:00:00Z L1: unsubscribed",
            "2026-01-22T12:00:00Z L1: contact_lost cause=bounced",
            "2026-01-23T12:00:00Z L4: merged into=L1",
            "2026-03-01T00:00:00Z: tick id=t-1",
            "2026-03-01T00:00:00Z: account_alias account=amex alias=American Express",
        ]
    );
}

#[test]
fn effects_of_the_contract_example_display_as_one_sentence_each() {
    let engine = Engine::new(Policy::default()).unwrap();
    let mut book = LeadBook::new();
    let lines = [
        r#"{"type":"created","lead":"L1","at":"2026-01-05T10:00:00Z","source":"webinar","campaign":"w-17","profile":{"seniority":"vp","employees":350.0}}"#,
        r#"{"type":"touch","lead":"L1","at":"2026-01-06T09:00:00Z","kind":"pricing_page_view"}"#,
        r#"{"type":"sales_accepted","lead":"L1","at":"2026-01-08T12:00:00Z","rep":"R7"}"#,
        r#"{"type":"disqualified","lead":"L1","at":"2026-01-20T12:00:00Z","rep":"R7","reason":"bad_timing"}"#,
        r#"{"type":"tick","at":"2026-02-04T00:00:00Z"}"#,
        r#"{"type":"tick","at":"2026-02-01T00:00:00Z"}"#,
    ];
    let shown: Vec<String> = lines
        .iter()
        .flat_map(|l| book.apply(&engine, &parse(l)))
        .map(|e| e.to_string())
        .collect();
    assert_eq!(
        shown,
        [
            "2026-01-05T10:00:00Z L1: entered inquiry (created)",
            "2026-01-08T12:00:00Z L1: moved from inquiry to sal (sales_accepted)",
            "2026-01-20T12:00:00Z L1: moved from sal to recycled (disqualified, bad_timing)",
            "2026-01-20T12:00:00Z L1: enrolled in timing_drip at step 0 (bad_timing)",
            r#"2026-01-20T12:00:00Z L1: send "timing-tips" (timing_drip step 0)"#,
            r#"2026-02-03T12:00:00Z L1: send "case-study" (timing_drip step 1)"#,
            "2026-02-01T00:00:00Z: rejected (out_of_order): the `tick` at 2026-02-01T00:00:00Z is older than the last tick (2026-02-04T00:00:00Z): events must come in time order",
        ]
    );
    // The effect kind alone is the sentence without time and lead.
    let effects = book.apply(&engine, &parse(lines[5]));
    assert!(matches!(effects[0].kind, EffectKind::Rejected { .. }));
    assert!(effects[0]
        .kind
        .to_string()
        .starts_with("rejected (out_of_order): "));
}

#[test]
fn event_type_names_parse_and_print_as_on_the_wire() {
    for &ty in EventType::ALL {
        assert_eq!(ty.as_str().parse::<EventType>(), Ok(ty));
        assert_eq!(ty.to_string(), ty.as_str());
        assert_eq!(
            serde_json::to_value(ty).unwrap(),
            serde_json::json!(ty.as_str())
        );
    }
    assert_eq!(EventType::ALL.len(), 17);
}

#[test]
fn effect_type_names_parse_and_print_as_on_the_wire() {
    for &ty in EffectType::ALL {
        assert_eq!(ty.as_str().parse::<EffectType>(), Ok(ty));
        assert_eq!(ty.to_string(), ty.as_str());
        assert_eq!(
            serde_json::to_value(ty).unwrap(),
            serde_json::json!(ty.as_str())
        );
    }
    let names: Vec<&str> = EffectType::ALL.iter().map(|t| t.as_str()).collect();
    assert_eq!(
        names,
        [
            "transition",
            "nurture_assigned",
            "nurture_step_due",
            "nurture_ended",
            "routed",
            "sla_breached",
            "kept",
            "account_engaged",
            "owner_alert",
            "rule_failed",
            "rejected"
        ]
    );
}

#[test]
fn an_effects_type_is_the_type_of_its_json_line() {
    let effect: Effect = serde_json::from_str(
        r#"{"type":"routed","rep":"R7","why":"re_engaged","lead":"L1","at":"2026-01-05T10:00:00Z"}"#,
    )
    .unwrap();
    assert_eq!(effect.kind.effect_type(), EffectType::Routed);
}

#[test]
fn unknown_type_name_is_refused_naming_the_names_there_are() {
    let err: ParseNameError = "touhc".parse::<EventType>().unwrap_err();
    let message = err.to_string();
    assert!(
        message.starts_with("`touhc` is not an event type: expected one of created, touch, "),
        "{message}"
    );
    assert!(
        message.ends_with(", merged, tick, account_alias"),
        "{message}"
    );
    let err = "Routed".parse::<EffectType>().unwrap_err();
    assert_eq!(err.given, "Routed");
    assert!(err.to_string().contains("not an effect type"), "{err}");
}

#[test]
fn chrono_is_re_exported_for_building_times() {
    let t: leadcycle::chrono::DateTime<leadcycle::chrono::Utc> =
        leadcycle::chrono::DateTime::from_timestamp(1_767_607_200, 0).unwrap();
    assert_eq!(Event::tick(t).at(), at("2026-01-05T10:00:00Z"));
}
