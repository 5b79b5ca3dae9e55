use serde::{Deserialize, Serialize};

/// The rhai hooks of a policy's `[rules]` section, as source text, each optional, and
/// the limits of the sandbox they run in.
///
/// A key other than these is refused when the policy is read, so a misspelt hook never
/// silently does nothing. [`Engine::new`](crate::Engine::new) compiles every hook that
/// is set, once; one that does not compile makes it fail with the hook's name, line and
/// column ([`PolicyProblem::HookSyntax`](crate::PolicyProblem::HookSyntax)). What the
/// hooks see and return is in [`docs::rules`](crate::docs::rules).
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
    /// The sandbox's limits (`[rules.limits]`); every key has a safe default.
    #[serde(skip_serializing_if = "RuleLimits::is_default")]
    pub limits: RuleLimits,
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

/// The limits every hook runs under (`[rules.limits]`). A hook that reaches one stops,
/// a `rule_failed` effect says which, and the policy's default decision applies.
///
/// Each must be at least 1 (rhai reads 0 as "no limit", which a policy cannot ask for).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RuleLimits {
    /// Operations one hook call may run (each expression, statement and call counts).
    pub max_operations: u64,
    /// How deep script functions may call each other.
    pub max_call_levels: usize,
    /// How deeply expressions may nest (checked when the hook is compiled).
    pub max_expr_depth: usize,
    /// The longest string a hook may build, in bytes.
    pub max_string_size: usize,
    /// The most elements an array may hold.
    pub max_array_size: usize,
    /// The most entries a map may hold.
    pub max_map_size: usize,
}

impl Default for RuleLimits {
    /// Room for any sensible rule (a rule that decides one lead runs in a few hundred
    /// operations) and a stop within milliseconds for a runaway one.
    fn default() -> Self {
        RuleLimits {
            max_operations: 100_000,
            max_call_levels: 32,
            max_expr_depth: 64,
            max_string_size: 65_536,
            max_array_size: 10_000,
            max_map_size: 10_000,
        }
    }
}

impl RuleLimits {
    fn is_default(&self) -> bool {
        *self == Self::default()
    }

    /// Every limit with its `[rules.limits]` key.
    pub(crate) fn keyed(&self) -> [(&'static str, u64); 6] {
        [
            ("max_operations", self.max_operations),
            ("max_call_levels", self.max_call_levels as u64),
            ("max_expr_depth", self.max_expr_depth as u64),
            ("max_string_size", self.max_string_size as u64),
            ("max_array_size", self.max_array_size as u64),
            ("max_map_size", self.max_map_size as u64),
        ]
    }
}
