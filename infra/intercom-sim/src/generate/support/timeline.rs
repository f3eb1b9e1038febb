//! One support conversation, part by part: routing by a bot, an admin picking it up after a
//! queue wait, replies at realistic delays (seconds to minutes in chat, hours by email, the
//! next morning when it arrived after hours), notes, reassignments, snoozes, closes and reopens.
//! Some chats are answered by the AI agent first, which resolves them or hands them over.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::office;
use super::roster::{self, ADMINS, FIN, OPERATOR, TEAMS};
use crate::parts::{Ai, Assignee, Author, Part, PartKind};

const MINUTE: i64 = 60;
const HOUR: i64 = 3600;
const DAY: i64 = 86_400;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Chat,
    Email,
    Phone,
    WhatsApp,
}

impl Channel {
    /// Intercom's `source.type`.
    pub fn source_type(self) -> &'static str {
        match self {
            Channel::Chat => "conversation",
            Channel::Email => "email",
            Channel::Phone => "phone_call",
            Channel::WhatsApp => "whatsapp",
        }
    }

    /// The workspace's `Channel` conversation attribute.
    pub fn attribute(self) -> &'static str {
        match self {
            Channel::Chat => "Chat",
            Channel::Email => "Email",
            Channel::Phone => "Phone",
            Channel::WhatsApp => "WhatsApp",
        }
    }

    fn messenger(self) -> bool {
        matches!(self, Channel::Chat | Channel::WhatsApp)
    }

    /// (shortest, longest) seconds for: a customer's reply, the queue wait before an admin
    /// picks the conversation up, an admin's first reply after picking up, an admin's later
    /// replies, closing after the last message.
    fn delays(self) -> Delays {
        match self {
            Channel::Chat | Channel::WhatsApp => Delays {
                contact: (20, 8 * MINUTE),
                queue: (30, 40 * MINUTE),
                first_reply: (15, 6 * MINUTE),
                reply: (30, 25 * MINUTE),
                close: (2 * MINUTE, 3 * HOUR),
            },
            Channel::Email => Delays {
                contact: (20 * MINUTE, 30 * HOUR),
                queue: (5 * MINUTE, 6 * HOUR),
                first_reply: (2 * MINUTE, 40 * MINUTE),
                reply: (10 * MINUTE, 8 * HOUR),
                close: (HOUR, 2 * DAY),
            },
            Channel::Phone => Delays {
                contact: (30, 5 * MINUTE),
                queue: (5, MINUTE),
                first_reply: (5, 30),
                reply: (5, MINUTE),
                close: (MINUTE, 10 * MINUTE),
            },
        }
    }

    /// Chance that the customer writes again after an admin's reply.
    fn continues(self) -> f64 {
        match self {
            Channel::Chat => 0.55,
            Channel::WhatsApp => 0.5,
            Channel::Email => 0.45,
            Channel::Phone => 0.2,
        }
    }
}

struct Delays {
    contact: (i64, i64),
    queue: (i64, i64),
    first_reply: (i64, i64),
    reply: (i64, i64),
    close: (i64, i64),
}

/// What decides a conversation before it is played out.
#[derive(Debug, Clone)]
pub struct Plan {
    pub created_at: i64,
    pub channel: Channel,
    /// Started by an admin's outbound message rather than by the customer.
    pub outbound: bool,
    /// Index into TEAMS.
    pub team: usize,
    /// Hundreds of short exchanges: more parts than Intercom returns.
    pub long: bool,
}

/// A played-out conversation (parts may run past as-of; the caller cuts them).
pub struct Simulated {
    pub parts: Vec<Part>,
    /// The admin (index into ADMINS) who sent an outbound message.
    pub sender: Option<usize>,
}

/// Share of messenger conversations the AI agent answers first, and of those it resolves.
const FIN_SHARE: f64 = 0.45;
const FIN_RESOLVES: f64 = 0.38;
/// Share of replies sent outside office hours anyway (someone on call).
const ON_CALL: f64 = 0.04;
const MAX_ROUNDS: usize = 10;

pub fn simulate(rng: &mut ChaCha8Rng, plan: &Plan) -> Simulated {
    let mut sim = Sim {
        rng,
        t: plan.created_at,
        parts: Vec::new(),
        channel: plan.channel,
        team: plan.team,
        admin: None,
    };
    let sender = if plan.outbound {
        sim.outbound();
        sim.admin
    } else if plan.long {
        sim.long_chat();
        None
    } else {
        sim.inbound();
        None
    };
    Simulated {
        parts: sim.parts,
        sender,
    }
}

