//! Member names, emails, employers and referral sources: realistic and awkward on purpose
//! (accents, apostrophes, quotes, commas, single tokens, missing names).

use rand::Rng;
use rand_chacha::ChaCha8Rng;

const FIRST: &[&str] = &[
    "José",
    "Zoë",
    "Siobhán",
    "Renée",
    "Chloé",
    "Björn",
    "François",
    "Inés",
    "Ngozi",
    "Mei",
    "Aarav",
    "Priya",
    "Łukasz",
    "Søren",
    "Maria",
    "James",
    "Linda",
    "Robert",
    "Patricia",
    "Michael",
    "Jennifer",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Daniel",
    "Nancy",
    "Matthew",
    "Lisa",
    "Anthony",
    "Betty",
    "Mark",
    "Aisha",
    "Carlos",
    "Fatima",
    "Hiroshi",
    "Olga",
    "Kwame",
];

const MIDDLE: &[&str] = &[
    "Ann",
    "Marie",
    "James",
    "Lee",
    "Elizabeth",
    "Michael",
    "Grace",
    "Ray",
    "Lynn",
    "Jo",
];

const LAST: &[&str] = &[
    "O'Brien",
    "García",
    "Müller",
    "Nguyen",
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Okafor",
    "Kowalski",
    "Núñez",
    "D'Angelo",
    "Van der Berg",
    "Schröder",
    "Patel",
    "Kim",
    "Lee",
    "Martínez",
    "O'Connor",
    "MacDonald",
    "Jones",
    "Miller",
    "Davis",
    "Rodríguez",
    "Wilson",
    "Anderson",
    "Taylor",
    "Thomas",
    "Hernández",
    "Moore",
    "Jackson",
    "Martin",
    "Thompson",
    "White",
    "López",
    "Harris",
    "Clark",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
];

const NICKNAMES: &[&str] = &["Bud", "Skip", "Mo", "Bea", "Sonny", "Dee"];
const SUFFIXES: &[&str] = &["Jr.", "Sr.", "III"];

/// (name, email-domain label, registration-code prefix, weight)
pub const EMPLOYERS: &[(&str, &str, &str, u32)] = &[
    ("Acme Manufacturing", "acme", "ACME", 24),
    ("Globex Corporation", "globex", "GLBX", 18),
    ("Initech", "initech", "INIT", 12),
    ("Umbrella Health Partners", "umbrella", "UMBR", 12),
    ("Stark Logistics", "stark", "STRK", 10),
    ("Wayne Municipal Services", "wayne", "WAYN", 10),
    ("Hooli", "hooli", "HOOL", 8),
    ("Northwind Traders", "northwind", "NWTR", 6),
];

/// Referral sources with weights in percent; the remainder has no Referral.
pub const REFERRALS: &[(&str, u32)] = &[
    ("Counter Health", 20),
    ("Employer Portal", 35),
    ("Physician Referral", 20),
    ("Benefits Fair", 8),
];

pub const CITIES: &[(&str, &str)] = &[
    ("Boston", "Massachusetts"),
    ("Columbus", "Ohio"),
    ("Atlanta", "Georgia"),
    ("Newark", "New Jersey"),
    ("Pittsburgh", "Pennsylvania"),
    ("Raleigh", "North Carolina"),
    ("Richmond", "Virginia"),
    ("Hartford", "Connecticut"),
];

pub fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// A weighted pick; `weight` gives each item's weight.
pub fn weighted<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T], weight: impl Fn(&T) -> u32) -> &'a T {
    let total: u32 = items.iter().map(&weight).sum();
    let mut at = rng.random_range(0..total);
    for item in items {
        let w = weight(item);
        if at < w {
            return item;
        }
        at -= w;
    }
    &items[items.len() - 1]
}

/// A person's name as a coach would type it into Intercom, or `None` (never entered).
/// Returns (full name, first, last) for building an email.
pub fn name(rng: &mut ChaCha8Rng) -> Option<(String, &'static str, &'static str)> {
    let first = *pick(rng, FIRST);
    let last = *pick(rng, LAST);
    let roll = rng.random_range(0..1000);
    let full = match roll {
        0..20 => return None,
        20..50 => first.to_owned(),
        50..70 => format!("{first} {last}, {}", pick(rng, SUFFIXES)),
        70..85 => format!("{first} \"{}\" {last}", pick(rng, NICKNAMES)),
        85..285 => format!("{first} {} {last}", pick(rng, MIDDLE)),
        _ => format!("{first} {last}"),
    };
    Some((full, first, last))
}

/// Lower-case ASCII letters of a name part, accents folded (José → jose).
pub fn ascii_fold(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            let folded = match c {
                'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' | 'Á' => 'a',
                'é' | 'è' | 'ê' | 'ë' | 'É' => 'e',
                'í' | 'ì' | 'î' | 'ï' | 'Í' => 'i',
                'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' | 'Ø' | 'Ö' => 'o',
                'ú' | 'ù' | 'û' | 'ü' => 'u',
                'ñ' => 'n',
                'ç' => 'c',
                'ł' | 'Ł' => 'l',
                c if c.is_ascii_alphanumeric() => c.to_ascii_lowercase(),
                _ => return None,
            };
            Some(folded)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_accents_and_drops_punctuation() {
        assert_eq!(ascii_fold("Siobhán"), "siobhan");
        assert_eq!(ascii_fold("O'Brien"), "obrien");
        assert_eq!(ascii_fold("Łukasz"), "lukasz");
        assert_eq!(ascii_fold("Van der Berg"), "vanderberg");
    }
}
