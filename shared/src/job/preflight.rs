//! The check before a job's first write (RULES.md §10): every attribute it writes exists in
//! `GET /data_attributes?model=contact`, is API-writable, is not archived and has the right type.

use std::fmt;

use crate::intercom::models::DataAttribute;

/// What a written attribute must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttributeKind {
    /// `data_type` `date`: unix seconds.
    Date,
    /// `data_type` `string`.
    Text,
    /// `data_type` `string`; when it has list options, they include these values.
    List(&'static [&'static str]),
}

impl AttributeKind {
    /// Intercom's `data_type` for this kind.
    pub fn data_type(self) -> &'static str {
        match self {
            Self::Date => "date",
            Self::Text | Self::List(_) => "string",
        }
    }

    /// How Intercom's settings page calls the type to create.
    fn ui_type(self) -> String {
        match self {
            Self::Date => "date".into(),
            Self::Text => "text".into(),
            Self::List(options) => format!("list with options {}", options.join(", ")),
        }
    }
}

/// One attribute a job writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedAttribute {
    /// The custom attribute's name as configured, e.g. `Last Call`.
    pub name: String,
    pub kind: AttributeKind,
}

impl ExpectedAttribute {
    pub fn new(name: &str, kind: AttributeKind) -> Self {
        Self {
            name: name.to_string(),
            kind,
        }
    }
}

/// What is wrong with one expected attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PreflightProblem {
    Missing {
        name: String,
        kind: AttributeKind,
    },
    NotWritable {
        name: String,
    },
    Archived {
        name: String,
    },
    WrongType {
        name: String,
        expected: AttributeKind,
        found: String,
    },
    MissingOptions {
        name: String,
        missing: Vec<String>,
    },
}

const SETTINGS: &str = "Intercom Settings → Data → People";

impl fmt::Display for PreflightProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing { name, kind } => write!(
                f,
                "the custom attribute `{name}` does not exist: create it (type {}) in {SETTINGS}, \
                 or map the name in ATTRIBUTE_NAMES",
                kind.ui_type()
            ),
            Self::NotWritable { name } => write!(
                f,
                "the custom attribute `{name}` is not writable through the API: allow API updates \
                 for it in {SETTINGS}"
            ),
            Self::Archived { name } => {
                write!(
                    f,
                    "the custom attribute `{name}` is archived: unarchive it in {SETTINGS}"
                )
            }
            Self::WrongType {
                name,
                expected,
                found,
            } => write!(
                f,
                "the custom attribute `{name}` has type {found} but must be {}: types cannot be \
                 changed, so archive it and create `{name}` (type {}) in {SETTINGS}, or map the \
                 name in ATTRIBUTE_NAMES to an attribute of that type",
                expected.data_type(),
                expected.ui_type()
            ),
            Self::MissingOptions { name, missing } => write!(
                f,
                "the list attribute `{name}` lacks the option(s) {}: add them in {SETTINGS}",
                missing
                    .iter()
                    .map(|m| format!("`{m}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

/// Every problem found, one per line in the message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct PreflightError {
    pub problems: Vec<PreflightProblem>,
}

impl fmt::Display for PreflightError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Intercom is not ready for this job ({} problem(s)):",
            self.problems.len()
        )?;
        for p in &self.problems {
            write!(f, "\n- {p}")?;
        }
        Ok(())
    }
}

/// Checks `expected` against `found` (the contact data attributes). Custom attributes are matched
/// by `name`; when several share it, a custom, non-archived one is preferred.
pub fn check(
    found: &[DataAttribute],
    expected: &[ExpectedAttribute],
) -> Result<(), PreflightError> {
    let problems: Vec<PreflightProblem> = expected
        .iter()
        .flat_map(|want| problems_of(find(found, &want.name), want))
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(PreflightError { problems })
    }
}

fn find<'a>(found: &'a [DataAttribute], name: &str) -> Option<&'a DataAttribute> {
    let is_custom = |a: &DataAttribute| {
        a.custom == Some(true)
            || a.full_name
                .as_deref()
                .is_some_and(|f| f.starts_with("custom_attributes."))
    };
    let rank = |a: &DataAttribute| (!is_custom(a), a.archived == Some(true));
    found
        .iter()
        .filter(|a| a.name == name)
        .min_by_key(|a| rank(a))
}

