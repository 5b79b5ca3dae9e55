use crate::scoring::Grade;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `[accounts]`: the account roll-up and its aliases (`docs/accounts.md`). Leaving the
/// section out switches the roll-up off: the book then keeps no account state and no
/// `account_engaged` effect is made.
///
/// ```toml
/// [accounts]
/// window_days = 90                 # touches of the last 90 UTC days count
/// min_contacts = 3                 # distinct leads with a counting touch
/// kinds = ["pricing_page_view", "webinar_attended", "content_download"]
/// min_points = 30                  # optional: their summed points too
/// lift_grades = ["A", "B"]         # inquiry / recycled leads of these grades become MQL
/// [accounts.aliases]
/// amex = ["American Express Co.", "americanexpress.com"]
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AccountsPolicy {
    /// The window, in whole UTC days: a touch counts on its own UTC day and the
    /// `window_days - 1` days after it. 1 to 36500; default 90.
    pub window_days: u32,
    /// How many distinct leads of the account must have a counting touch in the
    /// window. 1 or more; default 3.
    pub min_contacts: u32,
    /// The touch kinds that count as engagement for the account; empty (the default)
    /// means every touch kind counts.
    pub kinds: Vec<String>,
    /// When set, the counting touches' summed points (`[scoring.engagement]`, without
    /// decay) in the window must also be at least this. A finite number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_points: Option<f64>,
    /// The fit grades whose inquiry (or armed recycled) leads become MQL, with cause
    /// `account`, while their account is engaged; empty (the default): no lift.
    pub lift_grades: Vec<Grade>,
    /// Each account's other names: company names and email domains, normalised
    /// ([`accounts::normalize`](crate::accounts::normalize)) before they are compared.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub aliases: BTreeMap<String, Vec<String>>,
}

impl Default for AccountsPolicy {
    fn default() -> Self {
        AccountsPolicy {
            window_days: 90,
            min_contacts: 3,
            kinds: Vec::new(),
            min_points: None,
            lift_grades: Vec::new(),
            aliases: BTreeMap::new(),
        }
    }
}

impl AccountsPolicy {
    /// Whether a touch of this kind counts for its account.
    pub fn counts(&self, kind: &str) -> bool {
        self.kinds.is_empty() || self.kinds.iter().any(|k| k == kind)
    }
}

/// `[alerts]`: tell the owning rep when a lead they own heats up (`docs/accounts.md`,
/// "Alerts to the owner"). Leaving the section out switches alerts off.
///
/// ```toml
/// [alerts]
/// window_days = 7   # the points of the last 7 UTC days
/// points = 30       # reach 30 of them, or raise a hand, and the owner hears of it
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AlertsPolicy {
    /// The window, in whole UTC days, over which points add up, and the least time
    /// between two alerts for one lead. 1 to 36500; default 7.
    pub window_days: u32,
    /// The points (of `[scoring.engagement]` and the `points` hook, without decay) a
    /// lead must gain within the window while a rep owns it. Greater than 0; default 30.
    pub points: f64,
}

impl Default for AlertsPolicy {
    fn default() -> Self {
        AlertsPolicy {
            window_days: 7,
            points: 30.0,
        }
    }
}
