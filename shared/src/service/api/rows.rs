//! The rows of the service reports, as the dashboard's SQL functions return them
//! (`shared/migrations/0003_service_functions.sql`), and the `summary` of each list.
//!
//! Units: durations are whole seconds (means and medians rounded to the nearest second by the
//! SQL); rates, scores and percentages are on a 0–100 scale and CSAT means on the 1–5 rating
//! scale, both unrounded (the SQL's exact numeric as the nearest double); dates are local start
//! dates in the reporting zone, `YYYY-MM-DD`. `null` means no conversation of the range had the
//! value. JSON field names are camelCase; CSV columns are the JSON field names in the JSON order,
//! with null as an empty cell.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value;
use sqlx::postgres::PgRow;
use sqlx::{FromRow, Row};

use crate::api::render::TabularRow;

/// The CSV cells of `row`: its JSON fields named by `header`, null as empty, strings as they
/// are, numbers and booleans as JSON writes them.
fn json_cells<R: Serialize>(row: &R, header: &[&str]) -> Vec<String> {
    let json = serde_json::to_value(row).unwrap_or(Value::Null);
    header
        .iter()
        .map(|name| match json.get(name) {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        })
        .collect()
}

/// Implements [`TabularRow`] with the JSON fields as columns.
macro_rules! tabular {
    ($row:ty, [$($column:literal),* $(,)?]) => {
        impl TabularRow for $row {
            const CSV_HEADER: &'static [&'static str] = &[$($column),*];

            fn csv_record(&self) -> Vec<String> {
                json_cells(self, Self::CSV_HEADER)
            }
        }
    };
}

/// The scorecards over the range (`get_service_performance_summary`): one row, never empty (an
/// empty range has zero counts and null figures).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SummaryRow {
    /// Conversations started in the range.
    pub total_conversations: i64,
    /// Of which not reopened.
    pub new_conversations: i64,
    /// Of which reopened at least once.
    pub reopened_conversations: i64,
    /// First response time, seconds: mean, median and 90th percentile over the range's
    /// conversations that have one.
    pub avg_frt_seconds: Option<i32>,
    pub median_frt_seconds: Option<i32>,
    pub p90_frt_seconds: Option<i32>,
    /// Average reply gap (a conversation's mean wait for a human reply), seconds.
    pub avg_art_seconds: Option<i32>,
    pub median_art_seconds: Option<i32>,
    /// Handling time, seconds.
    pub avg_aht_seconds: Option<i32>,
    pub median_aht_seconds: Option<i32>,
    /// Time to assignment, seconds.
    pub avg_wait_time_seconds: Option<i32>,
    pub median_wait_time_seconds: Option<i32>,
    /// % of conversations with an FRT at or under the target (0–100), over those with an FRT.
    pub frt_hit_rate: Option<f64>,
    /// % of conversations with an ART at or under the target (0–100), over those with an ART.
    pub art_hit_rate: Option<f64>,
    /// Mean rating, 1–5.
    pub avg_csat: Option<f64>,
    /// % of ratings that are 4 or 5 (0–100).
    pub csat_score: Option<f64>,
    /// Rated conversations.
    pub rated_count: i64,
}

tabular!(
    SummaryRow,
    [
        "totalConversations",
        "newConversations",
        "reopenedConversations",
        "avgFrtSeconds",
        "medianFrtSeconds",
        "p90FrtSeconds",
        "avgArtSeconds",
        "medianArtSeconds",
        "avgAhtSeconds",
        "medianAhtSeconds",
        "avgWaitTimeSeconds",
        "medianWaitTimeSeconds",
        "frtHitRate",
        "artHitRate",
        "avgCsat",
        "csatScore",
        "ratedCount",
    ]
);

