//! The cancel-keyword matcher (CUSTOMER-SYNC.md §2, `mentioned_cancel`): whole words, any case,
//! straight or curly apostrophes, HTML tags stripped and entities decoded.
//!
//! Which messages are searched (the contact's own, within 30 days) is [`super::activity`]'s
//! business; this module only answers "does this body mention a keyword". Bodies are never
//! logged or kept.

use regex::Regex;

/// The default keywords (`CANCEL_KEYWORDS` overrides them).
pub const DEFAULT_KEYWORDS: [&str; 9] = [
    "cancel",
    "cancellation",
    "cancelling",
    "canceling",
    "churn",
    "leaving",
    "switching",
    "not renewing",
    "won't renew",
];

/// A compiled set of keywords.
#[derive(Debug, Clone)]
pub struct KeywordMatcher {
    pattern: Regex,
    keywords: Vec<String>,
}

/// Apostrophe-like characters that count as `'`: right and left single quotation marks, the
/// modifier letter apostrophe, the prime.
const APOSTROPHES: [char; 4] = ['\u{2019}', '\u{2018}', '\u{02BC}', '\u{2032}'];

fn normalise_apostrophes(s: &str) -> String {
    s.chars()
        .map(|c| if APOSTROPHES.contains(&c) { '\'' } else { c })
        .collect()
}

impl KeywordMatcher {
    /// Compiles `keywords` (each trimmed; blank ones dropped). Spaces inside a keyword match any
    /// run of whitespace; an apostrophe matches a straight or curly one.
    ///
    /// Errors: no keyword left.
    pub fn new<S: AsRef<str>>(keywords: &[S]) -> Result<Self, String> {
        let keywords: Vec<String> = keywords
            .iter()
            .map(|k| normalise_apostrophes(k.as_ref().trim()).to_lowercase())
            .filter(|k| !k.is_empty())
            .collect();
        if keywords.is_empty() {
            return Err("no keyword given".into());
        }
        let alternatives: Vec<String> = keywords
            .iter()
            .map(|k| {
                let words: Vec<String> = k.split_whitespace().map(regex::escape).collect();
                let body = words.join(r"\s+");
                // `\b` only where the keyword's edge is a word character.
                let edge = |c: Option<char>| {
                    if c.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                        r"\b"
                    } else {
                        ""
                    }
                };
                format!(
                    "{}{}{}",
                    edge(k.chars().next()),
                    body,
                    edge(k.chars().last())
                )
            })
            .collect();
        let pattern = Regex::new(&format!("(?i)(?:{})", alternatives.join("|")))
            .map_err(|e| format!("keywords do not compile: {e}"))?;
        Ok(Self { pattern, keywords })
    }

    /// The keywords, trimmed and lower-cased.
    pub fn keywords(&self) -> &[String] {
        &self.keywords
    }

    /// Whether `body` (HTML or text) mentions a keyword.
    pub fn matches(&self, body: &str) -> bool {
        self.pattern.is_match(&plain_text(body))
    }
}

impl Default for KeywordMatcher {
    fn default() -> Self {
        Self::new(&DEFAULT_KEYWORDS).expect("the default keywords compile")
    }
}

/// `html` as text: tags replaced by spaces (so `a<br>b` stays two words), entities decoded
/// (`&#39;`, `&rsquo;`, `&amp;`, `&nbsp;`), apostrophes made straight.
pub fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match (in_tag, c) {
            (false, '<') => in_tag = true,
            (true, '>') => {
                in_tag = false;
                out.push(' ');
            }
            (false, c) => out.push(c),
            (true, _) => {}
        }
    }
    let decoded = html_escape::decode_html_entities(&out).replace('\u{a0}', " ");
    normalise_apostrophes(&decoded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn whole_words_any_case() {
        let m = KeywordMatcher::default();
        let yes = [
            "I want to cancel",
            "<p>CANCEL my plan</p>",
            "Cancel.",
            "We are switching to another tool",
            "please process the cancellation!",
            "churn",
            "we're <b>leaving</b>",
            "We are not renewing",
            "We are not\n  renewing",
            "We won't renew",
            "We won\u{2019}t renew",
            "We won&#39;t renew",
            "We won&rsquo;t renew",
            "we are not&nbsp;renewing",
            "<p>cancel</p><p>x</p>",
            "stop.cancel,now",
        ];
        for body in yes {
            assert!(m.matches(body), "{body}");
        }
        let no = [
            "cancelled yesterday",
            "a cancelable order",
            "uncancel",
            "churned",
            "the switchings",
            "not-renewal",
            "won't renewal",
            "<a href=\"/cancel\">link</a> help",
            "<img alt=cancel>",
            "",
            "renewing, not",
        ];
        for body in no {
            assert!(!m.matches(body), "{body}");
        }
    }

    #[test]
    fn tags_split_words() {
        let m = KeywordMatcher::new(&["cancel"]).unwrap();
        assert!(m.matches("re<br>cancel"));
        assert!(!m.matches("recancel"));
        assert_eq!(plain_text("a<br>b &amp; c&nbsp;d"), "a b & c d");
    }

    #[test]
    fn configured_keywords() {
        let m = KeywordMatcher::new(&[" Downgrade ", "", "refund please", "c++"]).unwrap();
        assert_eq!(m.keywords(), ["downgrade", "refund please", "c++"]);
        assert!(m.matches("we will downgrade"));
        assert!(m.matches("Refund   please"));
        assert!(m.matches("I use c++ daily"));
        assert!(!m.matches("cancel"));
        assert!(KeywordMatcher::new(&["  "]).is_err());
    }

    proptest! {
        /// A keyword surrounded by other words in any case, inside any tags, is found; glued to
        /// letters on either side it is not.
        #[test]
        fn found_as_a_word(k in prop::sample::select(DEFAULT_KEYWORDS.to_vec()),
                           upper in any::<bool>(), tag in "(p|b|div|span)",
                           before in "[a-z ]{0,12}", after in "[a-z ]{0,12}") {
            let m = KeywordMatcher::default();
            let word = if upper { k.to_uppercase() } else { k.to_string() };
            let body = format!("<{tag}>{before} {word} {after}</{tag}>");
            prop_assert!(m.matches(&body));
            let glued = format!("x{word}x");
            prop_assert!(!KeywordMatcher::new(&[k]).unwrap().matches(&glued));
        }
    }
}
