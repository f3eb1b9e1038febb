//! The run's summary (ENGAGEMENT-RANKER.md §7): the week, N, top and bottom 10, the biggest
//! movers against last week's rank, anomalies, and what was written. The same value is the
//! run's JSON output and, through [`Summary::message`], the Slack message.

use serde::Serialize;

use super::plan::{Anomaly, LeftOut, Plan, RankedCompany};
use crate::notify::{escape, Message};

/// How many companies the top and bottom lists hold.
pub const LIST_SIZE: usize = 10;
/// How many risers and fallers the movers list holds.
pub const MOVERS: usize = 5;

/// One line of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    pub company_id: String,
    pub name: String,
    pub rank: usize,
    pub score: u64,
    pub tier: &'static str,
    /// Last week's rank, when parsable.
    pub prior_rank: Option<usize>,
    /// Places gained (positive: up); `None`: new.
    pub movement: Option<i64>,
}

impl From<&RankedCompany> for Row {
    fn from(r: &RankedCompany) -> Self {
        Row {
            company_id: r.company_id.clone(),
            name: r.name.clone(),
            rank: r.rank,
            score: r.score,
            tier: r.tier.label(),
            prior_rank: r.prior_rank.map(|p| p.rank),
            movement: r.movement,
        }
    }
}

/// Risers, fallers and new entries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Movers {
    /// Most places gained first (ties: better rank first).
    pub up: Vec<Row>,
    /// Most places lost first.
    pub down: Vec<Row>,
    /// No parsable rank last week, by rank.
    pub new: Vec<Row>,
}

/// What the write phase did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Writes {
    /// Companies with changes to write (after `companyIds`).
    pub planned: usize,
    /// Companies written (none in a dry run).
    pub written: Vec<String>,
    /// Companies not written, with HubSpot's category.
    pub unwritten: Vec<Unwritten>,
    /// Ranked companies already right.
    pub unchanged: usize,
    /// Ranked companies with changes that `companyIds` leaves out.
    pub held_back: usize,
    /// Companies whose write needed a second attempt.
    pub retried: usize,
    /// Property changes planned.
    pub changes: usize,
}

/// A company not written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Unwritten {
    pub company_id: String,
    pub category: String,
    pub message: String,
}

/// The run's output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub dry_run: bool,
    /// `YYYY-MM-DD`, the Sunday.
    pub week_start: String,
    /// `YYYY-MM-DD`, the Saturday.
    pub week_end: String,
    /// RFC 3339.
    pub as_of: String,
    pub n: usize,
    pub top: Vec<Row>,
    pub bottom: Vec<Row>,
    pub movers: Movers,
    pub anomalies: Vec<Anomaly>,
    pub excluded: Vec<LeftOut>,
    pub inactive: Vec<LeftOut>,
    pub writes: Writes,
}

impl Summary {
    /// The summary of `plan` before any write (`writes.written` empty).
    pub fn of(plan: &Plan, dry_run: bool, as_of: String) -> Self {
        let rows: Vec<Row> = plan.ranked.iter().map(Row::from).collect();
        let top = rows.iter().take(LIST_SIZE).cloned().collect();
        let bottom_start = rows.len().saturating_sub(LIST_SIZE);
        let bottom = rows[bottom_start..].to_vec();
        let mut up: Vec<Row> = rows
            .iter()
            .filter(|r| r.movement.is_some_and(|m| m > 0))
            .cloned()
            .collect();
        up.sort_by_key(|r| (std::cmp::Reverse(r.movement), r.rank));
        up.truncate(MOVERS);
        let mut down: Vec<Row> = rows
            .iter()
            .filter(|r| r.movement.is_some_and(|m| m < 0))
            .cloned()
            .collect();
        down.sort_by_key(|r| (r.movement, r.rank));
        down.truncate(MOVERS);
        let new = rows
            .iter()
            .filter(|r| r.movement.is_none())
            .cloned()
            .collect();
        let planned = plan.updates().len();
        Summary {
            dry_run,
            week_start: plan.week.start.to_string(),
            week_end: plan.week.last_day().to_string(),
            as_of,
            n: plan.n,
            top,
            bottom,
            movers: Movers { up, down, new },
            anomalies: plan.anomalies.clone(),
            excluded: plan.excluded.clone(),
            inactive: plan.inactive.clone(),
            writes: Writes {
                planned,
                unchanged: plan.unchanged,
                held_back: plan.held_back.len(),
                changes: plan.changes.len(),
                ..Writes::default()
            },
        }
    }

    /// The Slack message: header, counts, top and bottom lists, movers, anomalies; cut to
    /// Slack's limits by the builder.
    pub fn message(&self) -> Message {
        let mark = if self.dry_run { " (dry run)" } else { "" };
        let title = format!(
            "Engagement ranking, week {} to {}{mark}",
            self.week_start, self.week_end
        );
        let written = if self.dry_run {
            format!(
                "{} compan(ies) would change, {} unchanged",
                self.writes.planned, self.writes.unchanged
            )
        } else {
            format!(
                "{} compan(ies) written, {} unchanged",
                self.writes.written.len(),
                self.writes.unchanged
            )
        };
        let line = |r: &Row| {
            format!(
                "{}. *{}*: {} ({}){}",
                r.rank,
                escape(&r.name),
                r.score,
                r.tier,
                match r.movement {
                    None => " new".to_owned(),
                    Some(0) => String::new(),
                    Some(m) if m > 0 => format!(" ▲{m}"),
                    Some(m) => format!(" ▼{}", -m),
                }
            )
        };
        let list = |rows: &[Row]| {
            if rows.is_empty() {
                "_none_".to_owned()
            } else {
                rows.iter().map(line).collect::<Vec<_>>().join("\n")
            }
        };
        let mut builder = Message::builder(format!("{title}: N = {}, {written}", self.n))
            .header(title)
            .section(format!(
                "*N = {}* ranked · {written} · {} excluded · {} inactive · {} anomalies",
                self.n,
                self.excluded.len(),
                self.inactive.len(),
                self.anomalies.len()
            ))
            .section(format!("*Top {}*\n{}", self.top.len(), list(&self.top)))
            .section(format!(
                "*Bottom {}*\n{}",
                self.bottom.len(),
                list(&self.bottom)
            ))
            .section(format!(
                "*Biggest movers*\nUp:\n{}\nDown:\n{}\nNew this week: {}",
                list(&self.movers.up),
                list(&self.movers.down),
                self.movers.new.len()
            ));
        if !self.anomalies.is_empty() {
            let text = self
                .anomalies
                .iter()
                .map(|a| {
                    format!(
                        "• `{}` {} ({}): {}",
                        a.kind,
                        escape(&a.name),
                        a.company_id,
                        escape(&a.detail)
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            builder = builder.section(format!("*Anomalies ({})*\n{text}", self.anomalies.len()));
        }
        if !self.writes.unwritten.is_empty() {
            let ids: Vec<&str> = self
                .writes
                .unwritten
                .iter()
                .map(|u| u.company_id.as_str())
                .collect();
            builder = builder.section(format!("*Not written*: {}", ids.join(", ")));
        }
        builder.build()
    }
}

/// The alert posted when a run fails (nothing written, or a partial write).
pub fn alert(week_start: &str, error: &str) -> Message {
    let title = format!("Engagement ranking failed (week {week_start})");
    Message::builder(format!("{title}: {error}"))
        .header(title)
        .section(escape(error))
        .build()
}
