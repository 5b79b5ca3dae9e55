//! The policy file: the sample TOML is the embedded default, an empty file is valid,
//! every key left out keeps its default on its own, and every kind of invalid policy is
//! refused naming its key, every problem at once.

use leadcycle::policy::Program;
use leadcycle::{Effect, EffectKind, Engine, Event, LeadBook, Policy, PolicyError, PolicyProblem};

/// The policy a TOML text deserializes to, not yet validated.
fn parse(text: &str) -> Policy {
    toml::from_str(text).expect("policy parses")
}

/// The one problem `Engine::new` finds in `policy`.
fn only_problem(policy: Policy) -> PolicyProblem {
    let err = Engine::new(policy).unwrap_err();
    match err.problems() {
        [problem] => problem.clone(),
        problems => panic!("expected one problem, got {problems:?}"),
    }
}

/// Asserts that `text` reads as the default policy changed only by `change`.
fn keeps_every_other_default(text: &str, change: impl FnOnce(&mut Policy)) {
    let mut expected = Policy::default();
    change(&mut expected);
    assert_ne!(
        expected,
        Policy::default(),
        "the change must change something"
    );
    assert_eq!(Policy::from_toml_str(text).unwrap(), expected, "{text}");
}

#[test]
fn sample_policy_file_is_the_embedded_default() {
    let text = include_str!("../examples/policies/default.toml");
    assert_eq!(parse(text), Policy::default());
}

#[test]
fn empty_policy_file_is_the_default_policy() {
    assert_eq!(parse(""), Policy::default());
    Engine::new(parse("")).expect("the default policy is valid");
}

#[test]
fn omitted_keys_keep_their_defaults() {
    let p = parse("[scoring]\nmql_threshold = 60\n");
    assert_eq!(p.scoring.mql_threshold, 60.0);
    assert_eq!(p.scoring.half_life_days, 30.0);
    assert_eq!(p.programs, Policy::default().programs);
}

#[test]
fn unknown_key_is_refused_by_the_parser() {
    let err = toml::from_str::<Policy>("[scoring]\nmql_treshold = 60\n").unwrap_err();
    assert!(err.to_string().contains("mql_treshold"), "{err}");
}

#[test]
fn reason_naming_an_undefined_program_is_refused_with_its_key() {
    let p = parse("[recycle.reasons]\nno_budget = \"budget_cycl\"\n");
    let problem = only_problem(p);
    assert!(
        matches!(&problem, PolicyProblem::UnknownProgram { key, program, .. }
        if key == "recycle.reasons.no_budget" && program == "budget_cycl"),
        "{problem}"
    );
    assert!(
        problem.to_string().contains("[programs.budget_cycl]"),
        "{problem}"
    );
}

#[test]
fn negative_cadence_is_refused_with_its_key() {
    let mut p = Policy::default();
    p.programs.get_mut("timing_drip").unwrap().cadence_days = -14.0;
    let problem = only_problem(p);
    assert!(
        matches!(&problem, PolicyProblem::InvalidValue { key, .. } if key == "programs.timing_drip.cadence_days"),
        "{problem}"
    );
}

#[test]
fn grade_table_out_of_order_is_refused() {
    let p = parse("[scoring.grades]\nA = 10\nB = 25\nC = 5\n");
    let problem = only_problem(p);
    assert!(
        matches!(problem, PolicyProblem::GradesOutOfOrder { .. }),
        "{problem}"
    );
    assert!(problem.to_string().contains("A >= B >= C"));
}

#[test]
fn then_naming_an_undefined_program_is_refused() {
    let mut p = Policy::default();
    p.programs.get_mut("stalled").unwrap().then = Some("nowhere".into());
    let problem = only_problem(p);
    assert!(
        matches!(&problem, PolicyProblem::UnknownProgram { key, .. } if key == "programs.stalled.then"),
        "{problem}"
    );
}

/// The default policy with `general_nurture` branching on each (content, program).
fn with_branches(branches: &[(&str, &str)]) -> Policy {
    let mut p = Policy::default();
    let general = p.programs.get_mut("general_nurture").unwrap();
    for (content, program) in branches {
        general
            .branches
            .insert((*content).to_owned(), (*program).to_owned());
    }
    p
}

