//! The book of `benches/step.rs` (`book/ingest`) and `benches/touch_misses.rs`: the
//! same policy, leads, touches and key sequence, so the cache simulation counts the
//! misses of exactly the touch the criterion bench times.

use chrono::{DateTime, Utc};
use leadcycle::{Engine, Event, Policy, Profile};
use std::collections::HashMap;

pub fn t0() -> DateTime<Utc> {
    "2026-01-05T10:00:00Z".parse().expect("a valid time")
}

/// The default policy with thresholds no score reaches in a run, so touches never
/// qualify a lead and every iteration takes the same path. The engagement cap is out of
/// reach too: a lead at the cap records one more ledger entry per touch (`cap`), which
/// is not the common case.
pub fn engine() -> Engine {
    let mut policy = Policy::default();
    policy.scoring.mql_threshold = 1e15;
    policy.scoring.requalify_threshold = 1e15;
    policy.scoring.engagement_cap = 1e12;
    Engine::new(policy).expect("the bench policy is valid")
}

pub fn profile() -> Profile {
    [
        ("seniority".to_owned(), "vp".into()),
        ("employees".to_owned(), 350.0.into()),
    ]
    .into_iter()
    .collect()
}

pub fn created(lead: &str, at: DateTime<Utc>) -> Event {
    Event::created(lead, at, "webinar")
        .with_campaign("spring-launch")
        .with_channel("paid_social")
        .with_profile(profile())
}

/// A scored touch without content (content would grow `content_seen` only once, but
/// its string is cloned on every step; see docs/performance.md).
pub fn touch(lead: &str, at: DateTime<Utc>) -> Event {
    Event::touch(lead, at, "email_click")
        .with_campaign("spring-nurture")
        .with_channel("email")
}

pub fn lead_id(i: usize) -> String {
    format!("L{i:07}")
}

/// What the floor stores per key: the numbers a touch changes.
pub struct Small {
    pub score: f64,
    pub count: u32,
    pub at: i64,
}

/// The floor: a bare `HashMap` of the ids of a book of `n` leads, none touched at or
/// after `start` (milliseconds), and the ids in a vector to pick keys from.
pub fn floor_map(n: usize, start: i64) -> (Vec<String>, HashMap<String, Small>) {
    let ids: Vec<String> = (0..n).map(lead_id).collect();
    let map = ids
        .iter()
        .map(|id| {
            let small = Small {
                score: 0.0,
                count: 0,
                at: start,
            };
            (id.clone(), small)
        })
        .collect();
    (ids, map)
}

/// One touch of the floor at `at` (milliseconds, later than every earlier touch): find
/// the lead by `&str` and change its numbers.
#[inline]
pub fn floor_touch(map: &mut HashMap<String, Small>, id: &str, at: i64) {
    let small = map.get_mut(id).expect("every key is in the map");
    assert!(small.at < at, "times only increase");
    small.score += 3.0;
    small.count += 1;
    small.at = at;
}
