//! The engagement CSV of RULES.md §8: one row per member, ten columns, RFC 4180, UTF-8
//! without BOM, header always written.

use std::io::Write;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::render::neutralise;
use crate::coaching::config::Config;
use crate::intercom::models::Contact;
use crate::time::{local_date, parse_ymd, utc_date, ymd};

/// The header row, in column order.
pub const HEADER: [&str; 10] = [
    "employee_id",
    "name_first",
    "name_last",
    "member_dob",
    "group_description",
    "last_coaching_session",
    "program_status",
    "status_date",
    "eligible_programs",
    "registration_code",
];

/// One CSV row; a missing value is an empty cell.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportRow {
    /// `contact.external_id` (User ID).
    pub employee_id: String,
    /// First whitespace token of `contact.name`.
    pub name_first: String,
    /// Last whitespace token of `contact.name`, when there are at least two.
    pub name_last: String,
    /// `Date of Birth`, its UTC date as YYYY-MM-DD.
    pub member_dob: String,
    /// `Employer`.
    pub group_description: String,
    /// `Last Coaching Session`, its reporting-zone date as YYYY-MM-DD.
    pub last_coaching_session: String,
    /// `Engagement Status`.
    pub program_status: String,
    /// `Engagement Status Date`, its reporting-zone date as YYYY-MM-DD.
    pub status_date: String,
    /// `Eligible Programs`.
    pub eligible_programs: String,
    /// `Registration Code`.
    pub registration_code: String,
}

/// `(first, last)` whitespace tokens of a name; middle tokens are dropped, one token gives
/// `(token, "")`, none gives `("", "")`.
pub fn split_name(name: &str) -> (String, String) {
    let mut tokens = name.split_whitespace();
    let first = tokens.next().unwrap_or_default();
    let last = tokens.next_back().unwrap_or_default();
    (first.to_string(), last.to_string())
}

impl ExportRow {
    /// The row of `contact`, attribute names from `config`, zone `config.reporting_tz`.
    pub fn from_contact(contact: &Contact, config: &Config) -> Self {
        let names = &config.attributes;
        let attrs = &contact.custom_attributes;
        let (name_first, name_last) = split_name(contact.name.as_deref().unwrap_or_default());
        let local = |attr: &str| {
            contact
                .attr_timestamp(attr)
                .map(|t| ymd(local_date(t, config.reporting_tz)))
                .unwrap_or_default()
        };
        Self {
            employee_id: contact.external_id.clone().unwrap_or_default(),
            name_first,
            name_last,
            member_dob: calendar_date(contact, &names.date_of_birth),
            group_description: text(attrs.get(&names.employer)),
            last_coaching_session: local(&names.last_coaching_session),
            program_status: text(attrs.get(&names.engagement_status)),
            status_date: local(&names.engagement_status_date),
            eligible_programs: text(attrs.get(&names.eligible_programs)),
            registration_code: text(attrs.get(&names.registration_code)),
        }
    }

    fn fields(&self) -> [&str; 10] {
        [
            &self.employee_id,
            &self.name_first,
            &self.name_last,
            &self.member_dob,
            &self.group_description,
            &self.last_coaching_session,
            &self.program_status,
            &self.status_date,
            &self.eligible_programs,
            &self.registration_code,
        ]
    }
}

/// A date-only attribute as YYYY-MM-DD: the UTC date of a timestamp, or a string that already is
/// a YYYY-MM-DD date.
fn calendar_date(contact: &Contact, attr: &str) -> String {
    if let Some(t) = contact.attr_timestamp(attr) {
        return ymd(utc_date(t));
    }
    contact
        .attr_str(attr)
        .and_then(|s| parse_ymd(s.trim()))
        .map(ymd)
        .unwrap_or_default()
}

