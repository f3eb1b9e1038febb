//! The run's Slack message (CUSTOMER-SYNC.md §3): the alerts not yet carried by a message, one
//! section each, within Block Kit's limits (the platform builder folds past 50 blocks into
//! `…and N more alerts`).

use std::collections::BTreeMap;

use crate::customers::db::PendingAlert;
use crate::customers::rules::alerts::AlertKind;
use crate::notify::{escape, Message};

fn label(kind: AlertKind) -> &'static str {
    match kind {
        AlertKind::HighValue => "High value",
        AlertKind::CancelMention => "Cancel mention",
        AlertKind::Delinquent => "Delinquent",
        AlertKind::MrrChange => "MRR change",
    }
}

fn dollars(v: Option<&str>) -> String {
    v.map_or_else(|| "none".to_string(), |d| format!("${d}"))
}

/// One alert as a line: `*ann@x.com* — MRR change: $300.00 → $612.50`.
pub fn line(a: &PendingAlert) -> String {
    let a = &a.alert;
    let detail = match a.kind {
        AlertKind::HighValue | AlertKind::MrrChange => format!(
            "MRR {} → {}",
            dollars(a.previous.as_deref()),
            dollars(a.new.as_deref())
        ),
        AlertKind::CancelMention => "mentioned cancelling in the last 30 days".to_string(),
        AlertKind::Delinquent => "Stripe marks the customer delinquent".to_string(),
    };
    format!(
        "*{}* — {}: {}",
        escape(&a.email),
        label(a.kind),
        escape(&detail)
    )
}

/// The message listing `alerts` (oldest first) for the run `run_id` (`mode`).
pub fn alerts_message(alerts: &[PendingAlert], run_id: &str, mode: &str) -> Message {
    let mut by_kind: BTreeMap<AlertKind, usize> = BTreeMap::new();
    for a in alerts {
        *by_kind.entry(a.alert.kind).or_default() += 1;
    }
    let counts: Vec<String> = by_kind
        .iter()
        .map(|(k, n)| format!("{}: {n}", label(*k)))
        .collect();
    let n = alerts.len();
    let title = format!("Customer sync: {n} alert{}", if n == 1 { "" } else { "s" });
    let earlier = alerts.iter().filter(|a| a.run_id != run_id).count();
    let mut context = vec![format!("{mode} run {run_id}")];
    if earlier > 0 {
        context.push(format!("{earlier} from earlier runs whose message failed"));
    }
    Message::builder(format!("{title} ({})", counts.join(", ")))
        .header(title)
        .section(counts.join(" · "))
        .context(context)
        .divider()
        .blocks(
            alerts
                .iter()
                .map(|a| crate::notify::Block::section(line(a))),
        )
        .overflow_unit("alerts")
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customers::rules::alerts::Alert;
    use crate::notify::MAX_BLOCKS;

    fn pending(i: i64, kind: AlertKind, run: &str) -> PendingAlert {
        PendingAlert {
            id: i,
            alert: Alert {
                email: format!("c{i}@x.com"),
                kind,
                previous: Some("300.00".into()),
                new: Some("612.50".into()),
            },
            run_id: run.into(),
        }
    }

    #[test]
    fn lists_alerts_within_limits() {
        let alerts: Vec<_> = (0..60)
            .map(|i| {
                pending(
                    i,
                    AlertKind::ALL[i as usize % 4],
                    if i < 2 { "old" } else { "r1" },
                )
            })
            .collect();
        let m = alerts_message(&alerts, "r1", "full");
        let json = m.to_json();
        let blocks = json["blocks"].as_array().unwrap();
        assert_eq!(blocks.len(), MAX_BLOCKS);
        // header, counts, context, divider, then 45 alerts and the overflow note: 60 − 45 = 15.
        assert_eq!(blocks[49]["elements"][0]["text"], "…and 15 more alerts");
        assert_eq!(blocks[0]["text"]["text"], "Customer sync: 60 alerts");
        assert_eq!(
            blocks[1]["text"]["text"],
            "High value: 15 · Cancel mention: 15 · Delinquent: 15 · MRR change: 15"
        );
        assert_eq!(
            blocks[2]["elements"][1]["text"],
            "2 from earlier runs whose message failed"
        );
        assert_eq!(
            blocks[4]["text"]["text"],
            "*c0@x.com* — High value: MRR $300.00 → $612.50"
        );
        assert_eq!(
            blocks[5]["text"]["text"],
            "*c1@x.com* — Cancel mention: mentioned cancelling in the last 30 days"
        );
    }
}
