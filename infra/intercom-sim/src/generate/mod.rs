//! A realistic, deterministic coaching-program workspace.
//!
//! Same `(members, seed, as_of)` → byte-identical fixture JSON: every choice comes from one
//! `ChaCha8Rng` in a fixed order, never from the clock or hash-map order. All times are
//! relative to as-of (the end of that day in America/New_York at the latest).
//!
//! Profiles of members enrolled more than 28 days before as-of: engaged 45% (a qualifying call
//! in the last 28 days), at risk 15% (last call 29–56 days ago), dropped off 25% (> 56 days),
//! never started 15%. Users: 80% have an Enrolled Date (spread over 18 months), 10% only a
//! Registration Date, 10% neither; leads add 5% on top of `members`.

mod attributes;
mod people;
mod revenue;
mod shapes;
mod support;
mod timeline;

use chrono::{Duration, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Map, Value};

use crate::workspace::{Sink, Workspace};
use people::{pick, weighted, CITIES, EMPLOYERS, REFERRALS};
pub(crate) use revenue::generate_customers_into;
pub use revenue::{generate_customers, CustomerWorkload};
use shapes::{Coach, ContactRef, MemberRecord};
pub(crate) use support::generate_support_into;
pub use support::{generate_support, SupportWorkload};
use timeline::{ny_instant, Planned, Planner, Profile, State};

const COACH_NAMES: &[&str] = &[
    "Dana Whitfield",
    "Marcus Bell",
    "Priya Raman",
    "Elena Sokolova",
    "Tomás Rivera",
    "Grace Okonkwo",
    "Hannah Lindqvist",
    "Jamal Carter",
    "Mei-Ling Chou",
    "Sean O'Rourke",
    "Aaliyah Brooks",
    "Pieter de Vries",
    "Rosa Delgado",
    "Nathan Greene",
];

const QUALIFYING_CHANNELS: &[&str] = &["Phone", "Video Conference"];
const QUALIFYING_SERVICES: &[&str] = &["Health Coaching 001", "Disease Management 002"];
const DAY: i64 = 86_400;

struct Person {
    id: String,
    external_id: Option<String>,
    name: Option<String>,
    email: String,
    is_lead: bool,
    owner: Option<usize>,
    enrolled: Option<NaiveDate>,
    registration: Option<NaiveDate>,
    employer: Option<&'static str>,
    referral: Option<&'static str>,
    reg_code: Option<String>,
    dob: Option<NaiveDate>,
    phone: Option<String>,
    created_at: i64,
    city: (&'static str, &'static str),
}

/// Per-member call history, for the attributes an "earlier run" left behind.
#[derive(Default, Clone, Copy)]
struct History {
    newest_qualifying: Option<i64>,
    earliest_qualifying: Option<i64>,
    newest_phone: Option<i64>,
}

fn utc_midnight(day: NaiveDate) -> i64 {
    day.and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc()
        .timestamp()
}

/// Generates `members` users (plus ~5% leads), 14 coaches and their conversations up to as-of.
pub fn generate(members: usize, seed: u64, as_of: NaiveDate) -> Workspace {
    let mut ws = Workspace::default();
    generate_into(members, seed, as_of, &mut ws);
    ws
}

