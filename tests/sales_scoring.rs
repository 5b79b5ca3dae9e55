//! Scoring that learns from sales activity (issue 9, item 1): points per sales attempt
//! by channel and outcome (decaying, grouped and capped like touches), milestone points
//! once per stage reached, and points per sales outcome event — and every new policy
//! problem each refused with its own error.

use chrono::{DateTime, TimeDelta, Utc};
use leadcycle::scoring::{LedgerCause, SalesAttempt};
use leadcycle::{Engine, Event, EventType, Lead, Policy, PolicyError, PolicyProblem, Stage};

fn t0() -> DateTime<Utc> {
    "2026-03-02T09:00:00Z".parse().unwrap()
}

fn days(d: i64) -> DateTime<Utc> {
    t0() + TimeDelta::days(d)
}

/// The default policy with `extra` TOML appended (a high threshold so nothing
/// qualifies by score unless a test wants it to).
fn engine(extra: &str) -> Engine {
    let text = format!("[scoring]\nmql_threshold = 10000\nrequalify_threshold = 10000\n{extra}");
    Engine::new(Policy::from_toml_str(&text).expect("test policy parses")).expect("valid")
}

fn lead(engine: &Engine) -> Lead {
    engine
        .create(&Event::created("L1", t0(), "web"))
        .expect("created")
        .0
}

fn attempt(at: DateTime<Utc>, channel: &str, outcome: &str) -> Event {
    Event::sales_attempt("L1", at, "R1")
        .with_channel(channel)
        .with_outcome(outcome)
}

const SALES: &str = r#"
[[scoring.sales]]
points = 2
[[scoring.sales]]
channel = "call"
points = 3
[[scoring.sales]]
outcome = "connected"
points = 5
[[scoring.sales]]
channel = "call"
outcome = "meeting_set"
points = 20
"#;

#[test]
fn every_matching_sales_rule_adds_its_points_to_engagement() {
    let e = engine(SALES);
    let mut l = lead(&e);
    e.step(&mut l, &attempt(t0(), "call", "connected")).unwrap();
    // any (2) + call (3) + connected (5)
    assert_eq!(l.score().engagement, 10.0);
    e.step(&mut l, &attempt(t0(), "email", "no_answer"))
        .unwrap();
    // any only
    assert_eq!(l.score().engagement, 12.0);
    e.step(&mut l, &attempt(t0(), "call", "meeting_set"))
        .unwrap();
    // any (2) + call (3) + the pair (20)
    assert_eq!(l.score().engagement, 37.0);
    let causes: Vec<_> = l.score().ledger.entries.iter().map(|x| &x.cause).collect();
    assert!(causes.contains(&&LedgerCause::Sales(Box::new(SalesAttempt {
        channel: Some("call".into()),
        outcome: Some("meeting_set".into()),
    }))));
}

#[test]
fn sales_points_decay_with_the_half_life_like_touch_points() {
    let e = engine(&format!("half_life_days = 10\n{SALES}"));
    let mut l = lead(&e);
    e.step(&mut l, &attempt(t0(), "call", "connected")).unwrap();
    let later = l.score().engagement_at(days(10));
    assert!((later - 5.0).abs() < 1e-9, "{later}");
}

#[test]
fn a_group_that_lists_sales_attempt_caps_sales_points_together() {
    let e = engine(&format!(
        "{SALES}\n[scoring.groups.sales]\nkinds = [\"sales_attempt\"]\ncap = 15\n"
    ));
    let mut l = lead(&e);
    for _ in 0..3 {
        e.step(&mut l, &attempt(t0(), "call", "connected")).unwrap();
    }
    assert_eq!(l.score().engagement, 15.0);
    assert!(l
        .score()
        .ledger
        .entries
        .iter()
        .any(|x| matches!(&x.cause, LedgerCause::GroupCap { group } if &**group == "sales")));
}

#[test]
fn sales_points_count_toward_the_engagement_cap() {
    let e = engine(&format!("engagement_cap = 12\n{SALES}"));
    let mut l = lead(&e);
    e.step(&mut l, &attempt(t0(), "call", "meeting_set"))
        .unwrap();
    assert_eq!(l.score().engagement, 12.0);
}

#[test]
fn sales_points_can_qualify_an_inquiry() {
    let text = format!("[scoring]\nmql_threshold = 25\n{}", SALES);
    let e = Engine::new(Policy::from_toml_str(&text).unwrap()).unwrap();
    let mut l = lead(&e);
    e.step(&mut l, &attempt(t0(), "call", "meeting_set"))
        .unwrap();
    assert_eq!(l.stage(), Stage::Mql);
}