impl FromRow<'_, PgRow> for SummaryRow {
    fn from_row(row: &PgRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            total_conversations: row.try_get("total_conversations")?,
            new_conversations: row.try_get("new_conversations")?,
            reopened_conversations: row.try_get("reopened_conversations")?,
            avg_frt_seconds: row.try_get("avg_frt_seconds")?,
            median_frt_seconds: row.try_get("median_frt_seconds")?,
            p90_frt_seconds: row.try_get("p90_frt_seconds")?,
            avg_art_seconds: row.try_get("avg_art_seconds")?,
            median_art_seconds: row.try_get("median_art_seconds")?,
            avg_aht_seconds: row.try_get("avg_aht_seconds")?,
            median_aht_seconds: row.try_get("median_aht_seconds")?,
            avg_wait_time_seconds: row.try_get("avg_wait_time_seconds")?,
            median_wait_time_seconds: row.try_get("median_wait_time_seconds")?,
            frt_hit_rate: row.try_get("frt_hit_rate")?,
            art_hit_rate: row.try_get("art_hit_rate")?,
            avg_csat: row.try_get("avg_csat")?,
            csat_score: row.try_get("csat_score")?,
            rated_count: row.try_get("rated_count")?,
        })
    }
}

/// One local date of the range (`get_service_daily_trend`): every date is present, a day
/// without conversations with zero counts and null figures. Figures as in [`SummaryRow`], over
/// that day's conversations; hit rates at the targets of the sync that computed the day.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DayRow {
    pub date: NaiveDate,
    pub total_conversations: i32,
    pub new_conversations: i32,
    pub reopened_conversations: i32,
    pub avg_frt_seconds: Option<i32>,
    pub median_frt_seconds: Option<i32>,
    pub p90_frt_seconds: Option<i32>,
    pub avg_art_seconds: Option<i32>,
    pub median_art_seconds: Option<i32>,
    pub avg_aht_seconds: Option<i32>,
    pub median_aht_seconds: Option<i32>,
    pub avg_wait_time_seconds: Option<i32>,
    pub median_wait_time_seconds: Option<i32>,
    pub frt_hit_rate: Option<f64>,
    pub art_hit_rate: Option<f64>,
    pub avg_csat: Option<f64>,
    pub csat_score: Option<f64>,
    pub rated_count: i32,
}

tabular!(
    DayRow,
    [
        "date",
        "totalConversations",
        "newConversations",
        "reopenedConversations",
        "avgFrtSeconds",
        "medianFrtSeconds",
        "p90FrtSeconds",
        "avgArtSeconds",
        "medianArtSeconds",
        "avgAhtSeconds",
        "medianAhtSeconds",
        "avgWaitTimeSeconds",
        "medianWaitTimeSeconds",
        "frtHitRate",
        "artHitRate",
        "avgCsat",
        "csatScore",
        "ratedCount",
    ]
);

impl FromRow<'_, PgRow> for DayRow {
    fn from_row(row: &PgRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            date: row.try_get("date")?,
            total_conversations: row.try_get("total_conversations")?,
            new_conversations: row.try_get("new_conversations")?,
            reopened_conversations: row.try_get("reopened_conversations")?,
            avg_frt_seconds: row.try_get("avg_frt_seconds")?,
            median_frt_seconds: row.try_get("median_frt_seconds")?,
            p90_frt_seconds: row.try_get("p90_frt_seconds")?,
            avg_art_seconds: row.try_get("avg_art_seconds")?,
            median_art_seconds: row.try_get("median_art_seconds")?,
            avg_aht_seconds: row.try_get("avg_aht_seconds")?,
            median_aht_seconds: row.try_get("median_aht_seconds")?,
            avg_wait_time_seconds: row.try_get("avg_wait_time_seconds")?,
            median_wait_time_seconds: row.try_get("median_wait_time_seconds")?,
            frt_hit_rate: row.try_get("frt_hit_rate")?,
            art_hit_rate: row.try_get("art_hit_rate")?,
            avg_csat: row.try_get("avg_csat")?,
            csat_score: row.try_get("csat_score")?,
            rated_count: row.try_get("rated_count")?,
        })
    }
}