/// A text cell: strings as-is, numbers and booleans printed, anything else empty.
fn text(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

/// Writes the header and `rows` to `w` (RFC 4180 quoting, `\n` line ends, no BOM); returns the
/// number of data rows. Every cell passes through [`neutralise`], as the report CSVs do: a cell
/// that a spreadsheet would read as a formula (`=HYPERLINK(...)`, `@SUM(...)`, `+1-2` from a
/// member-controlled name) gets a leading `'`.
pub fn write_csv<W: Write>(
    rows: impl IntoIterator<Item = ExportRow>,
    w: W,
) -> Result<usize, csv::Error> {
    let mut writer = csv::WriterBuilder::new().has_headers(false).from_writer(w);
    writer.write_record(HEADER)?;
    let mut count = 0;
    for row in rows {
        let cells = row.fields().map(neutralise);
        writer.write_record(cells.iter().map(|c| c.as_bytes()))?;
        count += 1;
    }
    writer.flush()?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names() {
        let cases = [
            ("Ada Lovelace", ("Ada", "Lovelace")),
            ("Mary Ann  Evans", ("Mary", "Evans")),
            ("  José   María  García-Núñez ", ("José", "García-Núñez")),
            ("Cher", ("Cher", "")),
            ("", ("", "")),
            ("   ", ("", "")),
            ("Van\tder\nBerg", ("Van", "Berg")),
        ];
        for (name, (first, last)) in cases {
            assert_eq!(
                split_name(name),
                (first.to_string(), last.to_string()),
                "{name:?}"
            );
        }
    }

    fn contact(v: serde_json::Value) -> Contact {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn row_from_contact() {
        let cfg = Config::default();
        let c = contact(json!({
            "id": "1", "external_id": "E-100", "role": "user", "name": "Zoë Anne O'Brien",
            "custom_attributes": {
                "Date of Birth": 315_532_800, // 1980-01-01T00:00:00Z
                "Employer": "Acme, Inc.",
                "Last Coaching Session": 1_709_870_400, // 2024-03-08T04:00:00Z = 03-07 23:00 EST
                "Engagement Status": "At Risk",
                "Engagement Status Date": 1_710_115_200, // 2024-03-11T00:00:00Z = 03-10 20:00 EDT
                "Eligible Programs": "Smart Access",
                "Registration Code": 12345
            }
        }));
        let row = ExportRow::from_contact(&c, &cfg);
        assert_eq!(
            row,
            ExportRow {
                employee_id: "E-100".into(),
                name_first: "Zoë".into(),
                name_last: "O'Brien".into(),
                member_dob: "1980-01-01".into(),
                group_description: "Acme, Inc.".into(),
                last_coaching_session: "2024-03-07".into(),
                program_status: "At Risk".into(),
                status_date: "2024-03-10".into(),
                eligible_programs: "Smart Access".into(),
                registration_code: "12345".into(),
            }
        );
    }

    #[test]
    fn missing_values_are_empty_cells() {
        let cfg = Config::default();
        let row = ExportRow::from_contact(
            &contact(json!({"id": "2", "custom_attributes": {"Employer": null}})),
            &cfg,
        );
        assert_eq!(row, ExportRow::default());
        let row = ExportRow::from_contact(
            &contact(json!({"id": "3", "custom_attributes": {"Date of Birth": "1990-05-06"}})),
            &cfg,
        );
        assert_eq!(row.member_dob, "1990-05-06");
        let row = ExportRow::from_contact(
            &contact(json!({"id": "4", "custom_attributes": {"Date of Birth": "May 6"}})),
            &cfg,
        );
        assert_eq!(row.member_dob, "");
    }

    fn row(first: &str, last: &str, group: &str) -> ExportRow {
        ExportRow {
            employee_id: "id-1".into(),
            name_first: first.into(),
            name_last: last.into(),
            group_description: group.into(),
            program_status: "Engaged".into(),
            ..ExportRow::default()
        }
    }

    #[test]
    fn csv_round_trips() {
        let rows = vec![
            row("Ada", "Lovelace", "Acme"),
            row("José", "Núñez", "Comma, Quote \" and\nnewline"),
            row("\"Quoted\"", "", " leading space"),
            ExportRow::default(),
        ];
        let mut out = Vec::new();
        assert_eq!(write_csv(rows.clone(), &mut out).unwrap(), 4);
        let text = String::from_utf8(out.clone()).unwrap();
        assert!(text.starts_with("employee_id,name_first,name_last,member_dob,group_description,last_coaching_session,program_status,status_date,eligible_programs,registration_code\n"));
        assert!(text.contains("\"Comma, Quote \"\" and\nnewline\""));
        let mut reader = csv::Reader::from_reader(out.as_slice());
        assert_eq!(
            reader.headers().unwrap(),
            &csv::StringRecord::from(HEADER.to_vec())
        );
        let back: Vec<ExportRow> = reader.deserialize().collect::<Result<_, _>>().unwrap();
        assert_eq!(back, rows);
    }

    #[test]
    fn formula_cells_are_neutralised() {
        let mut formula = row("=HYPERLINK(\"http://x\",\"click\")", "@SUM(A1)", "+1-2");
        formula.registration_code = "-5".into();
        formula.eligible_programs = "\tTab".into();
        let mut out = Vec::new();
        write_csv(vec![formula, row("Ada", "Lovelace", "Acme")], &mut out).unwrap();
        let mut reader = csv::Reader::from_reader(out.as_slice());
        let back: Vec<ExportRow> = reader.deserialize().collect::<Result<_, _>>().unwrap();
        assert_eq!(back[0].name_first, "'=HYPERLINK(\"http://x\",\"click\")");
        assert_eq!(back[0].name_last, "'@SUM(A1)");
        assert_eq!(back[0].group_description, "'+1-2");
        assert_eq!(back[0].registration_code, "'-5");
        assert_eq!(back[0].eligible_programs, "'\tTab");
        assert_eq!(back[1], row("Ada", "Lovelace", "Acme"));
    }

    #[test]
    fn empty_result_writes_the_header_without_bom() {
        let mut out = Vec::new();
        assert_eq!(write_csv(Vec::new(), &mut out).unwrap(), 0);
        assert_eq!(String::from_utf8(out).unwrap(), HEADER.join(",") + "\n");
    }
}
