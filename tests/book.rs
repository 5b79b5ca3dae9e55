//! The book as a collection: iteration order, removal and eviction, warming, the
//! book's next deadline, a merged lead's times, and the policy fingerprint its
//! snapshots record.
//!
//! Events and effects are read through their JSON form (CONTRACT.md), which does not
//! change with the Rust API.

use leadcycle::{Engine, Event, LeadBook, Policy, Snapshot, SnapshotError, Stage};
use serde_json::Value;

fn engine() -> Engine {
    Engine::new(Policy::default()).expect("the default policy is valid")
}

/// The engine of a policy written as TOML (the default for every key left out).
fn engine_of(toml: &str) -> Engine {
    let policy: Policy = toml::from_str(toml).unwrap_or_else(|e| panic!("{toml}: {e}"));
    Engine::new(policy).unwrap_or_else(|e| panic!("{toml}: {e}"))
}

fn ev(json: &str) -> Event {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("bad test event {json}: {e}"))
}

fn created(lead: &str, at: &str) -> Event {
    ev(&format!(
        r#"{{"type":"created","lead":"{lead}","at":"{at}","source":"webinar"}}"#
    ))
}

fn touch(lead: &str, at: &str, kind: &str) -> Event {
    ev(&format!(
        r#"{{"type":"touch","lead":"{lead}","at":"{at}","kind":"{kind}"}}"#
    ))
}

fn time(at: &str) -> chrono::DateTime<chrono::Utc> {
    at.parse()
        .unwrap_or_else(|e| panic!("bad test time {at}: {e}"))
}

