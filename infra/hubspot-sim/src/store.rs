//! The portal a simulator serves: contacts and companies by id, contact ↔ company
//! associations, and the company property definitions.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, SecondsFormat, Utc};
use ranker_book::{Association, CrmObject, HubSpotFixture};
use serde_json::{Map, Value};

use crate::properties::Catalog;

/// The CRM object types served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectType {
    Contacts,
    Companies,
}

impl ObjectType {
    /// `contacts`, `contact` or `0-1`; `companies`, `company` or `0-2` (HubSpot accepts all).
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "contacts" | "contact" | "0-1" => Some(Self::Contacts),
            "companies" | "company" | "0-2" => Some(Self::Companies),
            _ => None,
        }
    }

    pub fn singular(self) -> &'static str {
        match self {
            Self::Contacts => "contact",
            Self::Companies => "company",
        }
    }

    /// The last-modified property HubSpot keeps for the type.
    pub fn modified_property(self) -> &'static str {
        match self {
            Self::Contacts => "lastmodifieddate",
            Self::Companies => "hs_lastmodifieddate",
        }
    }

    /// Properties returned when a request names none.
    pub fn default_properties(self) -> &'static [&'static str] {
        match self {
            Self::Contacts => &[
                "createdate",
                "email",
                "firstname",
                "hs_object_id",
                "lastmodifieddate",
                "lastname",
            ],
            Self::Companies => &[
                "createdate",
                "domain",
                "hs_lastmodifieddate",
                "hs_object_id",
                "name",
            ],
        }
    }

    /// Properties a search `query` looks in.
    pub fn searchable_properties(self) -> &'static [&'static str] {
        match self {
            Self::Contacts => &["firstname", "lastname", "email", "phone", "company"],
            Self::Companies => &["name", "domain", "website", "phone"],
        }
    }
}

/// One stored object.
#[derive(Debug, Clone)]
pub struct Record {
    pub id: String,
    pub num: u64,
    /// Set properties only (an unset property has no entry).
    pub props: BTreeMap<String, String>,
    pub created_at: String,
    pub updated_at: String,
    pub archived: bool,
}

impl Record {
    /// `SimplePublicObject` with `names` (null when unset), plus `hs_object_id`,
    /// `createdate` and the last-modified date, which HubSpot always returns.
    pub fn render(&self, ty: ObjectType, names: &[String]) -> Value {
        let mut props = Map::new();
        let always = ["hs_object_id", "createdate", ty.modified_property()];
        for name in names.iter().map(String::as_str).chain(always) {
            let value = self
                .props
                .get(name)
                .map_or(Value::Null, |v| Value::String(v.clone()));
            props.insert(name.to_owned(), value);
        }
        serde_json::json!({
            "id": self.id,
            "properties": props,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
            "archived": self.archived,
        })
    }

    /// The object in the fixture's shape.
    pub fn to_object(&self) -> CrmObject {
        CrmObject {
            id: self.id.clone(),
            properties: self
                .props
                .iter()
                .map(|(k, v)| (k.clone(), Some(v.clone())))
                .collect(),
            created_at: Some(self.created_at.clone()),
            updated_at: Some(self.updated_at.clone()),
            archived: self.archived,
        }
    }
}

/// Objects of one type, in id order.
#[derive(Debug, Default)]
pub struct Table {
    records: Vec<Record>,
    index: HashMap<String, usize>,
}

impl Table {
    fn new(ty: ObjectType, objects: Vec<CrmObject>) -> Result<Self, String> {
        let mut records = objects
            .into_iter()
            .map(|o| record(ty, o))
            .collect::<Result<Vec<_>, _>>()?;
        records.sort_by_key(|r| r.num);
        let mut index = HashMap::with_capacity(records.len());
        for (i, r) in records.iter().enumerate() {
            if index.insert(r.id.clone(), i).is_some() {
                return Err(format!("{} {} appears twice", ty.singular(), r.id));
            }
        }
        Ok(Self { records, index })
    }

