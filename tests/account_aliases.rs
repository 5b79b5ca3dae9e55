//! Account aliases (docs/accounts.md, "Aliases"): the normaliser, the policy's
//! `[accounts.aliases]` table, the `account_alias` event, and their refusals.

use leadcycle::accounts::{normalize, AccountNames, AliasError};
use leadcycle::{Engine, Event, LeadBook, Policy, PolicyProblem};
use serde_json::{json, Value};
use std::collections::BTreeMap;

const AMEX: &str = r#"
[accounts]
window_days = 30
min_contacts = 3
[accounts.aliases]
amex = ["American Express Co.", "americanexpress.com"]
"#;

fn engine_of(toml: &str) -> Engine {
    let policy: Policy = toml::from_str(toml).unwrap_or_else(|e| panic!("{toml}: {e}"));
    Engine::new(policy).unwrap_or_else(|e| panic!("{toml}: {e}"))
}

fn ev(value: Value) -> Event {
    serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("bad test event {value}: {e}"))
}

fn created(lead: &str, at: &str, account: &str) -> Event {
    ev(json!({"type":"created","lead":lead,"at":at,"source":"web","account":account}))
}

fn touch(lead: &str, at: &str) -> Event {
    ev(json!({"type":"touch","lead":lead,"at":at,"kind":"pricing_page_view"}))
}

fn alias(at: &str, account: &str, alias: &str) -> Event {
    ev(json!({"type":"account_alias","at":at,"account":account,"alias":alias}))
}

fn apply(book: &mut LeadBook, engine: &Engine, event: &Event) -> Vec<Value> {
    book.apply(engine, event)
        .iter()
        .map(|e| serde_json::to_value(e).unwrap())
        .collect()
}

fn engaged(effects: &[Value]) -> Vec<&Value> {
    effects
        .iter()
        .filter(|e| e["type"] == "account_engaged")
        .collect()
}

#[test]
fn normalisation_folds_case_punctuation_whitespace_and_legal_suffixes() {
    let table = [
        ("American Express Co.", Some("american express")),
        ("american express", Some("american express")),
        ("  AMERICAN\tEXPRESS  ", Some("american express")),
        ("American Express Company", Some("american express")),
        ("Acme, Inc.", Some("acme")),
        ("ACME INC", Some("acme")),
        ("Acme Corp.", Some("acme")),
        ("Acme Corporation", Some("acme")),
        ("Acme LLC", Some("acme")),
        ("Acme Ltd.", Some("acme")),
        ("Acme Holdings Co., Ltd.", Some("acme holdings")),
        ("Siemens AG", Some("siemens")),
        ("Robert Bosch GmbH", Some("robert bosch")),
        ("Unilever PLC", Some("unilever")),
        ("Nestlé S.A.", Some("nestlé")),
        ("McDonald's", Some("mcdonalds")),
        ("AT&T Inc.", Some("at t")),
        ("A.B.C. Corp", Some("abc")),
        // A legal word that is not at the end stays.
        ("Company Shop", Some("company shop")),
        // Email domains and addresses: the domain, lower case, without www.
        ("americanexpress.com", Some("americanexpress.com")),
        ("www.AmericanExpress.com", Some("americanexpress.com")),
        ("jane.doe@AmericanExpress.com", Some("americanexpress.com")),
        // Nothing left.
        ("", None),
        ("   ", None),
        ("...", None),
        ("Inc.", None),
        ("Co., Ltd.", None),
    ];
    for (given, expected) in table {
        assert_eq!(normalize(given).as_deref(), expected, "{given:?}");
    }
}

