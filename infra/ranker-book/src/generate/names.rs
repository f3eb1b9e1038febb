//! Practice names, domains, people and email addresses: realistic, and awkward where the
//! identity rules have to work (legal suffixes, case, punctuation, free email providers).

use rand::seq::IndexedRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::normalize::GENERIC_EMAIL_DOMAINS;

const PLACES: &[&str] = &[
    "Riverside",
    "Lakeview",
    "Oak Park",
    "Maple Grove",
    "Summit",
    "Harbor",
    "Cedar Hills",
    "Willow Creek",
    "Brookside",
    "Sunrise",
    "Parkside",
    "Westfield",
    "North Shore",
    "Hillcrest",
    "Meadowbrook",
    "Pine Valley",
    "Stonebridge",
    "Bayview",
    "Fairview",
    "Greenwood",
    "Elm Street",
    "Main Street",
    "Canyon Ridge",
    "Silver Lake",
    "Highland",
    "Prairie",
    "Coastal",
    "Mountain View",
    "Old Town",
    "Union Square",
];

const CORES: &[&str] = &[
    "Dental",
    "Dental Care",
    "Family Dentistry",
    "Dental Group",
    "Dental Arts",
    "Pediatric Dentistry",
    "Orthodontics",
    "Dental Studio",
    "Dental Associates",
    "Smile Center",
    "Cosmetic & Family Dentistry",
    "Dental Wellness",
    "Endodontics",
    "Oral Surgery",
];

const ADJECTIVES: &[&str] = &[
    "Bright",
    "Gentle",
    "Happy",
    "Healthy",
    "Radiant",
    "Sparkling",
    "Perfect",
    "Modern",
    "Complete",
    "Premier",
    "Bella",
    "Pure",
    "Kind",
    "Grand",
];

const SMILE_CORES: &[&str] = &[
    "Smiles Dental",
    "Smiles Dentistry",
    "Smiles Family Dental",
    "Smile Studio",
    "Smiles",
];

pub(crate) const FIRST: &[&str] = &[
    "Maria", "James", "Priya", "Daniel", "Aisha", "Carlos", "Linda", "Robert", "Mei", "Sean",
    "Fatima", "Hiroshi", "Olga", "Kwame", "Jennifer", "Michael", "Sarah", "David", "Elena",
    "Thomas", "Grace", "Omar", "Rachel", "Kevin", "Nadia", "Luis", "Emily", "Andrew", "Sofia",
    "Brian", "Hannah", "Victor", "Chloé", "José",
];

pub(crate) const LAST: &[&str] = &[
    "Chen", "Patel", "Nguyen", "Smith", "Johnson", "Garcia", "Kim", "Okafor", "Kowalski", "Rossi",
    "Haddad", "Lee", "Martinez", "Brown", "O'Neil", "Schmidt", "Cohen", "Singh", "Park", "Rivera",
    "Murphy", "Walsh", "Tanaka", "Ivanova", "Dubois", "Novak", "Hughes", "Carter", "Alvarez",
    "Fischer", "Nakamura", "Adeyemi",
];

pub(crate) const CITIES: &[(&str, &str)] = &[
    ("Austin", "TX"),
    ("Denver", "CO"),
    ("Raleigh", "NC"),
    ("Columbus", "OH"),
    ("Tampa", "FL"),
    ("Phoenix", "AZ"),
    ("Portland", "OR"),
    ("Nashville", "TN"),
    ("Madison", "WI"),
    ("Boise", "ID"),
    ("Albany", "NY"),
    ("Richmond", "VA"),
    ("Omaha", "NE"),
    ("Tucson", "AZ"),
    ("Buffalo", "NY"),
    ("Charlotte", "NC"),
    ("San Diego", "CA"),
    ("Spokane", "WA"),
];

