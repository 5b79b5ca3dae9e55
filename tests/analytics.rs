//! Analytics from the journal: each metric on a small scenario whose expected value is
//! worked out by hand in the test, determinism, bad journals refused, properties over
//! random streams, and the SVG chart.

use leadcycle::analytics::{Credit, Journal, JournalError, Report, Thresholds};
use leadcycle::testing::{self, StreamOptions};
use leadcycle::{Effect, Engine, Event, LeadBook, LeadId, Policy, Stage};
use proptest::prelude::*;
use std::collections::BTreeMap;

/// Every service level off: scenarios that test something else are not disturbed by
/// breaches and idle recycling.
const QUIET: &str = "
[sla.mql]
respond_days = false
idle_days = false
[sla.sal]
attempts = false
attempts_days = false
idle_days = false
[sla.sql]
idle_days = false
[sla.opportunity]
idle_days = false
";

fn policy(toml: &str) -> Policy {
    Policy::from_toml_str(toml).unwrap()
}

/// Replays JSON-lines events through a book and journals the events and effects.
fn journal_of(policy: &Policy, lines: &[&str]) -> (Journal, Vec<Effect>) {
    let engine = Engine::new(policy.clone()).unwrap();
    let mut book = LeadBook::new();
    let mut journal = Journal::new();
    let mut all = Vec::new();
    for line in lines {
        let event: Event = serde_json::from_str(line).unwrap();
        journal.record_event(&event);
        for effect in book.apply(&engine, &event) {
            journal.record_effect(&effect).unwrap();
            all.push(effect);
        }
    }
    (journal, all)
}

fn report_of(policy: &Policy, lines: &[&str]) -> Report {
    let (journal, _) = journal_of(policy, lines);
    journal.report(policy, &Thresholds::default()).unwrap()
}

fn ids(list: &[&str]) -> Vec<LeadId> {
    list.iter().map(|s| LeadId::from(*s)).collect()
}

fn days(hours: u64) -> Option<f64> {
    Some(hours as f64 / 24.0)
}

/// L1: inquiry -> mql -> sal -> recycled (bad_timing) -> mql -> sal -> sql;
/// L2: inquiry -> mql, and stays.
const TWO_PASSES: &[&str] = &[
    r#"{"type":"created","lead":"L1","at":"2026-01-01T00:00:00Z","source":"web"}"#,
    r#"{"type":"touch","lead":"L1","at":"2026-01-01T01:00:00Z","kind":"demo_request"}"#,
    r#"{"type":"sales_accepted","lead":"L1","at":"2026-01-02T00:00:00Z","rep":"R1"}"#,
    r#"{"type":"disqualified","lead":"L1","at":"2026-01-05T00:00:00Z","rep":"R1","reason":"bad_timing"}"#,
    r#"{"type":"created","lead":"L2","at":"2026-01-06T00:00:00Z","source":"web"}"#,
    r#"{"type":"touch","lead":"L2","at":"2026-01-06T01:00:00Z","kind":"demo_request"}"#,
    r#"{"type":"touch","lead":"L1","at":"2026-01-20T00:00:00Z","kind":"demo_request"}"#,
    r#"{"type":"sales_accepted","lead":"L1","at":"2026-01-21T00:00:00Z","rep":"R1"}"#,
    r#"{"type":"sales_qualified","lead":"L1","at":"2026-01-25T00:00:00Z","rep":"R1"}"#,
];

#[test]
fn a_lead_recycled_and_requalified_counts_in_both_passes_mql_to_sal_conversion() {
    let r = report_of(&policy(QUIET), TWO_PASSES);
    assert_eq!(r.passes.len(), 2);
    let conversion = |pass: usize, from: Stage| {
        let c = r.passes[pass - 1]
            .conversions
            .iter()
            .find(|c| c.from == from)
            .unwrap();
        (c.rate.part, c.rate.whole)
    };
    // Pass 1: L1 and L2 reached mql, only L1 sal. Pass 2: L1 again, on to sql.
    assert_eq!(conversion(1, Stage::Mql), (1, 2));
    assert_eq!(conversion(2, Stage::Mql), (1, 1));
    assert_eq!(conversion(2, Stage::Sal), (1, 1));
    assert_eq!(
        r.passes[1].reached.get(&Stage::Inquiry),
        None,
        "a later pass starts at mql"
    );
    assert_eq!(
        r.passes[0].entered[&Stage::Recycled],
        1,
        "recycling ends pass 1"
    );
}

#[test]
fn stages_now_and_entries_count_every_pass_and_re_entries_apart() {
    let r = report_of(&policy(QUIET), TWO_PASSES);
    let now_entered = |s: Stage| {
        (
            r.stages[&s].now,
            r.stages[&s].entered,
            r.stages[&s].re_entered,
        )
    };
    assert_eq!(now_entered(Stage::Inquiry), (0, 2, 0));
    assert_eq!(now_entered(Stage::Mql), (1, 3, 1));
    assert_eq!(now_entered(Stage::Sal), (0, 2, 1));
    assert_eq!(now_entered(Stage::Sql), (1, 1, 1));
    assert_eq!(now_entered(Stage::Recycled), (0, 1, 0));
    assert_eq!(r.leads, 2);
}

