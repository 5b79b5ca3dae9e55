use super::Policy;
use crate::error::PolicyError;
use std::collections::BTreeMap;

impl Policy {
    /// Checks the policy as [`Engine::new`](crate::Engine::new) does: every program
    /// named exists, every duration and threshold is in range, grades are in order.
    /// The first problem found is returned, naming its key.
    pub fn validate(&self) -> Result<(), PolicyError> {
        let s = &self.scoring;
        finite(&s.mql_threshold, "scoring.mql_threshold")?;
        finite(&s.requalify_threshold, "scoring.requalify_threshold")?;
        at_least_zero(s.hysteresis, "scoring.hysteresis")?;
        positive(s.half_life_days, "scoring.half_life_days")?;
        positive(s.engagement_cap, "scoring.engagement_cap")?;
        if !(s.engagement_floor.is_finite() && s.engagement_floor <= 0.0) {
            return Err(PolicyError::InvalidValue {
                key: "scoring.engagement_floor".into(),
                value: s.engagement_floor,
                expected: "a number of 0 or less (engagement decays toward 0)",
            });
        }
        for (kind, points) in &s.engagement {
            finite(points, &format!("scoring.engagement.{kind}"))?;
        }
        for (index, rule) in s.fit.iter().enumerate() {
            let count = rule.condition_count();
            if count != 1 {
                return Err(PolicyError::FitRuleConditions {
                    index,
                    attr: rule.attr.clone(),
                    count,
                });
            }
            finite(&rule.points, &format!("scoring.fit[{index}].points"))?;
        }
        let g = &s.grades;
        for (v, key) in [
            (g.a, "scoring.grades.A"),
            (g.b, "scoring.grades.B"),
            (g.c, "scoring.grades.C"),
        ] {
            finite(&v, key)?;
        }
        if !(g.a >= g.b && g.b >= g.c) {
            return Err(PolicyError::GradesOutOfOrder {
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
            finite(&v, key)?;
        }
        if !(b.one >= b.two && b.two >= b.three) {
            return Err(PolicyError::BandsOutOfOrder {
                one: b.one,
                two: b.two,
                three: b.three,
            });
        }
        let mut grouped: BTreeMap<&str, &str> = BTreeMap::new();
        for (name, group) in &s.groups {
            positive(group.cap, &format!("scoring.groups.{name}.cap"))?;
            for kind in &group.kinds {
                if let Some(first) = grouped.insert(kind, name) {
                    return Err(PolicyError::KindInTwoGroups {
                        kind: kind.clone(),
                        first: first.to_owned(),
                        second: name.clone(),
                    });
                }
            }
        }

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
                    duration(d, &format!("sla.{stage}.{key}"))?;
                }
            }
            match (sla.attempts, sla.attempts_days) {
                (Some(_), None) => {
                    return Err(PolicyError::MissingSetting {
                        key: format!("sla.{stage}.attempts"),
                        needs: format!("sla.{stage}.attempts_days"),
                    })
                }
                (None, Some(_)) => {
                    return Err(PolicyError::MissingSetting {
                        key: format!("sla.{stage}.attempts_days"),
                        needs: format!("sla.{stage}.attempts"),
                    })
                }
                _ => {}
            }
        }

        if !(self.dedupe_window_days.is_finite()
            && (0.0..=MAX_DAYS).contains(&self.dedupe_window_days))
        {
            return Err(PolicyError::InvalidValue {
                key: "dedupe_window_days".into(),
                value: self.dedupe_window_days,
                expected: "a number of days of 0 or more and at most 36500",
            });
        }
        if let Some((hook, _)) = self.rules.set().next() {
            return Err(PolicyError::UnsupportedHook { hook });
        }

        let r = &self.recycle;
        self.known_program(&r.default_program, "recycle.default_program")?;
        self.known_program(&r.passive_program, "recycle.passive_program")?;
        self.known_program(&r.customer_program, "recycle.customer_program")?;
        for (reason, program) in &r.reasons {
            self.known_program(program, &format!("recycle.reasons.{reason}"))?;
        }
        for (name, program) in &self.programs {
            duration(
                program.cadence_days,
                &format!("programs.{name}.cadence_days"),
            )?;
            if let Some(then) = &program.then {
                self.known_program(then, &format!("programs.{name}.then"))?;
            }
        }
        Ok(())
    }

    fn known_program(&self, program: &str, key: &str) -> Result<(), PolicyError> {
        if self.programs.contains_key(program) {
            Ok(())
        } else {
            Err(PolicyError::UnknownProgram {
                key: key.to_owned(),
                program: program.to_owned(),
                known: self.program_names(),
            })
        }
    }
}

fn finite(v: &f64, key: &str) -> Result<(), PolicyError> {
    if v.is_finite() {
        Ok(())
    } else {
        Err(PolicyError::InvalidValue {
            key: key.to_owned(),
            value: *v,
            expected: "a finite number",
        })
    }
}

fn positive(v: f64, key: &str) -> Result<(), PolicyError> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(PolicyError::InvalidValue {
            key: key.to_owned(),
            value: v,
            expected: "a number greater than 0",
        })
    }
}

/// The longest duration a policy may set: a hundred years.
const MAX_DAYS: f64 = 36_500.0;

fn duration(v: f64, key: &str) -> Result<(), PolicyError> {
    if v.is_finite() && v > 0.0 && v <= MAX_DAYS {
        Ok(())
    } else {
        Err(PolicyError::InvalidValue {
            key: key.to_owned(),
            value: v,
            expected: "a number of days greater than 0 and at most 36500",
        })
    }
}

fn at_least_zero(v: f64, key: &str) -> Result<(), PolicyError> {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(PolicyError::InvalidValue {
            key: key.to_owned(),
            value: v,
            expected: "a number of 0 or more",
        })
    }
}
