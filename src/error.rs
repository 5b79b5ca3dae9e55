//! Error types. Every error names what was wrong and what was expected.

use crate::accounts::AliasError;
use crate::effect::{Effect, RejectKind};
use crate::event::EventType;
use crate::id::{EventId, LeadId};
use crate::stage::Stage;
use chrono::{DateTime, Utc};
use thiserror::Error;

/// Why an event was refused. The lead (or book) is left exactly as it was.
///
/// [`StepError::kind`] gives the contract's `rejected.kind`; the `Display` text is
/// the `rejected.message`.
#[derive(Clone, Debug, PartialEq, Error)]
#[non_exhaustive]
pub enum StepError {
    /// The event names a lead that was never created.
    #[error("lead {lead} does not exist: `{event}` needs a lead that was created first (send its `created` event)")]
    UnknownLead {
        /// The lead named.
        lead: LeadId,
        /// The refused event's type.
        event: EventType,
    },
    /// A `created` event for a lead that already exists.
    #[error("lead {lead} already exists: `created` is only for a new lead id")]
    DuplicateLead {
        /// The lead.
        lead: LeadId,
    },
    /// The event's `id` was already applied to this lead.
    #[error("event {id} was already applied to lead {lead}: a redelivered event is applied once")]
    DuplicateEvent {
        /// The lead.
        lead: LeadId,
        /// The repeated event id.
        id: EventId,
    },
    /// The event is not legal from the lead's stage.
    #[error("lead {lead} is in stage {stage}: `{event}` is legal only from {}", stage_list(.legal_from))]
    IllegalTransition {
        /// The lead.
        lead: LeadId,
        /// Its stage.
        stage: Stage,
        /// The refused event's type.
        event: EventType,
        /// The stages the event is legal from.
        legal_from: &'static [Stage],
    },
    /// The event is older than the lead's clock or the book's last tick.
    #[error("{} `{event}` at {} is older than {what} ({}): events must come in time order", lead_phrase(.lead), rfc3339(.at), rfc3339(.after))]
    OutOfOrder {
        /// The lead, if the event names one.
        lead: Option<LeadId>,
        /// The refused event's type.
        event: EventType,
        /// Its time.
        at: DateTime<Utc>,
        /// The time it must not be older than.
        after: DateTime<Utc>,
        /// What that time is: the lead's last event, or the last tick.
        what: &'static str,
    },
    /// The event names a program the policy does not define.
    #[error("lead {lead}: `{event}` names program `{program}`, which the policy does not define; expected one of: {known}")]
    UnknownProgram {
        /// The lead.
        lead: LeadId,
        /// The refused event's type.
        event: EventType,
        /// The unknown program.
        program: String,
        /// The programs the policy defines, comma-separated.
        known: String,
    },
    /// The lead was removed and takes no more events.
    #[error(
        "lead {lead} was removed ({reason}): it takes no more events, so `{event}` was refused"
    )]
    RemovedLead {
        /// The lead.
        lead: LeadId,
        /// The refused event's type.
        event: EventType,
        /// Why the lead was removed.
        reason: String,
    },
    /// The event cannot be applied as written.
    #[error("{problem}")]
    Malformed {
        /// The lead, if the event names one.
        lead: Option<LeadId>,
        /// What is wrong and what was expected.
        problem: String,
    },
    /// A field that names something (`lead`, `rep`, `reason`, `program`, `into`) is an
    /// empty string. `rejected.kind` is `malformed`.
    #[error("{}`{event}` has an empty `{field}`: expected {}", lead_prefix(.lead), what_names(.field))]
    EmptyField {
        /// The lead, if the event names one (`None` when `lead` is the empty field).
        lead: Option<LeadId>,
        /// The refused event's type.
        event: EventType,
        /// The empty field.
        field: &'static str,
    },
    /// Under the policy's `strict_events`: the event carries fields its type does not
    /// have (a misspelt `"programme"`). `rejected.kind` is `malformed`.
    #[error("{}`{event}` has no {} {} (the policy sets strict_events): expected only {}", lead_prefix(.lead), plural(.fields.len(), "field", "fields"), quoted(.fields), field_list(*.event))]
    UnknownField {
        /// The lead, if the event names one.
        lead: Option<LeadId>,
        /// The refused event's type.
        event: EventType,
        /// The fields it should not have, in name order.
        fields: Vec<String>,
    },
    /// Under the policy's `strict_events`: the event gives a recycle reason the policy
    /// does not know. `rejected.kind` is `malformed`.
    #[error("{}`{event}` gives reason `{reason}`, which the policy does not know (it sets strict_events): expected one of {known} (the keys of recycle.reasons and recycle.remove_reasons)", lead_prefix(.lead))]
    UnknownReason {
        /// The lead.
        lead: Option<LeadId>,
        /// The refused event's type.
        event: EventType,
        /// The reason given.
        reason: String,
        /// The reasons the policy knows, comma-separated.
        known: String,
    },
}