/// [`generate`], handing each object to `sink` as soon as it is made, so a large workspace
/// never has to exist as values all at once. Conversations come before contacts (a contact's
/// attributes summarize its calls), but each list is in the same order as `generate`'s.
pub(crate) fn generate_into(members: usize, seed: u64, as_of: NaiveDate, sink: &mut dyn Sink) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let end = ny_instant(as_of + Duration::days(1), 0, 0) - 1;
    let mut coaches: Vec<Coach> = COACH_NAMES
        .iter()
        .enumerate()
        .map(|(i, name)| Coach {
            id: (7_100_001 + i).to_string(),
            email: format!(
                "{}@coaching.example.com",
                people::ascii_fold(name.split(' ').next().unwrap_or(name))
            ),
            name: (*name).to_owned(),
            job_title: "Health Coach",
        })
        .collect();
    let coach_count = coaches.len();
    coaches.push(Coach {
        id: "7100099".into(),
        name: "Program Operations".into(),
        email: "operations@coaching.example.com".into(),
        job_title: "Program Manager",
    });

    let leads = (members as f64 * 0.05).round() as usize;
    let people: Vec<Person> = (0..members + leads)
        .map(|i| person(&mut rng, i, i >= members, as_of, end, coach_count))
        .collect();

    let mut planner = Planner {
        rng: &mut rng,
        as_of,
        coaches: coach_count,
        members,
        out: Vec::new(),
    };
    let profiles: Vec<Profile> = people
        .iter()
        .enumerate()
        .map(|(i, p)| planner.member(i, p.owner, p.enrolled, p.is_lead))
        .collect();
    let mut planned = std::mem::take(&mut planner.out);
    planned.sort_by_key(|p| (p.created_at, p.member));

    let mut history = vec![History::default(); people.len()];
    for (n, p) in planned.iter().enumerate() {
        record_history(&mut history, p, end);
        let refs: Vec<ContactRef<'_>> = std::iter::once(p.member)
            .chain(p.other_member)
            .map(|m| ContactRef {
                id: &people[m].id,
                external_id: people[m].external_id.as_deref(),
                name: people[m].name.as_deref(),
                email: &people[m].email,
            })
            .collect();
        let assignee = p.assignee.map(|a| &coaches[a]);
        let closer = &coaches[p.member % coach_count];
        sink.conversation(shapes::conversation(
            1_000_001 + n as u64,
            p,
            end,
            &refs,
            assignee,
            closer,
        ));
    }
    drop(planned);

    for ((p, profile), h) in people.iter().zip(&profiles).zip(&history) {
        let custom = custom_attributes(&mut rng, p, *profile, h, as_of, end);
        let updated_at = (end - rng.random_range(0..45) * DAY).max(p.created_at);
        let last_seen_at = rng
            .random_bool(0.6)
            .then(|| (end - rng.random_range(0..90 * DAY)).max(p.created_at));
        sink.contact(shapes::contact(&MemberRecord {
            id: p.id.clone(),
            role: if p.is_lead { "lead" } else { "user" },
            external_id: p.external_id.clone(),
            name: p.name.clone(),
            email: p.email.clone(),
            phone: p.phone.clone(),
            owner_id: p.owner.map(|o| coaches[o].id.parse().unwrap_or(0)),
            created_at: p.created_at,
            updated_at,
            last_seen_at,
            city: p.city,
            custom,
        }));
    }

    let attributes_created = utc_midnight(as_of - Duration::days(800));
    coaches
        .iter()
        .map(shapes::admin)
        .for_each(|a| sink.admin(a));
    attributes::data_attributes(attributes_created, &coaches[coach_count].id)
        .into_iter()
        .for_each(|a| sink.data_attribute(a));
}

fn person(
    rng: &mut ChaCha8Rng,
    i: usize,
    is_lead: bool,
    as_of: NaiveDate,
    end: i64,
    coaches: usize,
) -> Person {
    let id = format!(
        "{:08x}{:016x}",
        0x65a0_0000_u32 + i as u32,
        rng.random::<u64>()
    );
    let name = people::name(rng);
    let employer = (!is_lead && !rng.random_bool(0.02)).then(|| weighted(rng, EMPLOYERS, |e| e.3));
    let domain = employer.map_or("example.org".to_owned(), |e| format!("{}.example.com", e.1));
    let email = match &name {
        Some((_, first, last)) => format!(
            "{}.{}{}@{domain}",
            people::ascii_fold(first),
            people::ascii_fold(last),
            i + 1
        ),
        None => format!("member{}@{domain}", i + 1),
    };
    let (enrolled, registration) = if is_lead {
        (None, None)
    } else {
        let day = as_of - Duration::days(rng.random_range(0..=548));
        match rng.random_range(0..100) {
            0..80 => {
                let reg = rng
                    .random_bool(0.9)
                    .then(|| day - Duration::days(rng.random_range(0..=14)));
                (Some(day), reg)
            }
            80..90 => (None, Some(day)),
            _ => (None, None),
        }
    };
    let earliest = [enrolled, registration].into_iter().flatten().min();
    let created_at = match earliest {
        Some(d) => ny_instant(d, 9, 0) - rng.random_range(0..20 * DAY),
        None => end - rng.random_range(30 * DAY..600 * DAY),
    };
    let referral = (!is_lead)
        .then(|| {
            let roll = rng.random_range(0..100);
            let mut acc = 0;
            REFERRALS.iter().find(|(_, w)| {
                acc += w;
                roll < acc
            })
        })
        .flatten()
        .map(|(r, _)| *r);
    let reg_code = employer
        .filter(|_| rng.random_bool(0.94))
        .map(|e| format!("{}-{:04}", e.2, rng.random_range(1000..10_000)));
    let dob = (!is_lead && rng.random_bool(0.96))
        .then(|| as_of - Duration::days(rng.random_range(22..68) * 365 + rng.random_range(0..365)));
    Person {
        external_id: (!is_lead).then(|| format!("EMP-{:06}", i + 1)),
        name: name.map(|n| n.0),
        email,
        is_lead,
        owner: (!is_lead && rng.random_bool(0.9)).then(|| rng.random_range(0..coaches)),
        enrolled,
        registration,
        employer: employer.map(|e| e.0),
        referral,
        reg_code,
        dob,
        phone: rng
            .random_bool(0.7)
            .then(|| format!("+1617555{:04}", rng.random_range(0..10_000))),
        created_at,
        city: *pick(rng, CITIES),
        id,
    }
}