    pub fn get(&self, id: &str) -> Option<&Record> {
        self.index.get(id).map(|&i| &self.records[i])
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut Record> {
        self.index.get(id).map(|&i| &mut self.records[i])
    }

    /// Live (not archived) objects, in id order.
    pub fn live(&self) -> impl Iterator<Item = &Record> {
        self.records.iter().filter(|r| !r.archived)
    }
}

/// HubSpot's association type ids: contact → company (primary, unlabeled) and back.
const PRIMARY_TO_COMPANY: u32 = 1;
const PRIMARY_TO_CONTACT: u32 = 2;
const TO_COMPANY: u32 = 279;
const TO_CONTACT: u32 = 280;

/// The association type seen from the company's side.
fn reverse_type(contact_to_company: u32) -> u32 {
    match contact_to_company {
        PRIMARY_TO_COMPANY => PRIMARY_TO_CONTACT,
        TO_COMPANY => TO_CONTACT,
        other => other,
    }
}

/// `(typeId, label)` as associations v4 render them.
pub fn association_label(type_id: u32) -> Option<&'static str> {
    matches!(type_id, PRIMARY_TO_COMPANY | PRIMARY_TO_CONTACT).then_some("Primary")
}

type Links = BTreeMap<u64, BTreeMap<u64, BTreeSet<u32>>>;

/// Everything served.
#[derive(Debug, Default)]
pub struct Store {
    pub contacts: Table,
    pub companies: Table,
    /// contact → company → contact-to-company type ids.
    to_companies: Links,
    /// company → contact → company-to-contact type ids.
    to_contacts: Links,
    pub catalog: Catalog,
}

impl Store {
    /// Checks and indexes a fixture: numeric unique ids, valid timestamps, associations
    /// between existing objects, property definitions with names and types.
    pub fn new(fixture: HubSpotFixture) -> Result<Self, String> {
        let contacts = Table::new(ObjectType::Contacts, fixture.contacts)?;
        let companies = Table::new(ObjectType::Companies, fixture.companies)?;
        let mut to_companies = Links::new();
        let mut to_contacts = Links::new();
        for Association { from, to, type_id } in fixture.associations {
            let contact = contacts
                .get(&from)
                .ok_or_else(|| format!("association from unknown contact {from}"))?
                .num;
            let company = companies
                .get(&to)
                .ok_or_else(|| format!("association to unknown company {to}"))?
                .num;
            to_companies
                .entry(contact)
                .or_default()
                .entry(company)
                .or_default()
                .insert(type_id);
            to_contacts
                .entry(company)
                .or_default()
                .entry(contact)
                .or_default()
                .insert(reverse_type(type_id));
        }
        Ok(Self {
            contacts,
            companies,
            to_companies,
            to_contacts,
            catalog: Catalog::new(fixture.properties)?,
        })
    }

    pub fn table(&self, ty: ObjectType) -> &Table {
        match ty {
            ObjectType::Contacts => &self.contacts,
            ObjectType::Companies => &self.companies,
        }
    }

    /// Objects of type `to` associated with object `from_id` of type `from`, in id order,
    /// with the association types seen from `from`.
    pub fn associated(
        &self,
        from: ObjectType,
        to: ObjectType,
        from_id: &str,
    ) -> Vec<(u64, Vec<u32>)> {
        let links = match (from, to) {
            (ObjectType::Contacts, ObjectType::Companies) => &self.to_companies,
            (ObjectType::Companies, ObjectType::Contacts) => &self.to_contacts,
            _ => return Vec::new(),
        };
        let Some(record) = self.table(from).get(from_id) else {
            return Vec::new();
        };
        let targets = self.table(to);
        links
            .get(&record.num)
            .into_iter()
            .flatten()
            .filter(|(id, _)| targets.get(&id.to_string()).is_some_and(|r| !r.archived))
            .map(|(id, types)| (*id, types.iter().copied().collect()))
            .collect()
    }

    /// The portal as it is now, as a fixture (derived properties included).
    pub fn to_fixture(&self) -> HubSpotFixture {
        let objects = |t: &Table| t.records.iter().map(Record::to_object).collect();
        let associations = self
            .to_companies
            .iter()
            .flat_map(|(contact, companies)| {
                companies.iter().flat_map(move |(company, types)| {
                    types.iter().map(move |&type_id| Association {
                        from: contact.to_string(),
                        to: company.to_string(),
                        type_id,
                    })
                })
            })
            .collect();
        HubSpotFixture {
            contacts: objects(&self.contacts),
            companies: objects(&self.companies),
            associations,
            properties: self.catalog.all().to_vec(),
        }
    }

