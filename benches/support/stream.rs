//! The event stream the replay benches read: a host's file named by an environment
//! variable, or, when it is not set, a realistic stream generated here.
//!
//! The generated stream has what a CRM feed has (docs/performance.md, issue 11):
//! `created` with a profile, touches with campaigns and content, sales events,
//! recycles and wins, a daily `tick`, redelivered lines (same `id`) and a few late
//! events (older than the last tick). It is generated from a fixed seed, so every run
//! and machine reads the same bytes.

use chrono::{DateTime, TimeDelta, Utc};
use leadcycle::{Event, Profile, ProfileValue};
use std::path::Path;

/// A stream of JSON lines and where it came from (for the bench's output).
pub struct Stream {
    /// The whole input, as read or generated.
    pub bytes: Vec<u8>,
    /// Where it came from, in words.
    pub origin: String,
}

impl Stream {
    /// The non-blank lines, in order.
    pub fn lines(&self) -> impl Iterator<Item = &[u8]> {
        self.bytes
            .split(|b| *b == b'\n')
            .filter(|line| !line.iter().all(u8::is_ascii_whitespace))
    }
}

/// The file named by `var`, or a generated stream of `leads` leads when it is unset.
pub fn load(var: &str, leads: usize) -> Stream {
    match std::env::var_os(var) {
        Some(path) => {
            let path = Path::new(&path);
            let bytes = std::fs::read(path)
                .unwrap_or_else(|e| panic!("{var}={}: cannot read it: {e}", path.display()));
            Stream {
                origin: format!("{var}={}", path.display()),
                bytes,
            }
        }
        None => {
            let bytes = generate(leads);
            Stream {
                origin: format!(
                    "{var} is not set: a generated stream of {leads} leads (set it to a file of JSON-lines events to bench those)"
                ),
                bytes,
            }
        }
    }
}

/// xorshift64*: a fixed, dependency-free pseudo-random sequence.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 32) % n
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len() as u64) as usize]
    }
}

const SOURCES: [&str; 4] = ["webinar", "paid_search", "sdr_outbound", "referral"];
const KINDS: [&str; 5] = [
    "email_open",
    "email_click",
    "content_download",
    "webinar_attended",
    "pricing_page_view",
];
const INDUSTRIES: [&str; 4] = ["software", "manufacturing", "finance", "retail"];
const REGIONS: [&str; 3] = ["US", "EMEA", "APAC"];
const SENIORITY: [&str; 4] = ["vp", "director", "manager", "c_level"];
const REASONS: [&str; 3] = ["bad_timing", "no_budget", "competitor"];

/// A stream of about 30 lines per lead, over about 90 days, in time order.
pub fn generate(leads: usize) -> Vec<u8> {
    let t0: DateTime<Utc> = "2026-01-05T00:00:00Z".parse().expect("a valid time");
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    // (time, sequence, event): sorting by both keeps each lead's own order.
    let mut events: Vec<(DateTime<Utc>, usize, Event)> = Vec::new();
    let push = |events: &mut Vec<(DateTime<Utc>, usize, Event)>, e: Event| {
        let n = events.len();
        events.push((e.at(), n, e.with_id(format!("e{n}"))));
    };
    for i in 0..leads {
        let lead = format!("lead_{i:07}");
        let mut at = t0 + TimeDelta::seconds((i as i64 * 90 * 86_400) / leads.max(1) as i64);
        let profile: Profile = [
            ("industry", ProfileValue::from(rng.pick(&INDUSTRIES))),
            ("region", rng.pick(&REGIONS).into()),
            ("seniority", rng.pick(&SENIORITY).into()),
            ("employees", (50.0 * (1 + rng.below(40)) as f64).into()),
            ("email_domain", "corporate".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let source = rng.pick(&SOURCES);
        push(
            &mut events,
            Event::created(lead.as_str(), at, source)
                .with_campaign(format!("cmp-{}", rng.below(20)))
                .with_channel(source)
                .with_profile(profile),
        );
        for _ in 0..3 + rng.below(20) {
            at += TimeDelta::minutes(30 + rng.below(3 * 1440) as i64);
            let kind = rng.pick(&KINDS);
            let mut touch = Event::touch(lead.as_str(), at, kind)
                .with_campaign(format!("cmp-{}", rng.below(20)))
                .with_channel("email");
            if kind == "content_download" {
                touch = touch.with_content(format!("asset-{}", rng.below(30)));
            }
            push(&mut events, touch);
        }
        if rng.below(100) < 35 {
            let rep = format!("R{}", rng.below(40));
            at += TimeDelta::hours(2 + rng.below(40) as i64);
            push(
                &mut events,
                Event::sales_accepted(lead.as_str(), at, rep.as_str()),
            );
            for _ in 0..1 + rng.below(4) {
                at += TimeDelta::hours(3 + rng.below(72) as i64);
                push(
                    &mut events,
                    Event::sales_attempt(lead.as_str(), at, rep.as_str()).with_channel("call"),
                );
            }
            at += TimeDelta::hours(1 + rng.below(100) as i64);
            match rng.below(10) {
                0..=4 => push(
                    &mut events,
                    Event::disqualified(lead.as_str(), at, rep.as_str(), rng.pick(&REASONS)),
                ),
                5..=7 => {
                    push(
                        &mut events,
                        Event::sales_qualified(lead.as_str(), at, rep.as_str()),
                    );
                    at += TimeDelta::days(1 + rng.below(10) as i64);
                    let opp = format!("opp-{i}");
                    push(
                        &mut events,
                        Event::opportunity_opened(lead.as_str(), at, opp.as_str())
                            .with_amount(1000.0 * (1 + rng.below(90)) as f64),
                    );
                    at += TimeDelta::days(5 + rng.below(40) as i64);
                    if rng.below(3) == 0 {
                        push(
                            &mut events,
                            Event::opportunity_won(lead.as_str(), at, opp.as_str()),
                        );
                    } else {
                        push(
                            &mut events,
                            Event::opportunity_lost(
                                lead.as_str(),
                                at,
                                opp.as_str(),
                                rng.pick(&REASONS),
                            ),
                        );
                    }
                }
                _ => {}
            }
        } else if rng.below(50) == 0 {
            at += TimeDelta::days(1 + rng.below(20) as i64);
            push(&mut events, Event::unsubscribed(lead.as_str(), at));
        }
    }
    events.sort_by_key(|(at, seq, _)| (*at, *seq));
    let mut out = Vec::new();
    let mut day = None;
    let mut late: Vec<Vec<u8>> = Vec::new();
    for (n, (at, _, event)) in events.iter().enumerate() {
        let today = at.date_naive();
        if day != Some(today) {
            if day.is_some() {
                let midnight = today.and_hms_opt(0, 0, 0).expect("midnight").and_utc();
                write_line(&mut out, &Event::tick(midnight));
                for line in late.drain(..) {
                    out.extend_from_slice(&line);
                }
            }
            day = Some(today);
        }
        let start = out.len();
        write_line(&mut out, event);
        // A redelivery (same id: `duplicate_event`) of every 50th line, and a late copy
        // (fresh id, sent after the next tick: `out_of_order`) of every 997th.
        if n % 50 == 49 {
            out.extend_from_within(start..);
        }
        if n % 997 == 996 && event.lead().is_some() {
            let late_event = event.clone().with_id(format!("late-{n}"));
            let mut line = Vec::new();
            write_line(&mut line, &late_event);
            late.push(line);
        }
    }
    out
}

fn write_line(out: &mut Vec<u8>, event: &Event) {
    serde_json::to_writer(&mut *out, event).expect("an event serializes");
    out.push(b'\n');
}
