//! The cost of a rhai hook, against a bare rhai evaluation of the same script on the
//! same inputs and against the built-in reason map, all in the same run.
//!
//! - `disposition/builtin`: [`Engine::step`] of a `disqualified` event (reason
//!   `bad_timing`) on an accepted lead, under the default policy: the reason map picks
//!   `timing_drip`.
//! - `disposition/hook`: the same step under the same policy plus a `disposition` hook
//!   (the contract's example, adapted so that it decides this lead): the engine builds
//!   the views, runs the hook and reads its decision.
//! - `disposition/bare_rhai`: the same script evaluated by a rhai engine with the same
//!   packages and limits, on ready-made `lead` and `event` maps holding the same
//!   values; no lead is stepped. What any embedding of rhai pays at least.
//! - `disposition/decision_builtin`, `disposition/decision_hook`: the decision alone,
//!   [`Engine::disposition_of`] for the same lead and event (nothing is stepped or
//!   cloned): what the disposition costs inside the step above.
//! - `touch/no_hooks`, `touch/disposition_hook`: a `touch` that triggers no hook, with
//!   and without a `disposition` hook in the policy.
//!
//! Each step runs on a fresh clone of the lead (made outside the timing), and its
//! result is checked, so a broken engine cannot bench fast. Results are reported in
//! `docs/performance.md`; nothing here asserts a duration.
//!
//! Run with `cargo bench --bench rules`; `-- --test` runs each routine once.

use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion};
use leadcycle::{Disposition, Engine, Event, Lead, Policy, Stage};
use rhai::packages::{
    ArithmeticPackage, BasicArrayPackage, BasicIteratorPackage, BasicMapPackage, BasicMathPackage,
    BasicStringPackage, LogicPackage, MoreStringPackage, Package,
};
use rhai::{Dynamic, Map, Scope};

const HOOK: &str = r#"if event.reason == "bad_timing" && lead.fit_grade == "B" { #{ program: "competitive_displacement", step: 1 } } else { () }"#;

fn engine(hook: Option<&str>) -> Engine {
    let mut policy = Policy::default();
    policy.rules.disposition = hook.map(str::to_owned);
    Engine::new(policy).expect("the bench policy is valid")
}

fn at(day: u32) -> chrono::DateTime<chrono::Utc> {
    format!("2026-01-{day:02}T10:00:00Z").parse().unwrap()
}

/// An accepted lead of grade B (35 fit points), owned by R7.
fn accepted_lead(engine: &Engine) -> Lead {
    let created = Event::created("L1", at(5), "webinar").with_profile(
        [
            ("seniority".to_owned(), "vp".into()),
            ("employees".to_owned(), 350.0.into()),
        ]
        .into_iter()
        .collect(),
    );
    let (mut lead, _) = engine.create(&created).unwrap();
    engine
        .step(&mut lead, &Event::touch("L1", at(6), "demo_request"))
        .unwrap();
    engine
        .step(&mut lead, &Event::sales_accepted("L1", at(7), "R7"))
        .unwrap();
    assert_eq!(lead.stage(), Stage::Sal);
    lead
}

/// The sandbox the crate builds (src/rules/sandbox.rs), rebuilt from its documented
/// recipe.
fn bare_sandbox() -> rhai::Engine {
    let limits = leadcycle::policy::RuleLimits::default();
    let mut e = rhai::Engine::new_raw();
    ArithmeticPackage::new().register_into_engine(&mut e);
    LogicPackage::new().register_into_engine(&mut e);
    BasicStringPackage::new().register_into_engine(&mut e);
    MoreStringPackage::new().register_into_engine(&mut e);
    BasicArrayPackage::new().register_into_engine(&mut e);
    BasicMapPackage::new().register_into_engine(&mut e);
    BasicMathPackage::new().register_into_engine(&mut e);
    BasicIteratorPackage::new().register_into_engine(&mut e);
    e.set_strict_variables(true);
    e.set_max_operations(limits.max_operations);
    e.set_max_call_levels(limits.max_call_levels);
    e.set_max_expr_depths(limits.max_expr_depth, limits.max_expr_depth);
    e.set_max_string_size(limits.max_string_size);
    e.set_max_array_size(limits.max_array_size);
    e.set_max_map_size(limits.max_map_size);
    e
}

fn disposition(c: &mut Criterion) {
    let mut group = c.benchmark_group("disposition");
    let disqualified = Event::disqualified("L1", at(20), "R7", "bad_timing");
    for (name, hook, program) in [
        ("builtin", None, "timing_drip"),
        ("hook", Some(HOOK), "competitive_displacement"),
    ] {
        let engine = engine(hook);
        let lead = accepted_lead(&engine);
        group.bench_function(name, |b| {
            b.iter_batched_ref(
                || (lead.clone(), Vec::with_capacity(16)),
                |(lead, out)| {
                    engine.step_into(lead, &disqualified, out).unwrap();
                    assert_eq!(lead.nurture().map(|e| e.program.as_str()), Some(program));
                },
                BatchSize::SmallInput,
            )
        });
        let mut out = Vec::new();
        group.bench_function(format!("decision_{name}"), |b| {
            b.iter(|| {
                let decided = engine.disposition_of(black_box(&lead), &disqualified, &mut out);
                assert!(
                    matches!(decided, Some(Disposition::Nurture { program: p, .. }) if p == program),
                    "{decided:?}"
                );
            })
        });
        assert!(out.is_empty(), "the hook failed: {out:?}");
    }

    let sandbox = bare_sandbox();
    let mut names = Scope::new();
    names.push("lead", ());
    names.push("event", ());
    let ast = sandbox.compile_with_scope(&names, HOOK).unwrap();
    let mut lead = Map::new();
    lead.insert("fit_grade".into(), "B".into());
    let mut event = Map::new();
    event.insert("reason".into(), "bad_timing".into());
    group.bench_function("bare_rhai", |b| {
        b.iter_batched_ref(
            || {
                let mut scope = Scope::new();
                scope.push_constant("lead", lead.clone());
                scope.push_constant("event", event.clone());
                scope
            },
            |scope| {
                let decision: Dynamic = sandbox.eval_ast_with_scope(scope, &ast).unwrap();
                assert!(black_box(decision).is_map());
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

fn touch(c: &mut Criterion) {
    let mut group = c.benchmark_group("touch");
    let touch = Event::touch("L1", at(8), "email_open");
    for (name, hook) in [("no_hooks", None), ("disposition_hook", Some(HOOK))] {
        let engine = engine(hook);
        let lead = accepted_lead(&engine);
        group.bench_function(name, |b| {
            b.iter_batched_ref(
                || (lead.clone(), Vec::with_capacity(16)),
                |(lead, out)| {
                    engine.step_into(lead, &touch, out).unwrap();
                    assert!(out.is_empty());
                },
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, disposition, touch);
criterion_main!(benches);
