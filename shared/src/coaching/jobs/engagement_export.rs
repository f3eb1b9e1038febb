//! `engagement-export` (RULES.md §8): the request, its exact client-side filter and the default
//! S3 key. The CSV itself is [`crate::coaching::rules::export`].

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

use crate::coaching::config::Config;
use crate::coaching::rules::engagement::EngagementStatus;
use crate::coaching::rules::thresholds::MAX_PER_PAGE;
use crate::intercom::models::Contact;
use crate::job::input::{EventFields, InvalidEvent};
use crate::time::{local_date, utc_date};

/// The job's name in summaries and logs.
pub const JOB: &str = "engagement-export";

/// Longest key accepted; S3 allows 1,024 bytes including the configured prefix.
pub const MAX_KEY_BYTES: usize = 900;

/// An S3 key relative to the configured prefix: non-empty segments of letters, digits and
/// `- _ . = ( ) ! * '`, separated by `/`, no `.` or `..` segment, no leading `/`, ending in
/// `.csv` after a non-empty file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportKey(String);

impl ExportKey {
    pub fn parse(key: &str) -> Result<Self, &'static str> {
        if key.starts_with('/') {
            return Err("must be relative (no leading `/`)");
        }
        if key.len() > MAX_KEY_BYTES {
            return Err("must be at most 900 bytes");
        }
        let allowed = |c: char| c.is_ascii_alphanumeric() || "-_.=()!*'".contains(c);
        for segment in key.split('/') {
            if segment.is_empty() {
                return Err("must not contain an empty path segment (`//` or a trailing `/`)");
            }
            if segment == "." || segment == ".." {
                return Err("must not contain a `.` or `..` segment");
            }
            if !segment.chars().all(allowed) {
                return Err("may only contain letters, digits, `/` and - _ . = ( ) ! * '");
            }
        }
        let file = key.rsplit('/').next().unwrap_or_default();
        if !file.ends_with(".csv") || file.len() == ".csv".len() {
            return Err("must end in a file name with `.csv`");
        }
        Ok(Self(key.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The default key for an export computed as of `as_of` (UTC):
/// `engagement/dt=YYYY-MM-DD/engagement_report_YYYYMMDDTHHMMSSZ.csv`.
pub fn default_key(as_of: DateTime<Utc>) -> String {
    format!(
        "engagement/dt={}/engagement_report_{}.csv",
        as_of.format("%Y-%m-%d"),
        as_of.format("%Y%m%dT%H%M%SZ")
    )
}

/// An inclusive range of calendar dates; either end may be open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DateRange {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl DateRange {
    /// Whether a bound is set (the attribute must then be present).
    pub fn is_bounded(&self) -> bool {
        self.from.is_some() || self.to.is_some()
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        self.from.is_none_or(|f| f <= date) && self.to.is_none_or(|t| date <= t)
    }
}

/// The request's filters, all optional, all applied exactly by [`ExportFilters::matches`]. The
/// values are public so the caller can push them down to the contact search (widened by a day).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportFilters {
    /// `Referral` equals this, exactly.
    pub referral: Option<String>,
    /// `Employer` equals this, exactly.
    pub employer: Option<String>,
    /// `enrolledDateFrom`/`To`: the UTC date of `Enrolled Date`.
    pub enrolled_date: DateRange,
    /// `lastSessionFrom`/`To`: the reporting-zone date of `Last Coaching Session`.
    pub last_session: DateRange,
    /// `Engagement Status` equals this.
    pub engagement_status: Option<EngagementStatus>,
}

impl ExportFilters {
    /// Whether `contact` belongs in the export: role `user`, and every given filter holds. A
    /// date filter excludes contacts without that date.
    pub fn matches(&self, contact: &Contact, config: &Config) -> bool {
        let a = &config.attributes;
        let equals = |want: &Option<String>, attr: &str| {
            want.as_deref()
                .is_none_or(|w| contact.attr_str(attr) == Some(w))
        };
        let in_range = |range: &DateRange, date: Option<NaiveDate>| {
            !range.is_bounded() || date.is_some_and(|d| range.contains(d))
        };
        contact.role.as_deref() == Some("user")
            && equals(&self.referral, &a.referral)
            && equals(&self.employer, &a.employer)
            && in_range(
                &self.enrolled_date,
                contact.attr_timestamp(&a.enrolled_date).map(utc_date),
            )
            && in_range(
                &self.last_session,
                contact
                    .attr_timestamp(&a.last_coaching_session)
                    .map(|t| local_date(t, config.reporting_tz)),
            )
            && self
                .engagement_status
                .is_none_or(|s| contact.attr_str(&a.engagement_status) == Some(s.as_str()))
    }
}

/// The export request: the original body with `outputPath` replaced by an optional `key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRequest {
    /// Relative to the configured bucket prefix; `None` → [`default_key`].
    pub key: Option<ExportKey>,
    pub filters: ExportFilters,
    /// Contact search page size, 1..=150 (default 150).
    pub per_page: u32,
    /// `dryRun` (default false): build and count the CSV but do not write it to S3.
    pub dry_run: bool,
    pub as_of: DateTime<Utc>,
}

