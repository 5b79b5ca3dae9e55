//! Runs the embedded default policy over a deterministic built-in scenario: a few
//! hundred synthetic leads moving through the waterfall. Some buy, some are
//! disqualified for each reason, some are ignored by sales and recycled passively,
//! some re-engage months later and go back to their original rep.
//!
//! Prints the story of a few leads, then stage counts and recycle outcomes.
//!
//!     cargo run --example quickstart

use chrono::{DateTime, TimeDelta, Utc};
use leadcycle::{Effect, EffectKind, Engine, Event, LeadBook, Policy, Profile, Stage};
use std::collections::BTreeMap;

const LEADS: u64 = 300;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let engine = Engine::new(Policy::default())?;
    let mut book = LeadBook::new();
    let start: DateTime<Utc> = "2026-01-05T09:00:00Z".parse()?;

    let mut events: Vec<Event> = (0..LEADS).flat_map(|i| journey(i, start)).collect();
    let end = start + TimeDelta::days(300);
    // Weekly ticks, so timers fire in the book as they would in production.
    events.extend((1..=43).map(|w| Event::tick(start + TimeDelta::weeks(w))));
    events.push(Event::tick(end));
    // Stable sort: ticks come after the events of the same instant.
    events.sort_by_key(|e| (e.at(), e.lead().is_none()));

    let mut effects: Vec<Effect> = Vec::new();
    for event in &events {
        book.apply_into(&engine, event, &mut effects);
    }

    println!(
        "leadcycle quickstart: {LEADS} synthetic leads, {} events, {} effects\n",
        events.len(),
        effects.len()
    );
    for (lead, title) in [
        (
            "L0004",
            "disqualified for bad timing, back months later, won by the same rep",
        ),
        ("L0002", "an MQL sales never called"),
        ("L0000", "a hand-raiser who bought"),
    ] {
        println!("{lead}: {title}");
        for e in effects
            .iter()
            .filter(|e| e.lead.as_ref().is_some_and(|l| l.as_str() == lead))
        {
            println!(
                "  {}  {}",
                e.at.map(|t| t.format("%Y-%m-%d").to_string())
                    .unwrap_or_default(),
                e.kind
            );
        }
        println!();
    }

    println!("{:<12} {:>6}", "stage", "leads");
    for (stage, n) in book.stage_counts() {
        println!("{:<12} {:>6}", stage.as_str(), n);
    }

    let mut recycled_by_reason: BTreeMap<String, usize> = BTreeMap::new();
    let mut removed_by_reason: BTreeMap<String, usize> = BTreeMap::new();
    let mut re_engaged = 0;
    let mut breaches: BTreeMap<String, usize> = BTreeMap::new();
    for e in &effects {
        match &e.kind {
            EffectKind::NurtureAssigned { reason, .. } => {
                *recycled_by_reason.entry(reason.clone()).or_default() += 1
            }
            EffectKind::Routed { .. } => re_engaged += 1,
            EffectKind::SlaBreached { stage, sla, .. } => {
                *breaches
                    .entry(format!("{stage}/{}", sla.as_str()))
                    .or_default() += 1
            }
            _ => {}
        }
    }
    for lead in book.leads() {
        if lead.stage() == Stage::Removed {
            *removed_by_reason
                .entry(lead.removed_reason().unwrap_or("?").to_owned())
                .or_default() += 1;
        }
    }
    println!("\nnurture assignments by reason");
    for (reason, n) in &recycled_by_reason {
        println!("  {reason:<20} {n:>5}");
    }
    println!("removed by reason");
    for (reason, n) in &removed_by_reason {
        println!("  {reason:<20} {n:>5}");
    }
    println!("service levels breached");
    for (sla, n) in &breaches {
        println!("  {sla:<20} {n:>5}");
    }
    println!("recycled leads routed back to their original rep: {re_engaged}");
    Ok(())
}

