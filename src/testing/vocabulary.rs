//! The words a generated stream uses, taken from a policy.

use crate::fit_rule::FitRule;
use crate::id::{LeadId, RepId};
use crate::policy::Policy;
use crate::profile::{Profile, ProfileValue};

/// The words of a generated event stream: the policy's own (its reasons, programs,
/// touch kinds, content and profile attributes), each with a few the policy does not
/// know, and the host's words the policy never names (leads, reps, sources...).
///
/// [`Vocabulary::of`] reads them from a policy. The fields are public so that a host can
/// add its own words before generating streams: the touch kinds a rhai `points` hook
/// scores, the sources its `disposition` hook reads, the profile attributes its forms
/// send. Every list must stay non-empty; [`streams`](super::streams) panics otherwise.
///
/// ```
/// use leadcycle::testing::Vocabulary;
/// use leadcycle::Policy;
///
/// let mut words = Vocabulary::of(&Policy::default());
/// assert!(words.reasons.iter().any(|r| r == "bad_timing"));    // a reason with a program
/// assert!(words.reasons.iter().any(|r| r == "not_a_buyer"));   // a remove reason
/// assert!(words.programs.iter().any(|p| p == "timing_drip"));
/// assert!(words.contents.iter().any(|c| c == "roi-calculator"));
/// words.sources.push("partner_referral".to_owned());           // a host's own source
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Vocabulary {
    /// Lead ids. Events name them at random, so they collide: a lead is created
    /// twice, or named before it is created. The last one is picked rarely, so it is
    /// often never created (events naming it are `unknown_lead`).
    pub leads: Vec<LeadId>,
    /// Sales reps.
    pub reps: Vec<RepId>,
    /// `created.source`.
    pub sources: Vec<String>,
    /// `campaign` of `created` and `touch`.
    pub campaigns: Vec<String>,
    /// `channel` of `created`, `touch` and `sales_attempt`.
    pub channels: Vec<String>,
    /// `created.account`.
    pub accounts: Vec<String>,
    /// `sales_attempt.outcome`.
    pub outcomes: Vec<String>,
    /// `contact_lost.cause`.
    pub lost_causes: Vec<String>,
    /// Opportunity ids.
    pub opportunities: Vec<String>,
    /// `opportunity_opened.amount`.
    pub amounts: Vec<f64>,
    /// The `reason` of a recycle (`sales_rejected`, `disqualified`, `recycled`,
    /// `opportunity_lost`): the policy's reasons with a program, its remove reasons,
    /// and reasons it does not know.
    pub reasons: Vec<String>,
    /// The `program` a rep may choose on a recycle: every program of the policy, and
    /// one it does not define (`unknown_program`).
    pub programs: Vec<String>,
    /// `touch.kind`: the policy's scored kinds and hand-raisers (groups included), and
    /// kinds it does not know (accepted, counted, 0 points).
    pub kinds: Vec<String>,
    /// The touch kinds that raise a score most (the policy's best-scoring kinds that
    /// are not hand-raisers, best first). The moves that walk a lead up the waterfall
    /// use them, so that leads also qualify by score, not only by raising their hand.
    pub warm_kinds: Vec<String>,
    /// `touch.content`: every nurture step's content (a touch with it marks the content
    /// as seen), and content no program sends.
    pub contents: Vec<String>,
    /// Profile attributes for `created` and `profile` events: for every fit rule, values
    /// that match it and values that do not (numbers as numbers and as text), and
    /// attributes no rule reads.
    pub attributes: Vec<(String, ProfileValue)>,
    /// A profile that matches every fit rule with positive points: the profile of the
    /// leads that the waterfall-walking moves create.
    pub good_fit: Profile,
}

/// Words that are not in the policy: the generator checks this before using them.
const UNKNOWN_REASONS: [&str; 2] = ["price_too_high", "went_dark"];
const UNKNOWN_PROGRAMS: [&str; 1] = ["vip_track"];
const UNKNOWN_KINDS: [&str; 2] = ["podcast_listen", "chat_opened"];
const UNKNOWN_CONTENTS: [&str; 2] = ["blog-post", "pricing-sheet"];