const MILESTONES: &str = r#"
[scoring.milestones]
sal = 10
sql = 25
opportunity = 40
recycled = -5
"#;

#[test]
fn a_milestone_scores_once_when_the_stage_is_first_reached_and_never_decays() {
    let e = engine(&format!("half_life_days = 1\n{MILESTONES}"));
    let mut l = lead(&e);
    e.step(&mut l, &Event::sales_accepted("L1", days(1), "R1"))
        .unwrap();
    assert_eq!(l.score_at(days(1)), 10.0);
    e.step(&mut l, &Event::recycled("L1", days(2), "R1", "bad_timing"))
        .unwrap();
    assert_eq!(l.score_at(days(2)), 5.0);
    // Back to sal: reached before, no second milestone; no decay 100 days on.
    e.step(&mut l, &Event::sales_accepted("L1", days(3), "R1"))
        .unwrap();
    assert_eq!(l.score_at(days(103)), 5.0);
}

#[test]
fn reaching_a_later_stage_reaches_every_earlier_one_of_the_waterfall() {
    let e = engine(MILESTONES);
    let mut l = lead(&e);
    e.step(&mut l, &Event::sales_accepted("L1", days(1), "R1"))
        .unwrap();
    // sal -> opportunity directly: sql is reached on the way.
    e.step(&mut l, &Event::opportunity_opened("L1", days(2), "O1"))
        .unwrap();
    assert_eq!(l.score_at(days(2)), 10.0 + 25.0 + 40.0);
    let reached: Vec<Stage> = l.score().reached.iter().collect();
    assert_eq!(
        reached,
        [Stage::Mql, Stage::Sal, Stage::Sql, Stage::Opportunity]
    );
    assert!(l
        .score()
        .ledger
        .entries
        .iter()
        .any(|x| x.cause == LedgerCause::Milestone { stage: Stage::Sql }));
}

#[test]
fn each_sales_outcome_event_adds_its_points_every_time() {
    let e = engine("[scoring.outcomes]\nopportunity_lost = -30\nsales_accepted = 4\n");
    let mut l = lead(&e);
    for (day, opp) in [(1, "O1"), (5, "O2")] {
        e.step(&mut l, &Event::sales_accepted("L1", days(day), "R1"))
            .unwrap();
        e.step(&mut l, &Event::opportunity_opened("L1", days(day + 1), opp))
            .unwrap();
        e.step(
            &mut l,
            &Event::opportunity_lost("L1", days(day + 2), opp, "no_budget"),
        )
        .unwrap();
    }
    assert_eq!(l.score_at(days(30)), 2.0 * (4.0 - 30.0));
    assert!(l.score().ledger.entries.iter().any(|x| x.cause
        == LedgerCause::Outcome {
            event: EventType::OpportunityLost
        }));
}

#[test]
fn ledger_still_sums_to_the_score_with_sales_milestones_and_outcomes() {
    let e = engine(&format!(
        "{SALES}\n{MILESTONES}\n[scoring.outcomes]\nsales_accepted = 4\n"
    ));
    let mut l = lead(&e);
    e.step(&mut l, &attempt(days(1), "call", "connected"))
        .unwrap();
    e.step(&mut l, &Event::sales_accepted("L1", days(2), "R1"))
        .unwrap();
    e.step(&mut l, &attempt(days(9), "call", "meeting_set"))
        .unwrap();
    let s = l.score();
    assert!((s.ledger.total() - l.score_at(s.at)).abs() < 1e-9);
}

fn problems(extra: &str) -> Vec<PolicyProblem> {
    let policy: Policy = toml::from_str(extra).expect("parses");
    match Engine::new(policy) {
        Err(PolicyError::Invalid { problems }) => problems,
        other => panic!("expected invalid policy, got {other:?}"),
    }
}

#[test]
fn two_sales_rules_for_one_pair_are_refused() {
    let p = problems(
        "[[scoring.sales]]\nchannel = \"call\"\npoints = 1\n[[scoring.sales]]\nchannel = \"call\"\npoints = 2\n",
    );
    assert!(
        matches!(
            p.as_slice(),
            [PolicyProblem::DuplicateSalesRule {
                first: 0,
                second: 1
            }]
        ),
        "{p:?}"
    );
    assert!(p[0].to_string().contains("expected one rule per pair"));
}

#[test]
fn an_empty_sales_channel_or_outcome_is_refused() {
    let p = problems("[[scoring.sales]]\noutcome = \" \"\npoints = 1\n");
    assert!(
        matches!(&p[..], [PolicyProblem::EmptyName { key }] if key == "scoring.sales[0].outcome"),
        "{p:?}"
    );
}

