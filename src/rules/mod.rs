//! The rhai layer: the policy's `[rules]` hooks, compiled once into a sandbox, and the
//! read-only views they see.
//!
//! A [`Policy`](crate::Policy) carries the hooks' source text; [`Engine::new`]
//! compiles them (a hook that does not compile, or reads a field the views do not
//! have, makes it fail with the hook's line and column). Each hook decides one thing
//! the engine would otherwise decide from the policy alone, in the one function where
//! that decision lives; one that fails, returns a value of the wrong shape or reaches
//! a limit leaves the policy's decision in place, and a `rule_failed` effect names the
//! [`Hook`] and the [`HookError`]. Everything a hook sees and may return is in
//! [`docs::rules`](crate::docs::rules).
//!
//! [`Engine::new`]: crate::Engine::new

mod decision;
mod error;
mod sandbox;
mod source;
mod view;

pub use error::HookError;
pub use view::{EVENT_FIELDS, LEAD_FIELDS};

pub(crate) use decision::Disposition;
pub(crate) use view::Subject;

use crate::error::PolicyProblem;
use crate::policy::{RuleLimits, Rules};
use rhai::{Dynamic, Map, Scope, AST};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::fmt;
use view::{Fields, Filled};

/// One of the policy's hooks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Hook {
    /// `rules.disposition`: what becomes of a recycled lead.
    Disposition,
    /// `rules.route`: who gets a lead that becomes an MQL again.
    Route,
    /// `rules.points`: extra points for a touch.
    Points,
    /// `rules.requalify`: whether a recycled lead is ready for sales again.
    Requalify,
}

impl Hook {
    /// Every hook, in the order of [`Rules::HOOKS`].
    pub const ALL: [Hook; 4] = [
        Hook::Disposition,
        Hook::Route,
        Hook::Points,
        Hook::Requalify,
    ];

    /// Its key in `[rules]`.
    pub fn as_str(self) -> &'static str {
        match self {
            Hook::Disposition => "disposition",
            Hook::Route => "route",
            Hook::Points => "points",
            Hook::Requalify => "requalify",
        }
    }
}

impl fmt::Display for Hook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A policy's hooks, compiled, with the sandbox they run in.
pub(crate) struct CompiledRules {
    sandbox: rhai::Engine,
    limits: RuleLimits,
    /// Indexed like [`Hook::ALL`].
    scripts: [Option<Script>; 4],
}

thread_local! {
    /// The `lead` and `event` views, reused by every hook call on this thread.
    static VIEWS: RefCell<(Scope<'static>, Filled)> =
        RefCell::new((views_scope(), Filled::default()));
}

/// A scope holding the two views, as read-only (constant) maps.
fn views_scope() -> Scope<'static> {
    let mut scope = Scope::new();
    scope.push_constant_dynamic("lead", Dynamic::from_map(Map::new()));
    scope.push_constant_dynamic("event", Dynamic::from_map(Map::new()));
    scope
}

/// The map of view `name` in a scope made by [`views_scope`].
fn view_map<'s>(scope: &'s mut Scope<'static>, name: &str) -> &'s mut Map {
    scope
        .get_value_mut::<Map>(name)
        .expect("the views' scope holds both maps")
}

/// One compiled hook and the view fields its source mentions.
struct Script {
    ast: AST,
    lead_fields: Fields,
    event_fields: Fields,
}

impl fmt::Debug for CompiledRules {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set: Vec<&str> = Hook::ALL
            .iter()
            .filter(|h| self.scripts[**h as usize].is_some())
            .map(|h| h.as_str())
            .collect();
        f.debug_struct("CompiledRules")
            .field("hooks", &set)
            .field("limits", &self.limits)
            .finish()
    }
}

impl CompiledRules {
    /// Compiles every hook `rules` sets, or says every problem: a syntax error, or a
    /// `lead.NAME` / `event.NAME` the views do not have, each with line and column.
    pub(crate) fn compile(rules: &Rules) -> Result<Self, Vec<PolicyProblem>> {
        let sandbox = sandbox::engine(&rules.limits);
        let mut problems = Vec::new();
        let mut scripts: [Option<Script>; 4] = Default::default();
        for (hook, source) in Hook::ALL.into_iter().zip([
            &rules.disposition,
            &rules.route,
            &rules.points,
            &rules.requalify,
        ]) {
            let Some(source) = source else { continue };
            match compile_one(&sandbox, hook, source) {
                Ok(script) => scripts[hook as usize] = Some(script),
                Err(mut found) => problems.append(&mut found),
            }
        }
        if problems.is_empty() {
            Ok(CompiledRules {
                sandbox,
                limits: rules.limits,
                scripts,
            })
        } else {
            Err(problems)
        }
    }