impl StepError {
    /// The contract's `rejected.kind` for this error.
    pub fn kind(&self) -> RejectKind {
        match self {
            StepError::UnknownLead { .. } => RejectKind::UnknownLead,
            StepError::DuplicateLead { .. } => RejectKind::DuplicateLead,
            StepError::DuplicateEvent { .. } => RejectKind::DuplicateEvent,
            StepError::IllegalTransition { .. } => RejectKind::IllegalTransition,
            StepError::OutOfOrder { .. } => RejectKind::OutOfOrder,
            StepError::UnknownProgram { .. } => RejectKind::UnknownProgram,
            StepError::RemovedLead { .. } => RejectKind::RemovedLead,
            StepError::Malformed { .. }
            | StepError::EmptyField { .. }
            | StepError::UnknownField { .. }
            | StepError::UnknownReason { .. } => RejectKind::Malformed,
        }
    }
}

/// An event refused by [`Engine::step`](crate::Engine::step) or
/// [`Engine::merge`](crate::Engine::merge), with the effects of the deadlines that fired
/// before the refusal.
///
/// The time an event carries has passed whatever the event turns out to be: when it is
/// refused for the stage the lead is in (`illegal_transition`, `unknown_program`, or
/// `removed_lead` because a deadline removed the lead), the lead's deadlines that fell
/// due before it fired first, and they stand (CONTRACT.md, "Time"). A host emits
/// `fired`, then the `rejected` effect ([`Rejection::into_effects`] does both), and
/// saves the lead. `fired` is empty for a refusal judged before the deadlines.
#[derive(Clone, Debug, PartialEq, Error)]
#[error("{error}")]
pub struct Rejection {
    /// Why the event was refused.
    pub error: StepError,
    /// The effects of the deadlines that fired before the refusal, in order.
    pub fired: Vec<Effect>,
}

impl Rejection {
    /// The contract's `rejected.kind`.
    pub fn kind(&self) -> RejectKind {
        self.error.kind()
    }

    /// Every effect the refused `event` produced: the fired deadlines' effects, then the
    /// `rejected` effect.
    pub fn into_effects(self, event: &crate::event::Event) -> Vec<Effect> {
        let mut effects = self.fired;
        effects.push(Effect::rejected(&self.error, event));
        effects
    }
}

/// Text that is not the name of a value of a closed set: what [`FromStr`](std::str::FromStr)
/// returns for [`EventType`](crate::EventType), [`EffectType`](crate::EffectType),
/// [`Stage`](crate::Stage), [`Grade`](crate::scoring::Grade),
/// [`Band`](crate::scoring::Band) and [`Cell`](crate::scoring::Cell).
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("`{given}` is not {what}: expected {expected}")]
#[non_exhaustive]
pub struct ParseNameError {
    /// What the name should have been (`an event type`, `a stage`).
    pub what: &'static str,
    /// The text given.
    pub given: String,
    /// What it may be (`one of inquiry, mql, ...`, `a grade A-D then a band 1-4`).
    pub expected: String,
}

impl ParseNameError {
    /// `given` is not one of `names`.
    pub(crate) fn new(
        what: &'static str,
        given: &str,
        names: impl IntoIterator<Item = &'static str>,
    ) -> Self {
        let names: Vec<&str> = names.into_iter().collect();
        Self::expected(what, given, format!("one of {}", names.join(", ")))
    }

    /// `given` is not what `expected` describes.
    pub(crate) fn expected(what: &'static str, given: &str, expected: impl Into<String>) -> Self {
        ParseNameError {
            what,
            given: given.to_owned(),
            expected: expected.into(),
        }
    }
}

fn stage_list(stages: &[Stage]) -> String {
    let names: Vec<&str> = stages.iter().map(|s| s.as_str()).collect();
    match names.len() {
        0 => "no stage (it creates a lead)".to_owned(),
        1 => names[0].to_owned(),
        n => format!("{} or {}", names[..n - 1].join(", "), names[n - 1]),
    }
}