fn problems_of(found: Option<&DataAttribute>, want: &ExpectedAttribute) -> Vec<PreflightProblem> {
    let name = want.name.clone();
    let Some(attr) = found else {
        return vec![PreflightProblem::Missing {
            name,
            kind: want.kind,
        }];
    };
    let mut problems = Vec::new();
    if attr.archived == Some(true) {
        problems.push(PreflightProblem::Archived { name: name.clone() });
    }
    // Absent `api_writable` is not evidence of a problem.
    if attr.api_writable == Some(false) {
        problems.push(PreflightProblem::NotWritable { name: name.clone() });
    }
    if attr.data_type != want.kind.data_type() {
        problems.push(PreflightProblem::WrongType {
            name,
            expected: want.kind,
            found: attr.data_type.clone(),
        });
    } else if let (AttributeKind::List(options), false) = (want.kind, attr.options.is_empty()) {
        let missing: Vec<String> = options
            .iter()
            .copied()
            .filter(|s| !attr.options.iter().any(|o| o == s))
            .map(str::to_string)
            .collect();
        if !missing.is_empty() {
            problems.push(PreflightProblem::MissingOptions { name, missing });
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const STATUSES: &[&str] = &["Engaged", "At Risk", "Unengaged"];

    fn attr(v: serde_json::Value) -> DataAttribute {
        serde_json::from_value(v).unwrap()
    }

    fn ok_attrs() -> Vec<DataAttribute> {
        vec![
            attr(
                json!({"name": "Last Call", "full_name": "custom_attributes.Last Call", "data_type": "date", "api_writable": true, "custom": true, "archived": false}),
            ),
            attr(
                json!({"name": "Engagement Status", "data_type": "string", "options": ["Engaged", "At Risk", "Unengaged", "Paused"], "api_writable": true, "custom": true}),
            ),
            attr(json!({"name": "Eligible Programs", "data_type": "string", "custom": true})),
        ]
    }

    fn expected() -> Vec<ExpectedAttribute> {
        vec![
            ExpectedAttribute::new("Last Call", AttributeKind::Date),
            ExpectedAttribute::new("Engagement Status", AttributeKind::List(STATUSES)),
            ExpectedAttribute::new("Eligible Programs", AttributeKind::Text),
        ]
    }

    #[test]
    fn passes_when_everything_is_there() {
        assert_eq!(check(&ok_attrs(), &expected()), Ok(()));
        // A status attribute without options is plain text: accepted.
        let mut attrs = ok_attrs();
        attrs[1].options.clear();
        assert_eq!(check(&attrs, &expected()), Ok(()));
    }

    #[test]
    fn lists_every_problem() {
        let found = vec![
            attr(
                json!({"name": "Last Call", "data_type": "string", "api_writable": false, "archived": true, "custom": true}),
            ),
            attr(
                json!({"name": "Engagement Status", "data_type": "string", "options": ["Engaged", "Inactive"], "custom": true}),
            ),
        ];
        let err = check(&found, &expected()).unwrap_err();
        assert_eq!(
            err.problems,
            vec![
                PreflightProblem::Archived {
                    name: "Last Call".into()
                },
                PreflightProblem::NotWritable {
                    name: "Last Call".into()
                },
                PreflightProblem::WrongType {
                    name: "Last Call".into(),
                    expected: AttributeKind::Date,
                    found: "string".into()
                },
                PreflightProblem::MissingOptions {
                    name: "Engagement Status".into(),
                    missing: vec!["At Risk".into(), "Unengaged".into()]
                },
                PreflightProblem::Missing {
                    name: "Eligible Programs".into(),
                    kind: AttributeKind::Text
                },
            ]
        );
        let text = err.to_string();
        assert!(text.starts_with("Intercom is not ready for this job (5 problem(s)):\n- "));
        assert!(text.contains("create it (type text) in Intercom Settings → Data → People"));
        assert!(text.contains("`Engagement Status` lacks the option(s) `At Risk`, `Unengaged`"));
        assert!(text.contains("`Last Call` has type string but must be date"));
        assert_eq!(
            PreflightProblem::Missing { name: "Last Call".into(), kind: AttributeKind::Date }.to_string(),
            "the custom attribute `Last Call` does not exist: create it (type date) in Intercom Settings → Data → People, or map the name in ATTRIBUTE_NAMES"
        );
    }

    #[test]
    fn prefers_the_live_custom_attribute() {
        let mut found = ok_attrs();
        found.insert(0, attr(json!({"name": "Last Call", "data_type": "string", "archived": true, "custom": true})));
        found.insert(
            0,
            attr(json!({"name": "Last Call", "data_type": "string", "custom": false})),
        );
        assert_eq!(check(&found, &expected()), Ok(()));
    }
}