    /// Runs `hook` on `subject`; `None` when the policy does not set it.
    ///
    /// The views live in a scope kept per thread and filled in place, so a call
    /// allocates only for the values that changed (a new scope and two maps per call
    /// cost more than a short hook's evaluation).
    fn run(&self, hook: Hook, subject: &Subject<'_, '_>) -> Option<Result<Dynamic, HookError>> {
        let script = self.scripts[hook as usize].as_ref()?;
        Some(VIEWS.with(|views| match views.try_borrow_mut() {
            Ok(mut views) => {
                let (scope, filled) = &mut *views;
                self.eval(script, subject, scope, filled)
            }
            // Only if a hook ran inside a hook, which the engine never does.
            Err(_) => self.eval(script, subject, &mut views_scope(), &mut Filled::default()),
        }))
    }

    fn eval(
        &self,
        script: &Script,
        subject: &Subject<'_, '_>,
        scope: &mut Scope<'static>,
        filled: &mut Filled,
    ) -> Result<Dynamic, HookError> {
        // A map filled for another script's fields, or to which the last script added
        // a field (rhai lets a script add a key to a constant map), starts again empty:
        // a view never shows a field its script does not read.
        let lead = view_map(scope, "lead");
        if filled.lead != script.lead_fields || lead.len() != script.lead_fields.count() {
            lead.clear();
            filled.lead = script.lead_fields;
        }
        view::fill_lead(subject, script.lead_fields, lead);
        let event = view_map(scope, "event");
        if filled.event != script.event_fields || event.len() != script.event_fields.count() {
            event.clear();
            filled.event = script.event_fields;
        }
        view::fill_event(subject, script.event_fields, event);
        let result = self
            .sandbox
            .eval_ast_with_scope::<Dynamic>(scope, &script.ast);
        // The script's own variables go; the views stay for the next call.
        scope.rewind(2);
        result.map_err(|e| HookError::from_rhai(e, &self.limits))
    }

    /// The `disposition` hook's decision for `subject`.
    pub(crate) fn disposition<'p>(
        &self,
        subject: &Subject<'_, 'p>,
    ) -> Option<Result<Disposition<'p>, HookError>> {
        let value = self.run(Hook::Disposition, subject)?;
        Some(value.and_then(|v| Disposition::read(v, subject.policy)))
    }

    /// The `route` hook's rep for `subject`, `Ok(None)` for the default.
    pub(crate) fn route(
        &self,
        subject: &Subject<'_, '_>,
    ) -> Option<Result<Option<String>, HookError>> {
        Some(self.run(Hook::Route, subject)?.and_then(decision::route))
    }

    /// The `points` hook's extra points for `subject`'s touch.
    pub(crate) fn points(&self, subject: &Subject<'_, '_>) -> Option<Result<f64, HookError>> {
        Some(self.run(Hook::Points, subject)?.and_then(decision::points))
    }

    /// The `requalify` hook's decision for `subject`, `Ok(None)` for the default.
    pub(crate) fn requalify(
        &self,
        subject: &Subject<'_, '_>,
    ) -> Option<Result<Option<bool>, HookError>> {
        Some(
            self.run(Hook::Requalify, subject)?
                .and_then(decision::requalify),
        )
    }
}

fn compile_one(
    sandbox: &rhai::Engine,
    hook: Hook,
    source: &str,
) -> Result<Script, Vec<PolicyProblem>> {
    let mentions = source::mentions(source);
    let mut problems = Vec::new();
    for read in &mentions.reads {
        let fields = if read.view == "lead" {
            LEAD_FIELDS
        } else {
            EVENT_FIELDS
        };
        if !fields.contains(&read.name.as_str()) {
            problems.push(PolicyProblem::HookUnknownField {
                hook: hook.as_str(),
                line: read.line,
                column: read.column,
                view: read.view,
                field: read.name.clone(),
                known: fields.join(", "),
            });
        }
    }
    // The views' names are known to the compiler (strict variables), as plain
    // variables: as constants their compile-time placeholders could be folded into
    // the AST.
    let mut scope = Scope::new();
    scope.push("lead", ());
    scope.push("event", ());
    let ast = match sandbox.compile_with_scope(&scope, source) {
        Ok(ast) => Some(ast),
        Err(e) => {
            let position = e.position();
            problems.push(PolicyProblem::HookSyntax {
                hook: hook.as_str(),
                line: position.line().unwrap_or(0),
                column: position.position().unwrap_or(0),
                message: e.err_type().to_string(),
            });
            None
        }
    };
    match ast {
        Some(ast) if problems.is_empty() => Ok(Script {
            ast,
            lead_fields: mentions.fields("lead", LEAD_FIELDS),
            event_fields: mentions.fields("event", EVENT_FIELDS),
        }),
        _ => Err(problems),
    }
}
