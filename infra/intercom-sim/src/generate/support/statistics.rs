//! Intercom's `statistics` and a conversation's current fields (state, assignees, teammates,
//! `waiting_since`), computed from its parts, so the two always agree.
//!
//! Definitions follow Intercom's descriptions of `conversation_statistics`: counts and
//! "first …" times start at `first_contact_reply_at`; `time_to_admin_reply`,
//! `median_time_to_reply` and `time_to_*_close` count office hours only; replies are human
//! admins' comments (bots' answers, notes and assignments are not replies).

use serde_json::{json, Map, Value};

use super::office::office_seconds;
use crate::parts::{self, Assignee, Author, Part, PartKind};

/// Active time credited to a teammate's part, at most, for `adjusted_handling_time`.
const ACTIVE_CAP: i64 = 300;

/// A conversation's parts and what they need to be read.
pub struct Facts<'a> {
    pub created_at: i64,
    /// The customer wrote the first message (the `source`, which is not a part).
    pub contact_started: bool,
    pub parts: &'a [Part],
    /// Admin assigned from the start (the sender of an outbound message).
    pub initial_admin: Option<&'a str>,
    pub is_bot: &'a dyn Fn(&str) -> bool,
}

impl Facts<'_> {
    fn is_human(&self, p: &Part) -> bool {
        matches!(&p.author, Author::Teammate(id) if !(self.is_bot)(id))
    }

    fn is_human_reply(&self, p: &Part) -> bool {
        p.kind == PartKind::Comment && self.is_human(p)
    }

    fn is_contact_message(p: &Part) -> bool {
        p.kind == PartKind::Comment && p.author == Author::Contact
    }

    /// `first_contact_reply_at`: the source when the customer started it, else their first
    /// message.
    pub fn first_contact_reply_at(&self) -> Option<i64> {
        if self.contact_started {
            return Some(self.created_at);
        }
        self.parts
            .iter()
            .find(|p| Self::is_contact_message(p))
            .map(|p| p.at)
    }
}

/// The conversation as it stands after its last part.
#[derive(Debug, Clone, PartialEq)]
pub struct Current {
    pub state: &'static str,
    /// Admin assignee id.
    pub admin: Option<String>,
    /// Team assignee id.
    pub team: Option<String>,
    /// Human admins who wrote a part, in order of first appearance.
    pub teammates: Vec<String>,
    /// When the customer started waiting for an answer (null once someone answered).
    pub waiting_since: Option<i64>,
    /// When it was last snoozed, if it is snoozed.
    pub snoozed_at: Option<i64>,
    /// The AI agent wrote a part.
    pub ai_agent_participated: bool,
}

pub fn current(f: &Facts) -> Current {
    let states = parts::states(f.parts);
    let mut admin = f.initial_admin.map(str::to_owned);
    let mut team = None;
    let mut teammates: Vec<String> = Vec::new();
    let mut waiting_since = f.contact_started.then_some(f.created_at);
    let mut snoozed_at = None;
    let mut ai = false;
    for p in f.parts {
        match &p.assigned_to {
            Some(Assignee::Admin(id)) => admin = Some(id.clone()),
            Some(Assignee::Team(id)) => {
                team = Some(id.clone());
                admin = None;
            }
            Some(Assignee::Nobody) => admin = None,
            None => {}
        }
        if let (true, Author::Teammate(id)) = (f.is_human(p), &p.author) {
            if !teammates.contains(id) {
                teammates.push(id.clone());
            }
        }
        ai |= p.ai != parts::Ai::None;
        match (p.kind, &p.author) {
            (PartKind::Comment, Author::Contact) => {
                waiting_since.get_or_insert(p.at);
            }
            (PartKind::Comment, Author::Teammate(_)) => waiting_since = None,
            (PartKind::Snoozed, _) => snoozed_at = Some(p.at),
            _ => {}
        }
    }
    let state = states.last().copied().unwrap_or("open");
    Current {
        state,
        admin,
        team,
        teammates,
        waiting_since: waiting_since.filter(|_| state != "closed"),
        snoozed_at: snoozed_at.filter(|_| state == "snoozed"),
        ai_agent_participated: ai,
    }
}

