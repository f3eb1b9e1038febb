//! The identity rules' normalisation (ENGAGEMENT-RANKER.md §3): domains, email domains and
//! practice names, compared only after both sides went through the same function.

/// Legal suffixes stripped from the end of a normalised name.
pub const LEGAL_SUFFIXES: &[&str] = &["llc", "inc", "pllc", "pc", "dds", "dmd", "ltd", "corp"];

/// Lower-case, no scheme, no `www.`, no path, query, fragment or port:
/// `"https://www.BrightSmiles.com/book"` → `"brightsmiles.com"`. `None` when nothing is left.
pub fn normalize_domain(raw: &str) -> Option<String> {
    let lower = raw.trim().to_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .unwrap_or(&lower);
    let rest = rest.strip_prefix("www.").unwrap_or(rest);
    let host = rest
        .split(['/', '?', '#', ':'])
        .next()
        .unwrap_or("")
        .trim_end_matches('.');
    (!host.is_empty()).then(|| host.to_owned())
}

/// The normalised domain of an email address; `None` without an `@` or a domain.
pub fn email_domain(email: &str) -> Option<String> {
    email
        .trim()
        .rsplit_once('@')
        .and_then(|(_, d)| normalize_domain(d))
}

/// Lower-case, punctuation removed, whitespace collapsed, trailing legal suffixes stripped:
/// `"Maria Chen DDS, PLLC"` → `"maria chen"`. A name that is only a suffix keeps it.
pub fn normalize_name(raw: &str) -> String {
    let cleaned: String = raw
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .collect();
    let mut words: Vec<&str> = cleaned.split_whitespace().collect();
    while words.len() > 1 && words.last().is_some_and(|w| LEGAL_SUFFIXES.contains(w)) {
        words.pop();
    }
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains() {
        for (raw, want) in [
            ("brightsmiles.com", Some("brightsmiles.com")),
            ("BrightSmiles.COM", Some("brightsmiles.com")),
            ("https://www.brightsmiles.com", Some("brightsmiles.com")),
            ("http://brightsmiles.com/", Some("brightsmiles.com")),
            ("www.brightsmiles.com/contact-us", Some("brightsmiles.com")),
            (
                "https://www.brightsmiles.com/book-online?ref=x#top",
                Some("brightsmiles.com"),
            ),
            ("brightsmiles.com:443", Some("brightsmiles.com")),
            (" smile.dental. ", Some("smile.dental")),
            // Only one leading www. goes; a subdomain stays.
            ("book.brightsmiles.com", Some("book.brightsmiles.com")),
            ("", None),
            ("https://", None),
            ("   ", None),
        ] {
            assert_eq!(normalize_domain(raw).as_deref(), want, "{raw:?}");
        }
    }

    #[test]
    fn email_domains() {
        assert_eq!(email_domain("Jane@Gmail.COM").as_deref(), Some("gmail.com"));
        assert_eq!(
            email_domain("front.desk@BrightSmiles.com").as_deref(),
            Some("brightsmiles.com")
        );
        assert_eq!(email_domain("nobody"), None);
        assert_eq!(email_domain("trailing@"), None);
    }

    #[test]
    fn names() {
        for (raw, want) in [
            ("Bright Smiles Dental, P.C.", "bright smiles dental"),
            ("BRIGHT  SMILES   DENTAL PLLC", "bright smiles dental"),
            ("Maria Chen DDS, PLLC", "maria chen"),
            ("Maria Chen, D.M.D.", "maria chen"),
            ("Smith & Jones Dental Inc.", "smith jones dental"),
            ("Lakeside Dental Ltd", "lakeside dental"),
            ("Lakeside Dental Corp.", "lakeside dental"),
            ("Lakeside Dental, LLC", "lakeside dental"),
            ("Dr. O'Neil Family Dentistry", "dr oneil family dentistry"),
            // A suffix word inside the name stays; only trailing ones go.
            ("DDS Smiles of Austin", "dds smiles of austin"),
            ("Inc", "inc"),
            ("", ""),
        ] {
            assert_eq!(normalize_name(raw), want, "{raw:?}");
        }
    }
}
