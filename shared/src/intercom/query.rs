//! Intercom search queries, typed: filters and AND/OR groups that serialize to the JSON of
//! `POST /contacts/search` and `POST /conversations/search`, and their limits (RULES.md §3).
//!
//! ```text
//! {"field": "state", "operator": "=", "value": "closed"}
//! {"operator": "AND", "value": [<query>, ...]}
//! ```

use serde::{Deserialize, Serialize};

use super::error::IntercomError;

/// Deepest group nesting Intercom accepts: `AND[OR[f], OR[f]]` is 2 levels.
pub const MAX_NESTING: usize = 2;
/// Most members (filters or groups) one AND/OR group may hold.
pub const MAX_FILTERS_PER_GROUP: usize = 15;

/// A search query: one filter, or an AND/OR group of queries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SearchQuery {
    Filter {
        /// A field of the searched model, e.g. `state`, `updated_at`,
        /// `custom_attributes.Service Code` (custom attributes by their name as-is).
        field: String,
        operator: Operator,
        value: SearchValue,
    },
    Group {
        operator: GroupOperator,
        value: Vec<SearchQuery>,
    },
}

/// A filter's operator, serialized as Intercom spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Operator {
    #[serde(rename = "=")]
    Eq,
    #[serde(rename = "!=")]
    Ne,
    /// Takes an array.
    #[serde(rename = "IN")]
    In,
    /// Takes an array.
    #[serde(rename = "NIN")]
    Nin,
    /// On dates: from the start of the next workspace-local day (see [`super::date_window`]).
    #[serde(rename = ">")]
    Gt,
    /// On dates: before the start of that workspace-local day.
    #[serde(rename = "<")]
    Lt,
    /// Integers only; refused on dates.
    #[serde(rename = ">=")]
    Ge,
    /// Integers only; refused on dates.
    #[serde(rename = "<=")]
    Le,
    /// Contains (strings).
    #[serde(rename = "~")]
    Contains,
    /// Does not contain (strings).
    #[serde(rename = "!~")]
    NotContains,
    /// Starts with (strings).
    #[serde(rename = "^")]
    StartsWith,
    /// Ends with (strings).
    #[serde(rename = "$")]
    EndsWith,
}

impl Operator {
    /// The operator as it appears in the JSON body.
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::Eq => "=",
            Operator::Ne => "!=",
            Operator::In => "IN",
            Operator::Nin => "NIN",
            Operator::Gt => ">",
            Operator::Lt => "<",
            Operator::Ge => ">=",
            Operator::Le => "<=",
            Operator::Contains => "~",
            Operator::NotContains => "!~",
            Operator::StartsWith => "^",
            Operator::EndsWith => "$",
        }
    }

    fn takes_array(self) -> bool {
        matches!(self, Operator::In | Operator::Nin)
    }

    fn takes_string_only(self) -> bool {
        matches!(
            self,
            Operator::Contains | Operator::NotContains | Operator::StartsWith | Operator::EndsWith
        )
    }
}

/// How a group combines its members.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum GroupOperator {
    #[serde(rename = "AND")]
    And,
    #[serde(rename = "OR")]
    Or,
}

/// A filter's value. Dates are unix seconds (`Integer`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SearchValue {
    Null,
    Bool(bool),
    Integer(i64),
    Float(f64),
    String(String),
    /// For `IN` / `NIN` only: strings or integers.
    Array(Vec<SearchValue>),
}

impl From<&str> for SearchValue {
    fn from(v: &str) -> Self {
        SearchValue::String(v.to_owned())
    }
}
impl From<String> for SearchValue {
    fn from(v: String) -> Self {
        SearchValue::String(v)
    }
}
impl From<&String> for SearchValue {
    fn from(v: &String) -> Self {
        SearchValue::String(v.clone())
    }
}
impl From<i64> for SearchValue {
    fn from(v: i64) -> Self {
        SearchValue::Integer(v)
    }
}
impl From<i32> for SearchValue {
    fn from(v: i32) -> Self {
        SearchValue::Integer(v.into())
    }
}
impl From<u32> for SearchValue {
    fn from(v: u32) -> Self {
        SearchValue::Integer(v.into())
    }
}
impl From<f64> for SearchValue {
    fn from(v: f64) -> Self {
        SearchValue::Float(v)
    }
}
impl From<bool> for SearchValue {
    fn from(v: bool) -> Self {
        SearchValue::Bool(v)
    }
}
impl<T: Into<SearchValue>> From<Option<T>> for SearchValue {
    fn from(v: Option<T>) -> Self {
        v.map_or(SearchValue::Null, Into::into)
    }
}