fn record_history(history: &mut [History], p: &Planned, end: i64) {
    let (created, closed, _) = shapes::times(p, end);
    let qualifying = p.state == State::Closed
        && p.channel.is_some_and(|c| QUALIFYING_CHANNELS.contains(&c))
        && p.service.is_some_and(|s| QUALIFYING_SERVICES.contains(&s));
    for m in std::iter::once(p.member).chain(p.other_member) {
        let h = &mut history[m];
        if qualifying {
            let t = closed.unwrap_or(created);
            h.newest_qualifying = h.newest_qualifying.max(Some(t));
            h.earliest_qualifying = Some(h.earliest_qualifying.map_or(t, |e| e.min(t)));
        }
        if p.channel == Some("Phone") {
            h.newest_phone = h.newest_phone.max(Some(closed.unwrap_or(created)));
        }
    }
}

/// A date attribute an earlier sync wrote: mostly right, some stale, a few newer than any
/// call (so a sync must not move it backwards), some never written.
fn earlier_run(rng: &mut ChaCha8Rng, truth: Option<i64>, end: i64) -> Option<Value> {
    let t = truth?;
    Some(match rng.random_range(0..100) {
        0..35 => json!(t),
        35..50 => json!(t - rng.random_range(14..=60) * DAY),
        50..56 => json!((t + rng.random_range(1..=10) * DAY).min(end)),
        56..61 => Value::Null,
        _ => return None,
    })
}

fn custom_attributes(
    rng: &mut ChaCha8Rng,
    p: &Person,
    profile: Profile,
    h: &History,
    as_of: NaiveDate,
    end: i64,
) -> Map<String, Value> {
    let mut c = Map::new();
    let mut set = |k: &str, v: Value| {
        c.insert(k.to_owned(), v);
    };
    if let Some(d) = p.enrolled {
        set("Enrolled Date", json!(utc_midnight(d)));
    }
    if let Some(d) = p.registration {
        set("Registration Date", json!(utc_midnight(d)));
    }
    if let Some(d) = p.dob {
        set("Date of Birth", json!(utc_midnight(d)));
    }
    if let Some(e) = p.employer {
        set("Employer", json!(e));
    }
    if let Some(r) = p.referral {
        set("Referral", json!(r));
    }
    if let Some(code) = &p.reg_code {
        set("Registration Code", json!(code));
    }
    if p.is_lead {
        return c;
    }
    if let Some(v) = earlier_run(rng, h.newest_qualifying, end) {
        set("Last Coaching Session", v);
    }
    if let Some(v) = earlier_run(rng, h.newest_phone, end) {
        set("Last Call", v);
    }
    let dated = p.enrolled.is_some() || p.registration.is_some();
    if let (true, Some(first)) = (dated, h.earliest_qualifying) {
        if rng.random_bool(0.3) {
            set("First Session Date", json!(first));
        }
    }
    if p.enrolled.is_some() && rng.random_bool(0.55) {
        let status = *pick(rng, &["Engaged", "At Risk", "Unengaged"]);
        set("Engagement Status", json!(status));
        set(
            "Engagement Status Date",
            json!(end - rng.random_range(1..=60) * DAY),
        );
    }
    if profile == Profile::Engaged && rng.random_bool(0.5) {
        let next = as_of + Duration::days(rng.random_range(1..=14));
        set("Next Coaching Session", json!(ny_instant(next, 10, 0)));
    }
    let eligible = match p.referral {
        Some("Counter Health") => rng.random_bool(0.35).then_some("Smart Access"),
        _ => rng.random_bool(0.04).then_some("Standard Wellness"),
    };
    if let Some(e) = eligible {
        set("Eligible Programs", json!(e));
    }
    c
}