#[test]
fn american_express_amex_and_its_domain_are_one_account_when_aliased() {
    let engine = engine_of(AMEX);
    let mut book = LeadBook::new();
    let mut effects = Vec::new();
    for event in [
        created("L1", "2026-01-05T09:00:00Z", "American Express Co."),
        created("L2", "2026-01-05T09:00:00Z", "AMEX"),
        created("L3", "2026-01-05T09:00:00Z", "ops@americanexpress.com"),
        touch("L1", "2026-01-05T10:00:00Z"),
        touch("L2", "2026-01-05T11:00:00Z"),
        touch("L3", "2026-01-05T12:00:00Z"),
    ] {
        effects.extend(apply(&mut book, &engine, &event));
    }
    let engaged = engaged(&effects);
    assert_eq!(engaged.len(), 1, "{effects:#?}");
    assert_eq!(engaged[0]["account"], "amex");
    assert_eq!(engaged[0]["leads"], json!(["L1", "L2", "L3"]));
    let names = book.account_names(&engine);
    for spelling in [
        "american express",
        "Amex",
        "AMERICAN EXPRESS CO",
        "www.americanexpress.com",
    ] {
        assert_eq!(
            names.resolve(spelling).as_deref(),
            Some("amex"),
            "{spelling}"
        );
    }
}

#[test]
fn without_the_alias_the_spellings_are_separate_accounts() {
    let engine = engine_of("[accounts]\nwindow_days = 30\nmin_contacts = 3\n");
    let mut book = LeadBook::new();
    let mut effects = Vec::new();
    for event in [
        created("L1", "2026-01-05T09:00:00Z", "American Express Co."),
        created("L2", "2026-01-05T09:00:00Z", "AMEX"),
        created("L3", "2026-01-05T09:00:00Z", "american express"),
        touch("L1", "2026-01-05T10:00:00Z"),
        touch("L2", "2026-01-05T11:00:00Z"),
        touch("L3", "2026-01-05T12:00:00Z"),
    ] {
        effects.extend(apply(&mut book, &engine, &event));
    }
    assert!(engaged(&effects).is_empty(), "{effects:#?}");
}

#[test]
fn an_alias_event_merges_the_roll_up_kept_under_the_alias_into_the_account() {
    let engine = engine_of("[accounts]\nwindow_days = 30\nmin_contacts = 3\n");
    let mut book = LeadBook::new();
    let mut effects = Vec::new();
    for event in [
        created("L1", "2026-01-05T09:00:00Z", "American Express Co."),
        created("L2", "2026-01-05T09:00:00Z", "American Express"),
        created("L3", "2026-01-05T09:00:00Z", "Amex"),
        touch("L1", "2026-01-05T10:00:00Z"),
        touch("L2", "2026-01-05T11:00:00Z"),
        touch("L3", "2026-01-05T12:00:00Z"),
    ] {
        effects.extend(apply(&mut book, &engine, &event));
    }
    assert!(
        engaged(&effects).is_empty(),
        "two accounts so far: {effects:#?}"
    );
    let added = apply(
        &mut book,
        &engine,
        &alias("2026-01-06T09:00:00Z", "Amex", "American Express Inc"),
    );
    assert!(added.is_empty(), "an alias says nothing itself: {added:#?}");
    // The next event of one of the account's leads judges the merged window.
    let effects = apply(&mut book, &engine, &touch("L3", "2026-01-06T10:00:00Z"));
    let engaged = engaged(&effects);
    assert_eq!(engaged.len(), 1, "{effects:#?}");
    assert_eq!(engaged[0]["account"], "amex");
    assert_eq!(engaged[0]["leads"], json!(["L1", "L2", "L3"]));
    // A lead created afterwards under the alias joins the account.
    let names = book.account_names(&engine);
    assert_eq!(names.resolve("AMERICAN EXPRESS").as_deref(), Some("amex"));
}