/// A field awaiting its operator: `SearchQuery::field("state").eq("closed")`.
#[derive(Debug, Clone)]
#[must_use = "a field needs an operator to become a query"]
pub struct FieldQuery {
    field: String,
}

impl FieldQuery {
    fn filter(self, operator: Operator, value: SearchValue) -> SearchQuery {
        SearchQuery::Filter {
            field: self.field,
            operator,
            value,
        }
    }

    fn array<V: Into<SearchValue>>(values: impl IntoIterator<Item = V>) -> SearchValue {
        SearchValue::Array(values.into_iter().map(Into::into).collect())
    }

    /// `=`; on dates, the whole workspace-local day.
    pub fn eq(self, value: impl Into<SearchValue>) -> SearchQuery {
        self.filter(Operator::Eq, value.into())
    }
    /// `!=`.
    pub fn ne(self, value: impl Into<SearchValue>) -> SearchQuery {
        self.filter(Operator::Ne, value.into())
    }
    /// `IN [values]`.
    pub fn is_in<V: Into<SearchValue>>(self, values: impl IntoIterator<Item = V>) -> SearchQuery {
        self.filter(Operator::In, Self::array(values))
    }
    /// `NIN [values]`.
    pub fn not_in<V: Into<SearchValue>>(self, values: impl IntoIterator<Item = V>) -> SearchQuery {
        self.filter(Operator::Nin, Self::array(values))
    }
    /// `>`; on dates this is day-granular, see [`super::date_window`].
    pub fn gt(self, value: impl Into<SearchValue>) -> SearchQuery {
        self.filter(Operator::Gt, value.into())
    }
    /// `<`; on dates this is day-granular, see [`super::date_window`].
    pub fn lt(self, value: impl Into<SearchValue>) -> SearchQuery {
        self.filter(Operator::Lt, value.into())
    }
    /// `>=` (integers only).
    pub fn ge(self, value: impl Into<SearchValue>) -> SearchQuery {
        self.filter(Operator::Ge, value.into())
    }
    /// `<=` (integers only).
    pub fn le(self, value: impl Into<SearchValue>) -> SearchQuery {
        self.filter(Operator::Le, value.into())
    }
    /// `~` (contains).
    pub fn contains(self, value: impl Into<String>) -> SearchQuery {
        self.filter(Operator::Contains, SearchValue::String(value.into()))
    }
    /// `!~` (does not contain).
    pub fn not_contains(self, value: impl Into<String>) -> SearchQuery {
        self.filter(Operator::NotContains, SearchValue::String(value.into()))
    }
    /// `^` (starts with).
    pub fn starts_with(self, value: impl Into<String>) -> SearchQuery {
        self.filter(Operator::StartsWith, SearchValue::String(value.into()))
    }
    /// `$` (ends with).
    pub fn ends_with(self, value: impl Into<String>) -> SearchQuery {
        self.filter(Operator::EndsWith, SearchValue::String(value.into()))
    }
}

impl SearchQuery {
    /// Starts a filter on a standard field, e.g. `state`, `updated_at`, `role`.
    pub fn field(name: impl Into<String>) -> FieldQuery {
        FieldQuery { field: name.into() }
    }

    /// Starts a filter on a custom attribute by its name as-is: `custom_attributes.<name>`.
    pub fn custom_attribute(name: &str) -> FieldQuery {
        FieldQuery {
            field: format!("custom_attributes.{name}"),
        }
    }

    /// An AND group.
    pub fn and(members: impl IntoIterator<Item = SearchQuery>) -> Self {
        SearchQuery::Group {
            operator: GroupOperator::And,
            value: members.into_iter().collect(),
        }
    }

    /// An OR group.
    pub fn or(members: impl IntoIterator<Item = SearchQuery>) -> Self {
        SearchQuery::Group {
            operator: GroupOperator::Or,
            value: members.into_iter().collect(),
        }
    }