/// A time as the contract writes it: RFC 3339 in UTC with `Z`.
pub(crate) fn rfc3339(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// `lead L1: `, or nothing for an event without a lead.
fn lead_prefix(lead: &Option<LeadId>) -> String {
    lead.as_ref()
        .map_or_else(String::new, |l| format!("lead {l}: "))
}

/// What a field that must not be empty names.
fn what_names(field: &str) -> &'static str {
    match field {
        "lead" => "the id of the lead it happened to",
        "rep" => "the id of the rep",
        "reason" => "a recycle reason such as `no_budget`",
        "program" => "the name of a program the policy defines, or no `program` at all",
        "into" => "the id of the surviving lead",
        _ => "a non-empty string",
    }
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        many
    }
}

fn quoted(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    quoted.join(", ")
}

/// Every field an event of type `ty` may have, the common ones first.
fn field_list(ty: EventType) -> String {
    let common: &[&str] = if ty.is_leadless() {
        &["type", "at", "id"]
    } else {
        &["type", "lead", "at", "id"]
    };
    let all: Vec<&str> = common.iter().chain(ty.fields()).copied().collect();
    all.join(", ")
}

fn lead_phrase(lead: &Option<LeadId>) -> String {
    match lead {
        Some(l) => format!("lead {l}:"),
        None => "the".to_owned(),
    }
}

/// Why a policy could not be read, or was refused.
///
/// [`Engine::new`](crate::Engine::new) and [`Policy::validate`](crate::Policy::validate)
/// return only [`PolicyError::Invalid`]; `Policy::from_toml_str` may also return
/// [`PolicyError::Parse`], and `Policy::from_toml_file` [`PolicyError::Read`] too.
#[derive(Clone, Debug, PartialEq, Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// The policy was read but has problems: every one of them, in the order of the
    /// policy's sections. The message lists them one per line.
    #[error("{}", problem_list(.problems))]
    Invalid {
        /// Every problem found, never empty.
        problems: Vec<PolicyProblem>,
    },
    /// The policy text is not TOML, or not a policy: a syntax error, a misspelt key, a
    /// value of the wrong type.
    #[error("line {line}, column {column}: {message}")]
    Parse {
        /// 1-based line of the text where the problem is (for a table that lacks a
        /// key, its header).
        line: usize,
        /// 1-based column, in characters, of that line.
        column: usize,
        /// What is wrong and what was expected, as the TOML parser says it (it names
        /// the key for a misspelt or missing one), on one line.
        message: String,
    },
    /// The policy file could not be read.
    #[error("cannot read policy file {}: {message}", .path.display())]
    Read {
        /// The file.
        path: std::path::PathBuf,
        /// What kind of I/O error it was (`NotFound`, `PermissionDenied`...).
        kind: std::io::ErrorKind,
        /// The operating system's message.
        message: String,
    },
}

impl PolicyError {
    /// The problems of an [`Invalid`](PolicyError::Invalid) policy; empty for the other
    /// kinds of error.
    pub fn problems(&self) -> &[PolicyProblem] {
        match self {
            PolicyError::Invalid { problems } => problems,
            _ => &[],
        }
    }
}

fn problem_list(problems: &[PolicyProblem]) -> String {
    let mut text = match problems.len() {
        1 => "the policy has 1 problem:".to_owned(),
        n => format!("the policy has {n} problems:"),
    };
    for problem in problems {
        text.push_str("\n- ");
        text.push_str(&problem.to_string());
    }
    text
}

