use super::Policy;
use crate::accounts::AccountNames;
use crate::error::{PolicyError, PolicyProblem};
use crate::stage::Stage;
use std::collections::BTreeMap;

impl Policy {
    /// Checks the policy as [`Engine::new`](crate::Engine::new) does: every program
    /// named exists (a branch's too, and it is another program than its own, for a
    /// content that is not empty), every duration and threshold is in range, grades and
    /// bands are in order, paired service levels are set together.
    ///
    /// Every problem is reported at once, each naming its key, in
    /// [`PolicyError::Invalid`], so a policy is fixed in one round. The `[rules]` hooks
    /// are compiled by [`Engine::new`](crate::Engine::new), which reports a hook that
    /// does not compile among these problems.
    pub fn validate(&self) -> Result<(), PolicyError> {
        let mut problems = Problems::default();
        self.check_scoring(&mut problems);
        self.check_sla(&mut problems);
        if !(self.dedupe_window_days.is_finite()
            && (0.0..=MAX_DAYS).contains(&self.dedupe_window_days))
        {
            problems.push(PolicyProblem::InvalidValue {
                key: "dedupe_window_days".into(),
                value: self.dedupe_window_days,
                expected: "a number of days of 0 or more and at most 36500",
            });
        }
        for (key, value) in self.rules.limits.keyed() {
            problems.invalid(
                value >= 1,
                &format!("rules.limits.{key}"),
                value as f64,
                "a number of 1 or more (rhai reads 0 as no limit at all)",
            );
        }
        self.check_programs(&mut problems);
        self.check_accounts(&mut problems);
        if problems.0.is_empty() {
            Ok(())
        } else {
            Err(PolicyError::Invalid {
                problems: problems.0,
            })
        }
    }

