//! What can go wrong when a hook runs.

use rhai::EvalAltResult;
use thiserror::Error;

/// Why a hook's call failed. The engine then applies the policy's default decision and
/// reports this in a `rule_failed` effect (its `error` field is the `Display` text), so
/// a failing rule never drops a lead or leaves it half-changed.
#[derive(Clone, Debug, PartialEq, Error)]
#[non_exhaustive]
pub enum HookError {
    /// The script raised an error while it ran (an undefined function, a type
    /// mismatch, `throw`...).
    #[error("line {line}, column {column}: {message}")]
    Script {
        /// 1-based line in the hook's source (0 when rhai gives no position).
        line: usize,
        /// 1-based column.
        column: usize,
        /// rhai's message.
        message: String,
    },
    /// The script reached one of the sandbox's limits (`[rules.limits]`).
    #[error("line {line}, column {column}: the hook reached rules.limits.{limit} = {value}")]
    Limit {
        /// The `[rules.limits]` key.
        limit: &'static str,
        /// Its value.
        value: u64,
        /// 1-based line where the limit was reached.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// The hook returned a value of the wrong type.
    #[error("the hook returned {got}: expected {expected}")]
    WrongType {
        /// What it returned (`an integer 42`).
        got: String,
        /// What the hook may return.
        expected: &'static str,
    },
    /// A `disposition` decision names a program the policy does not define.
    #[error("the hook chose program `{program}`, which the policy does not define: expected one of {known}")]
    UnknownProgram {
        /// The program named.
        program: String,
        /// The programs the policy defines, comma-separated.
        known: String,
    },
    /// A `disposition` decision gives a step the program does not have.
    #[error("the hook chose step {step} of program `{program}`: expected a step from 0 to {len} (the program's length)")]
    InvalidStep {
        /// The program.
        program: String,
        /// The step given.
        step: i64,
        /// The program's number of steps.
        len: usize,
    },
    /// A name in a decision (a reason, a rep, a program) is an empty string.
    #[error("the hook returned an empty `{field}`: expected a name")]
    EmptyName {
        /// The decision's field.
        field: &'static str,
    },
    /// A `points` hook returned a number that is not finite.
    #[error("the hook returned {value} points: expected a finite number")]
    NotFinite {
        /// The number.
        value: f64,
    },
}

impl HookError {
    /// The error of a rhai run, by its innermost cause (an error inside a script
    /// function arrives wrapped once per call level).
    pub(super) fn from_rhai(
        mut error: Box<EvalAltResult>,
        limits: &crate::policy::RuleLimits,
    ) -> Self {
        while let EvalAltResult::ErrorInFunctionCall(_, _, inner, _) = *error {
            error = inner;
        }
        let position = error.take_position();
        let line = position.line().unwrap_or(0);
        let column = position.position().unwrap_or(0);
        let limit = match &*error {
            EvalAltResult::ErrorTooManyOperations(_) => {
                Some(("max_operations", limits.max_operations))
            }
            EvalAltResult::ErrorStackOverflow(_) => {
                Some(("max_call_levels", limits.max_call_levels as u64))
            }
            EvalAltResult::ErrorDataTooLarge(what, _) => Some(match what.as_str() {
                w if w.contains("array") => ("max_array_size", limits.max_array_size as u64),
                w if w.contains("map") => ("max_map_size", limits.max_map_size as u64),
                _ => ("max_string_size", limits.max_string_size as u64),
            }),
            _ => None,
        };
        match limit {
            Some((limit, value)) => HookError::Limit {
                limit,
                value,
                line,
                column,
            },
            None => HookError::Script {
                line,
                column,
                message: error.to_string(),
            },
        }
    }
}