#[test]
fn time_in_stage_counts_each_stay_with_median_and_p90_and_first_and_later_passes_apart() {
    let r = report_of(&policy(QUIET), TWO_PASSES);
    let sal = &r.stages[&Stage::Sal].time_in_stage;
    // SAL stays: Jan 2 -> Jan 5 (72 h, pass 1) and Jan 21 -> Jan 25 (96 h, pass 2).
    assert_eq!(sal.all.count, 2);
    assert_eq!(sal.all.median_days, days(72));
    assert_eq!(sal.all.p90_days, days(96));
    assert_eq!(sal.first_pass.median_days, days(72));
    assert_eq!(sal.later_passes.median_days, days(96));
    assert_eq!(sal.open, 0);
    // L2 is still in mql, L1 in sql: open stays, not durations.
    assert_eq!(r.stages[&Stage::Mql].time_in_stage.open, 1);
    assert_eq!(r.stages[&Stage::Sql].time_in_stage.open, 1);
    // Recycled: Jan 5 -> Jan 20, 15 days.
    assert_eq!(
        r.stages[&Stage::Recycled].time_in_stage.all.median_days,
        Some(15.0)
    );
}

#[test]
fn recycling_yield_counts_distinct_leads_back_as_mql_sql_and_won_and_how_long_it_took() {
    let r = report_of(&policy(QUIET), TWO_PASSES);
    let y = &r.recycling;
    assert_eq!(
        (
            y.recycled,
            y.requalified,
            y.sql_after_recycle,
            y.won_after_recycle
        ),
        (1, 1, 1, 0)
    );
    assert_eq!(y.requalified_rate.rate, Some(1.0));
    assert_eq!(y.time_to_requalify.median_days, Some(15.0));
    assert_eq!(y.time_to_win.count, 0);
    assert_eq!(
        r.recycle_reasons,
        BTreeMap::from([("bad_timing".to_owned(), 1)])
    );
}

/// (reason, program, recycled, requalified, won, median days to re-qualify).
type ProgramRow<'a> = (&'a str, &'a str, u64, u64, u64, Option<f64>);