/// One teammate of the leaderboard (`get_service_teammate_leaderboard`), over the conversations
/// assigned to them that started in the range.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TeammateRow {
    /// 1 = best by the metric; teammates without a value for it come last, ties by id.
    pub rank: i32,
    /// Intercom admin id.
    pub assignee_id: String,
    /// The admin's name at the latest sync (null when Intercom knows none).
    pub assignee_name: Option<String>,
    pub conversation_count: i64,
    /// Means over the teammate's conversations that have the value, seconds.
    pub avg_frt_seconds: Option<i32>,
    pub avg_art_seconds: Option<i32>,
    pub avg_aht_seconds: Option<i32>,
    pub avg_wait_time_seconds: Option<i32>,
    /// Mean rating, 1–5, unrounded.
    pub avg_csat: Option<f64>,
    /// % of ratings that are 4 or 5 (0–100).
    pub csat_score: Option<f64>,
    pub rated_count: i64,
    /// The value ranked on: the count, the mean in seconds, or the mean rating.
    pub metric_value: Option<f64>,
}

tabular!(
    TeammateRow,
    [
        "rank",
        "assigneeId",
        "assigneeName",
        "conversationCount",
        "avgFrtSeconds",
        "avgArtSeconds",
        "avgAhtSeconds",
        "avgWaitTimeSeconds",
        "avgCsat",
        "csatScore",
        "ratedCount",
        "metricValue",
    ]
);

impl FromRow<'_, PgRow> for TeammateRow {
    fn from_row(row: &PgRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            rank: row.try_get("rank")?,
            assignee_id: row.try_get("assignee_id")?,
            assignee_name: row.try_get("assignee_name")?,
            conversation_count: row.try_get("conversation_count")?,
            avg_frt_seconds: row.try_get("avg_frt_seconds")?,
            avg_art_seconds: row.try_get("avg_art_seconds")?,
            avg_aht_seconds: row.try_get("avg_aht_seconds")?,
            avg_wait_time_seconds: row.try_get("avg_wait_time_seconds")?,
            avg_csat: row.try_get("avg_csat")?,
            csat_score: row.try_get("csat_score")?,
            rated_count: row.try_get("rated_count")?,
            metric_value: row.try_get("metric_value")?,
        })
    }
}

/// Conversations of one sentiment (`get_service_sentiment_distribution`): always four rows,
/// `Positive`, `Neutral`, `Negative`, `Unknown` (no CX score and no sentiment tag).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SentimentRow {
    pub sentiment: String,
    pub conversation_count: i64,
    /// Share of the range's conversations, 0–100; null when the range has none.
    pub percentage: Option<f64>,
}

tabular!(
    SentimentRow,
    ["sentiment", "conversationCount", "percentage"]
);

impl FromRow<'_, PgRow> for SentimentRow {
    fn from_row(row: &PgRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            sentiment: row.try_get("sentiment")?,
            conversation_count: row.try_get("conversation_count")?,
            percentage: row.try_get("percentage")?,
        })
    }
}

/// Conversations of one channel (`get_service_channel_distribution`), most first: the
/// conversation's `Channel` attribute, else Intercom's source type (`email`, `conversation`,
/// ...), `Unknown` when neither.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelRow {
    pub channel: String,
    pub conversation_count: i64,
    /// Share of the range's conversations, 0–100.
    pub percentage: f64,
}

tabular!(ChannelRow, ["channel", "conversationCount", "percentage"]);

impl FromRow<'_, PgRow> for ChannelRow {
    fn from_row(row: &PgRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            channel: row.try_get("channel")?,
            conversation_count: row.try_get("conversation_count")?,
            percentage: row.try_get("percentage")?,
        })
    }
}

/// One cell of the volume heatmap (`get_service_volume_heatmap`): always 7 × 24 cells, by day
/// of week then hour.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HeatmapCell {
    /// Local day of week of the start, 0 = Sunday … 6 = Saturday.
    pub day_of_week: i32,
    /// Local hour of the start, 0–23.
    pub hour: i32,
    pub conversation_count: i64,
    /// Of which without an admin assignee at sync time (even when a team has them).
    pub unassigned_count: i64,
}

tabular!(
    HeatmapCell,
    ["dayOfWeek", "hour", "conversationCount", "unassignedCount"]
);