fn median(mut values: Vec<i64>) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2
    })
}

/// The `statistics` object (2.11 fields plus `handling_time` and `adjusted_handling_time`,
/// which the server shows from 2.13 on). Fields without a value are left out.
pub fn statistics(f: &Facts) -> Map<String, Value> {
    let mut s = Map::new();
    let mut set = |k: &str, v: Option<i64>| {
        if let Some(v) = v {
            s.insert(k.to_owned(), json!(v));
        }
    };
    let parts = f.parts;
    let fcr = f.first_contact_reply_at();
    let after = |p: &&Part| fcr.is_some_and(|t| p.at >= t);
    let assignments: Vec<&Part> = parts
        .iter()
        .filter(after)
        .filter(|p| p.kind.is_assignment())
        .collect();
    let first_reply = parts.iter().filter(after).find(|p| f.is_human_reply(p));
    let last_assignment_before_reply = assignments
        .iter()
        .rfind(|p| first_reply.is_none_or(|r| p.at <= r.at));
    let last_assignment_at = assignments.last().map(|p| p.at);
    let closes: Vec<&Part> = parts.iter().filter(|p| p.kind == PartKind::Close).collect();
    let first_close = closes.iter().find(|p| after(p));
    let last_close = closes.last();

    set("first_contact_reply_at", fcr);
    set("first_assignment_at", assignments.first().map(|p| p.at));
    set("last_assignment_at", last_assignment_at);
    set(
        "time_to_assignment",
        last_assignment_before_reply.and_then(|p| Some(p.at - fcr?)),
    );
    set("first_admin_reply_at", first_reply.map(|p| p.at));
    set(
        "time_to_admin_reply",
        first_reply.and_then(|p| Some(office_seconds(fcr?, p.at))),
    );
    set(
        "last_assignment_admin_reply_at",
        last_assignment_at.and_then(|t| {
            parts
                .iter()
                .find(|p| p.at >= t && f.is_human_reply(p))
                .map(|p| p.at)
        }),
    );
    let last_contact = parts
        .iter()
        .rev()
        .find(|p| Facts::is_contact_message(p))
        .map(|p| p.at)
        .or(f.contact_started.then_some(f.created_at));
    set("last_contact_reply_at", last_contact);
    set(
        "last_admin_reply_at",
        parts
            .iter()
            .rev()
            .find(|p| f.is_human_reply(p))
            .map(|p| p.at),
    );
    set("median_time_to_reply", median(reply_gaps(f)));
    set("first_close_at", first_close.map(|p| p.at));
    set(
        "time_to_first_close",
        first_close.and_then(|p| Some(office_seconds(fcr?, p.at))),
    );
    set("last_close_at", last_close.map(|p| p.at));
    set(
        "time_to_last_close",
        last_close
            .filter(|p| after(p))
            .and_then(|p| Some(office_seconds(fcr?, p.at))),
    );
    let states = parts::states(parts);
    let reopens = states
        .windows(2)
        .zip(&parts[1.min(parts.len())..])
        .filter(|(w, p)| w[0] == "closed" && w[1] == "open" && after(p))
        .count();
    set("count_reopens", Some(reopens as i64));
    set("count_assignments", Some(assignments.len() as i64));
    set("count_conversation_parts", Some(parts.len() as i64));
    if let Some((handling, adjusted)) = handling_times(f) {
        set("handling_time", Some(handling));
        set("adjusted_handling_time", Some(adjusted));
    }
    s.insert("type".into(), json!("conversation_statistics"));
    if let Some(Author::Teammate(id)) = last_close.map(|p| &p.author) {
        s.insert("last_closed_by_id".into(), json!(id));
    }
    s
}