#[test]
fn program_effectiveness_groups_recyclings_by_reason_and_program() {
    let mut lines = TWO_PASSES.to_vec();
    // L3 is recycled for no_budget into budget_cycle and never comes back.
    lines.extend([
        r#"{"type":"created","lead":"L3","at":"2026-01-26T00:00:00Z","source":"web"}"#,
        r#"{"type":"touch","lead":"L3","at":"2026-01-26T01:00:00Z","kind":"demo_request"}"#,
        r#"{"type":"sales_accepted","lead":"L3","at":"2026-01-27T00:00:00Z","rep":"R2"}"#,
        r#"{"type":"disqualified","lead":"L3","at":"2026-01-28T00:00:00Z","rep":"R2","reason":"no_budget"}"#,
    ]);
    let r = report_of(&policy(QUIET), &lines);
    let rows: Vec<ProgramRow> = r
        .programs
        .iter()
        .map(|p| {
            let t = p.time_to_requalify.median_days;
            (
                p.reason.as_str(),
                p.program.as_str(),
                p.recycled,
                p.requalified,
                p.won,
                t,
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("bad_timing", "timing_drip", 1, 1, 0, Some(15.0)),
            ("no_budget", "budget_cycle", 1, 0, 0, None),
        ]
    );
}

/// Five SALs that leave five ways, under a policy whose only service level is the
/// SAL idle limit (21 days).
const FIVE_SALS: &[&str] = &[
    r#"{"type":"created","lead":"S1","at":"2026-01-01T00:00:00Z","source":"web"}"#,
    r#"{"type":"created","lead":"S2","at":"2026-01-01T00:00:00Z","source":"web"}"#,
    r#"{"type":"created","lead":"S3","at":"2026-01-01T00:00:00Z","source":"web"}"#,
    r#"{"type":"created","lead":"S4","at":"2026-01-01T00:00:00Z","source":"web"}"#,
    r#"{"type":"created","lead":"S5","at":"2026-01-01T00:00:00Z","source":"web"}"#,
    r#"{"type":"touch","lead":"S1","at":"2026-01-01T01:00:00Z","kind":"demo_request"}"#,
    r#"{"type":"touch","lead":"S2","at":"2026-01-01T01:00:00Z","kind":"demo_request"}"#,
    r#"{"type":"touch","lead":"S3","at":"2026-01-01T01:00:00Z","kind":"demo_request"}"#,
    r#"{"type":"touch","lead":"S4","at":"2026-01-01T01:00:00Z","kind":"demo_request"}"#,
    r#"{"type":"touch","lead":"S5","at":"2026-01-01T01:00:00Z","kind":"demo_request"}"#,
    r#"{"type":"sales_accepted","lead":"S1","at":"2026-01-02T00:00:00Z","rep":"R1"}"#,
    r#"{"type":"sales_accepted","lead":"S2","at":"2026-01-02T00:00:00Z","rep":"R1"}"#,
    r#"{"type":"sales_accepted","lead":"S3","at":"2026-01-02T00:00:00Z","rep":"R1"}"#,
    r#"{"type":"sales_accepted","lead":"S4","at":"2026-01-02T00:00:00Z","rep":"R1"}"#,
    r#"{"type":"sales_accepted","lead":"S5","at":"2026-01-02T00:00:00Z","rep":"R1"}"#,
    r#"{"type":"sales_qualified","lead":"S1","at":"2026-01-03T00:00:00Z","rep":"R1"}"#,
    r#"{"type":"disqualified","lead":"S2","at":"2026-01-03T00:00:00Z","rep":"R1","reason":"no_budget"}"#,
    r#"{"type":"sales_rejected","lead":"S3","at":"2026-01-03T00:00:00Z","rep":"R1","reason":"bad_timing"}"#,
    r#"{"type":"contact_lost","lead":"S5","at":"2026-01-03T00:00:00Z","cause":"bounced"}"#,
    // S4 sits: its idle limit passes on Jan 23.
    r#"{"type":"tick","at":"2026-02-01T00:00:00Z"}"#,
];

fn sal_idle_only() -> Policy {
    policy(&QUIET.replace(
        "[sla.sal]\nattempts = false\nattempts_days = false\nidle_days = false",
        "[sla.sal]\nattempts = false\nattempts_days = false\nidle_days = 21",
    ))
}

#[test]
fn sal_disqualification_rate_is_disqualified_sal_exits_of_all_sal_exits() {
    let r = report_of(&sal_idle_only(), FIVE_SALS);
    let s = &r.sal_exits;
    assert_eq!(
        (s.progressed, s.disqualified, s.idled_out, s.other),
        (1, 2, 1, 1)
    );
    assert_eq!((s.disqualification.part, s.disqualification.whole), (2, 5));
    assert_eq!(s.disqualification.rate, Some(0.4));
}

#[test]
fn recycle_and_removal_reasons_come_from_the_transitions_reason() {
    let r = report_of(&sal_idle_only(), FIVE_SALS);
    let counts = |pairs: &[(&str, u64)]| -> BTreeMap<String, u64> {
        pairs.iter().map(|(k, n)| (k.to_string(), *n)).collect()
    };
    assert_eq!(
        r.recycle_reasons,
        counts(&[("bad_timing", 1), ("no_budget", 1), ("sla_idle", 1)])
    );
    assert_eq!(r.removal_reasons, counts(&[("bounced", 1)]));
}

#[test]
fn each_black_hole_symptom_is_measured_judged_by_its_threshold_and_names_its_leads() {
    let r = report_of(&sal_idle_only(), FIVE_SALS);
    let b = &r.black_holes;
    // Every MQL stay ended with sales accepting: 5/5 > 90%.
    assert_eq!(
        (
            b.mql_acceptance.observed.part,
            b.mql_acceptance.observed.whole
        ),
        (5, 5)
    );
    assert!(b.mql_acceptance.symptom);
    assert_eq!(b.mql_acceptance.leads, ids(&["S1", "S2", "S3", "S4", "S5"]));
    // One SAL of five became an SQL: 20% < 50%; the other four are named.
    assert_eq!(b.sal_to_sql.observed.rate, Some(0.2));
    assert!(b.sal_to_sql.symptom);
    assert_eq!(b.sal_to_sql.leads, ids(&["S2", "S3", "S4", "S5"]));
    // Two of five disqualified: 40%, not "none"; S4 left without a verdict.
    assert!(!b.sal_disqualification.symptom);
    assert_eq!(b.sal_disqualification.leads, ids(&["S4"]));
    // S4 idled past its SLA: 1 of 5 SAL stays, 20% > 10%.
    assert_eq!(b.sal_past_sla.observed.rate, Some(0.2));
    assert!(b.sal_past_sla.symptom);
    assert_eq!(b.sal_past_sla.leads, ids(&["S4"]));
}

#[test]
fn black_hole_thresholds_are_the_users_to_set() {
    let (journal, _) = journal_of(&sal_idle_only(), FIVE_SALS);
    let mut lenient = Thresholds::default();
    lenient.max_mql_acceptance = 1.0;
    lenient.min_sal_to_sql = 0.2;
    lenient.max_sal_past_sla = 0.25;
    let r = journal.report(&sal_idle_only(), &lenient).unwrap();
    let b = &r.black_holes;
    assert!(!b.mql_acceptance.symptom && !b.sal_to_sql.symptom && !b.sal_past_sla.symptom);
    assert_eq!(b.thresholds, lenient);
    let mut strict = Thresholds::default();
    strict.min_sal_disqualification = 0.5;
    assert!(
        journal
            .report(&sal_idle_only(), &strict)
            .unwrap()
            .black_holes
            .sal_disqualification
            .symptom
    );
}

#[test]
fn a_threshold_that_is_not_a_share_is_refused_with_its_name() {
    let (journal, _) = journal_of(&sal_idle_only(), FIVE_SALS);
    let mut bad = Thresholds::default();
    bad.min_sal_to_sql = 1.5;
    let e = journal.report(&sal_idle_only(), &bad).unwrap_err();
    assert_eq!(
        e.to_string(),
        "threshold min_sal_to_sql is 1.5; expected a share from 0 to 1"
    );
}

#[test]
fn leads_past_their_sla_now_are_those_whose_current_stay_missed_one() {
    let only_respond = policy(&QUIET.replace(
        "[sla.mql]\nrespond_days = false",
        "[sla.mql]\nrespond_days = 2",
    ));
    let r = report_of(
        &only_respond,
        &[
            r#"{"type":"created","lead":"M1","at":"2026-01-01T00:00:00Z","source":"web"}"#,
            r#"{"type":"touch","lead":"M1","at":"2026-01-01T01:00:00Z","kind":"demo_request"}"#,
            r#"{"type":"created","lead":"M2","at":"2026-01-01T00:00:00Z","source":"web"}"#,
            r#"{"type":"touch","lead":"M2","at":"2026-01-01T01:00:00Z","kind":"demo_request"}"#,
            // M2 is answered in time; M1 misses its 2 days (Jan 3, 01:00).
            r#"{"type":"sales_attempt","lead":"M2","at":"2026-01-02T00:00:00Z","rep":"R1"}"#,
            r#"{"type":"tick","at":"2026-01-04T00:00:00Z"}"#,
        ],
    );
    assert_eq!(r.stages[&Stage::Mql].past_sla_now, ids(&["M1"]));
    assert_eq!(r.stages[&Stage::Mql].now, 2);
}

#[test]
fn content_runway_lists_the_leads_exhausted_in_their_program() {
    let r = report_of(
        &policy(QUIET),
        &[
            // E1 has consumed all four timing_drip steps before it is recycled there.
            r#"{"type":"created","lead":"E1","at":"2026-01-01T00:00:00Z","source":"web"}"#,
            r#"{"type":"touch","lead":"E1","at":"2026-01-01T01:00:00Z","kind":"email_open","content":"timing-tips"}"#,
            r#"{"type":"touch","lead":"E1","at":"2026-01-01T02:00:00Z","kind":"email_open","content":"case-study"}"#,
            r#"{"type":"touch","lead":"E1","at":"2026-01-01T03:00:00Z","kind":"email_open","content":"roi-calculator"}"#,
            r#"{"type":"touch","lead":"E1","at":"2026-01-01T04:00:00Z","kind":"email_open","content":"check-in"}"#,
            r#"{"type":"sales_accepted","lead":"E1","at":"2026-01-02T00:00:00Z","rep":"R1"}"#,
            r#"{"type":"disqualified","lead":"E1","at":"2026-01-03T00:00:00Z","rep":"R1","reason":"bad_timing"}"#,
            // E2 enters timing_drip fresh.
            r#"{"type":"created","lead":"E2","at":"2026-01-01T00:00:00Z","source":"web"}"#,
            r#"{"type":"sales_accepted","lead":"E2","at":"2026-01-02T00:00:00Z","rep":"R1"}"#,
            r#"{"type":"disqualified","lead":"E2","at":"2026-01-03T00:00:00Z","rep":"R1","reason":"bad_timing"}"#,
        ],
    );
    let drip = &r.content_runway["timing_drip"];
    assert_eq!(drip.steps, Some(4));
    assert_eq!(drip.enrolled_now, 2);
    assert_eq!(drip.exhausted_now, ids(&["E1"]));
    assert_eq!(r.content_runway["budget_cycle"].enrolled_now, 0);
}

#[test]
fn persistence_counts_touches_before_qualification_and_before_the_win_by_seniority() {
    let r = report_of(
        &policy(QUIET),
        &[
            r#"{"type":"created","lead":"P1","at":"2026-01-01T00:00:00Z","source":"web","profile":{"seniority":"vp"}}"#,
            r#"{"type":"touch","lead":"P1","at":"2026-01-01T01:00:00Z","kind":"email_click"}"#,
            r#"{"type":"touch","lead":"P1","at":"2026-01-01T02:00:00Z","kind":"email_click"}"#,
            r#"{"type":"touch","lead":"P1","at":"2026-01-01T03:00:00Z","kind":"email_click"}"#,
            r#"{"type":"touch","lead":"P1","at":"2026-01-01T04:00:00Z","kind":"demo_request"}"#,
            r#"{"type":"sales_accepted","lead":"P1","at":"2026-01-02T00:00:00Z","rep":"R1"}"#,
            r#"{"type":"opportunity_opened","lead":"P1","at":"2026-01-03T00:00:00Z","opportunity":"O1"}"#,
            r#"{"type":"touch","lead":"P1","at":"2026-01-04T00:00:00Z","kind":"email_open"}"#,
            r#"{"type":"opportunity_won","lead":"P1","at":"2026-01-05T00:00:00Z","opportunity":"O1"}"#,
            r#"{"type":"created","lead":"P2","at":"2026-01-01T00:00:00Z","source":"web","profile":{"seniority":"manager"}}"#,
            r#"{"type":"touch","lead":"P2","at":"2026-01-01T01:00:00Z","kind":"demo_request"}"#,
            // P3 never qualifies: not counted.
            r#"{"type":"created","lead":"P3","at":"2026-01-01T00:00:00Z","source":"web"}"#,
        ],
    );
    let vp = &r.persistence["vp"];
    assert_eq!(
        (vp.touches_to_qualify.count, vp.touches_to_qualify.median),
        (1, Some(4))
    );
    assert_eq!(
        (vp.touches_to_win.count, vp.touches_to_win.median),
        (1, Some(5))
    );
    let manager = &r.persistence["manager"];
    assert_eq!(manager.touches_to_qualify.median, Some(1));
    assert_eq!(manager.touches_to_win.count, 0);
    assert!(!r.persistence.contains_key("(unknown)"));
}

/// One deal: created (webinar-q1 / events), ebook / content, the demo request that
/// made the MQL (ads-brand / paid), ebook / content again (the last before the
/// opportunity), then the win.
const ONE_DEAL: &[&str] = &[
    r#"{"type":"created","lead":"A1","at":"2026-01-01T00:00:00Z","source":"webinar","campaign":"webinar-q1","channel":"events"}"#,
    r#"{"type":"touch","lead":"A1","at":"2026-01-02T00:00:00Z","kind":"email_click","campaign":"ebook","channel":"content"}"#,
    r#"{"type":"touch","lead":"A1","at":"2026-01-03T00:00:00Z","kind":"demo_request","campaign":"ads-brand","channel":"paid"}"#,
    r#"{"type":"sales_accepted","lead":"A1","at":"2026-01-04T00:00:00Z","rep":"R1"}"#,
    r#"{"type":"touch","lead":"A1","at":"2026-01-05T00:00:00Z","kind":"email_click","campaign":"ebook","channel":"content"}"#,
    r#"{"type":"opportunity_opened","lead":"A1","at":"2026-01-06T00:00:00Z","opportunity":"O1"}"#,
    r#"{"type":"opportunity_won","lead":"A1","at":"2026-01-07T00:00:00Z","opportunity":"O1"}"#,
];

#[test]
fn attribution_credits_first_last_linear_and_w_shaped_per_campaign_and_channel() {
    let r = report_of(&policy(QUIET), ONE_DEAL);
    let a = &r.attribution;
    assert_eq!((a.opportunities, a.wins), (1, 1));
    let deals = |c: Credit| c.deals();
    let row = |table: &BTreeMap<String, leadcycle::analytics::Credits>, name: &str| {
        let o = &table[name].opportunities;
        (
            deals(o.first_touch),
            deals(o.last_touch),
            deals(o.linear),
            deals(o.w_shaped),
        )
    };
    // 4 touchpoints: linear 0.25 each; W: first, MQL and opportunity touches 0.3,
    // the one other touch 0.1.
    assert_eq!(row(&a.campaigns, "webinar-q1"), (1.0, 0.0, 0.25, 0.3));
    assert_eq!(row(&a.campaigns, "ebook"), (0.0, 1.0, 0.5, 0.4));
    assert_eq!(row(&a.campaigns, "ads-brand"), (0.0, 0.0, 0.25, 0.3));
    assert_eq!(row(&a.channels, "events"), (1.0, 0.0, 0.25, 0.3));
    assert_eq!(row(&a.channels, "content"), (0.0, 1.0, 0.5, 0.4));
    // The win has the same touches before it.
    assert_eq!(
        a.campaigns["ebook"].wins,
        a.campaigns["ebook"].opportunities
    );
    assert_eq!(
        a.channel_mixes,
        BTreeMap::from([("content + events + paid".to_owned(), 1)])
    );
}

#[test]
fn recycling_and_merges_never_overwrite_the_original_source() {
    let r = report_of(
        &policy(QUIET),
        &[
            // R1 is recycled and comes back through a retargeting campaign.
            r#"{"type":"created","lead":"R1","at":"2026-01-01T00:00:00Z","source":"web","campaign":"origin","channel":"organic"}"#,
            r#"{"type":"sales_accepted","lead":"R1","at":"2026-01-02T00:00:00Z","rep":"X"}"#,
            r#"{"type":"disqualified","lead":"R1","at":"2026-01-03T00:00:00Z","rep":"X","reason":"bad_timing"}"#,
            r#"{"type":"touch","lead":"R1","at":"2026-01-20T00:00:00Z","kind":"demo_request","campaign":"retarget","channel":"paid"}"#,
            r#"{"type":"sales_accepted","lead":"R1","at":"2026-01-21T00:00:00Z","rep":"X"}"#,
            r#"{"type":"opportunity_opened","lead":"R1","at":"2026-01-22T00:00:00Z","opportunity":"O1"}"#,
            // D2, created first, is a duplicate of S2 and merged into it.
            r#"{"type":"created","lead":"D2","at":"2026-01-01T00:00:00Z","source":"partner","campaign":"older","channel":"partner"}"#,
            r#"{"type":"created","lead":"S2","at":"2026-01-10T00:00:00Z","source":"web","campaign":"newer","channel":"organic"}"#,
            r#"{"type":"merged","lead":"D2","at":"2026-01-11T00:00:00Z","into":"S2"}"#,
            r#"{"type":"sales_accepted","lead":"S2","at":"2026-01-12T00:00:00Z","rep":"X"}"#,
            r#"{"type":"opportunity_opened","lead":"S2","at":"2026-01-13T00:00:00Z","opportunity":"O2"}"#,
        ],
    );
    let first = |campaign: &str| {
        r.attribution
            .campaigns
            .get(campaign)
            .map_or(0.0, |c| c.opportunities.first_touch.deals())
    };
    assert_eq!(first("origin"), 1.0, "recycling keeps R1's origin");
    assert_eq!(first("retarget"), 0.0);
    assert_eq!(first("older"), 1.0, "the merge keeps the earliest creation");
    assert_eq!(first("newer"), 0.0);
    assert_eq!(r.attribution.opportunities, 2);
}

#[test]
fn the_same_journal_gives_the_same_report_bytes_whatever_the_interleaving() {
    let policy = sal_idle_only();
    let (step_by_step, effects) = journal_of(&policy, FIVE_SALS);
    // Events first, then effects: the same journal.
    let mut batched = Journal::new();
    for line in FIVE_SALS {
        batched.record_event(&serde_json::from_str(line).unwrap());
    }
    for effect in &effects {
        batched.record_effect(effect).unwrap();
    }
    let bytes = |j: &Journal| {
        serde_json::to_string(&j.report(&policy, &Thresholds::default()).unwrap()).unwrap()
    };
    assert_eq!(bytes(&step_by_step), bytes(&step_by_step));
    assert_eq!(bytes(&step_by_step), bytes(&batched));
    let again = journal_of(&policy, FIVE_SALS).0;
    assert_eq!(bytes(&step_by_step), bytes(&again));
}

#[test]
fn a_journal_checkpointed_as_json_goes_on_recording_to_the_same_report() {
    let policy = policy(QUIET);
    let (whole, effects) = journal_of(&policy, TWO_PASSES);
    // The journal of the first four events, through JSON, then the rest recorded.
    let (first, first_effects) = journal_of(&policy, &TWO_PASSES[..4]);
    let mut resumed: Journal =
        serde_json::from_str(&serde_json::to_string(&first).unwrap()).unwrap();
    for line in &TWO_PASSES[4..] {
        resumed.record_event(&serde_json::from_str(line).unwrap());
    }
    for effect in &effects[first_effects.len()..] {
        resumed.record_effect(effect).unwrap();
    }
    let report = |j: &Journal| j.report(&policy, &Thresholds::default()).unwrap();
    assert_eq!(report(&resumed), report(&whole));
}

#[test]
fn the_report_reads_back_from_its_json() {
    let r = report_of(&policy(QUIET), ONE_DEAL);
    let back: Report = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
    assert_eq!(back, r);
    let json: serde_json::Value = serde_json::to_value(&r).unwrap();
    assert_eq!(json["stages"]["customer"]["now"], 1);
    assert_eq!(json["stages"]["opportunity"]["entered"], 1);
    for key in ["recycled", "requalified", "won_after_recycle"] {
        assert!(json["recycling"][key].is_u64(), "recycling.{key}");
    }
}

fn effect(json: &str) -> Effect {
    serde_json::from_str(json).unwrap()
}

#[test]
fn an_effect_that_contradicts_the_journal_is_refused_with_a_typed_error_and_changes_nothing() {
    let policy = policy(QUIET);
    let (mut journal, _) = journal_of(&policy, &TWO_PASSES[..2]); // L1 is an mql
    let before = journal.report(&policy, &Thresholds::default()).unwrap();
    let refused = [
        (
            r#"{"type":"transition","from":"sal","to":"sql","cause":"sales_qualified","lead":"L1","at":"2026-01-03T00:00:00Z"}"#,
            "StageMismatch",
        ),
        (
            r#"{"type":"transition","from":null,"to":"inquiry","cause":"created","lead":"L1","at":"2026-01-03T00:00:00Z"}"#,
            "StageMismatch",
        ),
        (
            r#"{"type":"nurture_assigned","program":"p","step":0,"reason":"x","lead":"L9","at":"2026-01-03T00:00:00Z"}"#,
            "UnknownLead",
        ),
        (
            r#"{"type":"transition","from":"mql","to":"sal","cause":"sales_accepted","lead":"L1","at":"2025-12-31T00:00:00Z"}"#,
            "OutOfOrder",
        ),
        (
            r#"{"type":"transition","from":"mql","to":"sal","cause":"sales_accepted","lead":null,"at":"2026-01-03T00:00:00Z"}"#,
            "Unattributed",
        ),
    ];
    for (json, kind) in refused {
        let e = journal.record_effect(&effect(json)).unwrap_err();
        let matched = match &e {
            JournalError::StageMismatch { .. } => "StageMismatch",
            JournalError::UnknownLead { .. } => "UnknownLead",
            JournalError::OutOfOrder { .. } => "OutOfOrder",
            JournalError::Unattributed { .. } => "Unattributed",
            _ => "other",
        };
        assert_eq!(matched, kind, "{json}: {e}");
        assert!(
            e.to_string().contains("expected"),
            "says what was expected: {e}"
        );
        assert_eq!(
            journal.report(&policy, &Thresholds::default()).unwrap(),
            before,
            "{json} changed the journal"
        );
    }
    let e = journal.record_effect(&effect(refused[0].0)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "lead L1 at 2026-01-03 00:00:00 UTC: a transition from sal but the journal has the lead in mql; expected the effects of one replay, in order"
    );
}

#[test]
fn a_refused_event_does_not_count_as_a_touch() {
    let r = report_of(
        &policy(QUIET),
        &[
            r#"{"type":"created","lead":"T1","at":"2026-01-01T00:00:00Z","source":"web","profile":{"seniority":"vp"}}"#,
            r#"{"type":"touch","lead":"T1","at":"2026-01-01T01:00:00Z","kind":"email_click","id":"t"}"#,
            // Redelivered: refused as duplicate_event.
            r#"{"type":"touch","lead":"T1","at":"2026-01-01T02:00:00Z","kind":"email_click","id":"t"}"#,
            r#"{"type":"touch","lead":"T1","at":"2026-01-01T03:00:00Z","kind":"demo_request"}"#,
        ],
    );
    assert_eq!(r.rejected, 1);
    assert_eq!(r.persistence["vp"].touches_to_qualify.median, Some(2));
}

#[test]
fn the_markdown_has_a_table_per_metric() {
    let md = report_of(&sal_idle_only(), FIVE_SALS).to_markdown();
    for heading in [
        "## Stages",
        "## Conversion per pass",
        "## How SALs leave",
        "## Recycle reasons",
        "## Recycling yield",
        "## Program effectiveness",
        "## Content runway",
        "## Persistence (touches)",
        "## Black-hole symptoms",
        "## Attribution",
    ] {
        assert!(md.contains(heading), "{heading} missing from\n{md}");
    }
    assert!(
        md.contains(
            "| SAL -> SQL conversion | 20.0% (1/5) | below 50% | SYMPTOM | S2, S3, S4, S5 |"
        ),
        "{md}"
    );
}

#[test]
fn the_waterfall_svg_parses_as_xml_and_names_every_stage_and_pass() {
    let r = report_of(&policy(QUIET), TWO_PASSES);
    let svg = r.to_svg().unwrap();
    let doc = roxmltree::Document::parse(&svg).expect("the SVG is well-formed XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let texts: Vec<&str> = doc
        .descendants()
        .filter_map(|n| n.text())
        .map(str::trim)
        .collect();
    for stage in [
        "inquiry",
        "mql",
        "sal",
        "sql",
        "opportunity",
        "customer",
        "recycled",
    ] {
        assert!(texts.contains(&stage), "{stage} is not labelled: {texts:?}");
    }
    assert!(texts.contains(&"pass 2"), "{texts:?}");
    // Pass 2's mql -> sal conversion (1 of 1), and the recycle flow.
    assert!(texts.contains(&"100% →"), "{texts:?}");
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("recycled 1 leads -> 1 re-qualified")),
        "{texts:?}"
    );
}

