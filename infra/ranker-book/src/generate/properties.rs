//! The company property definitions of the generated portal, as
//! `GET /crm/v3/properties/companies/{name}` returns them.

use serde_json::{json, Value};

/// The ranker's three properties.
pub(crate) const SCORE: &str = "customer_engagement_score";
pub(crate) const RANK: &str = "customer_engagement_rank";
pub(crate) const TIER: &str = "customer_engagement_tier";
/// The tiers, in order, as the enumeration's option values.
pub(crate) const TIERS: [&str; 3] = ["Top 30%", "Middle 40%", "Bottom 30%"];

const STAMP: &str = "2023-06-01T15:04:05.000Z";

/// HubSpot's standard company properties the ranker reads, the ranker's three (score a
/// number, rank single-line text, tier an enumeration of the three labels) and the two
/// exclusion flags (`is_internal_test` a checkbox, `customer_status` a dropdown with
/// `churned`).
pub fn company_property_definitions() -> Vec<Value> {
    vec![
        standard(
            "name",
            "Company name",
            "string",
            "text",
            "companyinformation",
            false,
        ),
        standard(
            "domain",
            "Company domain name",
            "string",
            "text",
            "companyinformation",
            false,
        ),
        standard(
            "website",
            "Website URL",
            "string",
            "text",
            "companyinformation",
            false,
        ),
        standard(
            "city",
            "City",
            "string",
            "text",
            "companyinformation",
            false,
        ),
        standard(
            "state",
            "State/Region",
            "string",
            "text",
            "companyinformation",
            false,
        ),
        standard(
            "createdate",
            "Create Date",
            "datetime",
            "date",
            "companyinformation",
            true,
        ),
        standard(
            "hs_lastmodifieddate",
            "Last Modified Date",
            "datetime",
            "date",
            "companyinformation",
            true,
        ),
        standard(
            "hs_object_id",
            "Record ID",
            "number",
            "number",
            "companyinformation",
            true,
        ),
        with_options(
            standard(
                "lifecyclestage",
                "Lifecycle Stage",
                "enumeration",
                "radio",
                "companyinformation",
                false,
            ),
            &[
                ("Subscriber", "subscriber"),
                ("Lead", "lead"),
                ("Marketing Qualified Lead", "marketingqualifiedlead"),
                ("Sales Qualified Lead", "salesqualifiedlead"),
                ("Opportunity", "opportunity"),
                ("Customer", "customer"),
                ("Evangelist", "evangelist"),
                ("Other", "other"),
            ],
        ),
        custom(
            SCORE,
            "Customer engagement score",
            "number",
            "number",
            "Weekly Yobi usage score (4·new patients + 3·appointments + 2·tasks + calls)",
            &[],
        ),
        custom(
            RANK,
            "Customer engagement rank",
            "string",
            "text",
            "Rank among customers last week, e.g. \"26 out of 150\"",
            &[],
        ),
        custom(
            TIER,
            "Customer engagement tier",
            "enumeration",
            "select",
            "Top 30%, Middle 40% or Bottom 30% of customers by engagement score",
            &TIERS.map(|t| (t, t)),
        ),
        custom(
            "is_internal_test",
            "Internal test account",
            "bool",
            "booleancheckbox",
            "Yobi's own test practices; never ranked",
            &[("Yes", "true"), ("No", "false")],
        ),
        custom(
            "customer_status",
            "Customer status",
            "enumeration",
            "select",
            "Where the practice is in its life as a customer",
            &[
                ("Onboarding", "onboarding"),
                ("Active", "active"),
                ("Churned", "churned"),
            ],
        ),
    ]
}

fn base(name: &str, label: &str, ty: &str, field: &str, group: &str, description: &str) -> Value {
    json!({
        "updatedAt": STAMP,
        "createdAt": STAMP,
        "name": name,
        "label": label,
        "type": ty,
        "fieldType": field,
        "description": description,
        "groupName": group,
        "options": [],
        "displayOrder": -1,
        "calculated": false,
        "externalOptions": false,
        "hasUniqueValue": false,
        "hidden": false,
        "hubspotDefined": false,
        "modificationMetadata": {"archivable": true, "readOnlyDefinition": false, "readOnlyValue": false},
        "formField": true,
        "dataSensitivity": "non_sensitive",
        "archived": false,
    })
}

fn standard(name: &str, label: &str, ty: &str, field: &str, group: &str, read_only: bool) -> Value {
    let mut p = base(name, label, ty, field, group, "");
    p["hubspotDefined"] = json!(true);
    p["modificationMetadata"] =
        json!({"archivable": false, "readOnlyDefinition": true, "readOnlyValue": read_only});
    p
}

fn custom(
    name: &str,
    label: &str,
    ty: &str,
    field: &str,
    description: &str,
    options: &[(&str, &str)],
) -> Value {
    with_options(
        base(name, label, ty, field, "companyinformation", description),
        options,
    )
}

fn with_options(mut p: Value, options: &[(&str, &str)]) -> Value {
    p["options"] = options
        .iter()
        .enumerate()
        .map(|(i, (label, value))| {
            json!({"label": label, "value": value, "description": "", "displayOrder": i, "hidden": false})
        })
        .collect();
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tier_options_are_exactly_the_three_labels() {
        let props = company_property_definitions();
        let tier = props.iter().find(|p| p["name"] == TIER).unwrap();
        let values: Vec<&str> = tier["options"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["value"].as_str().unwrap())
            .collect();
        assert_eq!(values, TIERS);
        let score = props.iter().find(|p| p["name"] == SCORE).unwrap();
        assert_eq!(
            (score["type"].as_str(), score["fieldType"].as_str()),
            (Some("number"), Some("number"))
        );
        let names: std::collections::BTreeSet<_> =
            props.iter().map(|p| p["name"].as_str().unwrap()).collect();
        assert_eq!(names.len(), props.len(), "names are unique");
    }
}