/// For each human reply that answers customer messages nobody answered yet, the office-hours
/// wait since the earliest of them. A bot's answer answers nothing.
fn reply_gaps(f: &Facts) -> Vec<i64> {
    let mut unanswered = f.contact_started.then_some(f.created_at);
    let mut gaps = Vec::new();
    for p in f.parts {
        if Facts::is_contact_message(p) {
            unanswered.get_or_insert(p.at);
        } else if f.is_human_reply(p) {
            if let Some(since) = unanswered.take() {
                gaps.push(office_seconds(since, p.at));
            }
        }
    }
    gaps
}

/// (`handling_time`, `adjusted_handling_time`): time the conversation was open with an admin
/// assigned, up to its last close; and of that, the active time around teammates' parts (each
/// credited with the time since the previous part, at most five minutes). `None` when it was
/// never closed after being assigned to an admin.
fn handling_times(f: &Facts) -> Option<(i64, i64)> {
    let states = parts::states(f.parts);
    let mut admin = f.initial_admin.is_some();
    let mut assigned_ever = admin;
    let (mut prev_t, mut prev_state) = (f.created_at, "open");
    let (mut open_assigned, mut active) = (0, 0);
    let mut at_last_close = None;
    for (p, state) in f.parts.iter().zip(&states) {
        if prev_state == "open" && admin {
            open_assigned += p.at - prev_t;
        }
        if f.is_human(p) {
            active += (p.at - prev_t).clamp(0, ACTIVE_CAP);
        }
        match &p.assigned_to {
            Some(Assignee::Admin(_)) => {
                admin = true;
                assigned_ever = true;
            }
            Some(Assignee::Team(_) | Assignee::Nobody) => admin = false,
            None => {}
        }
        if p.kind == PartKind::Close && assigned_ever {
            at_last_close = Some((open_assigned, active.min(open_assigned)));
        }
        prev_t = p.at;
        prev_state = state;
    }
    at_last_close
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parts::decode;

    const T0: i64 = 1_742_911_200; // Tuesday 2025-03-25 10:00 New York

    fn is_bot(id: &str) -> bool {
        id.starts_with("99")
    }

    fn facts<'a>(parts: &'a [Part], contact_started: bool) -> Facts<'a> {
        Facts {
            created_at: T0,
            contact_started,
            parts,
            initial_admin: None,
            is_bot: &is_bot,
        }
    }

    #[test]
    fn a_handed_over_chat_with_a_reopen() {
        // Source at 0; Fin answers; handed over; routed; picked up at 600; replies; closed;
        // the customer writes again (reopen); answered; closed again.
        let parts = decode(
            T0,
            "8 comment a:991 !ai;60 comment c;65 comment a:991 !agent;\
             66 default_assignment a:991 >team:5;600 assignment a:11 >admin:11;\
             660 comment a:11;700 note a:12;900 comment c;960 comment c;1200 comment a:11;\
             1500 close a:11;5000 comment c;5600 comment a:11;6000 close a:11",
        )
        .unwrap();
        let f = facts(&parts, true);
        let s = statistics(&f);
        let get = |k: &str| s.get(k).and_then(Value::as_i64);
        assert_eq!(get("first_contact_reply_at"), Some(T0));
        assert_eq!(get("first_assignment_at"), Some(T0 + 66));
        assert_eq!(get("last_assignment_at"), Some(T0 + 600));
        assert_eq!(get("time_to_assignment"), Some(600));
        assert_eq!(get("count_assignments"), Some(2));
        assert_eq!(get("first_admin_reply_at"), Some(T0 + 660));
        assert_eq!(get("time_to_admin_reply"), Some(660));
        assert_eq!(get("last_assignment_admin_reply_at"), Some(T0 + 660));
        assert_eq!(get("last_contact_reply_at"), Some(T0 + 5000));
        assert_eq!(get("last_admin_reply_at"), Some(T0 + 5600));
        // Gaps: 0→660, 900→1200, 5000→5600: median 600... of [660, 300, 600] = 600.
        assert_eq!(get("median_time_to_reply"), Some(600));
        assert_eq!(get("first_close_at"), Some(T0 + 1500));
        assert_eq!(get("last_close_at"), Some(T0 + 6000));
        assert_eq!(get("time_to_last_close"), Some(6000));
        assert_eq!(s["last_closed_by_id"], "11");
        assert_eq!(get("count_reopens"), Some(1));
        assert_eq!(get("count_conversation_parts"), Some(parts.len() as i64));
        // Open with an admin: 600→1500 and 5000→6000.
        assert_eq!(get("handling_time"), Some(900 + 1000));
        let adjusted = get("adjusted_handling_time").unwrap();
        assert!(adjusted > 0 && adjusted < 1900, "{adjusted}");

        let c = current(&f);
        assert_eq!(c.state, "closed");
        assert_eq!(c.admin.as_deref(), Some("11"));
        assert_eq!(c.team.as_deref(), Some("5"));
        assert_eq!(c.teammates, ["11", "12"]);
        assert_eq!(c.waiting_since, None);
        assert!(c.ai_agent_participated);
    }

    #[test]
    fn a_chat_the_ai_agent_resolved_has_no_human_figures() {
        let parts = decode(T0, "8 comment a:991 !ai;60 comment c;300 close a:991").unwrap();
        let f = facts(&parts, true);
        let s = statistics(&f);
        for key in [
            "first_admin_reply_at",
            "time_to_admin_reply",
            "median_time_to_reply",
            "handling_time",
            "first_assignment_at",
            "time_to_assignment",
        ] {
            assert!(s.get(key).is_none(), "{key}");
        }
        assert_eq!(s["last_closed_by_id"], "991");
        let c = current(&f);
        assert_eq!((c.admin, c.team), (None, None));
        assert!(c.teammates.is_empty());
    }

    #[test]
    fn an_open_conversation_waits_since_the_first_unanswered_message() {
        let parts = decode(
            T0,
            "30 default_assignment a:992 >team:5;40 assignment a:11 >admin:11;\
             100 comment a:11;200 comment c;260 comment c",
        )
        .unwrap();
        let f = facts(&parts, true);
        let c = current(&f);
        assert_eq!(c.state, "open");
        assert_eq!(c.waiting_since, Some(T0 + 200));
        assert!(statistics(&f).get("handling_time").is_none());
        let snoozed = decode(T0, "40 assignment a:11 >admin:11;100 snoozed a:11").unwrap();
        let c = current(&facts(&snoozed, true));
        assert_eq!((c.state, c.snoozed_at), ("snoozed", Some(T0 + 100)));
    }

    #[test]
    fn after_hours_waits_count_office_hours_only() {
        // Friday 2025-03-28 19:00 New York; the first reply is Monday 09:00.
        let friday_7pm = 1_743_202_800;
        let monday_9am = friday_7pm + 2 * 86_400 + 14 * 3600;
        let parts = vec![Part {
            at: monday_9am,
            kind: PartKind::Comment,
            author: Author::Teammate("11".into()),
            assigned_to: None,
            ai: parts::Ai::None,
        }];
        let f = Facts {
            created_at: friday_7pm,
            ..facts(&parts, true)
        };
        let s = statistics(&f);
        assert_eq!(s["first_admin_reply_at"], monday_9am);
        assert_eq!(s["time_to_admin_reply"], 2 * 3600);
        assert_eq!(s["median_time_to_reply"], 2 * 3600);
    }

    #[test]
    fn an_outbound_message_without_an_answer_has_no_contact_times() {
        let parts = decode(T0, "200000 close a:11").unwrap();
        let f = Facts {
            initial_admin: Some("11"),
            ..facts(&parts, false)
        };
        let s = statistics(&f);
        assert!(s.get("first_contact_reply_at").is_none());
        assert!(s.get("first_close_at").is_none());
        assert_eq!(s["last_close_at"], T0 + 200_000);
        assert_eq!(s["handling_time"], 200_000);
        assert_eq!(current(&f).admin.as_deref(), Some("11"));
    }
}