fn tick(at: &str) -> Event {
    ev(&format!(r#"{{"type":"tick","at":"{at}"}}"#))
}

/// Applies the event and returns its effects as JSON values.
fn apply(book: &mut LeadBook, engine: &Engine, event: &Event) -> Vec<Value> {
    book.apply(engine, event)
        .iter()
        .map(|e| serde_json::to_value(e).unwrap())
        .collect()
}

fn ids<'a>(leads: impl IntoIterator<Item = &'a leadcycle::Lead>) -> Vec<String> {
    leads
        .into_iter()
        .map(|l| l.id().as_str().to_owned())
        .collect()
}

fn rejected_kind(effects: &[Value]) -> Option<&str> {
    effects
        .iter()
        .find(|e| e["type"] == "rejected")
        .and_then(|e| e["kind"].as_str())
}

/// A book of three leads created in the order L3, L1, L2; L1 and L2 are MQLs (respond
/// deadlines Jan 7 10:00 and Jan 7 11:00), L3 an inquiry without deadlines.
fn three_leads(engine: &Engine) -> LeadBook {
    let mut book = LeadBook::new();
    for event in [
        created("L3", "2026-01-05T09:00:00Z"),
        created("L1", "2026-01-05T09:30:00Z"),
        created("L2", "2026-01-05T09:45:00Z"),
        touch("L1", "2026-01-05T10:00:00Z", "demo_request"),
        touch("L2", "2026-01-05T11:00:00Z", "demo_request"),
    ] {
        let effects = apply(&mut book, engine, &event);
        assert_eq!(rejected_kind(&effects), None, "{effects:?}");
    }
    book
}

/// An MQL removed by `unsubscribed`.
fn remove_by_unsubscribing(book: &mut LeadBook, engine: &Engine, lead: &str, at: &str) {
    let event = ev(&format!(
        r#"{{"type":"unsubscribed","lead":"{lead}","at":"{at}"}}"#
    ));
    let effects = apply(book, engine, &event);
    assert_eq!(rejected_kind(&effects), None, "{effects:?}");
    assert_eq!(book.get(lead).unwrap().stage(), Stage::Removed);
}

#[test]
fn iter_visits_leads_in_the_order_they_entered_the_book_and_leads_in_id_order() {
    let engine = engine();
    let book = three_leads(&engine);
    assert_eq!(ids(book.iter()), ["L3", "L1", "L2"]);
    assert_eq!(ids(&book), ["L3", "L1", "L2"], "`for lead in &book`");
    assert_eq!(ids(book.leads()), ["L1", "L2", "L3"]);
    assert_eq!(book.iter().len(), 3);
    assert_eq!(ids(book.iter().rev()), ["L2", "L1", "L3"]);
}

#[test]
fn iteration_order_survives_a_snapshot_and_a_restore() {
    let engine = engine();
    let book = three_leads(&engine);
    let json = serde_json::to_string(&book.snapshot()).unwrap();
    let snapshot: Snapshot = serde_json::from_str(&json).unwrap();
    let mut restored = LeadBook::restore(snapshot, &engine).unwrap();
    assert_eq!(ids(&restored), ["L3", "L1", "L2"]);
    apply(
        &mut restored,
        &engine,
        &created("L0", "2026-01-05T12:00:00Z"),
    );
    assert_eq!(ids(&restored), ["L3", "L1", "L2", "L0"]);
}

#[test]
fn remove_hands_the_lead_back_and_keeps_the_order_of_the_others() {
    let engine = engine();
    let mut book = three_leads(&engine);
    let l1 = book.remove("L1").expect("the book held L1");
    assert_eq!(l1.id().as_str(), "L1");
    assert_eq!(l1.stage(), Stage::Mql, "removed from the book in its stage");
    assert_eq!(book.len(), 2);
    assert!(book.get("L1").is_none());
    assert_eq!(ids(&book), ["L3", "L2"]);
    assert!(book.remove("L1").is_none(), "already taken out");
}

#[test]
fn a_book_is_empty_exactly_while_it_holds_no_lead_removed_ones_included() {
    let engine = engine();
    let mut book = LeadBook::new();
    assert!(book.is_empty());
    apply(&mut book, &engine, &created("L1", "2026-01-05T09:00:00Z"));
    assert!(!book.is_empty(), "one lead");
    remove_by_unsubscribing(&mut book, &engine, "L1", "2026-01-05T10:00:00Z");
    assert!(!book.is_empty(), "a removed lead stays until evicted");
    assert_eq!(book.evict_removed(), 1);
    assert!(book.is_empty(), "evicted");
    apply(&mut book, &engine, &created("L2", "2026-01-05T11:00:00Z"));
    assert!(book.remove("L2").is_some());
    assert!(book.is_empty(), "taken out");
}

#[test]
fn a_lead_taken_out_of_the_book_has_no_deadline_fire_there() {
    let engine = engine();
    let mut book = three_leads(&engine);
    let l1 = book.remove("L1").unwrap();
    assert!(l1.next_deadline().is_some(), "the host wakes it itself now");
    let effects = apply(&mut book, &engine, &tick("2026-03-01T00:00:00Z"));
    assert!(effects.iter().all(|e| e["lead"] != "L1"), "{effects:?}");
    assert!(effects.iter().any(|e| e["lead"] == "L2"), "{effects:?}");
}

#[test]
fn remove_of_many_leads_keeps_every_other_lead_findable_and_in_order() {
    // Enough removals that the book closes the holes they leave.
    let engine = engine();
    let mut book = LeadBook::new();
    for i in 0..100 {
        apply(
            &mut book,
            &engine,
            &created(&format!("L{i:03}"), "2026-01-05T09:00:00Z"),
        );
    }
    for i in (0..100).filter(|i| i % 3 != 0) {
        assert!(book.remove(&format!("L{i:03}")).is_some());
    }
    let kept: Vec<String> = (0..100)
        .filter(|i| i % 3 == 0)
        .map(|i| format!("L{i:03}"))
        .collect();
    assert_eq!(ids(&book), kept);
    for id in &kept {
        assert_eq!(book.get(id).unwrap().id().as_str(), id);
    }
    assert_eq!(book.len(), kept.len());
}

#[test]
fn evict_removed_drops_only_removed_leads_and_says_how_many() {
    let engine = engine();
    let mut book = three_leads(&engine);
    remove_by_unsubscribing(&mut book, &engine, "L1", "2026-01-06T09:00:00Z");
    remove_by_unsubscribing(&mut book, &engine, "L3", "2026-01-06T09:00:00Z");
    assert_eq!(book.len(), 3, "removed leads stay until evicted");
    assert_eq!(book.evict_removed(), 2);
    assert_eq!(ids(&book), ["L2"]);
    assert_eq!(book.stage_counts()[&Stage::Removed], 0);
    assert_eq!(
        book.snapshot().leads.len(),
        1,
        "snapshots leave them out too"
    );
    assert_eq!(book.evict_removed(), 0, "nothing left to evict");
}

#[test]
fn an_event_for_an_evicted_lead_is_unknown_lead_where_it_was_removed_lead() {
    let engine = engine();
    let mut book = three_leads(&engine);
    remove_by_unsubscribing(&mut book, &engine, "L1", "2026-01-06T09:00:00Z");
    let late = touch("L1", "2026-01-06T10:00:00Z", "email_click");
    assert_eq!(
        rejected_kind(&apply(&mut book.clone(), &engine, &late)),
        Some("removed_lead")
    );
    book.evict_removed();
    assert_eq!(
        rejected_kind(&apply(&mut book, &engine, &late)),
        Some("unknown_lead")
    );
    let merge = ev(r#"{"type":"merged","lead":"L2","at":"2026-01-06T10:00:00Z","into":"L1"}"#);
    assert_eq!(
        rejected_kind(&apply(&mut book, &engine, &merge)),
        Some("unknown_lead")
    );
}

#[test]
fn a_created_event_with_an_evicted_leads_id_creates_a_new_lead() {
    let engine = engine();
    let mut book = three_leads(&engine);
    remove_by_unsubscribing(&mut book, &engine, "L1", "2026-01-06T09:00:00Z");
    let again = created("L1", "2026-01-07T09:00:00Z");
    assert_eq!(
        rejected_kind(&apply(&mut book.clone(), &engine, &again)),
        Some("duplicate_lead"),
        "before eviction the id is taken"
    );
    book.evict_removed();
    let effects = apply(&mut book, &engine, &again);
    assert_eq!(rejected_kind(&effects), None, "{effects:?}");
    let lead = book.get("L1").unwrap();
    assert_eq!(lead.stage(), Stage::Inquiry);
    assert_eq!(lead.created_at(), time("2026-01-07T09:00:00Z"));
    assert!(
        !lead.is_do_not_email(),
        "nothing of the evicted lead is kept"
    );
    assert_eq!(ids(&book), ["L3", "L2", "L1"], "a new lead comes last");
}

#[test]
fn a_merge_that_takes_the_duplicates_earlier_first_touch_keeps_the_survivors_creation_time() {
    let engine = engine();
    let mut book = LeadBook::new();
    for event in [
        created("DUP", "2026-01-05T09:00:00Z"),
        created("SURV", "2026-01-05T10:00:00Z"),
        ev(r#"{"type":"merged","lead":"DUP","at":"2026-01-05T11:00:00Z","into":"SURV"}"#),
    ] {
        let effects = apply(&mut book, &engine, &event);
        assert_eq!(rejected_kind(&effects), None, "{effects:?}");
    }
    let survivor = book.get("SURV").unwrap();
    assert_eq!(
        survivor.first_touch().at,
        time("2026-01-05T09:00:00Z"),
        "the merge keeps the earlier first touch"
    );
    assert_eq!(survivor.created_at(), time("2026-01-05T10:00:00Z"));
    let json = serde_json::to_string(survivor).unwrap();
    let read_back: leadcycle::Lead = serde_json::from_str(&json).unwrap();
    assert_eq!(&read_back, survivor, "{json}");
    assert_eq!(read_back.created_at(), time("2026-01-05T10:00:00Z"));
}

#[test]
fn next_deadline_is_the_earliest_deadline_of_any_lead_in_the_book() {
    let engine = engine();
    let mut book = three_leads(&engine);
    let earliest = [book.get("L1"), book.get("L2")]
        .into_iter()
        .flatten()
        .filter_map(|l| l.next_deadline())
        .min();
    assert_eq!(earliest, Some(time("2026-01-07T10:00:00Z")));
    assert_eq!(book.next_deadline(), earliest);
    assert_eq!(LeadBook::new().next_deadline(), None);
}

#[test]
fn next_deadline_skips_deadlines_that_moved_or_left_the_book() {
    let engine = engine();
    let mut book = three_leads(&engine);
    // L1's respond deadline is met: its next deadline moves to its idle limit.
    let accepted =
        ev(r#"{"type":"sales_accepted","lead":"L1","at":"2026-01-05T12:00:00Z","rep":"R1"}"#);
    apply(&mut book, &engine, &accepted);
    assert_eq!(
        book.next_deadline(),
        book.get("L2").unwrap().next_deadline(),
        "L2's respond deadline is now the earliest"
    );
    let l2 = book.remove("L2").unwrap();
    assert!(l2.next_deadline() < book.get("L1").unwrap().next_deadline());
    assert_eq!(
        book.next_deadline(),
        book.get("L1").unwrap().next_deadline()
    );
}

#[test]
fn a_tick_at_next_deadline_fires_something_and_just_before_it_fires_nothing() {
    let engine = engine();
    let mut book = three_leads(&engine);
    let due = book.next_deadline().unwrap();
    let before = due - chrono::TimeDelta::milliseconds(1);
    assert!(book.apply(&engine, &Event::tick(before)).is_empty());
    assert!(!book.apply(&engine, &Event::tick(due)).is_empty());
}

#[test]
fn a_lead_created_when_the_queue_is_purged_keeps_its_deadline() {
    // A purge rebuilds the deadline queue from the book's leads once stale entries
    // pile up. When the entry that sets it off is a new lead's, the lead must already
    // be in the book, or its deadline would never fire. Every attempt on L1 (a SAL
    // whose attempts are done) moves its idle limit and leaves one stale entry; L2 is
    // created after each possible number of them, so one of these books purges exactly
    // at L2's creation.
    // A new lead is an MQL at once, with deadlines.
    let engine = engine_of("[scoring]\nmql_threshold = 0");
    let t0 = time("2026-01-05T09:00:00Z");
    let at = |minutes: i64| (t0 + chrono::TimeDelta::minutes(minutes)).to_rfc3339();
    for extra in 1015..1035 {
        let mut book = LeadBook::new();
        apply(&mut book, &engine, &created("L1", &at(0)));
        let accepted = format!(
            r#"{{"type":"sales_accepted","lead":"L1","at":"{}","rep":"R1"}}"#,
            at(1)
        );
        apply(&mut book, &engine, &ev(&accepted));
        for i in 0..4 + extra {
            let attempt = format!(
                r#"{{"type":"sales_attempt","lead":"L1","at":"{}","rep":"R1"}}"#,
                at(2 + i)
            );
            let effects = apply(&mut book, &engine, &ev(&attempt));
            assert_eq!(rejected_kind(&effects), None, "{effects:?}");
        }
        apply(&mut book, &engine, &created("L2", &at(5000)));
        let l2 = book.get("L2").unwrap();
        assert_eq!(l2.stage(), Stage::Mql);
        let respond_due = l2.sla().respond_due.unwrap();
        let effects = apply(&mut book, &engine, &tick(&respond_due.to_rfc3339()));
        assert!(
            effects
                .iter()
                .any(|e| e["type"] == "sla_breached" && e["lead"] == "L2"),
            "after {extra} extra attempts, L2's respond deadline did not fire: {effects:?}"
        );
    }
}

#[test]
fn a_snapshot_records_the_fingerprint_of_the_policy_the_book_changed_under() {
    let engine = engine();
    let mut book = LeadBook::new();
    assert_eq!(book.snapshot().policy_fingerprint, None, "never changed");
    apply(&mut book, &engine, &created("L1", "2026-01-05T09:00:00Z"));
    assert_eq!(
        book.snapshot().policy_fingerprint.as_deref(),
        Some(Policy::default().fingerprint().as_str())
    );
    assert_eq!(engine.policy_fingerprint(), Policy::default().fingerprint());
}

#[test]
fn an_event_refused_before_anything_changed_records_no_fingerprint() {
    let engine = engine();
    let mut book = LeadBook::new();
    let effects = apply(
        &mut book,
        &engine,
        &touch("L9", "2026-01-05T09:00:00Z", "email_open"),
    );
    assert_eq!(rejected_kind(&effects), Some("unknown_lead"));
    assert_eq!(book.snapshot().policy_fingerprint, None);
}

#[test]
fn an_applied_event_records_its_policy_even_when_it_emits_no_effect() {
    let engine = engine();
    let other = engine_of("[scoring]\nmql_threshold = 80");
    let mut book = three_leads(&engine);
    // An unknown touch kind is counted and scores 0 (CONTRACT.md): the lead changed,
    // and nothing is emitted.
    let effects = apply(
        &mut book,
        &other,
        &touch("L3", "2026-01-05T12:00:00Z", "unlisted_kind"),
    );
    assert_eq!(effects, Vec::<Value>::new());
    assert_eq!(
        book.snapshot().policy_fingerprint.as_deref(),
        Some(other.policy_fingerprint()),
        "the book last changed under the other policy"
    );
}

#[test]
fn a_refused_event_whose_deadlines_fired_records_the_policy_they_fired_under() {
    let engine = engine();
    let other = engine_of("[scoring]\nmql_threshold = 80");
    let mut book = three_leads(&engine);
    // L1 is an MQL whose respond deadline (Jan 7 10:00) passes before this event,
    // which an MQL cannot take: the breach fires and stands, then the refusal.
    let won = ev(
        r#"{"type":"opportunity_won","lead":"L1","at":"2026-01-08T00:00:00Z","opportunity":"O1"}"#,
    );
    let effects = apply(&mut book, &other, &won);
    assert_eq!(effects[0]["type"], "sla_breached", "{effects:?}");
    assert_eq!(rejected_kind(&effects), Some("illegal_transition"));
    assert_eq!(
        book.snapshot().policy_fingerprint.as_deref(),
        Some(other.policy_fingerprint()),
        "the fired deadline changed the book under the other policy"
    );
}

#[test]
fn restore_refuses_a_snapshot_taken_under_another_policy_naming_both_fingerprints() {
    let engine = engine();
    let book = three_leads(&engine);
    let other = engine_of("[scoring]\nmql_threshold = 80");
    let err = LeadBook::restore(book.snapshot(), &other).unwrap_err();
    assert_eq!(
        err,
        SnapshotError::PolicyMismatch {
            snapshot: engine.policy_fingerprint().to_owned(),
            engine: other.policy_fingerprint().to_owned(),
        }
    );
    let message = err.to_string();
    assert!(message.contains(engine.policy_fingerprint()), "{message}");
    assert!(message.contains(other.policy_fingerprint()), "{message}");
    // The unchecked restore still accepts it, for hosts that changed policy on purpose.
    assert_eq!(LeadBook::from_snapshot(book.snapshot()).len(), 3);
}

#[test]
fn restore_accepts_a_snapshot_written_before_fingerprints_were_recorded() {
    let engine = engine();
    let book = three_leads(&engine);
    let mut json = serde_json::to_value(book.snapshot()).unwrap();
    json.as_object_mut()
        .unwrap()
        .remove("policy_fingerprint")
        .unwrap();
    let old: Snapshot = serde_json::from_value(json).unwrap();
    assert_eq!(old.policy_fingerprint, None);
    let other = engine_of("[scoring]\nmql_threshold = 80");
    let restored = LeadBook::restore(old, &other).unwrap();
    assert_eq!(ids(&restored), ["L3", "L1", "L2"]);
}

#[test]
fn restore_refuses_a_snapshot_that_lists_a_lead_twice() {
    let engine = engine();
    let mut snapshot = three_leads(&engine).snapshot();
    snapshot.leads.push(snapshot.leads[1].clone());
    let err = LeadBook::restore(snapshot, &engine).unwrap_err();
    assert!(
        matches!(&err, SnapshotError::DuplicateLead { lead } if lead.as_str() == "L1"),
        "{err:?}"
    );
}

#[test]
fn a_restored_book_gives_the_same_effects_as_the_original() {
    let engine = engine();
    let mut book = three_leads(&engine);
    let mut restored = LeadBook::restore(book.snapshot(), &engine).unwrap();
    let end = tick("2026-06-01T00:00:00Z");
    assert_eq!(book.apply(&engine, &end), restored.apply(&engine, &end));
    assert_eq!(book.snapshot(), restored.snapshot());
}

/// A refused snapshot file is named in one line (docs/contract.md: refused "with one
/// line saying which"): the message quotes the file's first 32 bytes, or its header
/// line, with line breaks and other unprintable bytes escaped.
#[test]
fn a_refused_snapshot_file_is_quoted_in_its_one_line_message_with_unprintable_bytes_escaped() {
    let engine = engine();
    // 13 + 3 + 16 = 32 bytes shown, the rest cut.
    let plain = b"{\"watermark\":\n\t\0abcdefghijklmnop and more";
    let err = Snapshot::unseal(plain, &engine).unwrap_err();
    assert!(matches!(err, SnapshotError::NotASnapshot { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains(r#"it starts with "{\"watermark\":\n\t\0abcdefghijklmnop", not"#),
        "{message}"
    );
    assert!(!message.contains('\n'), "{message}");

    let good = LeadBook::new().snapshot().seal(b"{}");
    let end = good.iter().position(|&b| b == b'\n').unwrap();
    let header = std::str::from_utf8(&good[..end])
        .unwrap()
        .replace("bytes=", "bytez=");
    let edited = [header.as_bytes(), &good[end..]].concat();
    let err = Snapshot::unseal(&edited, &engine).unwrap_err();
    assert!(matches!(err, SnapshotError::BadHeader { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.starts_with(&format!("its header \"{header}\" cannot be read: ")),
        "{message}"
    );
    assert!(!message.contains('\n'), "{message}");
}

/// The default policy's engine, built once for the property below.
fn shared_engine() -> &'static Engine {
    static ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
    ENGINE.get_or_init(engine)
}

proptest::proptest! {
    #![proptest_config(leadcycle::testing::proptest_config(64))]

    /// `LeadBook::warm` only reads: warming each batch of a stream first (twice, and
    /// ids the book does not hold yet among them) leaves every effect and every lead as
    /// applying the stream as it comes does.
    #[test]
    fn warming_each_batch_of_events_first_changes_no_effect_and_no_lead(
        s in leadcycle::testing::streams(shared_engine(), leadcycle::testing::StreamOptions::new(120)),
        batch in 1_usize..40,
    ) {
        let engine = shared_engine();
        let (mut plain, mut warmed) = (LeadBook::new(), LeadBook::new());
        let (mut plain_effects, mut warmed_effects) = (Vec::new(), Vec::new());
        for events in s.events().chunks(batch) {
            warmed.warm(events);
            warmed.warm(events.iter().rev());
            for event in events {
                plain.apply_into(engine, event, &mut plain_effects);
                warmed.apply_into(engine, event, &mut warmed_effects);
            }
        }
        proptest::prop_assert_eq!(&warmed_effects, &plain_effects);
        proptest::prop_assert_eq!(
            serde_json::to_value(warmed.snapshot()).unwrap(),
            serde_json::to_value(plain.snapshot()).unwrap()
        );
    }
}
