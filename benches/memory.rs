//! Bytes per idle lead in a `LeadBook` of 1M leads, per component (issue 11, item 3).
//!
//! Not a timing bench: a counting global allocator keeps the live heap bytes, and this
//! prints them. Each lead is created with a campaign, a channel and a 10-attribute
//! profile (the shape of a converted leadforge lead), then has three touches (one with
//! content) and nothing else: an idle inquiry lead. Run it with
//!
//! ```sh
//! cargo bench --bench memory              # 1M leads
//! LEADCYCLE_MEMORY_LEADS=100000 cargo bench --bench memory
//! ```
//!
//! A component's bytes are its inline size in the `Lead` record plus the heap bytes it
//! owns, measured by cloning it while counting (a clone's heap is the length the
//! component holds, without the spare capacity the original may have: the book's line
//! counts that, except the score ledger's, which is counted with the ledger). The
//! book's own share (its index and deadline queue) is the total less the leads. The library forbids `unsafe`; the allocator needs it and only
//! forwards to the system allocator.

use chrono::{DateTime, TimeDelta, Utc};
use leadcycle::scoring::{Ledger, LedgerEntry};
use leadcycle::{AppliedIds, Engine, Event, Lead, LeadBook, Policy, Profile, ProfileValue};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded unchanged to the system allocator.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size, Ordering::Relaxed);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live() -> usize {
    LIVE.load(Ordering::Relaxed)
}

/// The heap bytes a clone of `value` owns.
fn heap_of<T: Clone>(value: &T) -> usize {
    let before = live();
    let copy = value.clone();
    let bytes = live() - before;
    drop(copy);
    bytes
}

fn t0() -> DateTime<Utc> {
    "2026-01-05T10:00:00Z".parse().expect("a valid time")
}

