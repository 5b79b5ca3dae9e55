//! What a hook's source text mentions, read before rhai compiles it: the names it
//! uses (so a view holds only the fields a script can read) and the `lead.NAME` and
//! `event.NAME` it reads (so a misspelt field is a compile error, not a silent `()`).

use super::view::Fields;
use std::collections::BTreeSet;

/// The words of a script and the view fields it reads by name.
#[derive(Debug, Default)]
pub(super) struct Mentions {
    /// Every identifier in the code and every word inside a string literal (a script
    /// may read `lead["stage"]`). Comments are left out.
    pub words: BTreeSet<String>,
    /// Each `lead.NAME` / `event.NAME` (also `?.`) in the code.
    pub reads: Vec<Read>,
    /// The views the code uses other than as `VIEW.NAME` (indexed, passed to a
    /// function, assigned): for those, any field may be read.
    pub whole: Vec<&'static str>,
}

impl Mentions {
    /// The fields of `view` (whose field names are `names`) the script may read: those
    /// it reads by name, or, when it uses the view some other way, every field whose
    /// name appears anywhere in it.
    pub fn fields(&self, view: &str, names: &[&str]) -> Fields {
        if self.whole.contains(&view) {
            return Fields::mentioned(names, |name| self.words.contains(name));
        }
        Fields::mentioned(names, |name| {
            self.reads.iter().any(|r| r.view == view && r.name == name)
        })
    }
}

/// One `VIEW.NAME` in a script.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Read {
    /// `lead` or `event`.
    pub view: &'static str,
    /// The field read.
    pub name: String,
    /// 1-based line of the field name.
    pub line: usize,
    /// 1-based column of the field name.
    pub column: usize,
}

/// Reads `source` as rhai's lexer would for these purposes: `//` and nested `/* */`
/// comments, `"…"` and `` `…` `` strings with `\` escapes, `'c'` characters, and
/// identifiers.
pub(super) fn mentions(source: &str) -> Mentions {
    let chars: Vec<char> = source.chars().collect();
    let mut out = Mentions::default();
    let mut i = 0;
    let (mut line, mut column) = (1, 1);
    // The last character of code that was not white space: a `.` before `lead` means
    // `lead` is a property of something else, not the view.
    let mut prev = ' ';
    let advance = |i: &mut usize, line: &mut usize, column: &mut usize, chars: &[char]| {
        if chars[*i] == '\n' {
            *line += 1;
            *column = 1;
        } else {
            *column += 1;
        }
        *i += 1;
    };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                advance(&mut i, &mut line, &mut column, &chars);
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0usize;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    advance(&mut i, &mut line, &mut column, &chars);
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    advance(&mut i, &mut line, &mut column, &chars);
                    if depth == 0 {
                        advance(&mut i, &mut line, &mut column, &chars);
                        break;
                    }
                }
                advance(&mut i, &mut line, &mut column, &chars);
            }
        } else if c == '"' || c == '`' || c == '\'' {
            advance(&mut i, &mut line, &mut column, &chars);
            let mut word = String::new();
            while i < chars.len() && chars[i] != c {
                if chars[i] == '\\' {
                    advance(&mut i, &mut line, &mut column, &chars);
                } else if is_ident_char(chars[i]) {
                    word.push(chars[i]);
                } else if !word.is_empty() {
                    out.words.insert(std::mem::take(&mut word));
                }
                if i < chars.len() {
                    advance(&mut i, &mut line, &mut column, &chars);
                }
            }
            if !word.is_empty() {
                out.words.insert(word);
            }
            if i < chars.len() {
                advance(&mut i, &mut line, &mut column, &chars);
            }
            prev = c;
        } else if is_ident_start(c) {
            let start = i;
            while i < chars.len() && is_ident_char(chars[i]) {
                advance(&mut i, &mut line, &mut column, &chars);
            }
            let ident: String = chars[start..i].iter().collect();
            let view = match ident.as_str() {
                "lead" if prev != '.' => Some("lead"),
                "event" if prev != '.' => Some("event"),
                _ => None,
            };
            out.words.insert(ident);
            prev = 'a';
            if let Some(view) = view {
                // `VIEW.NAME` or `VIEW?.NAME`, white space allowed around the dot.
                let mut j = i;
                let (mut l, mut col) = (line, column);
                let skip = |j: &mut usize, l: &mut usize, col: &mut usize| {
                    while *j < chars.len() && chars[*j].is_whitespace() {
                        advance(j, l, col, &chars);
                    }
                };
                skip(&mut j, &mut l, &mut col);
                if chars.get(j) == Some(&'?') {
                    advance(&mut j, &mut l, &mut col, &chars);
                }
                if chars.get(j) == Some(&'.') {
                    advance(&mut j, &mut l, &mut col, &chars);
                    skip(&mut j, &mut l, &mut col);
                    let name_start = j;
                    let (name_line, name_column) = (l, col);
                    while j < chars.len() && is_ident_char(chars[j]) {
                        advance(&mut j, &mut l, &mut col, &chars);
                    }
                    // `lead.keys()` is a method call on the whole view, not a field.
                    let mut k = j;
                    while k < chars.len() && chars[k].is_whitespace() {
                        k += 1;
                    }
                    if j > name_start && chars.get(k) != Some(&'(') {
                        out.reads.push(Read {
                            view,
                            name: chars[name_start..j].iter().collect(),
                            line: name_line,
                            column: name_column,
                        });
                        continue;
                    }
                }
                if !out.whole.contains(&view) {
                    out.whole.push(view);
                }
            }
        } else {
            if !c.is_whitespace() {
                prev = c;
            }
            advance(&mut i, &mut line, &mut column, &chars);
        }
    }
    out
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_found_in_code_but_not_in_comments_or_strings() {
        let m = mentions(
            "// lead.nope\n/* event.nope /* nested */ lead.nope */\nif lead.fit_grade == \"lead.nope\" && event ?. reason == `x` { x.lead.nope }",
        );
        let reads: Vec<(&str, &str, usize, usize)> = m
            .reads
            .iter()
            .map(|r| (r.view, r.name.as_str(), r.line, r.column))
            .collect();
        assert_eq!(
            reads,
            [("lead", "fit_grade", 3, 9), ("event", "reason", 3, 46)]
        );
    }

    #[test]
    fn a_view_used_whole_may_have_any_field_its_words_name() {
        let m = mentions(r#"lead.stage == "x" && event.reason == "y""#);
        assert!(m.whole.is_empty());
        let m = mentions(r#"fn f(l) { l.stage } f(lead) && event.reason == "y""#);
        assert_eq!(m.whole, ["lead"]);
    }

    #[test]
    fn a_method_call_on_a_view_uses_it_whole() {
        let m = mentions("lead.keys().len() > 3 && lead.stage == \"mql\"");
        assert_eq!(m.reads.len(), 1);
        assert_eq!(m.reads[0].name, "stage");
        assert_eq!(m.whole, ["lead"]);
    }

    #[test]
    fn words_include_string_contents_for_indexed_reads() {
        let m = mentions(r#"lead["times_recycled"] > 1 // days_in_stage"#);
        assert!(m.words.contains("times_recycled"));
        assert!(m.words.contains("lead"));
        assert!(!m.words.contains("days_in_stage"));
    }
}
