//! Matching contacts to rows by email (CUSTOMER-SYNC.md §1): the key, and which of several
//! contacts with one email wins.
//!
//! Decisions where the rules are silent (also in docs/customer-sync.md):
//! - The address is trimmed, then checked as an RFC 5322 addr-spec by the `email_address` crate
//!   with no display name (`Ann <ann@x.com>` is invalid), no domain literal (`a@[10.0.0.1]`),
//!   and a domain of at least two labels (`a@localhost` is invalid: not a customer's mailbox).
//! - The key is the whole address lower-cased (local part included: RFC 5321 lets the local part
//!   be case-sensitive, but no mail provider treats it so, and the rules say case-insensitive).
//! - Equal `updated_at`: the smallest contact id wins, so the choice never depends on page order.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt;

use email_address::{EmailAddress, Options};

/// A valid email address, lower-cased: the key of `unified_customers`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

/// Why a contact has no usable email.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailProblem {
    /// `contact.email` is absent, `null` or blank (`skipped.missing_email`).
    Missing,
    /// `contact.email` is not an RFC 5322 addr-spec (`skipped.invalid_email`).
    Invalid,
}

impl Email {
    /// Parses `contact.email`.
    ///
    /// Errors: [`EmailProblem::Missing`] for none or blank; [`EmailProblem::Invalid`] otherwise.
    pub fn parse(raw: Option<&str>) -> Result<Self, EmailProblem> {
        let raw = raw.map(str::trim).filter(|s| !s.is_empty());
        let raw = raw.ok_or(EmailProblem::Missing)?;
        let options = Options {
            minimum_sub_domains: 2,
            allow_domain_literal: false,
            allow_display_text: false,
        };
        let parsed =
            EmailAddress::parse_with_options(raw, options).map_err(|_| EmailProblem::Invalid)?;
        Ok(Self(parsed.email().to_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before `@`, as stored (lower-case): `name` when the contact has none.
    pub fn local_part(&self) -> &str {
        self.0.rsplit_once('@').map_or(self.0.as_str(), |(l, _)| l)
    }

    /// A key read back from `unified_customers.email` (already lower-case and checked).
    pub fn from_stored(stored: String) -> Self {
        Self(stored)
    }
}

// Emails are member PII: Debug shows the domain only.
impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let domain = self.0.rsplit_once('@').map_or("", |(_, d)| d);
        write!(f, "Email(…@{domain})")
    }
}

/// Which contact claims an email: `contact.updated_at` (unix seconds) and `contact.id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim<'a> {
    pub updated_at: i64,
    pub contact_id: &'a str,
}

impl Claim<'_> {
    /// Whether `self` beats `other`: a later `updated_at`, else the smaller contact id.
    pub fn beats(&self, other: &Claim<'_>) -> bool {
        match self.updated_at.cmp(&other.updated_at) {
            Ordering::Greater => true,
            Ordering::Less => false,
            Ordering::Equal => self.contact_id < other.contact_id,
        }
    }
}

/// The winner of each email among `claims` (email, claim), as indexes into `claims`; every
/// other index is a duplicate. The result does not depend on the order of `claims`.
pub fn winners<'a>(claims: &[(Email, Claim<'a>)]) -> HashMap<Email, usize> {
    let mut best: HashMap<Email, usize> = HashMap::new();
    for (i, (email, claim)) in claims.iter().enumerate() {
        match best.get(email) {
            Some(&j) if !claim.beats(&claims[j].1) => {}
            _ => {
                best.insert(email.clone(), i);
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_addr_specs_only() {
        let ok = [
            ("Ann@Example.COM", "ann@example.com"),
            (
                "  bob.smith+vip@sub.example.co.uk ",
                "bob.smith+vip@sub.example.co.uk",
            ),
            ("o'neil@example.ie", "o'neil@example.ie"),
            ("\"quoted name\"@example.com", "\"quoted name\"@example.com"),
        ];
        for (raw, key) in ok {
            assert_eq!(
                Email::parse(Some(raw)).map(|e| e.0),
                Ok(key.to_string()),
                "{raw}"
            );
        }
        for raw in [None, Some(""), Some("   ")] {
            assert_eq!(Email::parse(raw), Err(EmailProblem::Missing), "{raw:?}");
        }
        let bad = [
            "not-an-email",
            "a@",
            "@example.com",
            "a@@example.com",
            "a b@example.com",
            "Ann <ann@example.com>",
            "ann@localhost",
            "ann@[10.0.0.1]",
            "ann@example..com",
            "ann.@example.com",
        ];
        for raw in bad {
            assert_eq!(Email::parse(Some(raw)), Err(EmailProblem::Invalid), "{raw}");
        }
    }

    #[test]
    fn local_part_and_debug() {
        let e = Email::parse(Some("Jane.Doe@Example.com")).unwrap();
        assert_eq!(e.local_part(), "jane.doe");
        assert_eq!(format!("{e:?}"), "Email(…@example.com)");
    }

    fn claim(updated_at: i64, id: &str) -> Claim<'_> {
        Claim {
            updated_at,
            contact_id: id,
        }
    }

    #[test]
    fn latest_update_wins_then_smallest_id() {
        let e = |s: &str| Email::parse(Some(s)).unwrap();
        let claims = vec![
            (e("a@x.com"), claim(100, "c1")),
            (e("A@X.com"), claim(300, "c2")),
            (e("a@x.com"), claim(200, "c3")),
            (e("b@x.com"), claim(50, "c9")),
            (e("b@x.com"), claim(50, "c4")),
        ];
        let w = winners(&claims);
        assert_eq!(w.len(), 2);
        assert_eq!(claims[w[&e("a@x.com")]].1.contact_id, "c2");
        assert_eq!(claims[w[&e("b@x.com")]].1.contact_id, "c4");
    }

    proptest! {
        /// Whatever the page order, the same contact wins each email.
        #[test]
        fn order_free(mut claims in prop::collection::vec((0u8..3, 0i64..4, 0u16..50), 1..20), seed in any::<u64>()) {
            claims.sort_by_key(|c| c.2);
            claims.dedup_by_key(|c| c.2);
            let ids: Vec<String> = claims.iter().map(|c| format!("c{:03}", c.2)).collect();
            let list: Vec<(Email, Claim)> = claims.iter().zip(&ids).map(|(&(m, t, _), id)| {
                (Email::parse(Some(&format!("m{m}@x.com"))).unwrap(), claim(t, id))
            }).collect();
            let mut shuffled = list.clone();
            // A deterministic shuffle from the seed.
            let n = shuffled.len();
            for i in 0..n {
                let j = ((seed >> (i % 60)) as usize + i * 7) % n;
                shuffled.swap(i, j);
            }
            let pick = |l: &[(Email, Claim)]| {
                let w = winners(l);
                let mut out: Vec<(String, String)> = w.iter().map(|(e, &i)| (e.0.clone(), l[i].1.contact_id.to_string())).collect();
                out.sort();
                out
            };
            let a = pick(&list);
            prop_assert_eq!(&a, &pick(&shuffled));
            // The winner's updated_at is the largest of its email.
            for (email, id) in &a {
                let top = list.iter().filter(|(e, _)| e.0 == *email).map(|(_, c)| c.updated_at).max().unwrap();
                let win = list.iter().find(|(_, c)| c.contact_id == id).unwrap();
                prop_assert_eq!(win.1.updated_at, top);
            }
        }
    }
}