#[test]
fn a_branch_naming_an_undefined_program_is_refused_with_its_key() {
    let problem = only_problem(with_branches(&[("priority-speed", "speed_strem")]));
    assert!(
        matches!(&problem, PolicyProblem::UnknownProgram { key, program, .. }
            if key == "programs.general_nurture.branches.priority-speed" && program == "speed_strem"),
        "{problem}"
    );
    assert!(
        problem.to_string().contains("[programs.speed_strem]"),
        "{problem}"
    );
}

#[test]
fn a_branch_to_its_own_program_is_refused() {
    let problem = only_problem(with_branches(&[("priority-speed", "general_nurture")]));
    assert!(
        matches!(&problem, PolicyProblem::BranchToItself { program, content }
            if program == "general_nurture" && content == "priority-speed"),
        "{problem}"
    );
    let message = problem.to_string();
    assert!(
        message.contains("`programs.general_nurture.branches.priority-speed`")
            && message.contains("another program"),
        "{message}"
    );
}

#[test]
fn a_branch_with_empty_content_is_refused() {
    let problem = only_problem(with_branches(&[("", "timing_drip")]));
    assert!(
        matches!(&problem, PolicyProblem::EmptyBranchContent { program } if program == "general_nurture"),
        "{problem}"
    );
    assert!(problem.to_string().contains("empty content"), "{problem}");
}

