//! Conversation parts in a compact text form, so a workspace of 100,000 generated conversations
//! with their parts stays small in memory and in a dump.
//!
//! A stored conversation may carry its parts either in Intercom's own shape
//! (`conversation_parts.conversation_parts`, for hand-built fixtures) or under [`COMPACT_KEY`] as
//! one string: parts separated by `;`, each `OFFSET KIND AUTHOR [>ASSIGNEE] [!AI]` where
//!
//! - `OFFSET` is seconds after the conversation's `created_at`;
//! - `KIND` is Intercom's `part_type` (`comment`, `note`, `assignment`, `default_assignment`,
//!   `open`, `close`, `snoozed`, `unsnoozed`);
//! - `AUTHOR` is `c` (the conversation's first contact) or `a:ID` (a teammate of the
//!   workspace: an admin, or a `bot` such as Fin; its type, name and email come from the
//!   fixture's `admins` list when the part is served);
//! - `>admin:ID`, `>team:ID` or `>nobody` is whom an assignment part assigned the conversation to;
//! - `!agent` marks a part sent by the AI agent (`from_ai_agent`), `!ai` one whose body the AI
//!   agent wrote (`from_ai_agent` and `is_ai_answer`).
//!
//! Example: `0 comment a:7299001 !ai;75 default_assignment a:7299002 >team:5200001`.
//! Bodies are not stored: short synthetic text is made when the part is served.

use std::fmt::{self, Write as _};

/// The key of a stored conversation that holds its parts in compact form.
pub const COMPACT_KEY: &str = "_sim_parts";

/// Intercom returns at most this many parts (the most recent) with a conversation.
pub const MAX_RETURNED_PARTS: usize = 500;

/// A part's `part_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PartKind {
    Comment,
    Note,
    Assignment,
    DefaultAssignment,
    Open,
    Close,
    Snoozed,
    Unsnoozed,
}

impl PartKind {
    const ALL: [PartKind; 8] = [
        PartKind::Comment,
        PartKind::Note,
        PartKind::Assignment,
        PartKind::DefaultAssignment,
        PartKind::Open,
        PartKind::Close,
        PartKind::Snoozed,
        PartKind::Unsnoozed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PartKind::Comment => "comment",
            PartKind::Note => "note",
            PartKind::Assignment => "assignment",
            PartKind::DefaultAssignment => "default_assignment",
            PartKind::Open => "open",
            PartKind::Close => "close",
            PartKind::Snoozed => "snoozed",
            PartKind::Unsnoozed => "unsnoozed",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn is_assignment(self) -> bool {
        matches!(self, PartKind::Assignment | PartKind::DefaultAssignment)
    }
}

/// Who wrote a part.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Author {
    /// The conversation's first contact.
    Contact,
    /// A teammate (admin or bot) by id.
    Teammate(String),
}

/// Whom an assignment part assigned the conversation to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Assignee {
    Admin(String),
    Team(String),
    Nobody,
}

/// What the AI agent had to do with a part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Ai {
    #[default]
    None,
    /// Sent by the AI agent, not an AI-written answer (e.g. a hand-over message).
    Agent,
    /// An answer the AI agent wrote.
    Answer,
}

/// One part, with its absolute time.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Part {
    /// Unix seconds.
    pub at: i64,
    pub kind: PartKind,
    pub author: Author,
    pub assigned_to: Option<Assignee>,
    pub ai: Ai,
}

/// The conversation's state after each part: closes close it, opens and unsnoozes open it,
/// snoozes snooze it, and a contact's message reopens a closed or snoozed conversation.
pub fn states(parts: &[Part]) -> Vec<&'static str> {
    let mut state = "open";
    parts
        .iter()
        .map(|p| {
            state = match (p.kind, &p.author) {
                (PartKind::Close, _) => "closed",
                (PartKind::Open | PartKind::Unsnoozed, _) => "open",
                (PartKind::Snoozed, _) => "snoozed",
                (PartKind::Comment, Author::Contact) => "open",
                _ => state,
            };
            state
        })
        .collect()
}

/// Why a compact parts string could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    pub part: usize,
    pub reason: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "part {}: {}", self.part, self.reason)
    }
}