/// Legal suffixes as people write them; each normalises away (§3).
const SUFFIXES: &[&str] = &[
    ", PLLC",
    " PLLC",
    ", Inc.",
    " Inc",
    ", LLC",
    " LLC",
    ", P.C.",
    " PC",
    " DDS",
    ", DDS",
    " DMD",
    ", DMD",
    " Ltd",
    " Corp.",
    " DDS, PLLC",
];

/// A practice as the generator thinks of it, before either system spells its name.
#[derive(Debug, Clone)]
pub(crate) struct Practice {
    /// The name without a legal suffix, e.g. `Bright Smiles Dental`.
    pub base: String,
    /// Letters for the domain, e.g. `brightsmilesdental`.
    pub root: String,
    pub city: (&'static str, &'static str),
}

/// A practice name; the caller retries when it collides with one already used.
pub(crate) fn practice(rng: &mut ChaCha8Rng) -> Practice {
    let city = *CITIES.choose(rng).expect("cities");
    let base = match rng.random_range(0..100) {
        0..=39 => format!("{} {}", pick(rng, PLACES), pick(rng, CORES)),
        40..=59 => format!("{} {}", pick(rng, ADJECTIVES), pick(rng, SMILE_CORES)),
        60..=71 => format!("{} Family Dentistry", pick(rng, LAST)),
        72..=79 => {
            let (a, b) = (pick(rng, LAST), pick(rng, LAST));
            format!("{a} & {b} Dental")
        }
        80..=89 => format!("{} {}", pick(rng, FIRST), pick(rng, LAST)),
        90..=94 => format!("Dr. {} {}", pick(rng, LAST), pick(rng, CORES)),
        _ => format!("{} of {}", pick(rng, CORES), city.0),
    };
    let root = base
        .split_whitespace()
        .filter(|w| !matches!(*w, "&" | "of" | "Dr."))
        .flat_map(|w| w.chars())
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_lowercase();
    Practice { base, root, city }
}

/// `base` as one system spells it: with a legal suffix (`suffix_share` of the time) and,
/// when `casual`, sometimes upper-case or with doubled spaces. Normalises to the same name.
pub(crate) fn spell(rng: &mut ChaCha8Rng, base: &str, suffix_share: f64, casual: bool) -> String {
    let mut name = base.to_owned();
    if rng.random_bool(suffix_share) {
        name.push_str(pick(rng, SUFFIXES));
    }
    if casual {
        match rng.random_range(0..100) {
            0..=9 => name = name.to_uppercase(),
            10..=14 => name = name.replacen(' ', "  ", 1),
            _ => {}
        }
    }
    name
}

/// A domain for the practice, e.g. `brightsmilesdental.com`, or `.net`, `.dental`, with the
/// city when `with_city`.
pub(crate) fn domain(rng: &mut ChaCha8Rng, p: &Practice, with_city: bool) -> String {
    let tld = match rng.random_range(0..100) {
        0..=84 => "com",
        85..=92 => "net",
        93..=96 => "dental",
        _ => "us",
    };
    let city = if with_city {
        p.city.0.replace(' ', "").to_lowercase()
    } else {
        String::new()
    };
    format!("{}{city}.{tld}", p.root)
}

/// The company's `domain` property as people enter it: mostly bare, sometimes with `www.`,
/// capitals, a scheme or a path.
pub(crate) fn company_domain_spelling(rng: &mut ChaCha8Rng, domain: &str) -> String {
    match rng.random_range(0..100) {
        0..=64 => domain.to_owned(),
        65..=79 => format!("www.{domain}"),
        80..=87 => capitalise_words(domain),
        88..=94 => format!("https://www.{domain}/"),
        _ => format!("{domain}/contact-us"),
    }
}

/// The tenant's `website` as a practice types it.
pub(crate) fn website(rng: &mut ChaCha8Rng, domain: &str) -> String {
    match rng.random_range(0..100) {
        0..=44 => format!("https://www.{domain}"),
        45..=69 => format!("http://{domain}/"),
        70..=84 => format!("https://{domain}/book-online"),
        _ => format!("www.{domain}"),
    }
}

