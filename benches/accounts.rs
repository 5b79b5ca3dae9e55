//! What the account roll-up costs a book, against the same book without it, measured
//! one right after the other in the same run.
//!
//! - `book/ingest_accounts/off`: [`LeadBook::apply_into`] of one counting `touch` to a
//!   pseudo-random lead of a book of 100k leads in 10k accounts (10 leads each), under
//!   a policy without `[accounts]`.
//! - `book/ingest_accounts/on`: the same, with `[accounts]` (window 90 days, every
//!   kind counts) and `[alerts]`: each touch is recorded in its account's window, the
//!   window is pruned and the account judged. `min_contacts` is out of reach, so no
//!   account crosses and every iteration takes the same path.
//!
//! Every iteration checks that the touch made no effect. Results are reported in
//! `docs/performance.md`; nothing here asserts a duration. Run with
//! `cargo bench --bench accounts`.

use chrono::{DateTime, TimeDelta, Utc};
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use leadcycle::policy::{AccountsPolicy, AlertsPolicy};
use leadcycle::{Engine, Event, LeadBook, LeadId, Policy};
use std::time::Duration;

#[path = "support/keys.rs"]
mod keys;
use keys::Keys;

const LEADS: usize = 100_000;
const PER_ACCOUNT: usize = 10;

fn t0() -> DateTime<Utc> {
    "2026-01-05T10:00:00Z".parse().expect("a valid time")
}

/// Thresholds no score reaches, so no touch qualifies a lead; with `accounts`, a roll-up
/// whose `min_contacts` no account reaches.
fn engine(accounts: bool) -> Engine {
    let mut policy = Policy::default();
    policy.scoring.mql_threshold = 1e15;
    policy.scoring.requalify_threshold = 1e15;
    policy.scoring.engagement_cap = 1e12;
    if accounts {
        policy.accounts = Some(AccountsPolicy {
            min_contacts: 1_000,
            ..AccountsPolicy::default()
        });
        policy.alerts = Some(AlertsPolicy::default());
    }
    Engine::new(policy).expect("the bench policy is valid")
}

fn bench_accounts(c: &mut Criterion) {
    let mut group = c.benchmark_group("book/ingest_accounts");
    group.throughput(Throughput::Elements(1));
    group.sample_size(20);
    group.warm_up_time(Duration::from_secs(2));
    group.measurement_time(Duration::from_secs(5));
    for (name, accounts) in [("off", false), ("on", true)] {
        let engine = engine(accounts);
        let mut book = LeadBook::new();
        let mut out = Vec::new();
        let mut ids: Vec<LeadId> = Vec::with_capacity(LEADS);
        for i in 0..LEADS {
            let id = format!("L{i:07}");
            let account = format!("Company {} Inc.", i / PER_ACCOUNT);
            let created = Event::created(id.as_str(), t0(), "web").with_account(account);
            book.apply_into(&engine, &created, &mut out);
            ids.push(id.into());
        }
        out.clear();
        let mut event = Event::touch("", t0(), "pricing_page_view");
        let mut keys = Keys::new();
        let mut at = t0();
        group.bench_function(name, |b| {
            b.iter(|| {
                // 10 ms apart: a run's millions of touches span hours to days, so
                // windows move on and are pruned, and no deadline falls due.
                at += TimeDelta::milliseconds(10);
                let slot = &mut ids[keys.next_index(LEADS)];
                std::mem::swap(event.lead_mut().expect("a touch names its lead"), slot);
                event.set_at(at);
                book.apply_into(&engine, black_box(&event), &mut out);
                std::mem::swap(event.lead_mut().expect("a touch names its lead"), slot);
                assert!(out.is_empty(), "the touch made effects: {out:?}");
            })
        });
        assert_eq!(book.account_roll_up().is_empty(), !accounts);
    }
    group.finish();
}

criterion_group!(benches, bench_accounts);
criterion_main!(benches);
