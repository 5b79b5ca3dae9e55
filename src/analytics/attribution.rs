//! Attribution: credit for opportunities and wins per campaign and per channel, by
//! first touch, last touch, linear and W-shaped models, and the channel mixes that
//! precede wins.

use super::facts::{LeadFacts, Touchpoint};
use super::waterfall::add_counts;
use crate::stage::Stage;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
use std::ops::AddAssign;

/// Credit, counted in millionths of a deal so that credit adds up exactly (reports
/// combine without floating-point drift); on the wire a number of deals.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Credit(pub u64);

/// One whole deal, in millionths.
const DEAL: u64 = 1_000_000;

impl Credit {
    /// The credit as a number of deals.
    pub fn deals(self) -> f64 {
        self.0 as f64 / DEAL as f64
    }
}

impl AddAssign for Credit {
    fn add_assign(&mut self, other: Credit) {
        self.0 += other.0;
    }
}

impl Serialize for Credit {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(self.deals())
    }
}

impl<'de> Deserialize<'de> for Credit {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let deals = f64::deserialize(deserializer)?;
        Ok(Credit((deals * DEAL as f64).round().max(0.0) as u64))
    }
}

/// The W-shaped model's weights, in millionths of a deal: the first touch, the touch
/// that created the MQL and the touch that created the opportunity get 30% each, and
/// the other touches share the remaining 10% evenly. A touch that holds several roles
/// gets each role's share; with no other touch, the 10% goes to the three roles
/// evenly.
pub const W_SHAPED_ROLE: u64 = 300_000;

/// Credit a campaign or channel received under each model.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ModelCredit {
    /// All of a deal to its first touch (the lead's origin, kept for life).
    pub first_touch: Credit,
    /// All of a deal to the last touch before it.
    pub last_touch: Credit,
    /// A deal shared evenly by every touch before it.
    pub linear: Credit,
    /// First, MQL-creating and opportunity-creating touches 30% each, the rest 10%.
    pub w_shaped: Credit,
}

impl ModelCredit {
    fn merge(&mut self, other: &ModelCredit) {
        self.first_touch += other.first_touch;
        self.last_touch += other.last_touch;
        self.linear += other.linear;
        self.w_shaped += other.w_shaped;
    }
}

/// The credit one campaign or channel received, for opportunities and for wins.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Credits {
    /// Credit for opportunities opened (each entry into `opportunity`).
    pub opportunities: ModelCredit,
    /// Credit for wins (each entry into `customer`).
    pub wins: ModelCredit,
}

/// Attribution of opportunities and wins to campaigns and channels.
///
/// Touchpoints are a lead's creation (its campaign, and its channel or else its
/// source) and every applied `touch` that names a campaign or a channel; a merged
/// duplicate's touchpoints join its survivor's, so the earliest creation stays the
/// first touch whatever recycling or merging came later. A touchpoint without a
/// campaign (or channel) credits `(none)`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Attribution {
    /// Opportunities credited (entries into `opportunity`).
    pub opportunities: u64,
    /// Wins credited (entries into `customer`).
    pub wins: u64,
    /// Credit per campaign.
    pub campaigns: BTreeMap<String, Credits>,
    /// Credit per channel.
    pub channels: BTreeMap<String, Credits>,
    /// Wins per mix of channels seen before them (the distinct channels, sorted,
    /// joined with ` + `).
    pub channel_mixes: BTreeMap<String, u64>,
}

/// What a touchpoint is credited to.
#[derive(Clone, Copy)]
enum By {
    Campaign,
    Channel,
}

fn key(t: &Touchpoint, by: By) -> String {
    let name = match by {
        By::Campaign => &t.campaign,
        By::Channel => &t.channel,
    };
    name.clone().unwrap_or_else(|| "(none)".to_owned())
}

/// `total` millionths shared by `n` evenly; the first `total % n` get one more.
fn shares(total: u64, n: usize) -> impl Iterator<Item = u64> {
    let n = n as u64;
    (0..n).map(move |i| total / n + u64::from(i < total % n))
}

/// Each touchpoint's credit under the W-shaped model, in millionths; `roles` are the
/// indices of the first, MQL-creating and opportunity-creating touches.
fn w_shaped(n: usize, roles: [usize; 3]) -> Vec<u64> {
    let mut credit = vec![0; n];
    let others: Vec<usize> = (0..n).filter(|i| !roles.contains(i)).collect();
    let rest = DEAL - 3 * W_SHAPED_ROLE;
    if others.is_empty() {
        for (role, extra) in roles.iter().zip(shares(rest, 3)) {
            credit[*role] += W_SHAPED_ROLE + extra;
        }
    } else {
        for role in roles {
            credit[role] += W_SHAPED_ROLE;
        }
        for (i, share) in others.iter().zip(shares(rest, others.len())) {
            credit[*i] += share;
        }
    }
    credit
}