#[test]
fn a_run_time_alias_survives_a_snapshot_taken_before_any_lead_of_its_account() {
    // The roll-up then holds the alias table and nothing else: the snapshot must keep
    // it, or a restored book would count the alias as an account of its own.
    let engine = engine_of("[accounts]\nwindow_days = 30\nmin_contacts = 3\n");
    let mut book = LeadBook::new();
    apply(
        &mut book,
        &engine,
        &alias("2026-01-05T08:00:00Z", "Amex", "American Express Inc"),
    );
    let json = serde_json::to_string(&book.snapshot()).unwrap();
    let mut restored = LeadBook::from_snapshot(serde_json::from_str(&json).unwrap());
    assert_eq!(
        restored
            .account_names(&engine)
            .resolve("AMERICAN EXPRESS")
            .as_deref(),
        Some("amex"),
        "{json}"
    );
    let mut effects = Vec::new();
    for event in [
        created("L1", "2026-01-05T09:00:00Z", "American Express Inc"),
        created("L2", "2026-01-05T09:00:00Z", "Amex"),
        created("L3", "2026-01-05T09:00:00Z", "American Express"),
        touch("L1", "2026-01-05T10:00:00Z"),
        touch("L2", "2026-01-05T11:00:00Z"),
        touch("L3", "2026-01-05T12:00:00Z"),
    ] {
        effects.extend(apply(&mut restored, &engine, &event));
    }
    let engaged = engaged(&effects);
    assert_eq!(engaged.len(), 1, "{effects:#?}");
    assert_eq!(engaged[0]["leads"], json!(["L1", "L2", "L3"]));
}

#[test]
fn an_alias_event_read_from_its_json_line_names_no_lead() {
    let event = alias("2026-01-06T09:00:00Z", "amex", "American Express");
    assert_eq!(event.lead(), None);
    let line = r#"{"type":"account_alias","lead":"L1","at":"2026-01-06T09:00:00Z","account":"amex","alias":"x"}"#;
    let err = serde_json::from_str::<Event>(line).unwrap_err().to_string();
    assert!(err.contains("an `account_alias` takes no `lead`"), "{err}");
    let line = r#"{"type":"account_alias","at":"2026-01-06T09:00:00Z","account":"amex"}"#;
    let err = serde_json::from_str::<Event>(line).unwrap_err().to_string();
    assert!(err.contains("alias"), "{err}");
}

/// Applies `event` to a book holding an `amex` account with an alias, and returns
/// the rejection's kind and message; checks that the book did not change.
fn refused(event: &Event) -> (String, String) {
    let engine = engine_of(AMEX);
    let mut book = LeadBook::new();
    apply(
        &mut book,
        &engine,
        &created("L1", "2026-01-05T09:00:00Z", "Visa"),
    );
    apply(
        &mut book,
        &engine,
        &ev(json!({"type":"tick","at":"2026-01-05T12:00:00Z"})),
    );
    let before = serde_json::to_value(book.snapshot()).unwrap();
    let effects = apply(&mut book, &engine, event);
    assert_eq!(effects.len(), 1, "{effects:#?}");
    assert_eq!(effects[0]["type"], "rejected");
    assert_eq!(
        serde_json::to_value(book.snapshot()).unwrap(),
        before,
        "a refused alias changes nothing"
    );
    (
        effects[0]["kind"].as_str().unwrap().to_owned(),
        effects[0]["message"].as_str().unwrap().to_owned(),
    )
}

#[test]
fn an_alias_event_with_a_name_that_normalises_to_nothing_is_malformed() {
    let (kind, message) = refused(&alias("2026-01-06T09:00:00Z", "amex", "Inc."));
    assert_eq!(kind, "malformed");
    assert!(
        message.contains("alias \"Inc.\" has no letters or digits left"),
        "{message}"
    );
    let (kind, message) = refused(&alias("2026-01-06T09:00:00Z", "", "Visa"));
    assert_eq!(kind, "malformed");
    assert!(message.contains("account \"\""), "{message}");
}

#[test]
fn an_alias_event_that_would_name_a_second_account_is_malformed() {
    let (kind, message) = refused(&alias(
        "2026-01-06T09:00:00Z",
        "Visa",
        "American Express Co",
    ));
    assert_eq!(kind, "malformed");
    assert!(
        message.contains("already names account `amex`"),
        "{message}"
    );
}

