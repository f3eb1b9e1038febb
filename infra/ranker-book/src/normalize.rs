//! The identity rules' normalisation (ENGAGEMENT-RANKER.md §3), as the generator uses it to
//! build names and domains that match, or deliberately do not. The ranker has its own
//! implementation; this one only keeps the book honest.

/// Free email providers whose domains say nothing about a practice (§3's list).
pub const GENERIC_EMAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "yahoo.com",
    "outlook.com",
    "hotmail.com",
    "aol.com",
    "icloud.com",
];

const LEGAL_SUFFIXES: &[&str] = &["llc", "inc", "pllc", "pc", "dds", "dmd", "ltd", "corp"];

/// Lower-case, punctuation removed, whitespace collapsed, trailing legal suffixes (LLC, Inc,
/// PLLC, PC, DDS, DMD, Ltd, Corp) stripped: `"Bright Smiles Dental, P.C."` →
/// `"bright smiles dental"`.
pub fn normalize_name(name: &str) -> String {
    let cleaned: String = name
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

/// Lower-case, no scheme, no `www.`, no path: `"https://www.BrightSmiles.com/book"` →
/// `"brightsmiles.com"`; `None` when nothing is left.
pub fn normalize_domain(value: &str) -> Option<String> {
    let lower = value.trim().to_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .unwrap_or(&lower);
    let rest = rest.strip_prefix("www.").unwrap_or(rest);
    let host = rest
        .split(['/', '?', '#'])
        .next()
        .unwrap_or("")
        .trim_end_matches('.');
    (!host.is_empty()).then(|| host.to_owned())
}

/// The domain of an email address, normalised; `None` without an `@`.
pub fn email_domain(email: &str) -> Option<String> {
    email
        .rsplit_once('@')
        .and_then(|(_, d)| normalize_domain(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_case_punctuation_spacing_and_trailing_suffixes() {
        for (raw, want) in [
            ("Bright Smiles Dental, P.C.", "bright smiles dental"),
            ("BRIGHT  SMILES DENTAL PLLC", "bright smiles dental"),
            ("Maria Chen DDS, PLLC", "maria chen"),
            ("Smith & Jones Dental Inc.", "smith jones dental"),
            ("Dr. O'Neil Family Dentistry", "dr oneil family dentistry"),
            ("Inc", "inc"),
        ] {
            assert_eq!(normalize_name(raw), want, "{raw}");
        }
    }

    #[test]
    fn domains_lose_scheme_www_and_path() {
        assert_eq!(
            normalize_domain("https://www.BrightSmiles.com/book?x=1").as_deref(),
            Some("brightsmiles.com")
        );
        assert_eq!(
            normalize_domain(" www.a.dental. ").as_deref(),
            Some("a.dental")
        );
        assert_eq!(normalize_domain("http://"), None);
        assert_eq!(email_domain("Jane@Gmail.COM").as_deref(), Some("gmail.com"));
        assert_eq!(email_domain("nobody"), None);
    }
}
