//! No heap allocation on the touch path of an existing lead (issue 11, item 2), and
//! the memory `LeadBook::evict_removed` promises to give back.
//!
//! This test binary counts every allocation its thread makes, and the bytes its thread
//! holds, through a counting global allocator. The library itself forbids `unsafe`;
//! implementing `GlobalAlloc` needs it, so it lives here, in a test of its own, and only
//! forwards to the system allocator.

use chrono::{DateTime, TimeDelta, Utc};
use leadcycle::{Engine, Event, LeadBook, Policy, Profile, Stage};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    // Per thread, so the test harness's other threads do not count.
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
    // Bytes allocated less bytes freed by this thread (a test frees what it allocates
    // on its own thread).
    static LIVE: Cell<i64> = const { Cell::new(0) };
}

fn count(allocated: usize, freed: usize) {
    LIVE.with(|n| n.set(n.get() + allocated as i64 - freed as i64));
}

// SAFETY: every call is forwarded unchanged to the system allocator; the counter is a
// thread-local `Cell` with a const initialiser, which never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        count(layout.size(), 0);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count(0, layout.size());
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        count(layout.size(), 0);
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        count(new_size, layout.size());
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

fn live_bytes() -> i64 {
    LIVE.with(Cell::get)
}

fn t0() -> DateTime<Utc> {
    "2026-01-05T10:00:00Z".parse().expect("a valid time")
}

/// Thresholds out of reach, so the touches only score (as in `benches/step.rs`).
fn engine() -> Engine {
    let mut policy = Policy::default();
    policy.scoring.mql_threshold = 1e15;
    policy.scoring.requalify_threshold = 1e15;
    policy.scoring.engagement_cap = 1e12;
    Engine::new(policy).expect("a valid policy")
}

fn profile() -> Profile {
    [
        ("seniority".to_owned(), "vp".into()),
        ("employees".to_owned(), 350.0.into()),
    ]
    .into_iter()
    .collect()
}

/// A book of leads that each had every kind of touch the loop sends, so the ledger is
/// full and every touch kind, campaign string and content is already known.
fn warmed_book(engine: &Engine, leads: usize) -> (LeadBook, Vec<Event>) {
    let mut book = LeadBook::new();
    let mut out = Vec::new();
    let mut touches = Vec::new();
    for i in 0..leads {
        let id = format!("L{i}");
        book.apply_into(
            engine,
            &Event::created(id.as_str(), t0(), "webinar")
                .with_campaign("spring-launch")
                .with_channel("paid_social")
                .with_profile(profile()),
            &mut out,
        );
        for kind in ["email_click", "content_download", "email_open"] {
            let mut touch = Event::touch(id.as_str(), t0(), kind)
                .with_campaign("spring-nurture")
                .with_channel("email");
            if kind == "content_download" {
                touch = touch.with_content("pricing-guide");
            }
            touches.push(touch);
        }
    }
    let mut at = t0();
    // Enough rounds to fill every lead's score ledger (16 entries by default).
    for _ in 0..8 {
        for touch in &mut touches {
            at += TimeDelta::seconds(1);
            touch.set_at(at);
            out.clear();
            book.apply_into(engine, touch, &mut out);
            assert!(out.is_empty(), "a warm-up touch only scores: {out:?}");
        }
    }
    (book, touches)
}

#[test]
fn a_touch_to_an_existing_lead_in_a_book_allocates_nothing() {
    let engine = engine();
    let (mut book, mut touches) = warmed_book(&engine, 50);
    let mut out = Vec::with_capacity(16);
    let mut at = touches.last().expect("touches").at();
    let before = allocations();
    for round in 0..20 {
        for touch in &mut touches {
            at += TimeDelta::seconds(1);
            touch.set_at(at);
            book.apply_into(&engine, touch, &mut out);
            assert!(out.is_empty(), "round {round}: {out:?}");
        }
    }
    let made = allocations() - before;
    assert_eq!(made, 0, "{made} allocations in 20 x 150 touches");
    let lead = book.get("L7").expect("L7 is in the book");
    assert_eq!(lead.stage(), Stage::Inquiry);
    assert_eq!(
        lead.touch_counts()["email_click"],
        28,
        "8 warm-up + 20 rounds"
    );
}