/// The journal of a replay of `events`, and the effects.
fn replay(engine: &Engine, events: &[Event]) -> (Journal, Vec<Effect>) {
    let mut book = LeadBook::new();
    let mut journal = Journal::new();
    let mut effects = Vec::new();
    for event in events {
        journal.record_event(event);
        for effect in book.apply(engine, event) {
            journal.record_effect(&effect).unwrap();
            effects.push(effect);
        }
    }
    (journal, effects)
}

fn default_engine() -> Engine {
    Engine::new(Policy::default()).unwrap()
}

proptest! {
    #![proptest_config(testing::proptest_config(48))]

    /// Entries into each stage are the transitions into it in the effect stream, the
    /// passes add up to them, the leads now add up to the leads held, and no
    /// conversion is above one.
    #[test]
    fn entries_and_conversions_agree_with_the_transitions_in_the_effect_stream(
        s in testing::streams(&default_engine(), StreamOptions::default())
    ) {
        let engine = default_engine();
        let (journal, effects) = replay(&engine, s.events());
        let r = journal.report(engine.policy(), &Thresholds::default()).unwrap();
        let mut transitions: BTreeMap<Stage, u64> = BTreeMap::new();
        let mut created = 0;
        for e in &effects {
            let json = serde_json::to_value(e).unwrap();
            if json["type"] == "transition" {
                let to: Stage = serde_json::from_value(json["to"].clone()).unwrap();
                *transitions.entry(to).or_insert(0) += 1;
                created += u64::from(json["from"].is_null());
            }
        }
        for stage in Stage::ALL {
            let entered = transitions.get(&stage).copied().unwrap_or(0);
            prop_assert_eq!(r.stages[&stage].entered, entered, "{}", stage);
            prop_assert_eq!(r.entered_over_passes(stage), entered, "{}", stage);
        }
        prop_assert_eq!(r.stages.values().map(|f| f.now).sum::<u64>(), r.leads);
        prop_assert_eq!(r.leads, created);
        for pass in &r.passes {
            for c in &pass.conversions {
                prop_assert!(c.rate.part <= c.rate.whole, "pass {} {:?}", pass.pass, c);
            }
        }
    }

    /// The report of a stream is the merge of the reports of its leads split in two.
    #[test]
    fn reports_of_a_stream_split_by_lead_merge_into_the_report_of_the_whole(
        s in testing::streams(&default_engine(), StreamOptions::default().without_merges())
    ) {
        let engine = default_engine();
        let (whole, effects) = replay(&engine, s.events());
        let policy = engine.policy();
        let thresholds = Thresholds::default();
        // Leads alternate between the halves; ticks and lead-less refusals go to both
        // and the first half respectively.
        let mut leads: Vec<&LeadId> = s.events().iter().filter_map(|e| e.lead()).collect();
        leads.sort();
        leads.dedup();
        let first_half = |lead: Option<&LeadId>| match lead {
            Some(l) => leads.binary_search(&l).unwrap() % 2 == 0,
            None => true,
        };
        let (mut a, mut b) = (Journal::new(), Journal::new());
        for event in s.events() {
            match event.lead() {
                None => {
                    a.record_event(event);
                    b.record_event(event);
                }
                Some(l) if first_half(Some(l)) => a.record_event(event),
                Some(_) => b.record_event(event),
            }
        }
        for effect in &effects {
            if first_half(effect.lead.as_ref()) { a.record_effect(effect).unwrap() } else { b.record_effect(effect).unwrap() }
        }
        let mut merged = a.report(policy, &thresholds).unwrap();
        merged.merge(&b.report(policy, &thresholds).unwrap());
        prop_assert_eq!(merged, whole.report(policy, &thresholds).unwrap());
    }
}