impl ExportRequest {
    pub const FIELDS: [&'static str; 11] = [
        "key",
        "referral",
        "employer",
        "enrolledDateFrom",
        "enrolledDateTo",
        "lastSessionFrom",
        "lastSessionTo",
        "engagementStatus",
        "perPage",
        "asOf",
        "dryRun",
    ];

    /// Parses the event; `now` stands in for an absent `asOf`.
    pub fn parse(event: &Value, now: DateTime<Utc>) -> Result<Self, InvalidEvent> {
        let hints = [(
            "outputPath",
            "not supported: give `key`, a relative S3 key ending in .csv",
        )];
        let mut f = EventFields::new(event, &Self::FIELDS, &hints);
        let key = f.parsed("key", ExportKey::parse);
        let referral = f.string("referral");
        let employer = f.string("employer");
        let enrolled_date = range(&mut f, "enrolledDateFrom", "enrolledDateTo");
        let last_session = range(&mut f, "lastSessionFrom", "lastSessionTo");
        let engagement_status = f.parsed("engagementStatus", |s| s.parse::<EngagementStatus>());
        let per_page = f
            .integer_in("perPage", 1..=MAX_PER_PAGE)
            .unwrap_or(MAX_PER_PAGE);
        let dry_run = f.bool("dryRun").unwrap_or(false);
        let as_of = f.as_of(now);
        f.check_writing_as_of(as_of, now, dry_run);
        let filters = ExportFilters {
            referral,
            employer,
            enrolled_date,
            last_session,
            engagement_status,
        };
        f.finish(Self {
            key,
            filters,
            per_page,
            dry_run,
            as_of,
        })
    }

    /// The key to write, relative to the configured prefix.
    pub fn key_or_default(&self) -> String {
        self.key
            .as_ref()
            .map_or_else(|| default_key(self.as_of), |k| k.as_str().to_string())
    }
}

