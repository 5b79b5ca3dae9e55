//! One spelling per company: the normal form account names are compared in.

/// Legal-form words dropped from the end of a company name, in their normal form
/// (lower case, the dots of `Inc.` already gone). Only trailing words are dropped, so
/// a company called "Company Shop" keeps its name.
const LEGAL_SUFFIXES: &[&str] = &[
    "ab",
    "ag",
    "as",
    "bv",
    "co",
    "company",
    "corp",
    "corporation",
    "gmbh",
    "inc",
    "incorporated",
    "kg",
    "kk",
    "limited",
    "llc",
    "llp",
    "lp",
    "ltd",
    "nv",
    "oy",
    "plc",
    "pte",
    "pty",
    "sa",
    "sarl",
    "sas",
    "spa",
    "srl",
];

/// The normal form of a company name or email domain, or `None` when nothing of it is
/// left (an empty name, punctuation only, or nothing but legal suffixes: `"Inc."`).
///
/// - An email address or domain (one word that contains a dot, such as
///   `"americanexpress.com"`, `"www.AmericanExpress.com"` or
///   `"jane@americanexpress.com"`) is the domain: the part after the last `@`, in
///   lower case, without a leading `www.` or a trailing dot.
/// - Any other name is compared by its words: lower case; apostrophes and dots join
///   what they separate (`"McDonald's"` is `mcdonalds`, `"A.B.C."` is `abc`); every
///   other character that is not a letter or digit separates words (`"AT&T"` is
///   `at t`); runs of spaces are one; and legal-form words at the end (Inc, Co, Corp,
///   Corporation, Company, LLC, Ltd, Limited, GmbH, PLC, AG, SA, NV, BV, ...) are
///   dropped, several in a row too (`"Acme Holdings Co., Ltd."` is `acme holdings`).
///
/// ```
/// use leadcycle::accounts::normalize;
///
/// assert_eq!(normalize("American Express Co.").as_deref(), Some("american express"));
/// assert_eq!(normalize("  AMERICAN   express, inc ").as_deref(), Some("american express"));
/// assert_eq!(normalize("jane@AmericanExpress.com").as_deref(), Some("americanexpress.com"));
/// assert_eq!(normalize("Inc."), None);
/// ```
pub fn normalize(name: &str) -> Option<String> {
    let trimmed = name.trim();
    if is_domain(trimmed) {
        let domain = trimmed.rsplit('@').next().unwrap_or(trimmed);
        let domain = domain.trim_end_matches('.').to_lowercase();
        let domain = domain.strip_prefix("www.").unwrap_or(&domain).to_owned();
        return (!domain.is_empty() && domain.chars().any(char::is_alphanumeric)).then_some(domain);
    }
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    for c in trimmed.chars() {
        if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
        } else if matches!(c, '\'' | '\u{2019}' | '.') {
            // Joins: "McDonald's", "A.B.C.", "Co."
        } else if !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    while words
        .last()
        .is_some_and(|w| LEGAL_SUFFIXES.binary_search(&w.as_str()).is_ok())
    {
        words.pop();
    }
    (!words.is_empty()).then(|| words.join(" "))
}

/// Whether a name reads as an email address or a domain: one word (no spaces) with a
/// dot between two characters that are not dots, or with an `@`.
fn is_domain(name: &str) -> bool {
    if name.is_empty() || name.chars().any(char::is_whitespace) {
        return false;
    }
    if name.contains('@') {
        return true;
    }
    let inner = name.trim_end_matches('.');
    inner
        .split('.')
        .filter(|part| !part.is_empty())
        .count()
        >= 2
        && !inner.starts_with('.')
        && inner.split('.').all(|part| !part.is_empty())
        // "A.B.C." is an abbreviation, not a domain: every part one letter.
        && inner.split('.').any(|part| part.chars().count() > 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legal_suffixes_are_sorted_for_binary_search() {
        let mut sorted = LEGAL_SUFFIXES.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, LEGAL_SUFFIXES);
    }
}
