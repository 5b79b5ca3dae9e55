//! Properties of the account roll-up and owner alerts (docs/accounts.md):
//!
//! - tick placement: the same stream with ticks inserted anywhere (each a valid
//!   watermark) gives every lead the same effects in the same order, and the same
//!   `account_engaged` effects in the same order;
//! - split by account: a stream split by account across several books (each account's
//!   leads, aliases included, in one book; ticks and alias events sent to every book)
//!   gives every lead and every account the same effects as one book.
//!
//! The streams: eight leads over five spellings of four companies (one of them made an
//! alias of another mid-stream), of grades B and D, with counting and non-counting
//! touches, hand-raisers, sales taking and dropping leads (so service levels and
//! nurture steps fall due between events), merges within an account, and lost contacts.

use leadcycle::accounts::AccountNames;
use leadcycle::chrono::{DateTime, TimeDelta, Utc};
use leadcycle::testing;
use leadcycle::{Effect, EffectKind, Engine, Event, LeadBook, Policy};
use proptest::prelude::*;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::OnceLock;

const POLICY: &str = r#"
[accounts]
window_days = 5
min_contacts = 2
kinds = ["pricing_page_view", "webinar_attended", "demo_request"]
lift_grades = ["A", "B"]
[accounts.aliases]
acme = ["acme.com"]
[alerts]
window_days = 2
points = 20
"#;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let policy: Policy = toml::from_str(POLICY).unwrap();
        Engine::new(policy).unwrap()
    })
}

/// The company each lead says it works for: spellings and a mail domain of four
/// companies (Initech becomes Acme mid-stream).
const ACCOUNTS: [&str; 8] = [
    "Acme Inc.",
    "ACME Corp.",
    "Globex",
    "globex corporation",
    "Initech LLC",
    "Initech",
    "Umbrella",
    "jane@acme.com",
];

