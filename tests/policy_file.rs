//! The policy file: the sample TOML is the embedded default, an empty file is valid,
//! and every kind of invalid policy is refused naming its key.

use leadcycle::{Engine, Policy, PolicyError};

fn parse(text: &str) -> Policy {
    toml::from_str(text).expect("policy parses")
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
    let err = Engine::new(p).unwrap_err();
    assert!(
        matches!(&err, PolicyError::UnknownProgram { key, program, .. }
        if key == "recycle.reasons.no_budget" && program == "budget_cycl"),
        "{err}"
    );
    assert!(err.to_string().contains("[programs.budget_cycl]"), "{err}");
}

#[test]
fn negative_cadence_is_refused_with_its_key() {
    let mut p = Policy::default();
    p.programs.get_mut("timing_drip").unwrap().cadence_days = -14.0;
    let err = Engine::new(p).unwrap_err();
    assert!(
        matches!(&err, PolicyError::InvalidValue { key, .. } if key == "programs.timing_drip.cadence_days"),
        "{err}"
    );
}

#[test]
fn grade_table_out_of_order_is_refused() {
    let p = parse("[scoring.grades]\nA = 10\nB = 25\nC = 5\n");
    let err = Engine::new(p).unwrap_err();
    assert!(matches!(err, PolicyError::GradesOutOfOrder { .. }), "{err}");
    assert!(err.to_string().contains("A >= B >= C"));
}

#[test]
fn then_naming_an_undefined_program_is_refused() {
    let mut p = Policy::default();
    p.programs.get_mut("stalled").unwrap().then = Some("nowhere".into());
    let err = Engine::new(p).unwrap_err();
    assert!(
        matches!(&err, PolicyError::UnknownProgram { key, .. } if key == "programs.stalled.then"),
        "{err}"
    );
}

#[test]
fn attempts_without_attempts_days_is_refused() {
    let p = parse("[sla.sal]\nattempts = 4\n");
    let err = Engine::new(p).unwrap_err();
    assert!(
        matches!(&err, PolicyError::MissingSetting { key, .. } if key == "sla.sal.attempts"),
        "{err}"
    );
}

#[test]
fn fit_rule_without_a_condition_is_refused() {
    let p = parse("[[scoring.fit]]\nattr = \"region\"\npoints = 5\n");
    let err = Engine::new(p).unwrap_err();
    assert!(
        matches!(
            err,
            PolicyError::FitRuleConditions {
                index: 0,
                count: 0,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn zero_half_life_is_refused() {
    let p = parse("[scoring]\nhalf_life_days = 0\n");
    let err = Engine::new(p).unwrap_err();
    assert!(
        matches!(&err, PolicyError::InvalidValue { key, .. } if key == "scoring.half_life_days"),
        "{err}"
    );
}

#[test]
fn rules_section_text_is_kept_and_each_hook_is_refused_until_hooks_run() {
    for hook in leadcycle::policy::Rules::HOOKS {
        let p = parse(&format!("[rules]\n{hook} = '''\n()\n'''\n"));
        let set: Vec<(&str, &str)> = p.rules.set().collect();
        assert_eq!(set, [(hook, "()\n")]);
        let err = Engine::new(p).unwrap_err();
        assert!(
            matches!(&err, PolicyError::UnsupportedHook { hook: h } if *h == hook),
            "{err}"
        );
        let message = err.to_string();
        assert!(
            message.contains(&format!("`rules.{hook}`")) && message.contains("not yet supported"),
            "{message}"
        );
    }
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
        let err = Engine::new(p).unwrap_err();
        assert!(
            matches!(&err, PolicyError::InvalidValue { key, .. } if key == "dedupe_window_days"),
            "{bad}: {err}"
        );
    }
    Engine::new(parse("dedupe_window_days = 0\n")).expect("0 keeps only the clock's instant");
}

#[test]
fn duration_beyond_a_hundred_years_is_refused() {
    let p = parse("[sla.mql]\nidle_days = 1e300\n");
    let err = Engine::new(p).unwrap_err();
    assert!(
        matches!(&err, PolicyError::InvalidValue { key, .. } if key == "sla.mql.idle_days"),
        "{err}"
    );
    assert!(err.to_string().contains("at most 36500"), "{err}");
}