    /// Checks the limits Intercom enforces (RULES.md §3), so a bad query fails here rather than
    /// as a 400 after some pages were read: at most [`MAX_NESTING`] levels of groups, 1 to
    /// [`MAX_FILTERS_PER_GROUP`] members per group, arrays for `IN`/`NIN` and only for them,
    /// strings for `~ !~ ^ $`, non-empty field names.
    pub fn validate(&self) -> Result<(), IntercomError> {
        self.check(1)
            .map_err(|reason| IntercomError::InvalidQuery { reason })
    }

    /// `level` is the nesting level this node would sit at if it is a group.
    fn check(&self, level: usize) -> Result<(), String> {
        match self {
            SearchQuery::Filter {
                field,
                operator,
                value,
            } => check_filter(field, *operator, value),
            SearchQuery::Group { operator, value } => {
                let name = match operator {
                    GroupOperator::And => "AND",
                    GroupOperator::Or => "OR",
                };
                if level > MAX_NESTING {
                    return Err(format!(
                        "{name} group nested {level} levels deep; Intercom allows at most \
                         {MAX_NESTING} (e.g. AND[OR[..], OR[..]])"
                    ));
                }
                if value.is_empty() {
                    return Err(format!("{name} group is empty"));
                }
                if value.len() > MAX_FILTERS_PER_GROUP {
                    return Err(format!(
                        "{name} group has {} members; Intercom allows at most \
                         {MAX_FILTERS_PER_GROUP} per group (split it, e.g. with chunk_in)",
                        value.len()
                    ));
                }
                value.iter().try_for_each(|member| member.check(level + 1))
            }
        }
    }
}

fn check_filter(field: &str, operator: Operator, value: &SearchValue) -> Result<(), String> {
    let op = operator.as_str();
    if field.trim().is_empty() {
        return Err(format!(
            "a filter with operator {op} has an empty field name"
        ));
    }
    match value {
        SearchValue::Array(items) if operator.takes_array() => {
            if items.is_empty() {
                return Err(format!("filter {field} {op} has an empty array"));
            }
            if items
                .iter()
                .any(|v| !matches!(v, SearchValue::String(_) | SearchValue::Integer(_)))
            {
                return Err(format!(
                    "filter {field} {op} takes an array of strings or integers only"
                ));
            }
            Ok(())
        }
        _ if operator.takes_array() => Err(format!("filter {field} {op} needs an array value")),
        SearchValue::Array(_) => Err(format!(
            "filter {field} {op} cannot take an array; only IN and NIN do"
        )),
        SearchValue::String(_) => Ok(()),
        _ if operator.takes_string_only() => {
            Err(format!("filter {field} {op} needs a string value"))
        }
        _ => Ok(()),
    }
}

/// `custom_attributes.<name>`: custom attributes are addressed by their name as-is (RULES.md §3).
pub fn custom_field(name: &str) -> String {
    format!("custom_attributes.{name}")
}

/// An AND group of `parts`, with nested AND groups flattened into it, so a pushed-down date
/// window does not spend one of Intercom's two nesting levels.
pub fn and_flat(parts: impl IntoIterator<Item = SearchQuery>) -> SearchQuery {
    let mut flat = Vec::new();
    for part in parts {
        match part {
            SearchQuery::Group {
                operator: GroupOperator::And,
                value,
            } => flat.extend(value),
            other => flat.push(other),
        }
    }
    SearchQuery::and(flat)
}

