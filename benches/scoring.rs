//! The cost of a scoring update per touch, beside a step that changes no score. Each
//! iteration checks that its touch moved the score (or, unscored, did not).
//!
//!     cargo bench --bench scoring

use chrono::{DateTime, TimeDelta, Utc};
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use leadcycle::{Engine, Event, Policy, ProfileValue, Stage};
use std::time::Instant;

const POLICY: &str = r#"
[scoring]
mql_threshold = 1e12
requalify_threshold = 1e12
[scoring.groups.email]
kinds = ["email_open", "email_click"]
cap = 30
[scoring.groups.web]
kinds = ["pricing_page_view", "content_download"]
cap = 60
"#;

/// The time between two touches. With the default 30-day half-life the engagement of
/// a kind touched every five days settles at 9.2 times its points: 27.5 for an email
/// click (3 points, under the email group's cap of 30) and 138 for a webinar (15
/// points, under the engagement cap of 150). So no touch is lost to a cap and each
/// iteration can check that its touch moved the score.
const STEP: TimeDelta = TimeDelta::days(5);

fn touch(kind: &str, at: DateTime<Utc>) -> Event {
    Event::touch("L1", at, kind)
}

fn bench_scoring(c: &mut Criterion) {
    let policy = Policy::from_toml_str(POLICY).expect("bench policy is valid");
    let engine = Engine::new(policy).expect("bench policy is valid");
    let start: DateTime<Utc> = "2026-01-05T10:00:00Z".parse().unwrap();
    let created = Event::created("L1", start, "web").with_profile(
        [("seniority".to_string(), ProfileValue::from("vp"))]
            .into_iter()
            .collect(),
    );
    let (lead, _) = engine.create(&created).unwrap();

    let mut group = c.benchmark_group("scoring/touch");
    for (name, kind, scores) in [
        ("unscored", "page_visit_untracked", false),
        ("grouped", "email_click", true),
        ("ungrouped", "webinar_attended", true),
    ] {
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                // Each sample starts again from the new lead, so the clock stays
                // within a few thousand years however many iterations criterion asks.
                let mut lead = lead.clone();
                let mut event = touch(kind, start);
                let began = Instant::now();
                for _ in 0..iters {
                    let at = event.at() + STEP;
                    event.set_at(at);
                    let before = lead.score_at(at);
                    let effects = engine.step(&mut lead, black_box(&event)).unwrap();
                    assert!(effects.is_empty() && lead.stage() == Stage::Inquiry);
                    // Every scored touch must really move the score (none is lost to
                    // a cap), and an unscored one must not.
                    let after = lead.score_at(at);
                    assert!(
                        if scores {
                            after > before
                        } else {
                            after == before
                        },
                        "{kind}: score {before} -> {after}"
                    );
                }
                began.elapsed()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_scoring);
criterion_main!(benches);