#[test]
fn aliased_company_names_count_as_one_account_in_the_report() {
    // "American Express Co." and "AMEX" are one account by the policy's table,
    // "Amex Travel" joins by a run-time alias event, and the three touching contacts
    // cross the roll-up's threshold once.
    let p = policy(&format!(
        "{QUIET}
[accounts]
window_days = 90
min_contacts = 3
kinds = [\"pricing_page_view\"]
[accounts.aliases]
amex = [\"American Express Co.\"]
"
    ));
    let (journal, effects) = journal_of(
        &p,
        &[
            r#"{"type":"created","lead":"L1","at":"2026-01-05T10:00:00Z","source":"web","account":"American Express Co."}"#,
            r#"{"type":"created","lead":"L2","at":"2026-01-05T10:00:00Z","source":"web","account":"AMEX"}"#,
            r#"{"type":"account_alias","at":"2026-01-05T11:00:00Z","account":"amex","alias":"Amex Travel"}"#,
            r#"{"type":"created","lead":"L3","at":"2026-01-05T12:00:00Z","source":"web","account":"Amex Travel"}"#,
            r#"{"type":"created","lead":"L4","at":"2026-01-05T12:00:00Z","source":"web","account":"Initech"}"#,
            r#"{"type":"created","lead":"L5","at":"2026-01-05T12:00:00Z","source":"web"}"#,
            r#"{"type":"touch","lead":"L1","at":"2026-01-06T10:00:00Z","kind":"pricing_page_view"}"#,
            r#"{"type":"touch","lead":"L2","at":"2026-01-06T10:00:00Z","kind":"pricing_page_view"}"#,
            r#"{"type":"touch","lead":"L3","at":"2026-01-06T10:00:00Z","kind":"pricing_page_view"}"#,
        ],
    );
    assert_eq!(
        effects
            .iter()
            .filter(|e| e.kind.effect_type().as_str() == "account_engaged")
            .count(),
        1
    );
    let report = journal.report(&p, &Thresholds::default()).unwrap();
    let names: Vec<&str> = report.accounts.keys().map(String::as_str).collect();
    assert_eq!(names, ["amex", "initech"], "L5 names no account");
    let amex = &report.accounts["amex"];
    assert_eq!((amex.leads, amex.engaged), (3, 1));
    assert_eq!(report.accounts["initech"].leads, 1);
    // Reports of journals of other leads merge account by account.
    let mut doubled = report.clone();
    doubled.merge(&report);
    assert_eq!(doubled.accounts["amex"].leads, 6);
    assert!(report.to_markdown().contains("| amex | 3 | 0 | 0 | 1 |"));
}