/// Splits an id lookup into `field IN [..]` filters of at most `size` ids each (at least 1), so
/// that each query stays small. No ids, no queries.
pub fn chunk_in<S: AsRef<str>>(field: &str, ids: &[S], size: usize) -> Vec<SearchQuery> {
    ids.chunks(size.max(1))
        .map(|chunk| SearchQuery::field(field).is_in(chunk.iter().map(|id| id.as_ref())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn f(n: usize) -> SearchQuery {
        SearchQuery::field(format!("f{n}")).eq("x")
    }

    #[test]
    fn each_operator_serializes_as_intercom_spells_it() {
        let field = || SearchQuery::field("name");
        let cases = [
            (field().eq("a"), "=", json!("a")),
            (field().ne("a"), "!=", json!("a")),
            (field().is_in(["a", "b"]), "IN", json!(["a", "b"])),
            (field().not_in([1, 2]), "NIN", json!([1, 2])),
            (field().gt(1_700_000_000i64), ">", json!(1_700_000_000i64)),
            (field().lt(5), "<", json!(5)),
            (field().ge(5), ">=", json!(5)),
            (field().le(5), "<=", json!(5)),
            (field().contains("a"), "~", json!("a")),
            (field().not_contains("a"), "!~", json!("a")),
            (field().starts_with("a"), "^", json!("a")),
            (field().ends_with("a"), "$", json!("a")),
            (field().eq(true), "=", json!(true)),
            (field().eq(Option::<&str>::None), "=", json!(null)),
        ];
        for (query, op, value) in cases {
            let got = serde_json::to_value(&query).unwrap();
            assert_eq!(
                got,
                json!({"field": "name", "operator": op, "value": value})
            );
            assert_eq!(
                serde_json::from_value::<SearchQuery>(got).unwrap(),
                query,
                "{op}"
            );
            query.validate().unwrap();
        }
    }

    #[test]
    fn groups_serialize_nested() {
        let q = SearchQuery::and([
            SearchQuery::field("state").eq("closed"),
            SearchQuery::or([
                SearchQuery::custom_attribute("Channel").is_in(["Phone", "Video Conference"]),
                SearchQuery::custom_attribute("Service Code").eq("Health Coaching 001"),
            ]),
        ]);
        let expected = json!({"operator": "AND", "value": [
            {"field": "state", "operator": "=", "value": "closed"},
            {"operator": "OR", "value": [
                {"field": "custom_attributes.Channel", "operator": "IN", "value": ["Phone", "Video Conference"]},
                {"field": "custom_attributes.Service Code", "operator": "=", "value": "Health Coaching 001"}
            ]}
        ]});
        assert_eq!(serde_json::to_value(&q).unwrap(), expected);
        assert_eq!(serde_json::from_value::<SearchQuery>(expected).unwrap(), q);
        q.validate().unwrap();
    }

    #[test]
    fn two_levels_of_nesting_pass_three_fail() {
        SearchQuery::and([SearchQuery::or([f(1)]), SearchQuery::or([f(2)])])
            .validate()
            .unwrap();
        let err = SearchQuery::and([SearchQuery::or([SearchQuery::and([f(1)])])])
            .validate()
            .unwrap_err();
        assert!(
            matches!(&err, IntercomError::InvalidQuery { reason } if reason.contains("3 levels")),
            "{err}"
        );
    }

    #[test]
    fn fifteen_members_pass_sixteen_fail() {
        SearchQuery::or((0..15).map(f)).validate().unwrap();
        let err = SearchQuery::or((0..16).map(f)).validate().unwrap_err();
        assert!(err.to_string().contains("16 members"), "{err}");
        let nested = SearchQuery::and([SearchQuery::or((0..16).map(f))]);
        assert!(nested.validate().is_err());
    }

    #[test]
    fn arrays_belong_to_in_and_nin_only() {
        let bad = [
            SearchQuery::field("id").eq(SearchValue::Array(vec!["a".into()])),
            SearchQuery::field("id").filter_in_scalar(),
            SearchQuery::field("id").is_in(Vec::<String>::new()),
            SearchQuery::field("id").is_in([SearchValue::Null]),
            SearchQuery::field("id").not_in([SearchValue::Array(vec![])]),
            SearchQuery::Filter {
                field: "name".into(),
                operator: Operator::Contains,
                value: 3.into(),
            },
            SearchQuery::field(" ").eq("x"),
            SearchQuery::and([]),
        ];
        for q in bad {
            assert!(q.validate().is_err(), "{q:?} should be refused");
        }
    }

    impl FieldQuery {
        fn filter_in_scalar(self) -> SearchQuery {
            self.filter(Operator::In, "a".into())
        }
    }

    #[test]
    fn chunk_in_splits_ids() {
        let ids: Vec<String> = (0..7).map(|i| i.to_string()).collect();
        let chunks = chunk_in("id", &ids, 3);
        assert_eq!(chunks.len(), 3);
        assert_eq!(chunks[2], SearchQuery::field("id").is_in(["6"]));
        assert!(chunk_in::<&str>("id", &[], 3).is_empty());
        assert_eq!(chunk_in("id", &["a", "b"], 0).len(), 2);
    }
}
