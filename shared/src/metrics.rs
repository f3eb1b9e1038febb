//! Run metrics as CloudWatch embedded metric format (EMF) records: one JSON line on stdout per
//! run, which CloudWatch Logs turns into metrics, so a dashboard or an alarm needs no log parsing.
//!
//! Namespace `METRICS_NAMESPACE` (default [`DEFAULT_NAMESPACE`]); dimensions `Job` and `Mode`
//! (`write` or `dry-run`), so that dry runs never mix with real ones. Lambda passes a stdout line
//! that is already a JSON object through unchanged, in both its text and JSON log formats. Outside
//! Lambda (no `AWS_LAMBDA_FUNCTION_NAME`: a local `--event` run, whose stdout is the summary JSON)
//! the record goes to the debug log instead.
//!
//! The record's shape follows the EMF specification:
//!
//! ```json
//! {"_aws": {"Timestamp": 1773158400000, "CloudWatchMetrics": [{"Namespace": "DataServices",
//!   "Dimensions": [["Job", "Mode"]], "Metrics": [{"Name": "Applied", "Unit": "Count"}, ...]}]},
//!  "Job": "session-sync", "Mode": "write", "Applied": 12, ...}
//! ```

use serde_json::{json, Map, Value};

/// The namespace when `METRICS_NAMESPACE` is unset or empty.
pub const DEFAULT_NAMESPACE: &str = "DataServices";

/// A metric's unit, as CloudWatch names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Count,
    Milliseconds,
}

impl Unit {
    fn as_str(self) -> &'static str {
        match self {
            Unit::Count => "Count",
            Unit::Milliseconds => "Milliseconds",
        }
    }
}

/// One run's metrics: what a job planned, applied and failed, and what it cost.
#[derive(Debug, Clone, PartialEq)]
pub struct RunMetrics {
    /// The job's name, e.g. `session-sync` (dimension `Job`).
    pub job: String,
    /// Dimension `Mode`: `dry-run` or `write`.
    pub dry_run: bool,
    /// (name, value, unit), e.g. `("Applied", 12, Count)`.
    pub values: Vec<(&'static str, u64, Unit)>,
}

impl RunMetrics {
    /// The EMF record of these metrics at `timestamp_ms` (unix milliseconds) in `namespace`.
    pub fn record(&self, namespace: &str, timestamp_ms: i64) -> Value {
        let definitions: Vec<Value> = self
            .values
            .iter()
            .map(|(name, _, unit)| json!({"Name": name, "Unit": unit.as_str()}))
            .collect();
        let mut record = Map::new();
        record.insert(
            "_aws".into(),
            json!({
                "Timestamp": timestamp_ms,
                "CloudWatchMetrics": [{
                    "Namespace": namespace,
                    "Dimensions": [["Job", "Mode"]],
                    "Metrics": definitions,
                }],
            }),
        );
        record.insert("Job".into(), json!(self.job));
        record.insert(
            "Mode".into(),
            json!(if self.dry_run { "dry-run" } else { "write" }),
        );
        for (name, value, _) in &self.values {
            record.insert((*name).into(), json!(value));
        }
        Value::Object(record)
    }

    /// Prints the record on stdout (one line), in `METRICS_NAMESPACE`, stamped now; outside
    /// Lambda, logs it at debug level.
    pub fn emit(&self) {
        let namespace = std::env::var("METRICS_NAMESPACE")
            .ok()
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| DEFAULT_NAMESPACE.to_string());
        let record = self.record(&namespace, chrono::Utc::now().timestamp_millis());
        if std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some() {
            println!("{record}");
        } else {
            tracing::debug!(%record, "run metrics (EMF; printed on stdout in Lambda)");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_record_declares_every_value_with_its_unit_and_dimensions() {
        let metrics = RunMetrics {
            job: "session-sync".into(),
            dry_run: false,
            values: vec![
                ("Applied", 12, Unit::Count),
                ("DurationMs", 950, Unit::Milliseconds),
            ],
        };
        assert_eq!(
            metrics.record("DataServices", 1_773_158_400_000),
            json!({
                "_aws": {"Timestamp": 1_773_158_400_000i64, "CloudWatchMetrics": [{
                    "Namespace": "DataServices",
                    "Dimensions": [["Job", "Mode"]],
                    "Metrics": [{"Name": "Applied", "Unit": "Count"},
                                {"Name": "DurationMs", "Unit": "Milliseconds"}]}]},
                "Job": "session-sync", "Mode": "write", "Applied": 12, "DurationMs": 950
            })
        );
        let dry = RunMetrics {
            dry_run: true,
            ..metrics
        };
        assert_eq!(dry.record("X", 0)["Mode"], "dry-run");
    }
}
