//! Engagement profiles and the conversations they produce, relative to as-of.

use chrono::{Duration, NaiveDate, TimeZone};
use chrono_tz::America::New_York;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// What kind of member this is, which decides their conversation history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// Enrolled within the last 28 days.
    Grace,
    /// A qualifying call within the last 28 days.
    Engaged,
    /// Last call 29–56 days ago.
    AtRisk,
    /// Last call more than 56 days ago.
    DroppedOff,
    /// Enrolled long enough ago but never had a call.
    NeverStarted,
    /// No Enrolled Date (registration only, or neither).
    Unenrolled,
    Lead,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Closed,
    Open,
    Snoozed,
}

/// One conversation to create.
#[derive(Debug, Clone)]
pub struct Planned {
    pub created_at: i64,
    pub member: usize,
    pub other_member: Option<usize>,
    pub channel: Option<&'static str>,
    pub service: Option<&'static str>,
    pub state: State,
    /// Index into the coaches; `None` = unassigned.
    pub assignee: Option<usize>,
    /// Seconds from creation to close.
    pub duration: i64,
    /// A tag added this many days after the close (bumps `updated_at`).
    pub tagged_after_days: Option<i64>,
    /// The member started it (Email/Chat) rather than the coach.
    pub member_initiated: bool,
}

/// Local New York time on a date, as unix seconds.
pub fn ny_instant(day: NaiveDate, hour: u32, minute: u32) -> i64 {
    let local = day.and_hms_opt(hour, minute, 0).expect("valid time");
    New_York
        .from_local_datetime(&local)
        .earliest()
        .or_else(|| {
            New_York
                .from_local_datetime(&(local + Duration::hours(1)))
                .earliest()
        })
        .map(|t| t.timestamp())
        .unwrap_or_else(|| local.and_utc().timestamp())
}

/// A working-hours time on a day (a few late evenings, so local and UTC dates differ).
fn call_time(rng: &mut ChaCha8Rng, day: NaiveDate) -> i64 {
    if rng.random_bool(0.04) {
        ny_instant(day, rng.random_range(22..24), rng.random_range(0..60))
    } else {
        ny_instant(day, rng.random_range(8..20), rng.random_range(0..60))
    }
}

pub struct Planner<'a> {
    pub rng: &'a mut ChaCha8Rng,
    pub as_of: NaiveDate,
    pub coaches: usize,
    pub members: usize,
    pub out: Vec<Planned>,
}

