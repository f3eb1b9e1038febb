//! The three engagement properties' definitions and the values written to them
//! (ENGAGEMENT-RANKER.md §6): score a `number`, rank single-line text, tier text or an
//! enumeration whose option values are exactly the three labels; none read-only. Values are
//! checked against the definitions before the first write, so that HubSpot cannot refuse a
//! write for its content.

use std::collections::BTreeSet;

use serde::Serialize;

use super::score::Tier;
use crate::hubspot::PropertyDefinition;

/// HubSpot's limit on a single-line text value (characters).
pub const MAX_TEXT_CHARS: usize = 65_536;

/// The company property names (configuration; the rules' names by default).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PropertyNames {
    pub score: String,
    pub rank: String,
    pub tier: String,
}

impl Default for PropertyNames {
    fn default() -> Self {
        Self {
            score: "customer_engagement_score".into(),
            rank: "customer_engagement_rank".into(),
            tier: "customer_engagement_tier".into(),
        }
    }
}

impl PropertyNames {
    pub fn all(&self) -> [&str; 3] {
        [&self.score, &self.rank, &self.tier]
    }
}

/// One reason the properties cannot be written, naming the property.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{property}: {reason}")]
pub struct PropertyProblem {
    pub property: String,
    pub reason: String,
}

/// Every problem with the three definitions (`None`: the property does not exist). Empty:
/// usable.
pub fn check_definitions(
    names: &PropertyNames,
    score: Option<&PropertyDefinition>,
    rank: Option<&PropertyDefinition>,
    tier: Option<&PropertyDefinition>,
) -> Vec<PropertyProblem> {
    let mut problems = Vec::new();
    let mut problem = |property: &str, reason: String| {
        problems.push(PropertyProblem {
            property: property.to_owned(),
            reason,
        })
    };
    for (name, def) in [
        (&names.score, score),
        (&names.rank, rank),
        (&names.tier, tier),
    ] {
        match def {
            None => problem(name, "does not exist on companies".into()),
            Some(d) if d.read_only => problem(name, "is read-only".into()),
            Some(_) => {}
        }
    }
    if let Some(d) = score {
        if d.kind != "number" {
            problem(
                &names.score,
                format!("must be a number property, is {}", describe(d)),
            );
        }
    }
    if let Some(d) = rank {
        if !(d.kind == "string" && d.field_type == "text") {
            problem(
                &names.rank,
                format!("must be single-line text (string/text), is {}", describe(d)),
            );
        }
    }
    if let Some(d) = tier {
        match d.kind.as_str() {
            "string" if d.field_type == "text" || d.field_type == "textarea" => {}
            "enumeration" => {
                let options: BTreeSet<&str> = d.options.iter().map(|o| o.value.as_str()).collect();
                let labels: BTreeSet<&str> = Tier::ALL.iter().map(|t| t.label()).collect();
                if options != labels {
                    problem(
                        &names.tier,
                        format!(
                            "an enumeration's option values must be exactly {:?}, are {:?}",
                            labels, options
                        ),
                    );
                }
            }
            _ => problem(
                &names.tier,
                format!("must be text or an enumeration, is {}", describe(d)),
            ),
        }
    }
    problems
}

fn describe(d: &PropertyDefinition) -> String {
    format!("{}/{}", d.kind, d.field_type)
}

/// Whether `value` is one HubSpot accepts for `def` (checked by [`check_definitions`]):
/// a number is a plain decimal, text fits [`MAX_TEXT_CHARS`] on one line, an enumeration
/// value is one of its options.
pub fn value_fits(def: &PropertyDefinition, value: &str) -> Result<(), String> {
    match def.kind.as_str() {
        "number" => {
            let plain = !value.is_empty()
                && value
                    .strip_prefix('-')
                    .unwrap_or(value)
                    .bytes()
                    .all(|b| b.is_ascii_digit());
            plain
                .then_some(())
                .ok_or_else(|| format!("{value:?} is not a number"))
        }
        "enumeration" => def
            .options
            .iter()
            .any(|o| o.value == value)
            .then_some(())
            .ok_or_else(|| format!("{value:?} is not one of the options")),
        _ => {
            if value.chars().count() > MAX_TEXT_CHARS {
                Err(format!("longer than {MAX_TEXT_CHARS} characters"))
            } else if def.field_type == "text" && value.contains(['\n', '\r']) {
                Err("a line break in single-line text".into())
            } else {
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hubspot::PropertyOption;

    fn def(name: &str, kind: &str, field_type: &str, options: &[&str]) -> PropertyDefinition {
        serde_json::from_value(serde_json::json!({
            "name": name, "label": name, "type": kind, "fieldType": field_type,
            "options": options.iter().map(|o| serde_json::json!({"label": o, "value": o})).collect::<Vec<_>>(),
        }))
        .unwrap()
    }

    fn names() -> PropertyNames {
        PropertyNames::default()
    }

    #[test]
    fn usable_definitions_pass() {
        let score = def("customer_engagement_score", "number", "number", &[]);
        let rank = def("customer_engagement_rank", "string", "text", &[]);
        for tier in [
            def("customer_engagement_tier", "string", "text", &[]),
            def(
                "customer_engagement_tier",
                "enumeration",
                "select",
                &["Bottom 30%", "Middle 40%", "Top 30%"],
            ),
        ] {
            assert_eq!(
                check_definitions(&names(), Some(&score), Some(&rank), Some(&tier)),
                vec![]
            );
        }
    }

    #[test]
    fn each_problem_names_its_property() {
        let score = def("customer_engagement_score", "string", "text", &[]);
        let rank = def("customer_engagement_rank", "string", "textarea", &[]);
        let tier = def(
            "customer_engagement_tier",
            "enumeration",
            "select",
            &["Top 30%", "Middle 40%", "Bottom 31%"],
        );
        let problems = check_definitions(&names(), Some(&score), Some(&rank), Some(&tier));
        let named: Vec<&str> = problems.iter().map(|p| p.property.as_str()).collect();
        assert_eq!(
            named,
            [
                "customer_engagement_score",
                "customer_engagement_rank",
                "customer_engagement_tier"
            ]
        );
        assert_eq!(
            problems[0].to_string(),
            "customer_engagement_score: must be a number property, is string/text"
        );
        let missing =
            check_definitions(&names(), None, Some(&def("r", "string", "text", &[])), None);
        assert_eq!(
            missing.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
            [
                "customer_engagement_score: does not exist on companies",
                "customer_engagement_tier: does not exist on companies"
            ]
        );
        let mut read_only = def("s", "number", "number", &[]);
        read_only.read_only = true;
        let p = check_definitions(
            &names(),
            Some(&read_only),
            Some(&def("r", "string", "text", &[])),
            Some(&def("t", "string", "text", &[])),
        );
        assert_eq!(p[0].reason, "is read-only");
    }

    #[test]
    fn values_fit_their_definitions() {
        let number = def("s", "number", "number", &[]);
        assert!(value_fits(&number, "123").is_ok());
        assert!(value_fits(&number, "12.5").is_err());
        assert!(value_fits(&number, "").is_err());
        let tier = PropertyDefinition {
            options: vec![PropertyOption {
                label: "Top".into(),
                value: "Top 30%".into(),
            }],
            ..def("t", "enumeration", "select", &[])
        };
        assert!(value_fits(&tier, "Top 30%").is_ok());
        assert!(value_fits(&tier, "Top 31%").is_err());
        let text = def("r", "string", "text", &[]);
        assert!(value_fits(&text, "26 out of 150").is_ok());
        assert!(value_fits(&text, "26\nout of 150").is_err());
    }
}
