//! The alias table: which normal-form names are one account.

use super::normalize;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use thiserror::Error;

/// Account names and their aliases: resolves any spelling of a company name or email
/// domain to one account id, the [normal form](normalize) of its canonical name.
///
/// Built from the policy's `[accounts.aliases]` table ([`AccountNames::from_table`]),
/// and grown by `account_alias` events ([`AccountNames::add`]). A name no alias names
/// is its own account: [`resolve`](AccountNames::resolve) returns its normal form.
///
/// ```
/// use leadcycle::accounts::AccountNames;
/// use std::collections::BTreeMap;
///
/// let table = BTreeMap::from([(
///     "amex".to_owned(),
///     vec!["American Express Co.".to_owned(), "americanexpress.com".to_owned()],
/// )]);
/// let mut names = AccountNames::from_table(&table).unwrap();
/// for spelling in ["AMEX", "American Express Co.", "american express", "jane@americanexpress.com"] {
///     assert_eq!(names.resolve(spelling).as_deref(), Some("amex"), "{spelling}");
/// }
/// assert_eq!(names.resolve("Visa Inc.").as_deref(), Some("visa"));
/// names.add("Visa", "Visa International").unwrap();
/// assert_eq!(names.resolve("visa international").as_deref(), Some("visa"));
/// assert!(names.add("visa", "Amex").is_err()); // amex is an account of its own
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AccountNames {
    /// Alias (normal form) -> account id (normal form). An account id is never an
    /// alias, so resolution takes one lookup.
    aliases: BTreeMap<String, String>,
}

/// What an accepted alias changed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AliasAdded {
    /// The alias is new: names that normalise to `alias` now resolve to `account`.
    New {
        /// The account id (normal form).
        account: String,
        /// The alias (normal form).
        alias: String,
    },
    /// The alias already resolved to the account (or is its own name): nothing changed.
    Known,
}

/// Why an alias was refused. Nothing changed.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum AliasError {
    /// A name (the account's or the alias's) has nothing left once normalised.
    #[error("{what} {given:?} has no letters or digits left once case, punctuation and legal suffixes (Inc, Co, Ltd, ...) are removed: expected a company name or an email domain")]
    EmptyName {
        /// `account` or `alias`.
        what: &'static str,
        /// The name as given.
        given: String,
    },
    /// The alias already names another account.
    #[error("alias {alias:?} already names account `{existing}`, so it cannot also name `{requested}`: expected each alias to name one account")]
    NamesTwoAccounts {
        /// The alias (normal form).
        alias: String,
        /// The account it names.
        existing: String,
        /// The account it was to name.
        requested: String,
    },
    /// The alias is an account that has aliases of its own; or the account is itself
    /// an alias of another account.
    #[error("`{name}` is {role}: expected an alias that no account uses as its name and an account that is no other account's alias (add the alias to `{account}` instead)")]
    Chained {
        /// The name (normal form).
        name: String,
        /// What it already is.
        role: &'static str,
        /// The account to add the alias to instead.
        account: String,
    },
}

impl AccountNames {
    /// No aliases: every name is its own account.
    pub fn new() -> Self {
        Self::default()
    }

    /// The table of the policy's `[accounts.aliases]`: each key an account, each value
    /// its aliases. Refused with every problem when a name normalises to nothing, an
    /// alias names two accounts, or an account is another's alias.
    pub fn from_table(table: &BTreeMap<String, Vec<String>>) -> Result<Self, Vec<AliasError>> {
        let mut names = AccountNames::new();
        let mut problems = Vec::new();
        // Accounts first, so that an alias naming another table key is seen whatever
        // the order.
        let accounts: Vec<Option<String>> = table.keys().map(|a| normalize(a)).collect();
        for (given, normal) in table.keys().zip(&accounts) {
            if normal.is_none() {
                problems.push(AliasError::EmptyName {
                    what: "account",
                    given: given.clone(),
                });
            }
        }
        for ((_, aliases), account) in table.iter().zip(&accounts) {
            let Some(account) = account else { continue };
            for alias in aliases {
                let Some(normal) = normalize(alias) else {
                    problems.push(AliasError::EmptyName {
                        what: "alias",
                        given: alias.clone(),
                    });
                    continue;
                };
                if &normal != account && accounts.iter().flatten().any(|a| a == &normal) {
                    problems.push(AliasError::Chained {
                        name: normal,
                        role: "an account of its own in the table",
                        account: account.clone(),
                    });
                    continue;
                }
                if let Err(e) = names.insert(account, normal) {
                    problems.push(e);
                }
            }
        }
        if problems.is_empty() {
            Ok(names)
        } else {
            Err(problems)
        }
    }

    /// The account a company name or email domain belongs to: its normal form, or the
    /// account an alias maps it to. `None` when the name normalises to nothing.
    pub fn resolve(&self, name: &str) -> Option<String> {
        let normal = normalize(name)?;
        Some(self.resolve_normal(normal))
    }

    /// The account of a name already in normal form.
    pub fn resolve_normal(&self, normal: String) -> String {
        match self.aliases.get(&normal) {
            Some(account) => account.clone(),
            None => normal,
        }
    }

    /// Adds `alias` as another name of `account`. Refused (changing nothing) when
    /// either normalises to nothing, the alias names another account, the alias is an
    /// account with aliases of its own, or the account is another account's alias.
    pub fn add(&mut self, account: &str, alias: &str) -> Result<AliasAdded, AliasError> {
        let account_normal = normalize(account).ok_or_else(|| AliasError::EmptyName {
            what: "account",
            given: account.to_owned(),
        })?;
        let alias_normal = normalize(alias).ok_or_else(|| AliasError::EmptyName {
            what: "alias",
            given: alias.to_owned(),
        })?;
        if let Some(owner) = self.aliases.get(&account_normal) {
            return Err(AliasError::Chained {
                name: account_normal,
                role: "an alias of another account",
                account: owner.clone(),
            });
        }
        if alias_normal == account_normal {
            return Ok(AliasAdded::Known);
        }
        if self.aliases.values().any(|a| a == &alias_normal) {
            return Err(AliasError::Chained {
                name: alias_normal,
                role: "an account with aliases of its own",
                account: account_normal,
            });
        }
        match self.aliases.get(&alias_normal) {
            Some(existing) if existing == &account_normal => Ok(AliasAdded::Known),
            _ => {
                self.insert(&account_normal, alias_normal.clone())?;
                Ok(AliasAdded::New {
                    account: account_normal,
                    alias: alias_normal,
                })
            }
        }
    }

    /// Every alias (normal form) and its account, in alias order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.aliases.iter().map(|(a, b)| (a.as_str(), b.as_str()))
    }

    /// Whether there are no aliases.
    pub fn is_empty(&self) -> bool {
        self.aliases.is_empty()
    }

    /// Maps `alias` to `account` (both normal forms), refusing a second account.
    fn insert(&mut self, account: &str, alias: String) -> Result<(), AliasError> {
        if alias == account {
            return Ok(());
        }
        match self.aliases.get(&alias) {
            Some(existing) if existing != account => Err(AliasError::NamesTwoAccounts {
                alias,
                existing: existing.clone(),
                requested: account.to_owned(),
            }),
            Some(_) => Ok(()),
            None => {
                self.aliases.insert(alias, account.to_owned());
                Ok(())
            }
        }
    }
}
