//! Policies as TOML text, the format of CONTRACT.md's "Policy file" (cargo feature
//! `toml`, on by default).

use super::Policy;
use crate::error::PolicyError;
use std::path::Path;

impl Policy {
    /// Reads a policy from TOML text and validates it: the policy returned is one
    /// [`Engine::new`](crate::Engine::new) accepts.
    ///
    /// Keys left out keep their defaults, each on its own (see the [module
    /// docs](crate::policy)); an empty text is [`Policy::default`].
    ///
    /// # Errors
    ///
    /// [`PolicyError::Parse`], with the line and column, when the text is not TOML or
    /// not a policy (a syntax error, a misspelt key, a value of the wrong type);
    /// [`PolicyError::Invalid`], listing every problem, when it is a policy that
    /// [`Policy::validate`] refuses. To read a policy without validating it (to change
    /// it before it is checked), deserialize it with serde.
    ///
    /// ```
    /// use leadcycle::{Engine, Policy, PolicyError};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let policy = Policy::from_toml_str("[sla.mql]\nrespond_days = 1\n")?;
    /// assert_eq!(policy.sla.mql.respond_days, Some(1.0));
    /// assert_eq!(policy.sla.mql.idle_days, Some(7.0)); // kept from the default
    /// let engine = Engine::new(policy)?;
    /// # let _ = engine;
    ///
    /// // `false` switches a default service level off.
    /// let policy = Policy::from_toml_str("[sla.mql]\nidle_days = false\n")?;
    /// assert_eq!(policy.sla.mql.idle_days, None);
    ///
    /// // A misspelt key is refused where it is written.
    /// let err = Policy::from_toml_str("[scoring]\nmql_treshold = 60\n").unwrap_err();
    /// assert!(matches!(err, PolicyError::Parse { line: 2, column: 1, .. }), "{err}");
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_toml_str(text: &str) -> Result<Policy, PolicyError> {
        let policy: Policy = toml::from_str(text).map_err(|e| parse_error(text, &e))?;
        policy.validate()?;
        Ok(policy)
    }

    /// Reads a policy from a TOML file and validates it, as
    /// [`from_toml_str`](Policy::from_toml_str) does.
    ///
    /// # Errors
    ///
    /// [`PolicyError::Read`] when the file cannot be read (missing, not UTF-8...), else
    /// those of [`from_toml_str`](Policy::from_toml_str).
    pub fn from_toml_file(path: impl AsRef<Path>) -> Result<Policy, PolicyError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| PolicyError::Read {
            path: path.to_owned(),
            kind: e.kind(),
            message: e.to_string(),
        })?;
        Policy::from_toml_str(&text)
    }

    /// The whole policy as TOML text, every key written out with the value in effect
    /// (a service level that is off as `false`): what a policy file means once its
    /// defaults are filled in. [`from_toml_str`](Policy::from_toml_str) reads it back
    /// as the same policy.
    ///
    /// ```
    /// use leadcycle::Policy;
    ///
    /// let policy = Policy::from_toml_str("[sla.mql]\nrespond_days = 1\n").unwrap();
    /// let text = policy.to_toml_string();
    /// assert!(text.contains("[sla.mql]\nrespond_days = 1.0\nattempts = false\n"), "{text}");
    /// assert_eq!(Policy::from_toml_str(&text).unwrap(), policy);
    /// ```
    pub fn to_toml_string(&self) -> String {
        // The serializer refuses only what a policy's types never hold: a key that is
        // not a string, a unit, a `None` that is not skipped (a service level that is off
        // is written `false`). Any value a host can put in a policy, NaN included, is
        // TOML; `to_toml_string_writes_every_optional_field` keeps it so.
        toml::to_string(self).expect("every policy is expressible in TOML")
    }
}

/// A TOML error with its place in `text` as a 1-based line and column. (toml keeps
/// the key path it was reading private once it has a position, so the position and
/// the parser's message, which names a misspelt or missing key, are what is kept.)
fn parse_error(text: &str, e: &toml::de::Error) -> PolicyError {
    let (line, column) = match e.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            (line, column)
        }
        // Every error of the parser and of a policy's types has a position; this is
        // only a floor should a later version of the parser not give one.
        None => (1, 1),
    };
    PolicyError::Parse {
        line,
        column,
        // The parser's message may run over lines ("invalid string\nexpected `\"`").
        message: e.message().trim_end().replace('\n', "; "),
    }
}