/// Writes parts of a conversation created at `created_at` in compact form.
pub fn encode(created_at: i64, parts: &[Part]) -> String {
    let mut out = String::with_capacity(parts.len() * 28);
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        let _ = write!(out, "{} {} ", p.at - created_at, p.kind.as_str());
        match &p.author {
            Author::Contact => out.push('c'),
            Author::Teammate(id) => {
                let _ = write!(out, "a:{id}");
            }
        }
        match &p.assigned_to {
            None => {}
            Some(Assignee::Admin(id)) => {
                let _ = write!(out, " >admin:{id}");
            }
            Some(Assignee::Team(id)) => {
                let _ = write!(out, " >team:{id}");
            }
            Some(Assignee::Nobody) => out.push_str(" >nobody"),
        }
        match p.ai {
            Ai::None => {}
            Ai::Agent => out.push_str(" !agent"),
            Ai::Answer => out.push_str(" !ai"),
        }
    }
    out
}

/// Reads a compact parts string (see the module docs).
pub fn decode(created_at: i64, text: &str) -> Result<Vec<Part>, DecodeError> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    text.split(';')
        .enumerate()
        .map(|(i, item)| {
            decode_one(created_at, item).map_err(|reason| DecodeError { part: i, reason })
        })
        .collect()
}

fn decode_one(created_at: i64, item: &str) -> Result<Part, String> {
    let mut fields = item.split_whitespace();
    let offset: i64 = fields
        .next()
        .ok_or("empty part")?
        .parse()
        .map_err(|_| format!("'{item}' does not start with an offset in seconds"))?;
    let kind = fields.next().ok_or("no part type")?;
    let kind = PartKind::parse(kind).ok_or_else(|| format!("unknown part type '{kind}'"))?;
    let author = match fields.next().ok_or("no author")? {
        "c" => Author::Contact,
        a => Author::Teammate(
            a.strip_prefix("a:")
                .filter(|id| !id.is_empty())
                .ok_or_else(|| format!("author '{a}' is neither c nor a:ID"))?
                .to_owned(),
        ),
    };
    let mut part = Part {
        at: created_at + offset,
        kind,
        author,
        assigned_to: None,
        ai: Ai::None,
    };
    for field in fields {
        match field {
            "!ai" => part.ai = Ai::Answer,
            "!agent" => part.ai = Ai::Agent,
            ">nobody" => part.assigned_to = Some(Assignee::Nobody),
            f => {
                let assignee = if let Some(id) = f.strip_prefix(">admin:") {
                    Assignee::Admin(id.to_owned())
                } else if let Some(id) = f.strip_prefix(">team:") {
                    Assignee::Team(id.to_owned())
                } else {
                    return Err(format!("unknown field '{f}'"));
                };
                part.assigned_to = Some(assignee);
            }
        }
    }
    Ok(part)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(at: i64, kind: PartKind, author: Author) -> Part {
        Part {
            at,
            kind,
            author,
            assigned_to: None,
            ai: Ai::None,
        }
    }

    #[test]
    fn round_trips_every_kind_of_field() {
        let created = 1_700_000_000;
        let parts = vec![
            Part {
                ai: Ai::Answer,
                ..part(
                    created + 8,
                    PartKind::Comment,
                    Author::Teammate("7299001".into()),
                )
            },
            Part {
                ai: Ai::Agent,
                ..part(
                    created + 60,
                    PartKind::Comment,
                    Author::Teammate("7299001".into()),
                )
            },
            Part {
                assigned_to: Some(Assignee::Team("5200001".into())),
                ..part(
                    created + 61,
                    PartKind::DefaultAssignment,
                    Author::Teammate("7299002".into()),
                )
            },
            Part {
                assigned_to: Some(Assignee::Admin("7200003".into())),
                ..part(
                    created + 900,
                    PartKind::Assignment,
                    Author::Teammate("7200003".into()),
                )
            },
            Part {
                assigned_to: Some(Assignee::Nobody),
                ..part(
                    created + 901,
                    PartKind::Assignment,
                    Author::Teammate("7200003".into()),
                )
            },
            part(created + 1000, PartKind::Comment, Author::Contact),
            part(
                created + 1100,
                PartKind::Close,
                Author::Teammate("7200003".into()),
            ),
        ];
        let text = encode(created, &parts);
        assert!(text.starts_with("8 comment a:7299001 !ai;60 comment a:7299001 !agent;"));
        assert!(text.contains("61 default_assignment a:7299002 >team:5200001"));
        assert!(text.contains(">nobody"));
        assert_eq!(decode(created, &text).unwrap(), parts);
        assert_eq!(decode(created, "").unwrap(), vec![]);
    }

    #[test]
    fn names_the_broken_part() {
        let err = decode(0, "0 comment c;5 shout c").unwrap_err();
        assert_eq!(err.part, 1);
        assert!(err.reason.contains("shout"), "{err}");
        assert!(decode(0, "x comment c").is_err());
        assert!(decode(0, "0 comment a:").is_err());
        assert!(decode(0, "0 assignment a:1 >planet:3").is_err());
    }
}