impl Attribution {
    pub(super) fn tally(&mut self, lead: &LeadFacts<'_>) {
        let points: Vec<&Touchpoint> = lead
            .touchpoints
            .iter()
            .filter(|t| !t.is_touch || t.campaign.is_some() || t.channel.is_some())
            .collect();
        if points.is_empty() {
            return;
        }
        // The last touchpoint at or before `at` (the first one at least).
        let last_until = |at| points.iter().rposition(|t| t.at <= at).unwrap_or(0);
        for (i, m) in lead.moves.iter().enumerate() {
            let won = match m.to {
                Stage::Opportunity => false,
                Stage::Customer => true,
                _ => continue,
            };
            let pass = lead.passes[i];
            let before = &lead.moves[..i];
            // The qualification and the opportunity of the same pass.
            let in_pass = |pred: fn(Stage) -> bool| {
                before
                    .iter()
                    .zip(&lead.passes)
                    .filter(|(b, p)| **p == pass && pred(b.to))
                    .map(|(b, _)| b.at)
                    .next()
            };
            let qualified = in_pass(|s| matches!(s, Stage::Mql | Stage::Sal)).unwrap_or(m.at);
            let opened = if won {
                before
                    .iter()
                    .rev()
                    .find(|b| b.to == Stage::Opportunity)
                    .map_or(m.at, |b| b.at)
            } else {
                m.at
            };
            let n = last_until(m.at) + 1;
            let deal = &points[..n];
            let w = w_shaped(n, [0, last_until(qualified), last_until(opened)]);
            let linear: Vec<u64> = shares(DEAL, n).collect();
            for by in [By::Campaign, By::Channel] {
                let table = match by {
                    By::Campaign => &mut self.campaigns,
                    By::Channel => &mut self.channels,
                };
                let mut credit = |t: &Touchpoint, f: &dyn Fn(&mut ModelCredit)| {
                    let credits = table.entry(key(t, by)).or_default();
                    f(if won {
                        &mut credits.wins
                    } else {
                        &mut credits.opportunities
                    });
                };
                credit(deal[0], &|c| c.first_touch += Credit(DEAL));
                credit(deal[n - 1], &|c| c.last_touch += Credit(DEAL));
                for (j, t) in deal.iter().enumerate() {
                    let (l, ws) = (linear[j], w[j]);
                    credit(t, &|c| {
                        c.linear += Credit(l);
                        c.w_shaped += Credit(ws);
                    });
                }
            }
            if won {
                self.wins += 1;
                let mut mix: Vec<String> = deal.iter().map(|t| key(t, By::Channel)).collect();
                mix.sort();
                mix.dedup();
                *self.channel_mixes.entry(mix.join(" + ")).or_insert(0) += 1;
            } else {
                self.opportunities += 1;
            }
        }
    }

    pub(super) fn merge(&mut self, other: &Attribution) {
        self.opportunities += other.opportunities;
        self.wins += other.wins;
        for (mine, theirs) in [
            (&mut self.campaigns, &other.campaigns),
            (&mut self.channels, &other.channels),
        ] {
            for (name, credits) in theirs {
                let ours = mine.entry(name.clone()).or_default();
                ours.opportunities.merge(&credits.opportunities);
                ours.wins.merge(&credits.wins);
            }
        }
        add_counts(&mut self.channel_mixes, &other.channel_mixes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn w_shaped_gives_each_role_30_percent_and_the_rest_10_percent() {
        assert_eq!(
            w_shaped(5, [0, 2, 4]),
            vec![300_000, 50_000, 300_000, 50_000, 300_000]
        );
        // One touch holds every role: the whole deal.
        assert_eq!(w_shaped(1, [0, 0, 0]), vec![DEAL]);
        // Two roles on one touch, no other touch: the 10% spread over the roles.
        assert_eq!(w_shaped(2, [0, 1, 1]), vec![333_334, 666_666]);
    }

    #[test]
    fn credit_reads_back_from_its_json_number() {
        let c = Credit(333_334);
        let back: Credit = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
        assert_eq!(back, c);
    }
}
