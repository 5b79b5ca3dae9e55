//! What a hook returns, read into the engine's terms. Every shape is checked here, so
//! a decision the engine acts on is always one it can carry out.

use super::HookError;
use crate::policy::Policy;
use rhai::{Dynamic, Map};

/// A `disposition` hook's decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Disposition<'a> {
    /// `()`: the policy's own decision.
    Default,
    /// `#{ program: "p" }` (enter where the lead left off) or `#{ program: "p", step: n }`.
    Nurture {
        /// The policy's own name of the program (the hook's is checked against it).
        program: &'a str,
        step: Option<usize>,
    },
    /// `#{ remove: "reason" }`.
    Remove { reason: String },
    /// `#{ keep: "reason" }`: the lead stays with sales, in its stage.
    Keep { reason: String },
}

const DISPOSITION: &str =
    "() or a map: #{ program: NAME } (optionally with step: N), #{ remove: REASON } or #{ keep: REASON }";

impl<'a> Disposition<'a> {
    pub(super) fn read(value: Dynamic, policy: &'a Policy) -> Result<Self, HookError> {
        if value.is_unit() {
            return Ok(Disposition::Default);
        }
        if !value.is_map() {
            return Err(wrong(&value, DISPOSITION));
        }
        let map = value.cast::<Map>();
        let (program, step) = (map.get("program"), map.get("step"));
        let decision = (map.len(), program, step);
        match decision {
            (1, Some(name), None) | (2, Some(name), Some(_)) => {
                let Some((program, defined)) = name
                    .as_immutable_string_ref()
                    .ok()
                    .and_then(|p| policy.programs.get_key_value(p.as_str()))
                else {
                    let program = text(name, "program")?;
                    return Err(HookError::UnknownProgram {
                        program,
                        known: policy
                            .programs
                            .keys()
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(", "),
                    });
                };
                let step = match step {
                    None => None,
                    Some(step) => {
                        let Ok(n) = step.as_int() else {
                            return Err(wrong(step, "a step that is an integer"));
                        };
                        let len = defined.steps.len();
                        match usize::try_from(n) {
                            Ok(s) if s <= len => Some(s),
                            _ => {
                                return Err(HookError::InvalidStep {
                                    program: program.clone(),
                                    step: n,
                                    len,
                                })
                            }
                        }
                    }
                };
                Ok(Disposition::Nurture { program, step })
            }
            (1, None, None) if map.contains_key("remove") => Ok(Disposition::Remove {
                reason: text(&map["remove"], "remove")?,
            }),
            (1, None, None) if map.contains_key("keep") => Ok(Disposition::Keep {
                reason: text(&map["keep"], "keep")?,
            }),
            _ => {
                let keys: Vec<&str> = map.keys().map(|k| k.as_str()).collect();
                Err(HookError::WrongType {
                    got: format!("a map with keys {}", keys.join(", ")),
                    expected: DISPOSITION,
                })
            }
        }
    }
}

/// A `route` hook's decision: `()` for the original rep, or a rep's id.
pub(super) fn route(value: Dynamic) -> Result<Option<String>, HookError> {
    if value.is_unit() {
        return Ok(None);
    }
    match value.clone().into_immutable_string() {
        Ok(rep) if rep.is_empty() => Err(HookError::EmptyName { field: "rep" }),
        Ok(rep) => Ok(Some(rep.to_string())),
        Err(_) => Err(wrong(&value, "() or a rep's id (a string)")),
    }
}

/// A `points` hook's decision: `()` for none, or a number of points.
pub(super) fn points(value: Dynamic) -> Result<f64, HookError> {
    let points = if value.is_unit() {
        0.0
    } else if let Ok(n) = value.as_int() {
        n as f64
    } else if let Ok(x) = value.as_float() {
        x
    } else {
        return Err(wrong(&value, "() or a number of points"));
    };
    if points.is_finite() {
        Ok(points)
    } else {
        Err(HookError::NotFinite { value: points })
    }
}

/// A `requalify` hook's decision: `()` for the threshold, or whether the lead is ready.
pub(super) fn requalify(value: Dynamic) -> Result<Option<bool>, HookError> {
    if value.is_unit() {
        return Ok(None);
    }
    value
        .as_bool()
        .map(Some)
        .map_err(|_| wrong(&value, "() or true or false"))
}

/// `value`, the non-empty string of decision field `key`.
fn text(value: &Dynamic, key: &'static str) -> Result<String, HookError> {
    match value.as_immutable_string_ref() {
        Ok(s) if s.is_empty() => Err(HookError::EmptyName { field: key }),
        Ok(s) => Ok(s.as_str().to_owned()),
        Err(_) => Err(wrong(value, "a name (a string)")),
    }
}

fn wrong(value: &Dynamic, expected: &'static str) -> HookError {
    let shown = value.to_string();
    let shown: String = shown.chars().take(40).collect();
    HookError::WrongType {
        got: format!("{} {shown:?}", value.type_name()),
        expected,
    }
}