struct Sim<'a> {
    rng: &'a mut ChaCha8Rng,
    /// Time of the latest part.
    t: i64,
    parts: Vec<Part>,
    channel: Channel,
    team: usize,
    /// Current admin assignee (index into ADMINS).
    admin: Option<usize>,
}

/// Seconds between `lo` and `hi`, log-uniform: short waits are common, long ones happen.
pub fn wait(rng: &mut ChaCha8Rng, (lo, hi): (i64, i64)) -> i64 {
    let lo = lo.max(1);
    let (lo, hi) = (lo as f64, hi.max(lo + 1) as f64);
    rng.random_range(lo.ln()..hi.ln()).exp().round() as i64
}

impl Sim<'_> {
    fn wait(&mut self, range: (i64, i64)) -> i64 {
        wait(self.rng, range)
    }

    /// Moves the clock by a wait (at least one second, so parts keep their order).
    fn advance(&mut self, range: (i64, i64)) {
        let w = self.wait(range);
        self.t += w.max(1);
    }

    /// Like [`Sim::advance`], for a teammate: outside office hours the work waits for the next
    /// morning (plus a little), unless someone is on call.
    fn advance_office(&mut self, range: (i64, i64)) {
        self.advance(range);
        if !office::is_open(self.t) && !self.rng.random_bool(ON_CALL) {
            let settle = self.wait((2 * MINUTE, 90 * MINUTE));
            self.t = office::next_open(self.t) + settle;
        }
    }

    fn push(&mut self, kind: PartKind, author: Author, assigned_to: Option<Assignee>, ai: Ai) {
        self.parts.push(Part {
            at: self.t,
            kind,
            author,
            assigned_to,
            ai,
        });
    }

    fn by_admin(&self, admin: usize) -> Author {
        Author::Teammate(ADMINS[admin].0.to_owned())
    }

    fn bot(id: &str) -> Author {
        Author::Teammate(id.to_owned())
    }

    fn pick_admin(&mut self, team: usize) -> usize {
        let members: Vec<usize> = roster::members(team).collect();
        members[self.rng.random_range(0..members.len())]
    }

    fn contact_writes(&mut self, range: (i64, i64)) {
        self.advance(range);
        self.push(PartKind::Comment, Author::Contact, None, Ai::None);
    }

    /// A workflow (or the AI agent) routes the conversation to the team's queue.
    fn route(&mut self, by: &str, range: (i64, i64)) {
        self.advance(range);
        let team = TEAMS[self.team].0.to_owned();
        self.push(
            PartKind::DefaultAssignment,
            Self::bot(by),
            Some(Assignee::Team(team)),
            Ai::None,
        );
        self.admin = None;
    }

    /// An admin of the team takes the conversation from the queue.
    fn pick_up(&mut self) {
        let d = self.channel.delays();
        self.advance_office(d.queue);
        let admin = self.pick_admin(self.team);
        self.admin = Some(admin);
        let who = self.by_admin(admin);
        self.push(
            PartKind::Assignment,
            who,
            Some(Assignee::Admin(ADMINS[admin].0.to_owned())),
            Ai::None,
        );
    }

    fn current_admin(&mut self) -> usize {
        match self.admin {
            Some(a) => a,
            None => {
                let a = self.pick_admin(self.team);
                self.admin = Some(a);
                a
            }
        }
    }

    fn admin_replies(&mut self, range: (i64, i64)) {
        self.advance_office(range);
        let admin = self.current_admin();
        let who = self.by_admin(admin);
        self.push(PartKind::Comment, who, None, Ai::None);
    }

    /// An internal note: by the assignee, or a teammate they mentioned.
    fn note(&mut self) {
        self.advance((30, 15 * MINUTE));
        let admin = if self.rng.random_bool(0.3) {
            self.pick_admin(self.team)
        } else {
            self.current_admin()
        };
        let who = self.by_admin(admin);
        self.push(PartKind::Note, who, None, Ai::None);
    }

    /// The assignee hands the conversation to another team's queue; someone there picks it up.
    fn reassign(&mut self) {
        let from = self.current_admin();
        let mut team = self.rng.random_range(0..TEAMS.len());
        if team == self.team {
            team = (team + 1) % TEAMS.len();
        }
        self.advance((30, 10 * MINUTE));
        self.team = team;
        let who = self.by_admin(from);
        self.push(
            PartKind::Assignment,
            who,
            Some(Assignee::Team(TEAMS[team].0.to_owned())),
            Ai::None,
        );
        self.admin = None;
        self.pick_up();
    }

    /// Snoozed for a day or three, then woken by the timer.
    fn snooze(&mut self) {
        let admin = self.current_admin();
        self.advance((MINUTE, 10 * MINUTE));
        let who = self.by_admin(admin);
        self.push(PartKind::Snoozed, who.clone(), None, Ai::None);
        self.advance((DAY, 3 * DAY));
        self.push(PartKind::Unsnoozed, who, None, Ai::None);
    }

    fn close(&mut self) {
        let d = self.channel.delays();
        self.advance_office(d.close);
        let admin = self.current_admin();
        let who = self.by_admin(admin);
        self.push(PartKind::Close, who, None, Ai::None);
    }

    /// Customer messages and admin replies until the customer stops writing.
    fn exchanges(&mut self) {
        let d = self.channel.delays();
        let mut reassigned = false;
        let mut snoozed = false;
        for _ in 0..MAX_ROUNDS {
            if !self.rng.random_bool(self.channel.continues()) {
                break;
            }
            self.contact_writes(d.contact);
            if self.rng.random_bool(0.18) {
                // A second message before anyone answers.
                let again = if self.channel == Channel::Email {
                    (10 * MINUTE, 2 * HOUR)
                } else {
                    (10, 2 * MINUTE)
                };
                self.contact_writes(again);
            }
            if self.rng.random_bool(0.12) {
                self.note();
            }
            if !reassigned && self.rng.random_bool(0.06) {
                reassigned = true;
                self.reassign();
            }
            self.admin_replies(d.reply);
            if !snoozed && self.rng.random_bool(0.05) {
                snoozed = true;
                self.snooze();
            }
        }
    }

    /// From the queue to the close, with reopens.
    fn handled(&mut self) {
        let d = self.channel.delays();
        self.pick_up();
        if self.rng.random_bool(0.08) {
            self.note();
        }
        self.admin_replies(d.first_reply);
        self.exchanges();
        self.close();
        if self.rng.random_bool(0.13) {
            // The customer writes again days later: the conversation reopens.
            self.contact_writes((30 * MINUTE, 4 * DAY));
            self.admin_replies(d.reply);
            self.exchanges();
            self.close();
        } else if self.rng.random_bool(0.03) {
            // An admin reopens it to follow up.
            self.advance_office((HOUR, 2 * DAY));
            let admin = self.current_admin();
            let who = self.by_admin(admin);
            self.push(PartKind::Open, who, None, Ai::None);
            self.admin_replies((MINUTE, 30 * MINUTE));
            self.close();
        }
    }

    fn inbound(&mut self) {
        if self.channel.messenger() && self.rng.random_bool(FIN_SHARE) {
            self.advance((4, 25));
            self.push(PartKind::Comment, Self::bot(FIN), None, Ai::Answer);
            if self.rng.random_bool(FIN_RESOLVES) {
                if self.rng.random_bool(0.6) {
                    self.contact_writes((30, 5 * MINUTE));
                }
                self.advance((2 * MINUTE, 15 * MINUTE));
                self.push(PartKind::Close, Self::bot(FIN), None, Ai::None);
                if !self.rng.random_bool(0.1) {
                    return;
                }
                // Back later with the same problem: now it goes to the team.
                self.contact_writes((HOUR, 3 * DAY));
                self.route(OPERATOR, (2, 10));
            } else {
                self.contact_writes((20, 3 * MINUTE));
                self.advance((3, 10));
                self.push(PartKind::Comment, Self::bot(FIN), None, Ai::Agent);
                self.route(FIN, (1, 3));
            }
        } else {
            match self.channel {
                Channel::Chat | Channel::WhatsApp => {
                    if self.rng.random_bool(0.5) {
                        self.advance((2, 8));
                        self.push(PartKind::Comment, Self::bot(OPERATOR), None, Ai::None);
                    }
                    self.route(OPERATOR, (1, 5));
                }
                Channel::Email => self.route(OPERATOR, (5, 90)),
                Channel::Phone => self.route(OPERATOR, (1, 3)),
            }
        }
        self.handled();
    }

    fn outbound(&mut self) {
        let admin = self.pick_admin(self.team);
        self.admin = Some(admin);
        if self.rng.random_bool(0.6) {
            self.contact_writes((10 * MINUTE, 2 * DAY));
            let d = self.channel.delays();
            self.admin_replies(d.reply);
            self.exchanges();
            self.close();
        } else {
            self.advance_office((2 * DAY, 5 * DAY));
            let who = self.by_admin(admin);
            self.push(PartKind::Close, who, None, Ai::None);
        }
    }

    /// A chat that goes on and on: far more than 500 parts.
    fn long_chat(&mut self) {
        self.route(OPERATOR, (1, 5));
        self.pick_up();
        self.admin_replies((15, 4 * MINUTE));
        let rounds = self.rng.random_range(270..400);
        for _ in 0..rounds {
            self.contact_writes((15, 3 * MINUTE));
            if self.rng.random_bool(0.3) {
                self.contact_writes((5, MINUTE));
            }
            if self.rng.random_bool(0.05) {
                self.note();
            }
            self.advance((15, 4 * MINUTE));
            let admin = self.current_admin();
            let who = self.by_admin(admin);
            self.push(PartKind::Comment, who, None, Ai::None);
        }
        self.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn plan(channel: Channel) -> Plan {
        Plan {
            // Tuesday 2025-03-25 10:00 New York.
            created_at: 1_742_911_200,
            channel,
            outbound: false,
            team: 0,
            long: false,
        }
    }

    #[test]
    fn parts_are_in_time_order_and_every_handled_conversation_closes() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for i in 0..400 {
            let channel = [
                Channel::Chat,
                Channel::Email,
                Channel::Phone,
                Channel::WhatsApp,
            ][i % 4];
            let mut p = plan(channel);
            p.outbound = i % 13 == 0;
            let sim = simulate(&mut rng, &p);
            assert!(!sim.parts.is_empty());
            assert!(sim.parts[0].at > p.created_at || p.outbound);
            for w in sim.parts.windows(2) {
                assert!(w[0].at < w[1].at, "{:?}", sim.parts);
            }
            assert_eq!(sim.parts.last().unwrap().kind, PartKind::Close);
            assert_eq!(sim.sender.is_some(), p.outbound);
        }
    }

    #[test]
    fn a_long_chat_has_more_parts_than_intercom_returns() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let sim = simulate(
            &mut rng,
            &Plan {
                long: true,
                ..plan(Channel::Chat)
            },
        );
        assert!(sim.parts.len() > 600, "{}", sim.parts.len());
    }

    #[test]
    fn the_ai_agent_answers_some_chats_and_hands_others_over() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let (mut resolved, mut handed_over) = (0, 0);
        for _ in 0..300 {
            let sim = simulate(&mut rng, &plan(Channel::Chat));
            let fin = |p: &Part| p.author == Author::Teammate(FIN.to_owned());
            if !sim.parts.iter().any(|p| fin(p) && p.ai == Ai::Answer) {
                continue;
            }
            if sim.parts.iter().any(|p| fin(p) && p.ai == Ai::Agent) {
                handed_over += 1;
            } else if sim
                .parts
                .iter()
                .all(|p| !matches!(&p.author, Author::Teammate(id) if id.starts_with("72000")))
            {
                resolved += 1;
            }
        }
        assert!(
            resolved > 10 && handed_over > 10,
            "{resolved} {handed_over}"
        );
    }

    #[test]
    fn after_hours_email_waits_for_the_morning() {
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        // Friday 2025-03-28 22:00 New York.
        let p = Plan {
            created_at: 1_743_213_600,
            ..plan(Channel::Email)
        };
        let mut next_day = 0;
        for _ in 0..50 {
            let sim = simulate(&mut rng, &p);
            let pick_up = sim
                .parts
                .iter()
                .find(|p| p.kind == PartKind::Assignment)
                .unwrap();
            if pick_up.at - p.created_at > 50 * HOUR {
                next_day += 1;
            }
        }
        assert!(next_day > 40, "{next_day} of 50 wait for Monday");
    }
}