#[test]
fn an_inquiry_milestone_is_refused() {
    let p = problems("[scoring.milestones]\ninquiry = 5\n");
    assert!(matches!(&p[..], [PolicyProblem::InquiryMilestone]), "{p:?}");
}

#[test]
fn outcome_points_for_an_event_that_is_not_a_sales_outcome_are_refused() {
    let p = problems("[scoring.outcomes]\ntouch = 5\n");
    assert!(
        matches!(
            &p[..],
            [PolicyProblem::NotAnOutcome {
                event: EventType::Touch
            }]
        ),
        "{p:?}"
    );
}

#[test]
fn non_finite_sales_milestone_and_outcome_points_are_refused_with_their_keys() {
    let p = problems(
        "[[scoring.sales]]\npoints = nan\n[scoring.milestones]\nsal = inf\n[scoring.outcomes]\nrecycled = -inf\n",
    );
    let text: Vec<String> = p.iter().map(ToString::to_string).collect();
    for key in [
        "scoring.sales[0].points",
        "scoring.milestones.sal",
        "scoring.outcomes.recycled",
    ] {
        assert!(text.iter().any(|t| t.contains(key)), "{key} in {text:?}");
    }
}

#[test]
fn a_policy_without_sales_scoring_writes_no_sales_milestone_or_outcome_table() {
    // The new tables are left out of the serde form when empty, so existing policies
    // (and the snapshots that record their fingerprints) are unchanged.
    let text = Policy::default().to_toml_string();
    for key in ["sales", "milestones", "outcomes"] {
        assert!(!text.contains(&format!("scoring.{key}")), "{text}");
    }
}

/// A stored lead keeps the stages it reached (`score.reached`, docs/scoring.md), so a
/// lead written out and read back (a snapshot, a host's own store) does not earn a
/// milestone a second time: it scores exactly as the lead that was never stored.
#[test]
fn a_lead_read_back_from_its_serde_form_does_not_earn_a_milestone_twice() {
    let e = engine(MILESTONES);
    let mut kept = lead(&e);
    e.step(&mut kept, &Event::sales_accepted("L1", days(1), "R1"))
        .unwrap();
    e.step(
        &mut kept,
        &Event::recycled("L1", days(2), "R1", "bad_timing"),
    )
    .unwrap();
    let json = serde_json::to_string(&kept).unwrap();
    let mut stored: Lead = serde_json::from_str(&json).unwrap();
    // Back to sal, reached before: no second milestone, stored or not.
    for l in [&mut kept, &mut stored] {
        e.step(l, &Event::sales_accepted("L1", days(3), "R1"))
            .unwrap();
    }
    assert_eq!(kept.score_at(days(3)), 5.0);
    assert_eq!(stored.score_at(days(3)), 5.0, "{json}");
}

#[test]
fn funnel_points_count_with_fit_and_engagement_toward_requalifying_a_recycled_lead() {
    // docs/scoring.md: score = fit + funnel + engagement, and funnel points stay when a
    // lead is recycled. Fit 20 (a VP) and the `sal` milestone's 20 leave the recycled
    // lead 10 short of `requalify_threshold`; it is re-armed (40 is more than the
    // hysteresis of 5 below 50), and a touch of 10 requalifies it exactly at 50.
    let text = r#"
[scoring]
mql_threshold = 1000
requalify_threshold = 50
hysteresis = 5
[scoring.milestones]
sal = 20
"#;
    let e = Engine::new(Policy::from_toml_str(text).expect("test policy parses")).expect("valid");
    let vp = [("seniority".to_owned(), "vp".into())]
        .into_iter()
        .collect();
    let mut l = e
        .create(&Event::created("L1", t0(), "web").with_profile(vp))
        .expect("created")
        .0;
    assert_eq!(l.fit_points(), 20.0);
    e.step(&mut l, &Event::sales_accepted("L1", days(1), "R1"))
        .unwrap();
    e.step(&mut l, &Event::recycled("L1", days(2), "R1", "bad_timing"))
        .unwrap();
    assert_eq!(l.stage(), Stage::Recycled);
    assert_eq!(l.score().funnel, 20.0);
    assert_eq!(l.score_at(days(2)), 40.0);
    e.step(&mut l, &Event::touch("L1", days(3), "pricing_page_view"))
        .unwrap();
    assert_eq!(l.score_at(days(3)), 50.0);
    assert_eq!(l.stage(), Stage::Mql, "fit 20 + funnel 20 + engagement 10");
}