fn profile(i: usize) -> Profile {
    let text = |s: &str| ProfileValue::from(s);
    [
        ("industry", text(["software", "finance", "retail"][i % 3])),
        ("region", text(["US", "EMEA", "APAC"][i % 3])),
        ("employee_band", text("1000-1999")),
        ("revenue_band", text("$10M-$50M")),
        ("process_maturity", text("low")),
        ("seniority", text(["vp", "director", "manager"][i % 3])),
        ("role_function", text("vp_finance")),
        ("buyer_role", text("economic_buyer")),
        ("email_domain", text("corporate")),
        ("employees", ProfileValue::from((i % 5000) as f64)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// One measured component: its name and its bytes summed over every lead.
struct Component {
    name: &'static str,
    bytes: usize,
    counted: bool,
    /// The lead's bounded history (its score ledger, the ids of its dedupe window):
    /// the goal's bound excludes it, and the table's last line leaves it out.
    history: bool,
}

fn main() {
    // `cargo bench` passes `--bench`; without it (`cargo test --all-targets`) or with
    // `-- --test`, only check that it runs, on a small book.
    let smoke =
        !std::env::args().any(|a| a == "--bench") || std::env::args().any(|a| a == "--test");
    let leads: usize = match std::env::var("LEADCYCLE_MEMORY_LEADS") {
        Ok(n) => n.parse().expect("LEADCYCLE_MEMORY_LEADS is a number"),
        Err(_) if smoke => 1_000,
        Err(_) => 1_000_000,
    };
    let engine = Engine::new(Policy::default()).expect("the default policy is valid");
    let mut out = Vec::new();
    let start = live();
    let mut book = LeadBook::new();
    let mut at = t0();
    for i in 0..leads {
        let id = format!("lead_{i:07}");
        at += TimeDelta::milliseconds(1);
        let created = Event::created(id.as_str(), at, "webinar")
            .with_campaign("spring-launch")
            .with_channel("paid_social")
            .with_profile(profile(i))
            .with_id(format!("e{i}-0"));
        book.apply_into(&engine, &created, &mut out);
        for (n, kind) in ["email_open", "email_click", "content_download"]
            .into_iter()
            .enumerate()
        {
            let mut touch = Event::touch(id.as_str(), at, kind)
                .with_campaign("spring-nurture")
                .with_channel("email")
                .with_id(format!("e{i}-{}", n + 1));
            if kind == "content_download" {
                touch = touch.with_content("pricing-guide");
            }
            book.apply_into(&engine, &touch, &mut out);
        }
        out.clear();
    }
    let total = live() - start;
    assert_eq!(book.len(), leads);

    let lead_record = std::mem::size_of::<Lead>();
    let mut components = vec![
        Component {
            name: "lead record (the `Lead` struct, inline)",
            bytes: lead_record * leads,
            counted: true,
            history: false,
        },
        Component {
            name: "lead id (heap)",
            bytes: 0,
            counted: true,
            history: false,
        },
        Component {
            name: "applied event ids, the dedupe window (heap; bounded history)",
            bytes: 0,
            counted: true,
            history: true,
        },
        Component {
            name: "score ledger (heap; bounded history)",
            bytes: 0,
            counted: true,
            history: true,
        },
        Component {
            name: "score groups (heap)",
            bytes: 0,
            counted: true,
            history: false,
        },
        Component {
            name: "touch counts (heap)",
            bytes: 0,
            counted: true,
            history: false,
        },
        Component {
            name: "first and last touch strings (heap)",
            bytes: 0,
            counted: true,
            history: false,
        },
        Component {
            name: "program positions (heap)",
            bytes: 0,
            counted: true,
            history: false,
        },
        Component {
            name: "content seen (heap)",
            bytes: 0,
            counted: true,
            history: false,
        },
        Component {
            name: "profile attributes (heap; excluded from the bound)",
            bytes: 0,
            counted: false,
            history: false,
        },
    ];
    let mut lead_heap = 0;
    for lead in book.iter() {
        // The ledger grows by doubling up to its bound; its spare room is part of the
        // bounded history, not of the book (a clone would leave it out).
        let ledger = &lead.score().ledger.entries;
        let ledger_spare = (ledger.capacity() - ledger.len()) * std::mem::size_of::<LedgerEntry>();
        lead_heap += heap_of(lead) + ledger_spare;
        components[1].bytes += heap_of(lead.id());
        components[2].bytes += heap_of(lead.applied_ids());
        components[3].bytes += heap_of(&lead.score().ledger) + ledger_spare;
        components[4].bytes += heap_of(&lead.score().groups);
        components[5].bytes += heap_of(lead.touch_counts());
        components[6].bytes += heap_of(lead.first_touch()) + heap_of(lead.last_touch());
        components[7].bytes += heap_of(lead.program_positions());
        components[8].bytes += heap_of(lead.content_seen());
        components[9].bytes += heap_of(lead.profile());
    }
    let measured: usize = components[1..].iter().map(|c| c.bytes).sum();
    components.push(Component {
        name: "other lead fields (heap: owner, enrollment, reasons...)",
        bytes: lead_heap.saturating_sub(measured),
        counted: true,
        history: false,
    });
    let leads_total = lead_record * leads + lead_heap;
    components.push(Component {
        name: "book: index by id, slots, deadline queue, spare capacity",
        bytes: total.saturating_sub(leads_total),
        counted: true,
        history: false,
    });

    println!("memory: {leads} idle leads (created with a 10-attribute profile, 3 touches), live heap bytes");
    println!("| component | bytes per lead | in the 256-byte bound |");
    println!("|---|---:|---|");
    for c in &components {
        println!(
            "| {} | {:.1} | {} |",
            c.name,
            c.bytes as f64 / leads as f64,
            if c.counted { "yes" } else { "no" }
        );
    }
    let bounded: usize = components
        .iter()
        .filter(|c| c.counted)
        .map(|c| c.bytes)
        .sum();
    let history: usize = components
        .iter()
        .filter(|c| c.history)
        .map(|c| c.bytes)
        .sum();
    // The record holds the inline part of the excluded components too: the profile's
    // and the ledger's headers and the dedupe window's block pointer and filter. The
    // goal's line above counts them as the record's; counted with their parts, they
    // leave this.
    let excluded_headers = std::mem::size_of::<Profile>()
        + std::mem::size_of::<Ledger>()
        + std::mem::size_of::<AppliedIds>();
    println!(
        "| **total** | **{:.1}** | |\n| **total without the profile** | **{:.1}** | |\n| **total without the profile and the bounded history** | **{:.1}** | |\n| the same, with the {excluded_headers} inline bytes of the profile, ledger and dedupe window counted with them | {:.1} | |",
        total as f64 / leads as f64,
        bounded as f64 / leads as f64,
        (bounded - history) as f64 / leads as f64,
        (bounded - history - excluded_headers * leads) as f64 / leads as f64
    );
    // The leads cannot own more than the whole book, nor a clone more than its original.
    assert!(
        leads_total <= total,
        "{leads_total} bytes of leads in a {total}-byte book"
    );
    assert!(bounded < total);
}