/// One lead's events. The lead's number picks its persona, and a small deterministic
/// generator varies the timing and details.
fn journey(i: u64, start: DateTime<Utc>) -> Vec<Event> {
    let mut rng = Lcg(i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03);
    let id = format!("L{i:04}");
    let rep = format!("R{}", 1 + i % 7);
    let created = start + TimeDelta::hours(rng.below(24 * 60) as i64);
    let at = |days: f64| created + TimeDelta::minutes((days * 1440.0) as i64);
    let lead = id.as_str();
    let touch = |days: f64, kind: &str| Event::touch(lead, at(days), kind).with_channel("email");
    let seniority = ["vp", "director", "manager", "c_level", "analyst"][rng.below(5) as usize];
    let mut profile = Profile::new();
    profile.insert("seniority".into(), seniority.into());
    profile.insert("employees".into(), ((50 + rng.below(2000)) as f64).into());
    let source =
        ["webinar", "ebook", "trade_show", "paid_search", "referral"][rng.below(5) as usize];
    let mut events = vec![Event::created(lead, at(0.0), source)
        .with_campaign(format!("c-{}", i % 11))
        .with_account(format!("acct-{}", i % 97))
        .with_profile(profile)];
    let accepted = |d: f64| Event::sales_accepted(lead, at(d), rep.as_str());
    let attempt = |d: f64| Event::sales_attempt(lead, at(d), rep.as_str()).with_channel("call");
    let qualified = |d: f64| Event::sales_qualified(lead, at(d), rep.as_str());
    let opportunity = format!("O-{i}");
    let reasons = [
        "no_budget",
        "bad_timing",
        "no_authority",
        "competitor_chosen",
        "not_a_buyer",
        "went_quiet",
    ];
    match i % 8 {
        // A hand-raiser who buys.
        0 => events.extend([
            touch(1.0, "demo_request"),
            accepted(1.5),
            attempt(2.0),
            qualified(6.0),
            Event::opportunity_opened(lead, at(10.0), &opportunity)
                .with_amount(10_000.0 + rng.below(90_000) as f64),
            Event::opportunity_won(lead, at(40.0 + rng.below(30) as f64), &opportunity),
        ]),
        // Accepted, then disqualified for one of the reasons.
        1 | 4 => {
            let reason = reasons[((i / 8) % reasons.len() as u64) as usize];
            let reason = if i % 8 == 4 { "bad_timing" } else { reason };
            events.extend([
                touch(1.0, "contact_sales"),
                accepted(2.0),
                attempt(3.0),
                Event::disqualified(lead, at(12.0), rep.as_str(), reason),
            ]);
            if i % 8 == 4 {
                // Months later the buying window opens: a burst of engagement.
                let back = 120.0 + rng.below(40) as f64;
                events.extend([
                    touch(back, "webinar_attended"),
                    touch(back + 1.0, "pricing_page_view"),
                    touch(back + 2.0, "pricing_page_view"),
                    touch(back + 3.0, "demo_request"),
                    // Routed back to the rep who knows them, who closes the deal.
                    accepted(back + 3.5),
                    attempt(back + 4.0),
                    qualified(back + 8.0),
                    Event::opportunity_opened(lead, at(back + 12.0), &opportunity)
                        .with_amount(25_000.0),
                    Event::opportunity_won(lead, at(back + 45.0), &opportunity),
                ]);
            }
        }
        // An MQL nobody calls: respond breach, then passive recycling.
        2 => events.push(touch(1.0, "demo_request")),
        // Accepted but barely worked: attempts breach, then idle.
        3 => events.extend([touch(2.0, "demo_request"), accepted(3.0), attempt(5.0)]),
        // Cold inquiry with a trickle of engagement.
        5 => events.extend((1..6).map(|k| {
            touch(
                k as f64 * 9.0,
                if k % 2 == 0 {
                    "email_click"
                } else {
                    "email_open"
                },
            )
        })),
        // Unsubscribes.
        6 => events.extend([touch(3.0, "email_open"), Event::unsubscribed(lead, at(9.0))]),
        // Lost to a competitor.
        _ => events.extend([
            touch(1.0, "demo_request"),
            accepted(1.2),
            qualified(5.0),
            Event::opportunity_opened(lead, at(8.0), &opportunity),
            Event::opportunity_lost(lead, at(50.0), &opportunity, "competitor_chosen"),
        ]),
    }
    events
}

/// A tiny deterministic generator, so the scenario is the same on every machine.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}