impl FromRow<'_, PgRow> for HeatmapCell {
    fn from_row(row: &PgRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            day_of_week: row.try_get("day_of_week")?,
            hour: row.try_get("hour")?,
            conversation_count: row.try_get("conversation_count")?,
            unassigned_count: row.try_get("unassigned_count")?,
        })
    }
}

/// Conversations of one contact country (`get_service_country_distribution`), most first:
/// `Unknown` when the contact has no country.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CountryRow {
    pub country: String,
    pub conversation_count: i64,
    /// Share of all the range's conversations (not only of the countries listed), 0–100.
    pub percentage: f64,
    /// Mean first response time, seconds.
    pub avg_frt_seconds: Option<i32>,
    /// Mean rating, 1–5.
    pub avg_csat: Option<f64>,
}

tabular!(
    CountryRow,
    [
        "country",
        "conversationCount",
        "percentage",
        "avgFrtSeconds",
        "avgCsat",
    ]
);

impl FromRow<'_, PgRow> for CountryRow {
    fn from_row(row: &PgRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            country: row.try_get("country")?,
            conversation_count: row.try_get("conversation_count")?,
            percentage: row.try_get("percentage")?,
            avg_frt_seconds: row.try_get("avg_frt_seconds")?,
            avg_csat: row.try_get("avg_csat")?,
        })
    }
}

/// The `summary` of the daily trend.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DailyTrendSummary {
    /// Dates in the range (rows).
    pub days: usize,
    /// Conversations over all of them.
    pub total_conversations: i64,
}

impl DailyTrendSummary {
    pub fn of(rows: &[DayRow]) -> Self {
        Self {
            days: rows.len(),
            total_conversations: rows.iter().map(|r| i64::from(r.total_conversations)).sum(),
        }
    }
}

/// The `summary` of the leaderboard.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TeammatesSummary {
    /// Teammates listed (at most `limit`).
    pub teammates: usize,
}

impl TeammatesSummary {
    pub fn of(rows: &[TeammateRow]) -> Self {
        Self {
            teammates: rows.len(),
        }
    }
}

/// The `summary` of the sentiment and channel distributions.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DistributionSummary {
    /// Conversations started in the range (the sum of the rows).
    pub total_conversations: i64,
}

impl DistributionSummary {
    /// The sum of `counts`.
    pub fn of(counts: impl IntoIterator<Item = i64>) -> Self {
        Self {
            total_conversations: counts.into_iter().sum(),
        }
    }
}

/// The `summary` of the heatmap.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HeatmapSummary {
    /// Conversations over all cells.
    pub total_conversations: i64,
    /// Unassigned conversations over all cells.
    pub unassigned_conversations: i64,
}

impl HeatmapSummary {
    pub fn of(cells: &[HeatmapCell]) -> Self {
        Self {
            total_conversations: cells.iter().map(|c| c.conversation_count).sum(),
            unassigned_conversations: cells.iter().map(|c| c.unassigned_count).sum(),
        }
    }
}

/// The `summary` of the countries list.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CountriesSummary {
    /// Countries listed (at most `limit`).
    pub countries: usize,
    /// Conversations of the countries listed.
    pub listed_conversations: i64,
}