/// One problem of a policy, naming its key and what was expected.
#[derive(Clone, Debug, PartialEq, Error)]
#[non_exhaustive]
pub enum PolicyProblem {
    /// A key names a program the policy does not define.
    #[error("`{key}` names program `{program}`, which the policy does not define: add a [programs.{program}] table or name one of: {known}")]
    UnknownProgram {
        /// The policy key (`recycle.reasons.no_budget`).
        key: String,
        /// The program named.
        program: String,
        /// The programs the policy defines, comma-separated.
        known: String,
    },
    /// A program branches to itself on a content.
    #[error("`programs.{program}.branches.{content}` names `{program}` itself: a branch moves a lead into another program, so name another program or remove the branch")]
    BranchToItself {
        /// The program.
        program: String,
        /// The content of the branch.
        content: String,
    },
    /// A program has a branch whose content is the empty string.
    #[error("`programs.{program}.branches` has an empty content: name the content (a `touch` event's `content`) that moves the lead")]
    EmptyBranchContent {
        /// The program.
        program: String,
    },
    /// A number is out of its range.
    #[error("`{key}` = {value} is invalid: expected {expected}")]
    InvalidValue {
        /// The policy key (`programs.timing_drip.cadence_days`).
        key: String,
        /// The value given.
        value: f64,
        /// What was expected (`a number of days greater than 0`).
        expected: &'static str,
    },
    /// The grade table is not in descending order.
    #[error("`scoring.grades` is out of order: A = {a}, B = {b}, C = {c}; expected A >= B >= C")]
    GradesOutOfOrder {
        /// Points for grade A.
        a: f64,
        /// Points for grade B.
        b: f64,
        /// Points for grade C.
        c: f64,
    },
    /// The band table is not in descending order.
    #[error(
        "`scoring.bands` is out of order: 1 = {one}, 2 = {two}, 3 = {three}; expected 1 >= 2 >= 3"
    )]
    BandsOutOfOrder {
        /// Points for band 1.
        one: f64,
        /// Points for band 2.
        two: f64,
        /// Points for band 3.
        three: f64,
    },
    /// A touch kind is listed in two engagement groups.
    #[error("touch kind `{kind}` is in two engagement groups, `scoring.groups.{first}` and `scoring.groups.{second}`: expected each kind in one group at most")]
    KindInTwoGroups {
        /// The touch kind.
        kind: String,
        /// The first group.
        first: String,
        /// The second group.
        second: String,
    },
    /// A setting needs another that is missing (perhaps switched off with `false`).
    #[error("`{key}` is set (in the policy or by default) but `{needs}` is not: set both, or switch both off with `false`")]
    MissingSetting {
        /// The key that was set.
        key: String,
        /// The key it needs.
        needs: String,
    },
    /// A rhai hook does not compile.
    #[error("`rules.{hook}` does not compile: line {line}, column {column}: {message}")]
    HookSyntax {
        /// The hook (`disposition`, `route`, `points` or `requalify`).
        hook: &'static str,
        /// 1-based line in the hook's source text.
        line: usize,
        /// 1-based column of that line.
        column: usize,
        /// What the parser expected, as rhai says it.
        message: String,
    },
    /// A rhai hook reads `lead.NAME` or `event.NAME`, and the view has no such field.
    #[error("`rules.{hook}` line {line}, column {column}: `{view}.{field}` is not a field of the {view} view: expected one of {known}")]
    HookUnknownField {
        /// The hook.
        hook: &'static str,
        /// 1-based line of the field name in the hook's source.
        line: usize,
        /// 1-based column.
        column: usize,
        /// `lead` or `event`.
        view: &'static str,
        /// The field read.
        field: String,
        /// The view's fields, comma-separated.
        known: String,
    },
    /// A fit rule has no condition or more than one.
    #[error("`scoring.fit[{index}]` (attr `{attr}`) must have exactly one condition of any_of, equals, at_least, at_most, exists; it has {count}")]
    FitRuleConditions {
        /// The rule's index in `[[scoring.fit]]`.
        index: usize,
        /// The rule's attribute.
        attr: String,
        /// How many conditions it has.
        count: usize,
    },
    /// A name in the policy is empty or only whitespace.
    #[error("`{key}` is empty: expected a name (leave the key out to match any)")]
    EmptyName {
        /// The key (`"scoring.sales[2].channel"`).
        key: String,
    },
    /// Two `[[scoring.sales]]` rules match the same channel and outcome.
    #[error("`scoring.sales[{first}]` and `scoring.sales[{second}]` name the same channel and outcome: expected one rule per pair (their points would silently add up)")]
    DuplicateSalesRule {
        /// The first rule's index.
        first: usize,
        /// The index of the rule that repeats it.
        second: usize,
    },
    /// `[scoring.milestones]` gives points for `inquiry`, where every lead starts.
    #[error("`scoring.milestones.inquiry` is refused: every lead starts in inquiry, so its points would be a constant; expected mql, sal, sql, opportunity, customer, recycled or removed")]
    InquiryMilestone,
    /// `[scoring.outcomes]` scores an event type that is not a sales outcome.
    #[error("`scoring.outcomes.{event}` is refused: expected a sales outcome event: sales_accepted, sales_rejected, sales_qualified, opportunity_opened, opportunity_won, opportunity_lost, disqualified or recycled (touches score in scoring.engagement, attempts in scoring.sales)")]
    NotAnOutcome {
        /// The event type.
        event: crate::event::EventType,
    },
    /// `[accounts.aliases]` names an account or alias that normalises to nothing, an
    /// alias of two accounts, or an account that is another's alias.
    #[error("`accounts.aliases`: {problem}")]
    AccountAlias {
        /// What is wrong with the table.
        problem: AliasError,
    },
}

impl StepError {
    pub(crate) fn self_merge(lead: &LeadId) -> Self {
        StepError::Malformed {
            lead: Some(lead.clone()),
            problem: format!("lead {lead} cannot be merged into itself: `into` must name the surviving lead, another lead"),
        }
    }
}

#[cfg(all(test, feature = "toml"))]
mod every_variant;