fn range(f: &mut EventFields, from_field: &str, to_field: &str) -> DateRange {
    let from = f.date(from_field);
    let to = f.date(to_field);
    if let (Some(a), Some(b)) = (from, to) {
        if a > b {
            f.problem(to_field, format!("must not be before {from_field}"));
        }
    }
    DateRange { from, to }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_as_of;
    use serde_json::json;

    fn now() -> DateTime<Utc> {
        parse_as_of("2024-03-10T07:08:09Z").unwrap()
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn default_key_is_utc() {
        assert_eq!(
            default_key(now()),
            "engagement/dt=2024-03-10/engagement_report_20240310T070809Z.csv"
        );
        let r = ExportRequest::parse(&json!({}), now()).unwrap();
        assert_eq!(r.key_or_default(), default_key(now()));
        assert_eq!(r.per_page, 150);
        assert_eq!(r.filters, ExportFilters::default());
        // The default key is a valid key.
        assert!(ExportKey::parse(&default_key(now())).is_ok());
    }

    #[test]
    fn keys() {
        for good in [
            "a.csv",
            "reports/2024/q1.csv",
            "x/dt=2024-01-01/r_(1).csv",
            "weird..name.csv",
        ] {
            assert_eq!(
                ExportKey::parse(good).map(|k| k.as_str().to_string()),
                Ok(good.to_string()),
                "{good}"
            );
        }
        for bad in [
            "/abs.csv",
            "../up.csv",
            "a/../b.csv",
            "./a.csv",
            "a//b.csv",
            "a.txt",
            ".csv",
            "dir/.csv",
            "a.csv/",
            "sp ace.csv",
            "ü.csv",
            "a\\b.csv",
            "",
            "a.CSV",
        ] {
            assert!(ExportKey::parse(bad).is_err(), "{bad:?}");
        }
        assert!(ExportKey::parse(&format!("{}.csv", "a".repeat(900))).is_err());
    }

    #[test]
    fn parses_every_field() {
        let r = ExportRequest::parse(
            &json!({
                "key": "out/e.csv", "referral": "Counter Health", "employer": "Acme",
                "enrolledDateFrom": "2024-01-01", "enrolledDateTo": "2024-01-31",
                "lastSessionFrom": "2024-02-01", "lastSessionTo": "2024-02-01",
                "engagementStatus": "At Risk", "perPage": 50, "asOf": "2024-03-01T00:00:00Z", "dryRun": true
            }),
            now(),
        )
        .unwrap();
        assert_eq!(r.key_or_default(), "out/e.csv");
        assert_eq!(r.per_page, 50);
        assert!(r.dry_run);
        assert_eq!(r.as_of, parse_as_of("2024-03-01T00:00:00Z").unwrap());
        assert_eq!(
            r.filters,
            ExportFilters {
                referral: Some("Counter Health".into()),
                employer: Some("Acme".into()),
                enrolled_date: DateRange {
                    from: Some(d(2024, 1, 1)),
                    to: Some(d(2024, 1, 31))
                },
                last_session: DateRange {
                    from: Some(d(2024, 2, 1)),
                    to: Some(d(2024, 2, 1))
                },
                engagement_status: Some(EngagementStatus::AtRisk),
            }
        );
    }

    #[test]
    fn names_each_bad_field() {
        let cases = [
            (json!({"outputPath": "/tmp/x.csv"}), "outputPath"),
            (json!({"key": "../x.csv"}), "key"),
            (json!({"key": 5}), "key"),
            (json!({"referral": 1}), "referral"),
            (
                json!({"enrolledDateFrom": "2024-13-01"}),
                "enrolledDateFrom",
            ),
            (
                json!({"enrolledDateFrom": "2024-02-02", "enrolledDateTo": "2024-02-01"}),
                "enrolledDateTo",
            ),
            (json!({"lastSessionTo": "01/02/2024"}), "lastSessionTo"),
            (
                json!({"lastSessionFrom": "2024-02-02", "lastSessionTo": "2024-02-01"}),
                "lastSessionTo",
            ),
            (json!({"engagementStatus": "engaged"}), "engagementStatus"),
            (json!({"perPage": 0}), "perPage"),
            (json!({"perPage": 151}), "perPage"),
            (json!({"asOf": "now"}), "asOf"),
            (json!({"limit": 1}), "limit"),
        ];
        for (event, field) in cases {
            let err = ExportRequest::parse(&event, now()).unwrap_err();
            assert_eq!(err.fields(), [field], "{event}");
        }
        let err = ExportRequest::parse(
            &json!({"outputPath": "x", "perPage": 500, "engagementStatus": "x"}),
            now(),
        )
        .unwrap_err();
        assert_eq!(err.fields(), ["outputPath", "engagementStatus", "perPage"]);
        assert_eq!(
            err.0[1].to_string(),
            "engagementStatus: must be one of Engaged, At Risk, Unengaged"
        );
        assert_eq!(
            err.0[2].to_string(),
            "perPage: must be an integer from 1 to 150"
        );
    }

    fn contact(role: Option<&str>, attrs: serde_json::Value) -> Contact {
        serde_json::from_value(json!({"id": "1", "role": role, "custom_attributes": attrs}))
            .unwrap()
    }

    #[test]
    fn filters_match_exactly() {
        let cfg = Config::default();
        let member = contact(
            Some("user"),
            json!({
                "Referral": "Counter Health", "Employer": "Acme",
                "Enrolled Date": 1_704_067_200, // 2024-01-01T00:00:00Z: UTC date Jan 1
                "Last Coaching Session": 1_706_763_600, // 2024-02-01T05:00:00Z = Feb 1 00:00 EST
                "Engagement Status": "Engaged"
            }),
        );
        let all = ExportFilters::default();
        assert!(all.matches(&member, &cfg));
        assert!(!all.matches(&contact(Some("lead"), json!({})), &cfg));
        assert!(!all.matches(&contact(None, json!({})), &cfg));
        assert!(all.matches(&contact(Some("user"), json!({})), &cfg));

        let range = |from: Option<NaiveDate>, to: Option<NaiveDate>| DateRange { from, to };
        let cases = [
            (
                ExportFilters {
                    referral: Some("Counter Health".into()),
                    ..all.clone()
                },
                true,
            ),
            (
                ExportFilters {
                    referral: Some("Counter".into()),
                    ..all.clone()
                },
                false,
            ),
            (
                ExportFilters {
                    employer: Some("acme".into()),
                    ..all.clone()
                },
                false,
            ),
            (
                ExportFilters {
                    enrolled_date: range(Some(d(2024, 1, 1)), Some(d(2024, 1, 1))),
                    ..all.clone()
                },
                true,
            ),
            (
                ExportFilters {
                    enrolled_date: range(None, Some(d(2023, 12, 31))),
                    ..all.clone()
                },
                false,
            ),
            (
                ExportFilters {
                    enrolled_date: range(Some(d(2024, 1, 2)), None),
                    ..all.clone()
                },
                false,
            ),
            (
                ExportFilters {
                    last_session: range(Some(d(2024, 2, 1)), Some(d(2024, 2, 1))),
                    ..all.clone()
                },
                true,
            ),
            (
                ExportFilters {
                    last_session: range(None, Some(d(2024, 1, 31))),
                    ..all.clone()
                },
                false,
            ),
            (
                ExportFilters {
                    engagement_status: Some(EngagementStatus::Engaged),
                    ..all.clone()
                },
                true,
            ),
            (
                ExportFilters {
                    engagement_status: Some(EngagementStatus::AtRisk),
                    ..all.clone()
                },
                false,
            ),
        ];
        for (i, (filters, want)) in cases.iter().enumerate() {
            assert_eq!(filters.matches(&member, &cfg), *want, "case {i}");
        }
        // A date filter excludes contacts without the date.
        let bare = contact(Some("user"), json!({}));
        let f = ExportFilters {
            last_session: range(Some(d(2000, 1, 1)), None),
            ..all.clone()
        };
        assert!(!f.matches(&bare, &cfg));
    }
}