#[test]
fn branch_problems_are_reported_together_and_a_valid_branch_is_accepted() {
    let text = "\
[recycle]
default_program = \"general\"
passive_program = \"general\"
customer_program = \"general\"
[recycle.reasons]
[programs.general]
cadence_days = 7
steps = [\"a\"]
[programs.general.branches]
\"\" = \"nowhere\"
\"self\" = \"general\"
\"ok\" = \"other\"
[programs.other]
cadence_days = 7
steps = [\"b\"]
";
    let err = Policy::from_toml_str(text).unwrap_err();
    let problems = err.problems();
    assert_eq!(problems.len(), 3, "{err}");
    assert!(
        matches!(&problems[0], PolicyProblem::EmptyBranchContent { .. }),
        "{err}"
    );
    assert!(
        matches!(&problems[1], PolicyProblem::UnknownProgram { key, .. } if key == "programs.general.branches."),
        "{err}"
    );
    assert!(
        matches!(&problems[2], PolicyProblem::BranchToItself { .. }),
        "{err}"
    );

    let valid = with_branches(&[("priority-speed", "timing_drip")]);
    Engine::new(valid).expect("a branch to another defined program is valid");
}

#[test]
fn attempts_without_attempts_days_is_refused() {
    // The MQL has no attempts service level by default, so `attempts` alone lacks days.
    let problem = only_problem(parse("[sla.mql]\nattempts = 4\n"));
    assert!(
        matches!(&problem, PolicyProblem::MissingSetting { key, needs }
            if key == "sla.mql.attempts" && needs == "sla.mql.attempts_days"),
        "{problem}"
    );
}

#[test]
fn switching_off_attempts_but_not_attempts_days_is_refused_naming_both() {
    let problem = only_problem(parse("[sla.sal]\nattempts = false\n"));
    assert!(
        matches!(&problem, PolicyProblem::MissingSetting { key, needs }
            if key == "sla.sal.attempts_days" && needs == "sla.sal.attempts"),
        "{problem}"
    );
    assert!(
        problem.to_string().contains("switch both off with `false`"),
        "{problem}"
    );
    let both = parse("[sla.sal]\nattempts = false\nattempts_days = false\n");
    assert_eq!(
        (both.sla.sal.attempts, both.sla.sal.attempts_days),
        (None, None)
    );
    assert_eq!(both.sla.sal.idle_days, Some(21.0));
    Engine::new(both).expect("both off is valid");
}

#[test]
fn fit_rule_without_a_condition_is_refused() {
    let p = parse("[[scoring.fit]]\nattr = \"region\"\npoints = 5\n");
    let problem = only_problem(p);
    assert!(
        matches!(
            problem,
            PolicyProblem::FitRuleConditions {
                index: 0,
                count: 0,
                ..
            }
        ),
        "{problem}"
    );
}

#[test]
fn zero_half_life_is_refused() {
    let p = parse("[scoring]\nhalf_life_days = 0\n");
    let problem = only_problem(p);
    assert!(
        matches!(&problem, PolicyProblem::InvalidValue { key, .. } if key == "scoring.half_life_days"),
        "{problem}"
    );
}

#[test]
fn rules_section_text_is_kept_and_each_hook_compiles() {
    for hook in leadcycle::policy::Rules::HOOKS {
        let p = parse(&format!("[rules]\n{hook} = '''\n()\n'''\n"));
        let set: Vec<(&str, &str)> = p.rules.set().collect();
        assert_eq!(set, [(hook, "()\n")]);
        Engine::new(p).expect("a hook that returns () compiles");
    }
}

#[test]
fn a_hook_that_does_not_compile_is_refused_with_its_line_and_column() {
    let p = parse("[rules]\nroute = '''\nlet x = 1;\nlet y = ;\n()\n'''\n");
    let problem = only_problem(p);
    let PolicyProblem::HookSyntax {
        hook, line, column, ..
    } = &problem
    else {
        panic!("expected a syntax problem, got {problem:?}");
    };
    assert_eq!((*hook, *line), ("route", 2), "{problem}");
    assert!(*column > 0, "{problem}");
    assert!(
        problem
            .to_string()
            .starts_with("`rules.route` does not compile: line 2, column "),
        "{problem}"
    );
}

#[test]
fn an_unknown_hook_is_refused_naming_it_and_the_hooks_that_exist() {
    let err = toml::from_str::<Policy>("[rules]\ndispositon = \"()\"\n").unwrap_err();
    let message = err.to_string();
    assert!(message.contains("dispositon"), "{message}");
    for hook in leadcycle::policy::Rules::HOOKS {
        assert!(message.contains(hook), "{message} should name `{hook}`");
    }
}

#[test]
fn dedupe_window_must_be_zero_or_more_days() {
    for bad in ["-1", "nan", "1e9"] {
        let p = parse(&format!("dedupe_window_days = {bad}\n"));
        let problem = only_problem(p);
        assert!(
            matches!(&problem, PolicyProblem::InvalidValue { key, .. } if key == "dedupe_window_days"),
            "{bad}: {problem}"
        );
    }
    Engine::new(parse("dedupe_window_days = 0\n")).expect("0 keeps only the clock's instant");
}

#[test]
fn duration_beyond_a_hundred_years_is_refused() {
    let p = parse("[sla.mql]\nidle_days = 1e300\n");
    let problem = only_problem(p);
    assert!(
        matches!(&problem, PolicyProblem::InvalidValue { key, .. } if key == "sla.mql.idle_days"),
        "{problem}"
    );
    assert!(problem.to_string().contains("at most 36500"), "{problem}");
}

// --- Every key left out keeps its default, on its own (one test per section) ---

#[test]
fn sla_mql_with_only_respond_days_keeps_idle_days_7() {
    let p = Policy::from_toml_str("[sla.mql]\nrespond_days = 2\n").unwrap();
    assert_eq!(p.sla.mql.idle_days, Some(7.0));
    assert_eq!(p, Policy::default());
    keeps_every_other_default("[sla.mql]\nrespond_days = 1\n", |p| {
        p.sla.mql.respond_days = Some(1.0)
    });
}

#[test]
fn sla_sal_with_only_idle_days_keeps_its_attempts_service_level() {
    keeps_every_other_default("[sla.sal]\nidle_days = 30\n", |p| {
        p.sla.sal.idle_days = Some(30.0)
    });
}

#[test]
fn sla_sql_with_only_respond_days_keeps_idle_days_45() {
    keeps_every_other_default("[sla.sql]\nrespond_days = 3\n", |p| {
        p.sla.sql.respond_days = Some(3.0)
    });
}

#[test]
fn sla_opportunity_with_only_respond_days_keeps_idle_days_120() {
    keeps_every_other_default("[sla.opportunity]\nrespond_days = 10\n", |p| {
        p.sla.opportunity.respond_days = Some(10.0)
    });
}

#[test]
fn a_partial_scoring_table_keeps_every_other_scoring_default() {
    keeps_every_other_default("[scoring]\nhysteresis = 5\n", |p| {
        p.scoring.hysteresis = 5.0
    });
}

#[test]
fn a_partial_grades_table_keeps_the_other_grades() {
    keeps_every_other_default("[scoring.grades]\nB = 30\n", |p| p.scoring.grades.b = 30.0);
}

#[test]
fn a_partial_bands_table_keeps_the_other_bands() {
    keeps_every_other_default("[scoring.bands]\n2 = 40\n", |p| p.scoring.bands.two = 40.0);
}

#[test]
fn a_partial_recycle_table_keeps_its_reasons_and_other_programs() {
    keeps_every_other_default("[recycle]\npassive_program = \"general_nurture\"\n", |p| {
        p.recycle.passive_program = "general_nurture".into()
    });
}

#[test]
fn a_program_table_without_resume_then_or_branches_takes_their_defaults() {
    let text = "[programs.drip]\ncadence_days = 7\nsteps = [\"a\"]\n";
    assert_eq!(
        parse(text).programs["drip"],
        Program {
            cadence_days: 7.0,
            resume: true,
            steps: vec!["a".into()],
            then: None,
            branches: Default::default(),
        }
    );
}

#[test]
fn a_top_level_key_alone_keeps_every_section() {
    keeps_every_other_default("dedupe_window_days = 3\n", |p| p.dedupe_window_days = 3.0);
}

/// The maps and lists that replace the default whole, as the `policy` module docs and
/// `examples/policies/default.toml` say; every other key defaults on its own.
const WRITTEN_WHOLE: [&str; 8] = [
    "programs",
    "recycle.reasons",
    "recycle.remove_reasons",
    "scoring.engagement",
    "scoring.groups",
    "scoring.fit",
    "scoring.hand_raisers",
    "scoring.mql_cells",
];

#[test]
fn every_key_written_alone_at_its_default_value_gives_the_default_policy() {
    // Each leaf of the default policy, written alone in its table: were any table
    // read whole (as `[sla.STAGE]` once was), its other keys would be lost.
    let default: toml::Table = toml::from_str(&Policy::default().to_toml_string()).unwrap();
    let mut leaves = Vec::new();
    collect_leaves(&default, "", &mut leaves);
    assert!(leaves.len() > 30, "{leaves:?}");
    for (path, value) in leaves {
        let (table, key) = path.rsplit_once('.').unwrap_or(("", &path));
        let key = toml::Value::String(key.to_owned());
        let text = if table.is_empty() {
            format!("{key} = {value}\n")
        } else {
            format!("[{table}]\n{key} = {value}\n")
        };
        assert_eq!(
            Policy::from_toml_str(&text).unwrap(),
            Policy::default(),
            "{text}"
        );
    }
}

fn collect_leaves(table: &toml::Table, prefix: &str, leaves: &mut Vec<(String, toml::Value)>) {
    for (key, value) in table {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        if WRITTEN_WHOLE.contains(&path.as_str()) {
            continue;
        }
        match value {
            toml::Value::Table(inner) => collect_leaves(inner, &path, leaves),
            _ => leaves.push((path, value.clone())),
        }
    }
}

#[test]
fn a_map_written_replaces_the_default_map_whole() {
    let p = parse("[scoring.engagement]\nwebinar_attended = 20\n");
    assert_eq!(p.scoring.engagement.len(), 1);
    let p = parse("[recycle.reasons]\nno_budget = \"budget_cycle\"\n");
    assert_eq!(p.recycle.reasons.len(), 1);
    let p = parse("[programs.general_nurture]\ncadence_days = 30\nsteps = [\"a\"]\n");
    assert_eq!(p.programs.len(), 1);
    // ... so the programs the default policy names are now missing: all reported.
    let err = Engine::new(p).unwrap_err();
    let keys: Vec<&str> = err
        .problems()
        .iter()
        .map(|problem| match problem {
            PolicyProblem::UnknownProgram { key, .. } => key.as_str(),
            other => panic!("{other}"),
        })
        .collect();
    assert!(keys.contains(&"recycle.passive_program"), "{keys:?}");
    assert!(keys.contains(&"recycle.reasons.no_budget"), "{keys:?}");
}

// --- Switching a default service level off ---

#[test]
fn false_switches_a_default_service_level_off_and_keeps_the_others() {
    keeps_every_other_default("[sla.mql]\nidle_days = false\n", |p| {
        p.sla.mql.idle_days = None
    });
    let p = Policy::from_toml_str("[sla.sql]\nidle_days = false\n").unwrap();
    assert_eq!(p.sla.sql.idle_days, None);
    assert_eq!(p.sla.mql.idle_days, Some(7.0));
}

/// The effects of a lead that becomes an MQL on Jan 5 and then hears nothing until
/// Mar 1, under `policy`.
fn an_mql_left_alone(policy: Policy) -> Vec<Effect> {
    let engine = Engine::new(policy).unwrap();
    let mut book = LeadBook::new();
    let mut effects = Vec::new();
    for line in [
        r#"{"type":"created","lead":"L1","at":"2026-01-05T10:00:00Z","source":"web"}"#,
        r#"{"type":"touch","lead":"L1","at":"2026-01-05T11:00:00Z","kind":"demo_request"}"#,
        r#"{"type":"tick","at":"2026-03-01T00:00:00Z"}"#,
    ] {
        let event: Event = serde_json::from_str(line).unwrap();
        effects.extend(book.apply(&engine, &event));
    }
    effects
}

fn is_idle_recycle(effect: &Effect) -> bool {
    matches!(&effect.kind, EffectKind::Transition { cause, .. } if cause.as_str() == "sla_idle")
}

#[test]
fn an_mql_service_level_switched_off_is_never_breached_or_recycled() {
    let default = an_mql_left_alone(Policy::default());
    assert!(default.iter().any(is_idle_recycle), "{default:?}");
    let off = Policy::from_toml_str("[sla.mql]\nidle_days = false\n").unwrap();
    let effects = an_mql_left_alone(off);
    assert!(!effects.iter().any(is_idle_recycle), "{effects:?}");
    let breaches: Vec<String> = effects
        .iter()
        .filter_map(|e| match &e.kind {
            EffectKind::SlaBreached { sla, .. } => Some(sla.as_str().to_owned()),
            _ => None,
        })
        .collect();
    assert_eq!(breaches, ["respond"], "the respond service level stays on");
}

#[test]
fn true_or_zero_days_for_a_service_level_is_refused_pointing_to_false() {
    let err = Policy::from_toml_str("[sla.mql]\nidle_days = true\n").unwrap_err();
    assert!(
        matches!(&err, PolicyError::Parse { line: 2, column: 13, message }
            if message.contains("or false to switch the service level off")),
        "{err}"
    );
    let err = Policy::from_toml_str("[sla.mql]\nidle_days = 0\n").unwrap_err();
    assert!(
        matches!(err.problems(), [PolicyProblem::InvalidValue { key, .. }] if key == "sla.mql.idle_days"),
        "{err}"
    );
    assert!(err.to_string().contains("or false (not tracked)"), "{err}");
}

#[test]
fn a_service_level_that_is_off_is_written_false_and_reads_back_off() {
    let p = Policy::from_toml_str("[sla.sal]\nattempts = false\nattempts_days = false\n").unwrap();
    let text = p.to_toml_string();
    assert!(
        text.contains("[sla.sal]\nrespond_days = false\nattempts = false\nattempts_days = false\nidle_days = 21.0\n"),
        "{text}"
    );
    assert_eq!(Policy::from_toml_str(&text).unwrap(), p);
}

// --- Every problem at once ---

#[test]
fn three_independent_mistakes_are_all_reported_at_once() {
    let text = "\
[scoring]
half_life_days = -1
[sla.mql]
idle_days = 0
[recycle.reasons]
no_budget = \"budget_cycl\"
";
    let err = Policy::from_toml_str(text).unwrap_err();
    let problems = err.problems();
    assert_eq!(problems.len(), 3, "{err}");
    assert!(
        matches!(&problems[0], PolicyProblem::InvalidValue { key, .. } if key == "scoring.half_life_days")
    );
    assert!(
        matches!(&problems[1], PolicyProblem::InvalidValue { key, .. } if key == "sla.mql.idle_days")
    );
    assert!(
        matches!(&problems[2], PolicyProblem::UnknownProgram { key, .. } if key == "recycle.reasons.no_budget")
    );
    // One line per problem, after a line that counts them.
    let message = err.to_string();
    let lines: Vec<&str> = message.lines().collect();
    assert_eq!(lines[0], "the policy has 3 problems:");
    for (line, problem) in lines[1..].iter().zip(problems) {
        assert_eq!(*line, format!("- {problem}"));
    }
    assert_eq!(lines.len(), 4);
    // Engine::new reports the same list.
    assert_eq!(Engine::new(parse(text)).unwrap_err(), err);
}

// --- Loading without extra crates ---

#[test]
fn from_toml_file_reads_the_sample_policy_file_as_the_default() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/policies/default.toml"
    );
    assert_eq!(Policy::from_toml_file(path).unwrap(), Policy::default());
}

