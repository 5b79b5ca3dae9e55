//! Runs the embedded default policy over a deterministic built-in scenario: a few
//! hundred synthetic leads moving through the waterfall. Some buy, some are
//! disqualified for each reason, some are ignored by sales and recycled passively,
//! some re-engage months later and go back to their original rep.
//!
//! Prints the story of a few leads, then stage counts and recycle outcomes: why leads
//! were recycled (a sales reason, or idle too long), apart from nurture programs
//! handing a lead on when they complete, and the customer program.
//!
//! ```text
//! cargo run --example quickstart [-- --help]
//! ```

use chrono::{DateTime, TimeDelta, Utc};
use leadcycle::{Effect, EffectKind, Engine, Event, LeadBook, Policy, Profile, Stage};
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::{self, Write};

const LEADS: u64 = 300;

/// What `--help` prints.
const HELP: &str = "\
quickstart: runs the embedded default policy over 300 synthetic leads (a fixed,
deterministic scenario) and prints the story of a few of them, the stage counts,
why leads were recycled, and the service levels breached.

usage: quickstart [--help]

options:
  -h, --help  print this help and exit. Default: off (the scenario runs).
              The scenario has no other options: it is the same on every run.

exit status:
  0  the scenario ran, or --help printed
  1  the scenario failed (a bug: the embedded policy or an event was refused)
  2  the arguments are wrong: one line on standard error
";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    if let Some(code) = handle_flags(args, io::stdout().lock(), io::stderr().lock()) {
        std::process::exit(code);
    }
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
        (
            "L0002",
            "an MQL sales never called: recycled, then nurtured until it had seen everything",
        ),
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
        explain_exhausted(&engine, &effects, lead);
        println!();
    }

    println!("{:<12} {:>6}", "stage", "leads");
    for (stage, n) in book.stage_counts() {
        println!("{:<12} {:>6}", stage.as_str(), n);
    }

    // `nurture_assigned.reason` answers "why is the lead in this program": a recycle
    // reason (sales gave it, or `sla_idle` when the lead sat idle too long), or
    // `completed` (the lead finished its last program and was handed on to the next),
    // or `opportunity_won` (the customer program). Only the first kind is a recycle.
    let mut recycled_by_reason: BTreeMap<String, usize> = BTreeMap::new();
    let (mut handed_on, mut exhausted, mut customers) = (0, 0, 0);
    let mut removed_by_reason: BTreeMap<String, usize> = BTreeMap::new();
    let mut re_engaged = 0;
    let mut breaches: BTreeMap<String, usize> = BTreeMap::new();
    for e in &effects {
        match &e.kind {
            EffectKind::NurtureAssigned {
                reason,
                program,
                step,
                ..
            } => match reason.as_str() {
                "completed" => {
                    handed_on += 1;
                    if is_exhausted(&engine, program, *step) {
                        exhausted += 1;
                    }
                }
                "opportunity_won" => customers += 1,
                _ => *recycled_by_reason.entry(reason.to_string()).or_default() += 1,
            },
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
    println!("\nrecycled into nurture, by reason (a sales reason, or sla_idle: idle too long)");
    for (reason, n) in &recycled_by_reason {
        println!("  {reason:<20} {n:>5}");
    }
    println!("nurture programs completed, the lead handed on to the next program: {handed_on}");
    println!(
        "  of which exhausted (re-entered a program it had been sent every step of): {exhausted}"
    );
    println!("customers enrolled in the customer program: {customers}");
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

/// Handles the command line: prints the help (exit status 0) or a usage error (2) and
/// returns the exit status, or returns `None` to run the scenario.
pub fn handle_flags(
    args: Vec<OsString>,
    mut stdout: impl Write,
    mut stderr: impl Write,
) -> Option<i32> {
    let first = args.first()?;
    if args.len() == 1 && (first == "--help" || first == "-h") {
        // Nothing more can be done if standard output cannot be written.
        let _ = stdout.write_all(HELP.as_bytes());
        let _ = stdout.flush();
        return Some(0);
    }
    let _ = writeln!(
        stderr,
        "quickstart: unexpected argument {first:?}; the scenario takes no arguments (usage: quickstart [--help])"
    );
    Some(2)
}

/// Whether an enrollment at `step` of `program` has nothing left to send: the lead
/// was already sent every step of the program it (re-)entered.
fn is_exhausted(engine: &Engine, program: &str, step: usize) -> bool {
    engine
        .policy()
        .programs
        .get(program)
        .is_some_and(|p| step >= p.steps.len())
}

/// Explains each exhausted enrollment in a lead's story.
fn explain_exhausted(engine: &Engine, effects: &[Effect], lead: &str) {
    for e in effects
        .iter()
        .filter(|e| e.lead.as_ref().is_some_and(|l| l.as_str() == lead))
    {
        let EffectKind::NurtureAssigned {
            program,
            step,
            reason,
            ..
        } = &e.kind
        else {
            continue;
        };
        if !is_exhausted(engine, program, *step) {
            continue;
        }
        println!(
            "  note: an exhausted enrollment. The lead entered {program} (reason `{reason}`),"
        );
        if reason == "completed" && *program == engine.policy().recycle.default_program {
            println!("        the policy's recycle.default_program, where a lead goes when the");
            println!("        program it completed names no `then` -- here {program} itself.");
        }
        println!("        It had already been sent all {step} steps of {program}, which resumes");
        println!("        where a lead left off and never repeats content: nothing more is due.");
        println!(
            "        The lead stays in nurture until it re-engages (or the policy adds a step)."
        );
    }
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
    profile.insert("seniority", seniority.into());
    profile.insert("employees", ((50 + rng.below(2000)) as f64).into());
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