#[test]
fn a_touch_through_engine_step_allocates_nothing_once_warm() {
    let engine = engine();
    let (mut lead, _) = engine
        .create(&Event::created("L1", t0(), "webinar").with_profile(profile()))
        .expect("created");
    let mut touch = Event::touch("L1", t0(), "email_click")
        .with_campaign("spring-nurture")
        .with_channel("email");
    let mut at = t0();
    for _ in 0..40 {
        at += TimeDelta::seconds(1);
        touch.set_at(at);
        engine.step(&mut lead, &touch).expect("applies");
    }
    let before = allocations();
    for _ in 0..1000 {
        at += TimeDelta::seconds(1);
        touch.set_at(at);
        let effects = engine.step(&mut lead, &touch).expect("applies");
        assert!(effects.is_empty());
    }
    assert_eq!(allocations() - before, 0);
    assert_eq!(lead.touch_counts()["email_click"], 1040);
}

#[test]
fn the_first_event_id_a_lead_remembers_costs_one_allocation() {
    // The dedupe window's block is made with room for the whole record: growing it
    // field by field from empty allocated three times.
    let engine = engine();
    let (mut lead, _) = engine
        .create(&Event::created("L1", t0(), "webinar"))
        .expect("created");
    let mut touch = Event::touch("L1", t0(), "email_click");
    let mut at = t0();
    for _ in 0..40 {
        at += TimeDelta::seconds(1);
        touch.set_at(at);
        engine.step(&mut lead, &touch).expect("applies");
    }
    assert!(lead.applied_ids().is_empty());
    let mut with_id = touch.with_id("evt-0001");
    with_id.set_at(at + TimeDelta::seconds(1));
    let before = allocations();
    engine.step(&mut lead, &with_id).expect("applies");
    assert_eq!(allocations() - before, 1);
    assert_eq!(lead.applied_ids().len(), 1);
}

#[test]
fn a_repeated_campaign_longer_than_an_inline_name_is_not_copied_again() {
    // The last touch keeps its names when they repeat: a name over 24 bytes lives on
    // the heap, and replacing it with an equal one would allocate on every touch.
    let engine = engine();
    let campaign = "a-campaign-name-longer-than-24-bytes";
    let (mut lead, _) = engine
        .create(&Event::created("L1", t0(), "webinar"))
        .expect("created");
    let mut touch = Event::touch("L1", t0(), "email_click")
        .with_campaign(campaign)
        .with_channel("an-email-channel-longer-than-24-bytes");
    let mut at = t0();
    for _ in 0..40 {
        at += TimeDelta::seconds(1);
        touch.set_at(at);
        engine.step(&mut lead, &touch).expect("applies");
    }
    let before = allocations();
    for _ in 0..100 {
        at += TimeDelta::seconds(1);
        touch.set_at(at);
        engine.step(&mut lead, &touch).expect("applies");
    }
    assert_eq!(allocations() - before, 0);
    assert_eq!(lead.last_touch().campaign.as_deref(), Some(campaign));
    assert_eq!(lead.last_touch().at, at);
}

#[test]
fn evicting_the_removed_leads_gives_their_memory_back() {
    let engine = engine();
    let mut book = LeadBook::new();
    // `apply`, not `apply_into`: each event's effects are freed at once, so no buffer's
    // room is counted with the leads.
    for i in 0..100 {
        book.apply(
            &engine,
            &Event::created(format!("keep{i}").as_str(), t0(), "webinar"),
        );
    }
    let kept = live_bytes();
    for i in 0..2_000 {
        let id = format!("gone{i}");
        book.apply(&engine, &Event::created(id.as_str(), t0(), "webinar"));
        book.apply(&engine, &Event::unsubscribed(id.as_str(), t0()));
    }
    let grown = live_bytes() - kept;
    assert_eq!(book.evict_removed(), 2_000);
    let left = live_bytes() - kept;
    // The record alone is hundreds of bytes: 2,000 leads held well over a megabyte.
    assert!(grown > 2_000 * 400, "{grown} bytes for 2,000 leads");
    // What stays is the spare room of the 100 kept leads' own structures, not room
    // for the 2,000 that left.
    assert!(
        left < grown / 20,
        "{left} of {grown} bytes still held after the eviction"
    );
    assert_eq!(book.len(), 100);
}

#[test]
fn the_counting_allocator_counts_this_threads_allocations() {
    // Guards the two tests above against a counter that never moves.
    let before = allocations();
    let live = live_bytes();
    let v: Vec<u64> = std::hint::black_box(vec![1, 2, 3]);
    assert_eq!(allocations() - before, 1);
    assert_eq!(live_bytes() - live, 24);
    assert_eq!(v.len(), 3);
    drop(v);
    assert_eq!(live_bytes(), live);
}