impl Planner<'_> {
    fn assignee(&mut self, owner: Option<usize>) -> Option<usize> {
        let r = self.rng.random_range(0..100);
        match (r, owner) {
            (0..5, _) => None,
            (5..15, _) | (_, None) => Some(self.rng.random_range(0..self.coaches)),
            (_, Some(o)) => Some(o),
        }
    }

    fn push(&mut self, member: usize, owner: Option<usize>, day: NaiveDate, kind: CallKind) {
        let created_at = call_time(self.rng, day);
        let rng = &mut *self.rng;
        let (channel, service, member_initiated) = match kind {
            CallKind::Coaching => {
                let channel = if rng.random_bool(0.65) {
                    "Phone"
                } else {
                    "Video Conference"
                };
                let service = match rng.random_range(0..100) {
                    0..62 => "Health Coaching 001",
                    62..90 => "Disease Management 002",
                    90..96 => "Benefits Navigation 010",
                    _ => "Nutrition Consult 020",
                };
                (Some(channel), Some(service), false)
            }
            CallKind::Message => {
                let channel = if rng.random_bool(0.5) {
                    "Email"
                } else {
                    "Chat"
                };
                let service = rng.random_bool(0.4).then_some("Health Coaching 001");
                (Some(channel), service, rng.random_bool(0.6))
            }
            CallKind::LeadChat => (Some("Chat"), None, true),
        };
        let channel = if rng.random_bool(0.02) { None } else { channel };
        let service = if rng.random_bool(0.03) { None } else { service };
        let other_member =
            (kind == CallKind::Coaching && rng.random_bool(0.015) && self.members > 1)
                .then(|| rng.random_range(0..self.members))
                .filter(|&m| m != member);
        let tagged_after_days = rng.random_bool(0.12).then(|| rng.random_range(1..=10));
        let duration = rng.random_range(15..=55) * 60;
        let assignee = self.assignee(owner);
        self.out.push(Planned {
            created_at,
            member,
            other_member,
            channel,
            service,
            state: State::Closed,
            assignee,
            duration,
            tagged_after_days,
            member_initiated,
        });
    }

    /// An open or snoozed phone call created in the last few days.
    fn push_pending_phone(&mut self, member: usize, owner: Option<usize>, state: State) {
        let day = self.as_of - Duration::days(self.rng.random_range(0..4));
        let created_at = call_time(self.rng, day);
        let assignee = self.assignee(owner);
        let service = self.rng.random_bool(0.5).then_some("Health Coaching 001");
        self.out.push(Planned {
            created_at,
            member,
            other_member: None,
            channel: Some("Phone"),
            service,
            state,
            assignee,
            duration: 0,
            tagged_after_days: None,
            member_initiated: false,
        });
    }

    /// Calls every 2–3 weeks from `first` to `last` (inclusive), with occasional messages.
    fn series(&mut self, member: usize, owner: Option<usize>, first: NaiveDate, last: NaiveDate) {
        let mut day = last;
        loop {
            self.push(member, owner, day, CallKind::Coaching);
            if self.rng.random_bool(0.25) {
                let after = day + Duration::days(self.rng.random_range(1..=6));
                if after <= self.as_of {
                    self.push(member, owner, after, CallKind::Message);
                }
            }
            let step = Duration::days(self.rng.random_range(14..=21));
            if day - step < first {
                if (day - first).num_days() > 7 {
                    self.push(member, owner, first, CallKind::Coaching);
                }
                break;
            }
            day -= step;
        }
    }

    /// Plans a member's history and returns their profile.
    pub fn member(
        &mut self,
        member: usize,
        owner: Option<usize>,
        enrolled: Option<NaiveDate>,
        is_lead: bool,
    ) -> Profile {
        let as_of = self.as_of;
        if is_lead {
            if self.rng.random_bool(0.3) {
                let day = as_of - Duration::days(self.rng.random_range(0..200));
                self.push(member, None, day, CallKind::LeadChat);
            }
            return Profile::Lead;
        }
        let Some(enrolled) = enrolled.filter(|e| *e <= as_of) else {
            // Members without an Enrolled Date still talk to coaches sometimes.
            if self.rng.random_bool(0.4) {
                for _ in 0..self.rng.random_range(1..=4) {
                    let day = as_of - Duration::days(self.rng.random_range(0..300));
                    self.push(member, owner, day, CallKind::Coaching);
                }
            }
            return Profile::Unenrolled;
        };
        let since = (as_of - enrolled).num_days();
        if since <= 28 {
            if since > 0 && self.rng.random_bool(0.5) {
                let day = enrolled + Duration::days(self.rng.random_range(1..=since));
                self.push(member, owner, day, CallKind::Coaching);
            }
            return Profile::Grace;
        }
        let first = (enrolled + Duration::days(self.rng.random_range(3..=21))).min(as_of);
        let first_ago = (as_of - first).num_days();
        let roll = self.rng.random_range(0..100);
        let (profile, last_ago) = match roll {
            0..45 => (
                Profile::Engaged,
                self.rng.random_range(0..=first_ago.min(27)),
            ),
            45..60 if first_ago >= 29 => (
                Profile::AtRisk,
                self.rng.random_range(29..=first_ago.min(56)),
            ),
            60..85 if first_ago >= 57 => (
                Profile::DroppedOff,
                self.rng.random_range(57..=first_ago.min(420)),
            ),
            45..85 => (
                Profile::Engaged,
                self.rng.random_range(0..=first_ago.min(27)),
            ),
            _ => return Profile::NeverStarted,
        };
        self.series(member, owner, first, as_of - Duration::days(last_ago));
        if profile == Profile::Engaged {
            match self.rng.random_range(0..100) {
                0..4 => self.push_pending_phone(member, owner, State::Open),
                4..7 => self.push_pending_phone(member, owner, State::Snoozed),
                _ => {}
            }
        }
        profile
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CallKind {
    Coaching,
    Message,
    LeadChat,
}