    fn check_scoring(&self, problems: &mut Problems) {
        let s = &self.scoring;
        problems.finite(s.mql_threshold, "scoring.mql_threshold");
        problems.finite(s.requalify_threshold, "scoring.requalify_threshold");
        problems.at_least_zero(s.hysteresis, "scoring.hysteresis");
        problems.positive(s.half_life_days, "scoring.half_life_days");
        problems.positive(s.engagement_cap, "scoring.engagement_cap");
        if !(s.engagement_floor.is_finite() && s.engagement_floor <= 0.0) {
            problems.push(PolicyProblem::InvalidValue {
                key: "scoring.engagement_floor".into(),
                value: s.engagement_floor,
                expected: "a number of 0 or less (engagement decays toward 0)",
            });
        }
        for (kind, points) in &s.engagement {
            problems.finite(*points, &format!("scoring.engagement.{kind}"));
        }
        for (index, rule) in s.fit.iter().enumerate() {
            let count = rule.condition_count();
            if count != 1 {
                problems.push(PolicyProblem::FitRuleConditions {
                    index,
                    attr: rule.attr.clone(),
                    count,
                });
            }
            problems.finite(rule.points, &format!("scoring.fit[{index}].points"));
        }
        let mut pairs = BTreeMap::new();
        for (index, rule) in s.sales.iter().enumerate() {
            problems.finite(rule.points, &format!("scoring.sales[{index}].points"));
            for (field, value) in [("channel", &rule.channel), ("outcome", &rule.outcome)] {
                if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
                    problems.push(PolicyProblem::EmptyName {
                        key: format!("scoring.sales[{index}].{field}"),
                    });
                }
            }
            let pair = (rule.channel.as_deref(), rule.outcome.as_deref());
            if let Some(first) = pairs.insert(pair, index) {
                problems.push(PolicyProblem::DuplicateSalesRule {
                    first,
                    second: index,
                });
            }
        }
        for (stage, points) in &s.milestones {
            problems.finite(*points, &format!("scoring.milestones.{stage}"));
            if *stage == Stage::Inquiry {
                problems.push(PolicyProblem::InquiryMilestone);
            }
        }
        for (event, points) in &s.outcomes {
            problems.finite(*points, &format!("scoring.outcomes.{event}"));
            if !super::OUTCOME_EVENTS.contains(event) {
                problems.push(PolicyProblem::NotAnOutcome { event: *event });
            }
        }
        let g = &s.grades;
        for (v, key) in [
            (g.a, "scoring.grades.A"),
            (g.b, "scoring.grades.B"),
            (g.c, "scoring.grades.C"),
        ] {
            problems.finite(v, key);
        }
        // NaN compares false, so a non-finite grade also fails here; it is reported
        // once above with its key, so only finite tables are checked for order.
        if [g.a, g.b, g.c].iter().all(|v| v.is_finite()) && !(g.a >= g.b && g.b >= g.c) {
            problems.push(PolicyProblem::GradesOutOfOrder {
                a: g.a,
                b: g.b,
                c: g.c,
            });
        }
        let b = &s.bands;
        for (v, key) in [
            (b.one, "scoring.bands.1"),
            (b.two, "scoring.bands.2"),
            (b.three, "scoring.bands.3"),
        ] {
            problems.finite(v, key);
        }
        if [b.one, b.two, b.three].iter().all(|v| v.is_finite())
            && !(b.one >= b.two && b.two >= b.three)
        {
            problems.push(PolicyProblem::BandsOutOfOrder {
                one: b.one,
                two: b.two,
                three: b.three,
            });
        }
        let mut grouped: BTreeMap<&str, &str> = BTreeMap::new();
        for (name, group) in &s.groups {
            problems.positive(group.cap, &format!("scoring.groups.{name}.cap"));
            for kind in &group.kinds {
                if let Some(first) = grouped.insert(kind, name) {
                    problems.push(PolicyProblem::KindInTwoGroups {
                        kind: kind.clone(),
                        first: first.to_owned(),
                        second: name.clone(),
                    });
                }
            }
        }
    }

    fn check_sla(&self, problems: &mut Problems) {
        for (stage, sla) in [
            ("mql", &self.sla.mql),
            ("sal", &self.sla.sal),
            ("sql", &self.sla.sql),
            ("opportunity", &self.sla.opportunity),
        ] {
            for (days, key) in [
                (sla.respond_days, "respond_days"),
                (sla.attempts_days, "attempts_days"),
                (sla.idle_days, "idle_days"),
            ] {
                if let Some(d) = days {
                    let key = format!("sla.{stage}.{key}");
                    problems.invalid(
                        is_duration(d),
                        &key,
                        d,
                        "a number of days greater than 0 and at most 36500, or false (not tracked)",
                    );
                }
            }
            let missing = match (sla.attempts, sla.attempts_days) {
                (Some(_), None) => Some(("attempts", "attempts_days")),
                (None, Some(_)) => Some(("attempts_days", "attempts")),
                _ => None,
            };
            if let Some((key, needs)) = missing {
                problems.push(PolicyProblem::MissingSetting {
                    key: format!("sla.{stage}.{key}"),
                    needs: format!("sla.{stage}.{needs}"),
                });
            }
        }
    }

    fn check_programs(&self, problems: &mut Problems) {
        let r = &self.recycle;
        self.known_program(problems, &r.default_program, "recycle.default_program");
        self.known_program(problems, &r.passive_program, "recycle.passive_program");
        self.known_program(problems, &r.customer_program, "recycle.customer_program");
        for (reason, program) in &r.reasons {
            self.known_program(problems, program, &format!("recycle.reasons.{reason}"));
        }
        for (name, program) in &self.programs {
            problems.duration(
                program.cadence_days,
                &format!("programs.{name}.cadence_days"),
            );
            if let Some(then) = &program.then {
                self.known_program(problems, then, &format!("programs.{name}.then"));
            }
            for (content, target) in &program.branches {
                if content.is_empty() {
                    problems.push(PolicyProblem::EmptyBranchContent {
                        program: name.clone(),
                    });
                }
                let key = format!("programs.{name}.branches.{content}");
                if target == name {
                    // A branch into the program the lead is in would end the enrollment
                    // and restart it at once: a `reassigned` that moves nothing.
                    problems.push(PolicyProblem::BranchToItself {
                        program: name.clone(),
                        content: content.clone(),
                    });
                } else {
                    self.known_program(problems, target, &key);
                }
            }
        }
    }

    fn check_accounts(&self, problems: &mut Problems) {
        if let Some(a) = &self.accounts {
            problems.invalid(
                (1..=MAX_DAYS as u32).contains(&a.window_days),
                "accounts.window_days",
                f64::from(a.window_days),
                "a whole number of days of 1 or more and at most 36500",
            );
            problems.invalid(
                a.min_contacts >= 1,
                "accounts.min_contacts",
                f64::from(a.min_contacts),
                "a number of distinct leads of 1 or more",
            );
            if let Some(points) = a.min_points {
                problems.finite(points, "accounts.min_points");
            }
            if let Err(found) = AccountNames::from_table(&a.aliases) {
                problems.0.extend(
                    found
                        .into_iter()
                        .map(|problem| PolicyProblem::AccountAlias { problem }),
                );
            }
        }
        if let Some(a) = &self.alerts {
            problems.invalid(
                (1..=MAX_DAYS as u32).contains(&a.window_days),
                "alerts.window_days",
                f64::from(a.window_days),
                "a whole number of days of 1 or more and at most 36500",
            );
            problems.positive(a.points, "alerts.points");
        }
    }

    fn known_program(&self, problems: &mut Problems, program: &str, key: &str) {
        if !self.programs.contains_key(program) {
            problems.push(PolicyProblem::UnknownProgram {
                key: key.to_owned(),
                program: program.to_owned(),
                known: self.program_names(),
            });
        }
    }
}

/// The longest duration a policy may set: a hundred years.
const MAX_DAYS: f64 = 36_500.0;

fn is_duration(days: f64) -> bool {
    days.is_finite() && days > 0.0 && days <= MAX_DAYS
}

/// The problems found so far, in the order they were found.
#[derive(Default)]
struct Problems(Vec<PolicyProblem>);

impl Problems {
    fn push(&mut self, problem: PolicyProblem) {
        self.0.push(problem);
    }

    fn invalid(&mut self, ok: bool, key: &str, value: f64, expected: &'static str) {
        if !ok {
            self.push(PolicyProblem::InvalidValue {
                key: key.to_owned(),
                value,
                expected,
            });
        }
    }

    fn finite(&mut self, v: f64, key: &str) {
        self.invalid(v.is_finite(), key, v, "a finite number");
    }

    fn positive(&mut self, v: f64, key: &str) {
        self.invalid(v.is_finite() && v > 0.0, key, v, "a number greater than 0");
    }

    fn duration(&mut self, v: f64, key: &str) {
        self.invalid(
            is_duration(v),
            key,
            v,
            "a number of days greater than 0 and at most 36500",
        );
    }

    fn at_least_zero(&mut self, v: f64, key: &str) {
        self.invalid(v.is_finite() && v >= 0.0, key, v, "a number of 0 or more");
    }
}