impl CountriesSummary {
    pub fn of(rows: &[CountryRow]) -> Self {
        Self {
            countries: rows.len(),
            listed_conversations: rows.iter().map(|r| r.conversation_count).sum(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The header is exactly the JSON field names, in the JSON order.
    fn assert_header_is_json<R: TabularRow>(row: &R) {
        let text = serde_json::to_string(row).unwrap();
        let json: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            json.as_object().unwrap().len(),
            R::CSV_HEADER.len(),
            "one column per field"
        );
        let positions: Vec<usize> = R::CSV_HEADER
            .iter()
            .map(|name| {
                text.find(&format!("\"{name}\":"))
                    .unwrap_or_else(|| panic!("no field {name} in {text}"))
            })
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "JSON order");
        assert_eq!(row.csv_record().len(), R::CSV_HEADER.len());
    }

    fn day() -> DayRow {
        DayRow {
            date: NaiveDate::from_ymd_opt(2026, 3, 9).unwrap(),
            total_conversations: 2,
            new_conversations: 1,
            reopened_conversations: 1,
            avg_frt_seconds: Some(45),
            median_frt_seconds: Some(45),
            p90_frt_seconds: Some(45),
            avg_art_seconds: Some(98),
            median_art_seconds: Some(98),
            avg_aht_seconds: Some(600),
            median_aht_seconds: Some(600),
            avg_wait_time_seconds: None,
            median_wait_time_seconds: None,
            frt_hit_rate: Some(100.0),
            art_hit_rate: Some(100.0 / 3.0),
            avg_csat: Some(4.5),
            csat_score: None,
            rated_count: 1,
        }
    }

    #[test]
    fn csv_columns_are_the_json_fields_and_nulls_are_empty() {
        let d = day();
        assert_header_is_json(&d);
        assert_eq!(
            d.csv_record(),
            [
                "2026-03-09",
                "2",
                "1",
                "1",
                "45",
                "45",
                "45",
                "98",
                "98",
                "600",
                "600",
                "",
                "",
                "100.0",
                "33.333333333333336",
                "4.5",
                "",
                "1"
            ]
        );
        let summary = SummaryRow {
            total_conversations: 0,
            new_conversations: 0,
            reopened_conversations: 0,
            avg_frt_seconds: None,
            median_frt_seconds: None,
            p90_frt_seconds: None,
            avg_art_seconds: None,
            median_art_seconds: None,
            avg_aht_seconds: None,
            median_aht_seconds: None,
            avg_wait_time_seconds: None,
            median_wait_time_seconds: None,
            frt_hit_rate: None,
            art_hit_rate: None,
            avg_csat: None,
            csat_score: None,
            rated_count: 0,
        };
        assert_header_is_json(&summary);
        let teammate = TeammateRow {
            rank: 1,
            assignee_id: "10".into(),
            assignee_name: Some("=HYPERLINK(\"x\")".into()),
            conversation_count: 3,
            avg_frt_seconds: Some(45),
            avg_art_seconds: None,
            avg_aht_seconds: Some(600),
            avg_wait_time_seconds: Some(10),
            avg_csat: Some(4.8),
            csat_score: Some(100.0),
            rated_count: 5,
            metric_value: Some(4.8),
        };
        assert_header_is_json(&teammate);
        // The writer neutralises formulas; the record keeps the value as it is.
        assert_eq!(teammate.csv_record()[2], "=HYPERLINK(\"x\")");
        let csv = String::from_utf8(crate::api::render::csv_bytes(&[teammate]).unwrap()).unwrap();
        assert!(csv.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{csv}");
        assert_header_is_json(&SentimentRow {
            sentiment: "Positive".into(),
            conversation_count: 1,
            percentage: None,
        });
        assert_header_is_json(&ChannelRow {
            channel: "Chat".into(),
            conversation_count: 1,
            percentage: 50.0,
        });
        assert_header_is_json(&HeatmapCell {
            day_of_week: 0,
            hour: 23,
            conversation_count: 1,
            unassigned_count: 0,
        });
        assert_header_is_json(&CountryRow {
            country: "Germany".into(),
            conversation_count: 1,
            percentage: 50.0,
            avg_frt_seconds: None,
            avg_csat: None,
        });
    }

    #[test]
    fn list_summaries_add_up_the_rows() {
        let mut other = day();
        other.total_conversations = 5;
        assert_eq!(
            DailyTrendSummary::of(&[day(), other]),
            DailyTrendSummary {
                days: 2,
                total_conversations: 7
            }
        );
        let cell = |n, u| HeatmapCell {
            day_of_week: 1,
            hour: 10,
            conversation_count: n,
            unassigned_count: u,
        };
        assert_eq!(
            HeatmapSummary::of(&[cell(3, 1), cell(2, 0)]),
            HeatmapSummary {
                total_conversations: 5,
                unassigned_conversations: 1
            }
        );
        assert_eq!(DistributionSummary::of([1, 2, 3]).total_conversations, 6);
    }
}
