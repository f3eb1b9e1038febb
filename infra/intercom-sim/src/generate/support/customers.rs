//! The customers who write to support: users and leads across several countries, each with the
//! time zone their messages arrive in.

use chrono_tz::Tz;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

use super::super::people::{self, pick, weighted};

/// A place a customer writes from.
pub struct Place {
    pub country: &'static str,
    /// As Intercom's `location.country_code` (ISO 3166 alpha-3).
    pub country_code: &'static str,
    pub continent_code: &'static str,
    pub weight: u32,
    /// (city, region, time zone)
    pub cities: &'static [(&'static str, &'static str, Tz)],
}

use chrono_tz::{America, Asia, Australia, Europe};

pub const PLACES: &[Place] = &[
    Place {
        country: "United States",
        country_code: "USA",
        continent_code: "NA",
        weight: 38,
        cities: &[
            ("New York", "New York", America::New_York),
            ("Austin", "Texas", America::Chicago),
            ("Chicago", "Illinois", America::Chicago),
            ("Seattle", "Washington", America::Los_Angeles),
            ("San Francisco", "California", America::Los_Angeles),
        ],
    },
    Place {
        country: "United Kingdom",
        country_code: "GBR",
        continent_code: "EU",
        weight: 12,
        cities: &[
            ("London", "England", Europe::London),
            ("Manchester", "England", Europe::London),
            ("Edinburgh", "Scotland", Europe::London),
        ],
    },
    Place {
        country: "Canada",
        country_code: "CAN",
        continent_code: "NA",
        weight: 8,
        cities: &[
            ("Toronto", "Ontario", America::Toronto),
            ("Vancouver", "British Columbia", America::Vancouver),
            ("Montréal", "Quebec", America::Toronto),
        ],
    },
    Place {
        country: "Germany",
        country_code: "DEU",
        continent_code: "EU",
        weight: 8,
        cities: &[
            ("Berlin", "Berlin", Europe::Berlin),
            ("München", "Bavaria", Europe::Berlin),
        ],
    },
    Place {
        country: "France",
        country_code: "FRA",
        continent_code: "EU",
        weight: 5,
        cities: &[
            ("Paris", "Île-de-France", Europe::Paris),
            ("Lyon", "Auvergne-Rhône-Alpes", Europe::Paris),
        ],
    },
    Place {
        country: "Spain",
        country_code: "ESP",
        continent_code: "EU",
        weight: 3,
        cities: &[("Madrid", "Madrid", Europe::Madrid)],
    },
    Place {
        country: "Netherlands",
        country_code: "NLD",
        continent_code: "EU",
        weight: 3,
        cities: &[("Amsterdam", "North Holland", Europe::Amsterdam)],
    },
    Place {
        country: "Ireland",
        country_code: "IRL",
        continent_code: "EU",
        weight: 3,
        cities: &[("Dublin", "Leinster", Europe::Dublin)],
    },
    Place {
        country: "Australia",
        country_code: "AUS",
        continent_code: "OC",
        weight: 5,
        cities: &[
            ("Sydney", "New South Wales", Australia::Sydney),
            ("Melbourne", "Victoria", Australia::Melbourne),
        ],
    },
    Place {
        country: "India",
        country_code: "IND",
        continent_code: "AS",
        weight: 5,
        cities: &[
            ("Bengaluru", "Karnataka", Asia::Kolkata),
            ("Mumbai", "Maharashtra", Asia::Kolkata),
        ],
    },
    Place {
        country: "Brazil",
        country_code: "BRA",
        continent_code: "SA",
        weight: 4,
        cities: &[("São Paulo", "São Paulo", America::Sao_Paulo)],
    },
    Place {
        country: "Mexico",
        country_code: "MEX",
        continent_code: "NA",
        weight: 3,
        cities: &[("Mexico City", "Mexico City", America::Mexico_City)],
    },
    Place {
        country: "Japan",
        country_code: "JPN",
        continent_code: "AS",
        weight: 2,
        cities: &[("Tokyo", "Tokyo", Asia::Tokyo)],
    },
];

/// Share (percent) of customers Intercom could not locate (`location.country` null).
const UNLOCATED_PERCENT: u32 = 4;

/// A generated customer: the contact as Intercom returns it, and where it writes from.
pub struct Customer {
    pub contact: Value,
    pub id: String,
    pub external_id: Option<String>,
    pub tz: Tz,
}

/// Customer `i`; `created_at` is when the contact was created.
pub fn customer(rng: &mut ChaCha8Rng, i: usize, created_at: i64, updated_at: i64) -> Customer {
    let id = format!(
        "{:08x}{:016x}",
        0x66b0_0000_u32 + i as u32,
        rng.random::<u64>()
    );
    let is_lead = rng.random_range(0..100) < 15;
    let name = people::name(rng);
    let email = match &name {
        Some((_, first, last)) => format!(
            "{}.{}{}@customer.example.net",
            people::ascii_fold(first),
            people::ascii_fold(last),
            i + 1
        ),
        None => format!("customer{}@customer.example.net", i + 1),
    };
    let located = rng.random_range(0..100) >= UNLOCATED_PERCENT;
    let place = weighted(rng, PLACES, |p| p.weight);
    let (city, region, tz) = *pick(rng, place.cities);
    let location = if located {
        json!({"type": "location", "country": place.country, "region": region, "city": city,
               "country_code": place.country_code, "continent_code": place.continent_code})
    } else {
        json!({"type": "location", "country": null, "region": null, "city": null,
               "country_code": null, "continent_code": null})
    };
    let external_id = (!is_lead).then(|| format!("CUS-{:06}", i + 1));
    let phone = rng
        .random_bool(0.35)
        .then(|| format!("+1555{:07}", rng.random_range(0..10_000_000)));
    let last_seen_at = rng
        .random_bool(0.7)
        .then(|| updated_at - rng.random_range(0..3 * 86_400));
    // Only what differs from Intercom's defaults is stored (the server fills the rest when it
    // answers), which keeps 60,000 customers small.
    let mut contact = json!({
        "type": "contact", "id": id, "role": if is_lead { "lead" } else { "user" },
        "email": email, "created_at": created_at, "updated_at": updated_at,
        "location": location,
    });
    let obj = contact.as_object_mut().expect("an object");
    let mut set = |key: &str, v: Option<Value>| {
        if let Some(v) = v {
            obj.insert(key.to_owned(), v);
        }
    };
    set("external_id", external_id.clone().map(Value::from));
    set("name", name.map(|n| json!(n.0)));
    set("phone", phone.map(Value::from));
    set("last_seen_at", last_seen_at.map(Value::from));
    set("signed_up_at", (!is_lead).then_some(json!(created_at)));
    Customer {
        contact,
        id,
        external_id,
        // Unlocated customers still write from somewhere.
        tz,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn customers_come_from_several_countries_and_some_from_nowhere_known() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let customers: Vec<Customer> = (0..600)
            .map(|i| customer(&mut rng, i, 1_700_000_000, 1_700_100_000))
            .collect();
        let countries: std::collections::BTreeSet<&str> = customers
            .iter()
            .filter_map(|c| c.contact["location"]["country"].as_str())
            .collect();
        assert!(countries.len() >= 10, "{countries:?}");
        assert!(customers
            .iter()
            .any(|c| c.contact["location"]["country"].is_null()));
        assert!(customers.iter().any(|c| c.contact["role"] == "lead"));
        assert!(customers
            .iter()
            .all(|c| c.contact["id"].as_str().unwrap().len() == 24));
    }
}
