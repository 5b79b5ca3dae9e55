use serde::{Deserialize, Serialize};

/// The rhai hooks of a policy's `[rules]` section, as source text, each optional.
///
/// A key other than these four is refused when the policy is read, so a misspelt hook
/// never silently does nothing. Hooks do not run yet: [`Engine::new`](crate::Engine::new)
/// refuses a policy that sets one ([`PolicyProblem::UnsupportedHook`](crate::PolicyProblem::UnsupportedHook))
/// rather than ignore it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Rules {
    /// Decides what becomes of a lead that is recycled, actively or passively.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disposition: Option<String>,
    /// Decides who gets a lead that becomes an MQL again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    /// Adds points (positive or negative) for a touch, on top of the policy's table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub points: Option<String>,
    /// Decides whether a recycled lead is ready for sales again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requalify: Option<String>,
}

impl Rules {
    /// The hooks' names, as written in `[rules]`.
    pub const HOOKS: [&'static str; 4] = ["disposition", "route", "points", "requalify"];

    /// The hooks this section sets, by name, in the order of [`Rules::HOOKS`].
    pub fn set(&self) -> impl Iterator<Item = (&'static str, &str)> {
        Self::HOOKS
            .into_iter()
            .zip([
                &self.disposition,
                &self.route,
                &self.points,
                &self.requalify,
            ])
            .filter_map(|(name, source)| source.as_deref().map(|s| (name, s)))
    }
}