#[test]
fn an_alias_event_chaining_accounts_is_malformed() {
    // amex has aliases of its own: it cannot become another account's alias.
    let (kind, message) = refused(&alias("2026-01-06T09:00:00Z", "Visa", "AMEX"));
    assert_eq!(kind, "malformed");
    assert!(
        message.contains("`amex` is an account with aliases of its own"),
        "{message}"
    );
    // And an alias cannot be given aliases.
    let (kind, message) = refused(&alias(
        "2026-01-06T09:00:00Z",
        "American Express",
        "Amex Travel",
    ));
    assert_eq!(kind, "malformed");
    assert!(
        message.contains("is an alias of another account"),
        "{message}"
    );
}

#[test]
fn an_alias_event_older_than_the_last_tick_is_out_of_order() {
    let (kind, _) = refused(&alias("2026-01-05T11:00:00Z", "Visa", "Visa International"));
    assert_eq!(kind, "out_of_order");
}

#[test]
fn an_alias_the_table_already_has_is_accepted_and_changes_nothing() {
    let engine = engine_of(AMEX);
    let mut book = LeadBook::new();
    let effects = apply(
        &mut book,
        &engine,
        &alias("2026-01-06T09:00:00Z", "AMEX", "american express"),
    );
    assert!(effects.is_empty(), "{effects:#?}");
    assert!(book.account_roll_up().is_empty());
}

#[test]
fn an_alias_event_stepped_on_one_lead_is_malformed() {
    let engine = engine_of(AMEX);
    let (mut lead, _) = engine
        .create(&created("L1", "2026-01-05T09:00:00Z", "Visa"))
        .unwrap();
    let before = lead.clone();
    let refused = engine
        .step(
            &mut lead,
            &alias("2026-01-06T09:00:00Z", "amex", "American Express"),
        )
        .unwrap_err();
    assert_eq!(refused.kind().as_str(), "malformed");
    assert!(
        refused.to_string().contains("apply it to the LeadBook"),
        "{refused}"
    );
    assert_eq!(lead, before);
}

#[test]
fn every_alias_table_problem_is_a_policy_problem() {
    let problems = |toml: &str| -> Vec<PolicyProblem> {
        let policy: Policy = toml::from_str(toml).unwrap();
        Engine::new(policy).unwrap_err().problems().to_vec()
    };
    let found = problems("[accounts.aliases]\n\"Inc.\" = [\"x\"]\nvisa = [\"\", \"Ltd\"]\n");
    assert_eq!(found.len(), 3, "{found:?}");
    for p in &found {
        assert!(
            matches!(
                p,
                PolicyProblem::AccountAlias {
                    problem: AliasError::EmptyName { .. }
                }
            ),
            "{p}"
        );
    }
    assert!(
        found[0]
            .to_string()
            .starts_with("`accounts.aliases`: account \"Inc.\""),
        "{}",
        found[0]
    );
    let found =
        problems("[accounts.aliases]\namex = [\"Centurion\"]\nvisa = [\"centurion inc\"]\n");
    assert!(
        matches!(&found[..], [PolicyProblem::AccountAlias { problem: AliasError::NamesTwoAccounts { alias, existing, requested } }]
            if alias == "centurion" && existing == "amex" && requested == "visa"),
        "{found:?}"
    );
    let found =
        problems("[accounts.aliases]\namex = [\"Visa\"]\nvisa = [\"Visa International\"]\n");
    assert!(
        matches!(
            &found[..],
            [PolicyProblem::AccountAlias {
                problem: AliasError::Chained { .. }
            }]
        ),
        "{found:?}"
    );
}

#[test]
fn account_names_resolve_an_unaliased_name_to_its_normal_form() {
    let names = AccountNames::from_table(&BTreeMap::new()).unwrap();
    assert_eq!(
        names.resolve("Globex Corporation").as_deref(),
        Some("globex")
    );
    assert_eq!(names.resolve("LLC"), None);
}