fn capitalise_words(domain: &str) -> String {
    let (name, tld) = domain.split_once('.').unwrap_or((domain, ""));
    let mut chars = name.chars();
    let first: String = chars
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    format!("{first}{}.{}", chars.as_str(), tld.to_uppercase())
}

/// A person: (first name, last name).
pub(crate) fn person(rng: &mut ChaCha8Rng) -> (&'static str, &'static str) {
    (pick(rng, FIRST), pick(rng, LAST))
}

/// An address at the practice's own domain: a person's or the front desk's.
pub(crate) fn practice_email(
    rng: &mut ChaCha8Rng,
    first: &str,
    last: &str,
    domain: &str,
) -> String {
    let local = match rng.random_range(0..100) {
        0..=39 => format!("{}.{}", ascii(first), ascii(last)),
        40..=59 => format!("{}{}", &ascii(first)[..1], ascii(last)),
        60..=74 => "frontdesk".to_owned(),
        75..=89 => "office".to_owned(),
        _ => "manager".to_owned(),
    };
    let address = format!("{local}@{domain}");
    // Some people type their address with capitals; email domains still compare equal.
    if rng.random_bool(0.08) {
        capitalise_words(&address)
    } else {
        address
    }
}

/// An address at a free email provider (gmail, yahoo, ...).
pub(crate) fn generic_email(rng: &mut ChaCha8Rng, first: &str, last: &str) -> String {
    let provider = pick(rng, GENERIC_EMAIL_DOMAINS);
    let n: u32 = rng.random_range(1..999);
    match rng.random_range(0..3) {
        0 => format!("{}.{}{n}@{provider}", ascii(first), ascii(last)),
        1 => format!("{}{}dental@{provider}", ascii(first), n),
        _ => format!("{}{}{n}@{provider}", &ascii(first)[..1], ascii(last)),
    }
}

/// Lower-case ASCII letters only (for the local part of an address).
pub(crate) fn ascii(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'é' | 'è' => 'e',
            'á' => 'a',
            'ó' => 'o',
            c => c,
        })
        .filter(char::is_ascii_alphabetic)
        .collect::<String>()
        .to_lowercase()
}

pub(crate) fn pick<T: Copy>(rng: &mut ChaCha8Rng, items: &[T]) -> T {
    *items.choose(rng).expect("a non-empty list")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::{normalize_domain, normalize_name};
    use rand::SeedableRng;

    #[test]
    fn spellings_of_one_practice_normalise_alike() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for _ in 0..300 {
            let p = practice(&mut rng);
            let a = spell(&mut rng, &p.base, 0.7, true);
            let b = spell(&mut rng, &p.base, 0.7, true);
            assert_eq!(normalize_name(&a), normalize_name(&b), "{a} / {b}");
            assert_eq!(normalize_name(&a), normalize_name(&p.base));
            let d = domain(&mut rng, &p, false);
            assert!(d.starts_with(&p.root) && !p.root.is_empty(), "{d}");
            assert_eq!(
                normalize_domain(&company_domain_spelling(&mut rng, &d)).as_deref(),
                Some(d.as_str())
            );
            assert_eq!(
                normalize_domain(&website(&mut rng, &d)).as_deref(),
                Some(d.as_str())
            );
        }
    }

    #[test]
    fn emails_are_at_the_domain_they_claim() {
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        for _ in 0..200 {
            let (f, l) = person(&mut rng);
            let e = practice_email(&mut rng, f, l, "brightsmiles.com");
            assert_eq!(
                crate::normalize::email_domain(&e).as_deref(),
                Some("brightsmiles.com"),
                "{e}"
            );
            let g = generic_email(&mut rng, f, l);
            let d = crate::normalize::email_domain(&g).unwrap();
            assert!(GENERIC_EMAIL_DOMAINS.contains(&d.as_str()), "{g}");
        }
    }
}