/// What happens next in a generated stream.
#[derive(Clone, Debug)]
enum Op {
    Touch(usize, &'static str),
    Accepted(usize),
    Disqualified(usize),
    Qualified(usize),
    /// The first lead merged into the second, when both are one account.
    Merged(usize, usize),
    Lost(usize),
    /// Initech becomes an alias of Acme.
    Alias,
}

fn op() -> impl Strategy<Value = Op> {
    let lead = 0..ACCOUNTS.len();
    prop_oneof![
        6 => (lead.clone(), prop::sample::select(vec![
            "pricing_page_view", "webinar_attended", "email_open", "demo_request",
        ])).prop_map(|(l, k)| Op::Touch(l, k)),
        2 => lead.clone().prop_map(Op::Accepted),
        1 => lead.clone().prop_map(Op::Disqualified),
        1 => lead.clone().prop_map(Op::Qualified),
        1 => (lead.clone(), lead.clone()).prop_map(|(a, b)| Op::Merged(a, b)),
        1 => lead.prop_map(Op::Lost),
        1 => Just(Op::Alias),
    ]
}

fn start() -> DateTime<Utc> {
    "2026-01-05T09:00:00Z".parse().unwrap()
}

fn lead_id(i: usize) -> String {
    format!("L{i}")
}

/// The account a lead ends up in: after the stream's alias, Initech is Acme.
fn final_account(i: usize) -> String {
    let mut names = engine().account_names().clone();
    names.add("Acme", "Initech").unwrap();
    names.resolve(ACCOUNTS[i]).unwrap()
}

/// The stream: every lead created (odd leads grade B, even ones D), then the ops,
/// each `gap` minutes after the one before.
fn stream(ops: &[(Op, u32)]) -> Vec<Event> {
    let mut at = start();
    let mut events = Vec::new();
    for (i, account) in ACCOUNTS.iter().enumerate() {
        let profile = if i % 2 == 1 {
            json!({"seniority":"vp","employees":350})
        } else {
            json!({})
        };
        events.push(ev(
            json!({"type":"created","lead":lead_id(i),"at":at,"source":"web",
            "account":account,"profile":profile}),
        ));
    }
    for (op, gap) in ops {
        at += TimeDelta::minutes(i64::from(*gap));
        let event = match op {
            Op::Touch(l, kind) => json!({"type":"touch","lead":lead_id(*l),"at":at,"kind":kind}),
            Op::Accepted(l) => {
                json!({"type":"sales_accepted","lead":lead_id(*l),"at":at,"rep":"R1"})
            }
            Op::Disqualified(l) => {
                json!({"type":"disqualified","lead":lead_id(*l),"at":at,"rep":"R1","reason":"bad_timing"})
            }
            Op::Qualified(l) => {
                json!({"type":"sales_qualified","lead":lead_id(*l),"at":at,"rep":"R1"})
            }
            Op::Merged(a, b) if a != b && final_account(*a) == final_account(*b) => {
                json!({"type":"merged","lead":lead_id(*a),"at":at,"into":lead_id(*b)})
            }
            Op::Merged(a, _) => {
                json!({"type":"touch","lead":lead_id(*a),"at":at,"kind":"email_open"})
            }
            Op::Lost(l) => {
                json!({"type":"contact_lost","lead":lead_id(*l),"at":at,"cause":"bounced"})
            }
            Op::Alias => json!({"type":"account_alias","at":at,"account":"Acme","alias":"Initech"}),
        };
        events.push(ev(event));
    }
    events
}

fn ev(value: serde_json::Value) -> Event {
    serde_json::from_value(value).unwrap()
}

/// Gaps from a minute to about four days, so windows, service levels and nurture
/// steps all come into play.
fn ops() -> impl Strategy<Value = Vec<(Op, u32)>> {
    prop::collection::vec((op(), 1u32..6000), 0..40)
}

/// Replays the events (and a final tick two months after the last) through one book.
fn replay(events: &[Event]) -> Vec<Effect> {
    let mut book = LeadBook::new();
    let mut out = Vec::new();
    for event in events {
        book.apply_into(engine(), event, &mut out);
    }
    out
}

fn with_final_tick(mut events: Vec<Event>) -> Vec<Event> {
    let end = events.iter().map(Event::at).max().unwrap_or_else(start);
    events.push(Event::tick(end + TimeDelta::days(60)));
    events
}

/// Every lead's effects, in order (effects that name no lead left out).
fn per_lead(effects: &[Effect]) -> BTreeMap<String, Vec<&Effect>> {
    let mut map: BTreeMap<String, Vec<&Effect>> = BTreeMap::new();
    for effect in effects {
        if let Some(lead) = &effect.lead {
            map.entry(lead.as_str().to_owned())
                .or_default()
                .push(effect);
        }
    }
    map
}

/// Every account's `account_engaged` effects, in order.
fn per_account(effects: &[Effect]) -> BTreeMap<String, Vec<&Effect>> {
    let mut map: BTreeMap<String, Vec<&Effect>> = BTreeMap::new();
    for effect in effects {
        if let EffectKind::AccountEngaged { account, .. } = &effect.kind {
            map.entry(account.clone()).or_default().push(effect);
        }
    }
    map
}

proptest! {
    #![proptest_config(testing::proptest_config(256))]

    /// Ticks inserted anywhere (at the time of the event before them, a valid
    /// watermark) change no lead's effects and no account's.
    #[test]
    fn tick_placement_changes_no_leads_effects_and_no_accounts(
        ops in ops(),
        ticks in prop::collection::vec(any::<bool>(), 48),
    ) {
        let plain = stream(&ops);
        let mut ticked = Vec::new();
        for (i, event) in plain.iter().enumerate() {
            ticked.push(event.clone());
            if ticks.get(i).copied().unwrap_or(false) {
                ticked.push(Event::tick(event.at()));
            }
        }
        let plain = replay(&with_final_tick(plain));
        let ticked = replay(&with_final_tick(ticked));
        prop_assert_eq!(per_lead(&plain), per_lead(&ticked));
        let engaged = |effects: &[Effect]| -> Vec<Effect> {
            effects
                .iter()
                .filter(|e| matches!(e.kind, EffectKind::AccountEngaged { .. }))
                .cloned()
                .collect()
        };
        prop_assert_eq!(engaged(&plain), engaged(&ticked));
    }

    /// A stream split by account across books (alias and tick events sent to every
    /// book) gives every lead and every account the effects of one book.
    #[test]
    fn account_roll_up_over_a_stream_split_by_account_equals_the_whole(
        ops in ops(),
        ticks in prop::collection::vec(any::<bool>(), 48),
    ) {
        let mut events = Vec::new();
        for (i, event) in stream(&ops).into_iter().enumerate() {
            let at = event.at();
            events.push(event);
            if ticks.get(i).copied().unwrap_or(false) {
                events.push(Event::tick(at));
            }
        }
        let events = with_final_tick(events);
        let whole = replay(&events);
        let lead_account: BTreeMap<String, String> =
            (0..ACCOUNTS.len()).map(|i| (lead_id(i), final_account(i))).collect();
        let mut parts: BTreeMap<&str, Vec<Event>> = BTreeMap::new();
        for account in lead_account.values() {
            parts.entry(account.as_str()).or_default();
        }
        for event in &events {
            match event.lead() {
                Some(lead) => parts
                    .get_mut(lead_account[lead.as_str()].as_str())
                    .unwrap()
                    .push(event.clone()),
                None => parts.values_mut().for_each(|part| part.push(event.clone())),
            }
        }
        prop_assert!(parts.len() >= 3, "several books: {:?}", parts.keys());
        let mut split = Vec::new();
        for part in parts.values() {
            split.extend(replay(part));
        }
        prop_assert_eq!(per_lead(&whole), per_lead(&split));
        prop_assert_eq!(per_account(&whole), per_account(&split));
    }
}

proptest! {
    #![proptest_config(testing::proptest_config(64))]

    /// The design's invariants (`leadcycle::testing`) hold under a policy with
    /// `[accounts]` and `[alerts]`, on the testing feature's own streams.
    #[test]
    fn the_designs_invariants_hold_with_accounts_and_alerts(
        s in testing::streams(engine(), testing::StreamOptions::new(60)),
    ) {
        testing::check_invariants(engine(), &s)?;
    }

    /// And so does tick placement, on streams in time order.
    #[test]
    fn tick_placement_holds_on_the_testing_features_streams(
        s in testing::streams(engine(), testing::StreamOptions::new(60).in_order()),
    ) {
        testing::check_tick_placement(engine(), &s)?;
    }
}

#[test]
fn the_generated_streams_make_accounts_cross_lift_leads_and_alert_owners() {
    // The properties are only as good as their streams: a fixed stream of the same
    // shape produces every effect they compare.
    let ops = vec![
        (Op::Accepted(2), 10),
        (Op::Touch(0, "pricing_page_view"), 10),
        (Op::Touch(7, "webinar_attended"), 10),
        (Op::Touch(2, "webinar_attended"), 10),
        (Op::Touch(2, "pricing_page_view"), 10),
        (Op::Alias, 10),
        (Op::Touch(4, "pricing_page_view"), 10),
    ];
    let effects = replay(&with_final_tick(stream(&ops)));
    let count = |ty: &str| {
        effects
            .iter()
            .filter(|e| e.kind.effect_type().as_str() == ty)
            .count()
    };
    assert!(count("account_engaged") >= 1, "{effects:#?}");
    assert!(count("owner_alert") >= 1, "{effects:#?}");
    assert!(
        effects.iter().any(|e| matches!(
            &e.kind,
            EffectKind::Transition { cause, .. } if cause.as_str() == "account"
        )),
        "{effects:#?}"
    );
    let names: &AccountNames = engine().account_names();
    assert_eq!(names.resolve("ACME Corp.").as_deref(), Some("acme"));
}