    /// Sets (or, with an empty value, clears) properties of a company and stamps it as
    /// modified at `now`.
    pub fn update_company(
        &mut self,
        id: &str,
        values: &BTreeMap<String, String>,
        now: DateTime<Utc>,
    ) -> Option<&Record> {
        let stamp = iso(now);
        let record = self.companies.get_mut(id)?;
        for (name, value) in values {
            if value.is_empty() {
                record.props.remove(name);
            } else {
                record.props.insert(name.clone(), value.clone());
            }
        }
        record.props.insert(
            ObjectType::Companies.modified_property().into(),
            stamp.clone(),
        );
        record.updated_at = stamp;
        Some(record)
    }
}

/// HubSpot's timestamp form: `2024-05-01T14:03:11.123Z`.
pub fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn record(ty: ObjectType, o: CrmObject) -> Result<Record, String> {
    let num: u64 =
        o.id.parse()
            .map_err(|_| format!("{} id {:?} is not a number", ty.singular(), o.id))?;
    let mut props: BTreeMap<String, String> = o
        .properties
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect();
    let timestamp =
        |field: &str, given: Option<String>, fallback: Option<&String>| -> Result<String, String> {
            match given.or_else(|| fallback.cloned()) {
                Some(t) => DateTime::parse_from_rfc3339(&t)
                    .map(|_| t.clone())
                    .map_err(|e| {
                        format!(
                            "{} {}: {field} {t:?} is not ISO 8601: {e}",
                            ty.singular(),
                            o.id
                        )
                    }),
                None => Ok("1970-01-01T00:00:00.000Z".to_owned()),
            }
        };
    let created_at = timestamp("createdAt", o.created_at, props.get("createdate"))?;
    let updated_at = timestamp("updatedAt", o.updated_at, props.get(ty.modified_property()))?;
    props.insert("hs_object_id".into(), o.id.clone());
    props
        .entry("createdate".into())
        .or_insert_with(|| created_at.clone());
    props
        .entry(ty.modified_property().into())
        .or_insert_with(|| updated_at.clone());
    Ok(Record {
        id: o.id,
        num,
        props,
        created_at,
        updated_at,
        archived: o.archived,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fixture(v: Value) -> HubSpotFixture {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn derived_properties_are_filled_from_the_object() {
        let s = Store::new(fixture(json!({
            "companies": [{"id": "20", "properties": {"name": "B"}, "createdAt": "2024-01-02T03:04:05.000Z"},
                          {"id": "3", "properties": {"name": "A", "domain": null}}]
        })))
        .unwrap();
        let ids: Vec<&str> = s.companies.live().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["3", "20"], "numeric id order");
        let b = s.companies.get("20").unwrap();
        assert_eq!(b.props["hs_object_id"], "20");
        assert_eq!(b.props["createdate"], "2024-01-02T03:04:05.000Z");
        assert_eq!(b.props["hs_lastmodifieddate"], "1970-01-01T00:00:00.000Z");
        assert!(!s.companies.get("3").unwrap().props.contains_key("domain"));
    }

    #[test]
    fn associations_read_both_ways_with_their_types() {
        let s = Store::new(fixture(json!({
            "contacts": [{"id": "1"}, {"id": "2"}],
            "companies": [{"id": "10"}, {"id": "11"}],
            "associations": [{"from": "1", "to": "10", "typeId": 1}, {"from": "1", "to": "10", "typeId": 279},
                             {"from": "1", "to": "11", "typeId": 279}, {"from": 2, "to": 11, "typeId": 279}]
        })))
        .unwrap();
        assert_eq!(
            s.associated(ObjectType::Contacts, ObjectType::Companies, "1"),
            vec![(10, vec![1, 279]), (11, vec![279])]
        );
        assert_eq!(
            s.associated(ObjectType::Companies, ObjectType::Contacts, "11"),
            vec![(1, vec![280]), (2, vec![280])]
        );
        assert!(s
            .associated(ObjectType::Contacts, ObjectType::Companies, "9")
            .is_empty());
        assert_eq!(s.to_fixture().associations.len(), 4);
    }

    #[test]
    fn refuses_bad_fixtures() {
        for bad in [
            json!({"contacts": [{"id": "x1"}]}),
            json!({"contacts": [{"id": "1"}, {"id": "1"}]}),
            json!({"contacts": [{"id": "1", "createdAt": "yesterday"}]}),
            json!({"contacts": [{"id": "1"}], "associations": [{"from": "1", "to": "5", "typeId": 279}]}),
        ] {
            assert!(Store::new(fixture(bad.clone())).is_err(), "{bad}");
        }
    }
}
