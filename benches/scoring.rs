//! The cost of a scoring update per touch, beside a step that changes no score.
//!
//!     cargo bench --bench scoring

use chrono::{DateTime, TimeDelta, Utc};
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use leadcycle::{Engine, Event, Policy, ProfileValue, Stage};

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
    for (name, kind) in [
        ("unscored", "page_visit_untracked"),
        ("grouped", "email_click"),
        ("ungrouped", "webinar_attended"),
    ] {
        let mut lead = lead.clone();
        let mut event = touch(kind, start);
        group.bench_function(name, |b| {
            b.iter(|| {
                event.set_at(event.at() + TimeDelta::seconds(1));
                let effects = engine.step(&mut lead, black_box(&event)).unwrap();
                assert!(effects.is_empty() && lead.stage() == Stage::Inquiry);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_scoring);
criterion_main!(benches);
