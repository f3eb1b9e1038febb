//! Admin names by id, from `GET /admins`.

use std::collections::BTreeMap;

use super::models::Admin;

/// Admin id → name, for labelling assignees. Admins without a (non-blank) name are left out, so a
/// lookup answers `None` for them as for unknown ids.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdminNames(BTreeMap<String, String>);

impl AdminNames {
    /// The names of `admins` (`admin.id` → `admin.name`).
    pub fn new<'a>(admins: impl IntoIterator<Item = &'a Admin>) -> Self {
        Self(
            admins
                .into_iter()
                .filter_map(|a| {
                    let name = a.name.as_deref()?.trim();
                    (!name.is_empty()).then(|| (a.id.clone(), name.to_string()))
                })
                .collect(),
        )
    }

    /// The name of admin `id`; `None` when the id is unknown or the admin has no name.
    pub fn name(&self, id: &str) -> Option<&str> {
        self.0.get(id).map(String::as_str)
    }

    /// How many admins have a name.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no admin has a name.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_by_id_of_both_id_shapes() {
        let admins: Vec<Admin> = serde_json::from_value(json!([
            {"type": "admin", "id": 991267715, "name": "Ciaran Lee", "email": "c@example.com"},
            {"type": "admin", "id": "274", "name": "Operator"},
            {"type": "admin", "id": "5", "name": "  "},
            {"type": "admin", "id": "6", "name": null},
        ]))
        .unwrap();
        let names = AdminNames::new(&admins);
        assert_eq!(names.name("991267715"), Some("Ciaran Lee"));
        assert_eq!(names.name("274"), Some("Operator"));
        assert_eq!(names.name("5"), None);
        assert_eq!(names.name("6"), None);
        assert_eq!(names.name("7"), None);
        assert_eq!(names.len(), 2);
    }
}