impl Vocabulary {
    /// The vocabulary of `policy`: its recycle reasons (with a program, remove reasons)
    /// and two it does not know, its programs and one it does not define, its touch
    /// kinds (scored, hand-raisers, in groups) and two unknown ones, every program
    /// step's content and two no program sends, and profile attributes from its fit
    /// rules. The host's words (leads `L1`..`L5`, reps, sources, campaigns...) are
    /// fixed defaults. Everything is in a fixed order, so the same policy always gives
    /// the same vocabulary.
    pub fn of(policy: &Policy) -> Self {
        let recycle = &policy.recycle;
        let scoring = &policy.scoring;

        let mut reasons: Vec<String> = recycle.reasons.keys().cloned().collect();
        push_new(&mut reasons, recycle.remove_reasons.iter().cloned());
        push_unknown(&mut reasons, &UNKNOWN_REASONS);

        let mut programs: Vec<String> = policy.programs.keys().cloned().collect();
        push_unknown(&mut programs, &UNKNOWN_PROGRAMS);

        let mut kinds: Vec<String> = scoring.engagement.keys().cloned().collect();
        kinds.extend(scoring.hand_raisers.iter().cloned());
        kinds.extend(
            scoring
                .groups
                .values()
                .flat_map(|g| g.kinds.iter().cloned()),
        );
        kinds.sort();
        kinds.dedup();
        push_unknown(&mut kinds, &UNKNOWN_KINDS);
        kinds.sort();

        let mut scored: Vec<(&String, f64)> = scoring
            .engagement
            .iter()
            .filter(|(kind, &points)| points > 0.0 && !scoring.hand_raisers.contains(kind))
            .map(|(kind, &points)| (kind, points))
            .collect();
        // Best first; the map's name order breaks ties.
        scored.sort_by(|a, b| b.1.total_cmp(&a.1));
        let mut warm_kinds: Vec<String> =
            scored.iter().take(3).map(|(k, _)| (*k).clone()).collect();
        if warm_kinds.is_empty() {
            // Nothing scores: hand-raisers still qualify a lead, and an unknown kind is
            // at least a touch.
            warm_kinds = scoring.hand_raisers.iter().take(1).cloned().collect();
        }
        if warm_kinds.is_empty() {
            warm_kinds.push(kinds[0].clone());
        }

        let mut contents: Vec<String> = policy
            .programs
            .values()
            .flat_map(|program| program.steps.iter().cloned())
            .collect();
        contents.sort();
        contents.dedup();
        push_unknown(&mut contents, &UNKNOWN_CONTENTS);
        contents.sort();

        let mut attributes: Vec<(String, ProfileValue)> = Vec::new();
        let mut good_fit = Profile::new();
        for rule in &scoring.fit {
            let values = values_for(rule);
            if rule.points > 0.0 {
                if let Some(matching) = values.first().filter(|_| rule.exists != Some(false)) {
                    good_fit.insert(rule.attr.clone(), matching.clone());
                }
            }
            for value in values {
                push_attribute(&mut attributes, (rule.attr.clone(), value));
            }
        }
        for (attr, value) in [
            ("region", ProfileValue::from("emea")),
            ("region", "na".into()),
            ("partner", true.into()),
        ] {
            push_attribute(&mut attributes, (attr.to_owned(), value));
        }

        let words = |w: &[&str]| w.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        Vocabulary {
            leads: ["L1", "L2", "L3", "L4", "L5"].map(LeadId::from).to_vec(),
            reps: ["R1", "R2", "R3"].map(RepId::from).to_vec(),
            sources: words(&["webinar", "form_fill", "list_import", "badge_scan"]),
            campaigns: words(&["w-17", "q1-ads", "summit"]),
            channels: words(&["email", "paid_social", "events"]),
            accounts: words(&["acme", "globex"]),
            outcomes: words(&["voicemail", "connected", "no_answer"]),
            lost_causes: words(&["bounced", "left_company", "invalid_address"]),
            opportunities: words(&["O1", "O2"]),
            amounts: vec![5000.0, 25000.0, 120000.5],
            reasons,
            programs,
            kinds,
            warm_kinds,
            contents,
            attributes,
            good_fit,
        }
    }

    /// Panics, naming the field, when a list a stream draws from is empty.
    pub(super) fn assert_usable(&self) {
        let lists = [
            ("leads", self.leads.is_empty()),
            ("reps", self.reps.is_empty()),
            ("sources", self.sources.is_empty()),
            ("campaigns", self.campaigns.is_empty()),
            ("channels", self.channels.is_empty()),
            ("accounts", self.accounts.is_empty()),
            ("outcomes", self.outcomes.is_empty()),
            ("lost_causes", self.lost_causes.is_empty()),
            ("opportunities", self.opportunities.is_empty()),
            ("amounts", self.amounts.is_empty()),
            ("reasons", self.reasons.is_empty()),
            ("programs", self.programs.is_empty()),
            ("kinds", self.kinds.is_empty()),
            ("warm_kinds", self.warm_kinds.is_empty()),
            ("contents", self.contents.is_empty()),
            ("attributes", self.attributes.is_empty()),
        ];
        for (name, empty) in lists {
            assert!(
                !empty,
                "Vocabulary::{name} is empty: a stream needs at least one"
            );
        }
    }
}

/// Appends the words `list` does not hold yet.
fn push_new(list: &mut Vec<String>, words: impl IntoIterator<Item = String>) {
    for w in words {
        if !list.contains(&w) {
            list.push(w);
        }
    }
}

/// Appends words the policy does not know: each of `words`, or, when the policy
/// happens to use it, the word with a suffix that it does not use.
fn push_unknown(list: &mut Vec<String>, words: &[&str]) {
    for w in words {
        let mut word = (*w).to_owned();
        while list.contains(&word) {
            word.push_str("_x");
        }
        list.push(word);
    }
}

fn push_attribute(list: &mut Vec<(String, ProfileValue)>, attribute: (String, ProfileValue)) {
    if !list.contains(&attribute) {
        list.push(attribute);
    }
}

/// Values of a fit rule's attribute: one that matches first, then ones that do not
/// (and, for a number, a number written as text).
fn values_for(rule: &FitRule) -> Vec<ProfileValue> {
    let other = || ProfileValue::from("other");
    let step = |x: f64| (x.abs() * 0.75).max(1.0);
    if let Some(options) = &rule.any_of {
        let mut values = options.clone();
        values.push(other());
        values
    } else if let Some(value) = &rule.equals {
        vec![value.clone(), other()]
    } else if let Some(x) = rule.at_least {
        let s = step(x);
        vec![
            (x + s).into(),
            (x - s).into(),
            ProfileValue::from((x + 2.0 * s).to_string()),
        ]
    } else if let Some(x) = rule.at_most {
        let s = step(x);
        vec![
            (x - s).into(),
            (x + s).into(),
            ProfileValue::from((x - 2.0 * s).to_string()),
        ]
    } else {
        // `exists`: any value makes the attribute present.
        vec!["yes".into()]
    }
}