#[test]
fn from_toml_file_reports_a_missing_file_as_a_read_error_naming_it() {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("no-such-policy.toml");
    let err = Policy::from_toml_file(&path).unwrap_err();
    assert!(
        matches!(&err, PolicyError::Read { path: p, kind: std::io::ErrorKind::NotFound, .. } if *p == path),
        "{err}"
    );
    assert!(err.to_string().contains("no-such-policy.toml"), "{err}");
}

#[test]
fn a_parse_error_keeps_the_line_and_column_and_names_the_key() {
    let err = Policy::from_toml_str("dedupe_window_days = 7\n\n[scoring]\nmql_treshold = 60\n")
        .unwrap_err();
    match &err {
        PolicyError::Parse {
            line,
            column,
            message,
            ..
        } => {
            assert_eq!((*line, *column), (4, 1));
            assert!(message.contains("mql_treshold"), "{message}");
            assert!(message.contains("mql_threshold"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(
        err.to_string()
            .starts_with("line 4, column 1: unknown field"),
        "{err}"
    );
    // A syntax error too, on one line.
    let err = Policy::from_toml_str("[scoring]\nmql_threshold = \n").unwrap_err();
    assert!(
        matches!(
            &err,
            PolicyError::Parse {
                line: 2,
                column: 17,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(err.to_string().lines().count(), 1, "{err}");
}

#[test]
fn a_policy_file_may_start_with_a_byte_order_mark() {
    let p = Policy::from_toml_str("\u{feff}[scoring]\nmql_threshold = 30\n").unwrap();
    assert_eq!(p.scoring.mql_threshold, 30.0);
}

#[test]
fn to_toml_string_of_the_default_policy_reads_back_as_the_default() {
    let text = Policy::default().to_toml_string();
    assert_eq!(Policy::from_toml_str(&text).unwrap(), Policy::default());
    // Every service level is written out, so the text shows what is in effect.
    assert!(text.contains("[sla.mql]\nrespond_days = 2.0\nattempts = false\nattempts_days = false\nidle_days = 7.0\n"), "{text}");
}

#[test]
fn to_toml_string_writes_every_optional_field() {
    let text = r#"
[scoring]
mql_cells = ["A1", "B2"]
[scoring.groups.email]
kinds = ["email_open", "email_click"]
cap = 30
[[scoring.fit]]
attr = "region"
equals = "emea"
points = 5
[[scoring.fit]]
attr = "employees"
at_most = 10
points = -5
[[scoring.fit]]
attr = "phone"
exists = true
points = 2
[[scoring.fit]]
attr = "verified"
any_of = [true, 3, "yes"]
points = 1
[rules]
route = "()"
"#;
    let p = parse(text);
    assert_eq!(parse(&p.to_toml_string()), p);
    // A hand-built policy that is not valid is still written, not refused or panicked on.
    let mut invalid = Policy::default();
    invalid.scoring.mql_threshold = f64::NAN;
    invalid.scoring.engagement_cap = f64::INFINITY;
    assert!(invalid.to_toml_string().contains("mql_threshold = nan"));
}

#[test]
fn a_json_null_service_level_still_reads_as_off() {
    let p: Policy = serde_json::from_str(r#"{"sla":{"mql":{"idle_days":null}}}"#).unwrap();
    assert_eq!(p.sla.mql.idle_days, None);
    assert_eq!(p.sla.mql.respond_days, Some(2.0));
    let json = serde_json::to_string(&p).unwrap();
    assert!(json.contains(r#""idle_days":false"#), "{json}");
    assert_eq!(serde_json::from_str::<Policy>(&json).unwrap(), p);
}

/// docs/scoring.md, "Floor": `engagement_floor` must be a finite number of 0 or less.
/// A positive floor, and an infinite or NaN one, is refused naming the key; 0 and a
/// negative floor are accepted.
#[test]
fn engagement_floor_above_zero_or_not_finite_is_refused_with_its_key() {
    for bad in ["5", "0.5", "-inf", "nan"] {
        let problem = only_problem(parse(&format!("[scoring]\nengagement_floor = {bad}\n")));
        assert!(
            matches!(&problem, PolicyProblem::InvalidValue { key, .. } if key == "scoring.engagement_floor"),
            "{bad}: {problem}"
        );
    }
    for good in ["0", "-20"] {
        let policy = parse(&format!("[scoring]\nengagement_floor = {good}\n"));
        Engine::new(policy).unwrap_or_else(|e| panic!("{good}: {e}"));
    }
}
