//! The report API's keys: named SHA-256 hashes parsed from the Secrets Manager secret string
//!
//! ```json
//! {"keys": [{"name": "powerbi-prod", "sha256": "<64 hex digits>"},
//!           {"name": "ops-export", "sha256": "<64 hex digits>", "scopes": ["export:write"]},
//!           {"name": "powerbi-old", "sha256": "<64 hex digits>", "disabled": true}]}
//! ```
//!
//! `scopes` says which routes a key opens ([`Scope`]); without it a key has `reports:read` only,
//! so no key can start an export unless it was given `export:write` on purpose.
//!
//! Several keys are valid at once, so a key can be rotated without downtime (add the new one,
//! move the clients, remove the old one). Only hashes are stored: the secret never holds a usable
//! key. A presented key is hashed and compared in constant time with every stored hash.

use std::fmt;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Longest accepted key name; names go into logs, access logs and the authorizer context.
const MAX_NAME_LEN: usize = 64;

/// The SHA-256 of `key` as 64 lowercase hex digits: what the secret stores for a key. The same
/// as `printf %s "$KEY" | sha256sum` (no trailing newline is hashed).
pub fn hash_key(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// What a key may do: each API route needs one scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    /// `reports:read`: every report route (coaching and service performance).
    ReportsRead,
    /// `export:write`: the on-demand engagement export, which writes to S3.
    ExportWrite,
}

impl Scope {
    /// Every scope, in the order documented.
    pub const ALL: [Scope; 2] = [Scope::ReportsRead, Scope::ExportWrite];

    /// The scope's name in the key list and in logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::ReportsRead => "reports:read",
            Scope::ExportWrite => "export:write",
        }
    }

    fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// What a presented key matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyMatch<'a> {
    /// An active key; its name and scopes.
    Active(&'a str, &'a [Scope]),
    /// A key marked `"disabled": true`; its name (refused, but worth an audit line).
    Disabled(&'a str),
    /// No stored hash matches.
    Unknown,
}

/// The parsed key list. `Debug` shows names and states only, never hashes.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKeys {
    keys: Vec<NamedKey>,
}

#[derive(Clone, PartialEq, Eq)]
struct NamedKey {
    name: String,
    sha256: [u8; 32],
    disabled: bool,
    /// Sorted, distinct, never empty.
    scopes: Vec<Scope>,
}

/// What is wrong with a key list: the JSON path of the bad part and why. Never quotes a value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct KeyListError {
    /// Where, e.g. `keys[1].sha256`, or `secret string` for the whole document.
    pub path: String,
    /// Why, e.g. `must be 64 hexadecimal digits (the SHA-256 of the key)`.
    pub reason: String,
}

impl KeyListError {
    fn new(path: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            reason: reason.into(),
        }
    }
}

impl ApiKeys {
    /// Parses the secret string (shape in the module docs). Names must be unique, 1 to 64
    /// letters, digits, `.`, `_` or `-`; hashes unique, 64 hex digits (either case); `disabled`
    /// optional (default false); no other fields; at least one key.
    pub fn parse(raw: &str) -> Result<Self, KeyListError> {
        // Through `Value` first so that error messages are ours: serde's type errors quote the
        // offending value, which could be a pasted key.
        let doc: Value = serde_json::from_str(raw).map_err(|e| {
            KeyListError::new(
                "secret string",
                format!(
                    "is not valid JSON (line {}, column {}); expected \
                     {{\"keys\": [{{\"name\": ..., \"sha256\": ...}}]}}",
                    e.line(),
                    e.column()
                ),
            )
        })?;
        let doc = doc.as_object().ok_or_else(|| {
            KeyListError::new(
                "secret string",
                "must be a JSON object with a \"keys\" array",
            )
        })?;
        reject_unknown(doc, "", &["keys"])?;
        let list = doc
            .get("keys")
            .ok_or_else(|| KeyListError::new("keys", "is missing"))?
            .as_array()
            .ok_or_else(|| KeyListError::new("keys", "must be an array of {name, sha256}"))?;
        if list.is_empty() {
            return Err(KeyListError::new(
                "keys",
                "is empty; list at least one key (\"disabled\": true refuses a key without \
                 removing it)",
            ));
        }
        let mut keys: Vec<NamedKey> = Vec::with_capacity(list.len());
        for (i, entry) in list.iter().enumerate() {
            let at = format!("keys[{i}]");
            let key = parse_entry(entry, &at)?;
            if keys.iter().any(|k| k.name == key.name) {
                return Err(KeyListError::new(
                    format!("{at}.name"),
                    "repeats the name of an earlier key; names must be unique",
                ));
            }
            if keys.iter().any(|k| k.sha256 == key.sha256) {
                return Err(KeyListError::new(
                    format!("{at}.sha256"),
                    "repeats the hash of an earlier key; one key cannot have two names",
                ));
            }
            keys.push(key);
        }
        Ok(Self { keys })
    }

    /// The name of the active key whose hash is the SHA-256 of `presented`, if any.
    pub fn verify(&self, presented: &str) -> Option<&str> {
        match self.check(presented) {
            KeyMatch::Active(name, _) => Some(name),
            KeyMatch::Disabled(_) | KeyMatch::Unknown => None,
        }
    }

    /// What `presented` matches. Every stored hash is compared, in constant time, whatever
    /// matched earlier: the time taken says nothing about which key (or how much of a hash)
    /// matched.
    pub fn check(&self, presented: &str) -> KeyMatch<'_> {
        let digest = Sha256::digest(presented.as_bytes());
        let mut found = None;
        for key in &self.keys {
            if bool::from(key.sha256[..].ct_eq(&digest[..])) {
                found = Some(key);
            }
        }
        match found {
            Some(key) if key.disabled => KeyMatch::Disabled(&key.name),
            Some(key) => KeyMatch::Active(&key.name, &key.scopes),
            None => KeyMatch::Unknown,
        }
    }

    /// Names of the active keys, in the secret's order.
    pub fn active_names(&self) -> impl Iterator<Item = &str> {
        self.keys
            .iter()
            .filter(|k| !k.disabled)
            .map(|k| k.name.as_str())
    }
}

impl fmt::Debug for ApiKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.keys.iter().map(|k| {
                if k.disabled {
                    format!("{} (disabled)", k.name)
                } else {
                    k.name.clone()
                }
            }))
            .finish()
    }
}

fn parse_entry(entry: &Value, at: &str) -> Result<NamedKey, KeyListError> {
    let entry = entry.as_object().ok_or_else(|| {
        KeyListError::new(at, "must be an object {\"name\": ..., \"sha256\": ...}")
    })?;
    reject_unknown(entry, at, &["name", "sha256", "disabled", "scopes"])?;

    let name = match entry.get("name") {
        None => return Err(KeyListError::new(format!("{at}.name"), "is missing")),
        Some(Value::String(name)) => name.trim(),
        Some(_) => return Err(KeyListError::new(format!("{at}.name"), "must be a string")),
    };
    let valid_name = !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !valid_name {
        return Err(KeyListError::new(
            format!("{at}.name"),
            format!("must be 1 to {MAX_NAME_LEN} letters, digits, '.', '_' or '-'"),
        ));
    }

    let hash_error = || {
        KeyListError::new(
            format!("{at}.sha256"),
            "must be 64 hexadecimal digits: the SHA-256 of the key (printf %s \"$KEY\" | \
             sha256sum), never the key itself",
        )
    };
    let sha256 = match entry.get("sha256") {
        None => return Err(KeyListError::new(format!("{at}.sha256"), "is missing")),
        Some(Value::String(hash)) => {
            let mut bytes = [0u8; 32];
            hex::decode_to_slice(hash.trim(), &mut bytes).map_err(|_| hash_error())?;
            bytes
        }
        Some(_) => return Err(hash_error()),
    };

    let disabled = match entry.get("disabled") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(disabled)) => *disabled,
        Some(_) => {
            return Err(KeyListError::new(
                format!("{at}.disabled"),
                "must be true or false",
            ))
        }
    };
    let scopes = parse_scopes(entry.get("scopes"), at)?;
    Ok(NamedKey {
        name: name.to_owned(),
        sha256,
        disabled,
        scopes,
    })
}

/// `scopes`: absent or null is `["reports:read"]`; else a non-empty array of known scope names.
fn parse_scopes(value: Option<&Value>, at: &str) -> Result<Vec<Scope>, KeyListError> {
    let known = Scope::ALL.map(Scope::as_str).join(", ");
    let error = || {
        KeyListError::new(
            format!("{at}.scopes"),
            format!("must be a non-empty array of scope names ({known})"),
        )
    };
    let list = match value {
        None | Some(Value::Null) => return Ok(vec![Scope::ReportsRead]),
        Some(Value::Array(list)) if !list.is_empty() => list,
        Some(_) => return Err(error()),
    };
    let mut scopes = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        let scope = item.as_str().and_then(Scope::parse).ok_or_else(|| {
            KeyListError::new(
                format!("{at}.scopes[{i}]"),
                format!("is not a scope; expected one of {known}"),
            )
        })?;
        scopes.push(scope);
    }
    scopes.sort();
    scopes.dedup();
    Ok(scopes)
}

/// Unknown fields are errors: a misspelt `"disabeld": true` must not leave a key active.
fn reject_unknown(
    object: &Map<String, Value>,
    at: &str,
    known: &[&str],
) -> Result<(), KeyListError> {
    match object.keys().find(|k| !known.contains(&k.as_str())) {
        None => Ok(()),
        Some(field) => {
            let path = if at.is_empty() {
                "secret string".to_owned()
            } else {
                at.to_owned()
            };
            // A misspelt field name is worth quoting; anything else may be a key pasted as one.
            let looks_like_a_name =
                field.len() <= 20 && field.chars().all(|c| c.is_ascii_alphabetic() || c == '_');
            let shown = if looks_like_a_name {
                format!("\"{field}\"")
            } else {
                "(name not shown)".to_owned()
            };
            Err(KeyListError::new(
                path,
                format!(
                    "has an unknown field {shown} (expected {})",
                    known.join(", ")
                ),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const OLD: &str = "old-key-Zm9vYmFyYmF6cXV4";
    const NEW: &str = "new-key-cXV4YmF6YmFyZm9v";
    const REVOKED: &str = "revoked-key-YmF6Zm9vcXV4";

    fn secret(entries: &[(&str, &str, Option<bool>)]) -> String {
        let keys: Vec<Value> = entries
            .iter()
            .map(|(name, key, disabled)| {
                let mut o = serde_json::json!({"name": name, "sha256": hash_key(key)});
                if let Some(d) = disabled {
                    o["disabled"] = Value::Bool(*d);
                }
                o
            })
            .collect();
        serde_json::json!({ "keys": keys }).to_string()
    }

    #[test]
    fn hash_is_sha256_hex_as_sha256sum_prints_it() {
        // printf %s abc | sha256sum
        assert_eq!(
            hash_key("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn two_keys_are_valid_at_once_during_a_rotation() {
        let keys = ApiKeys::parse(&secret(&[
            ("powerbi-old", OLD, None),
            ("powerbi-new", NEW, Some(false)),
        ]))
        .unwrap();
        assert_eq!(keys.verify(OLD), Some("powerbi-old"));
        assert_eq!(keys.verify(NEW), Some("powerbi-new"));
        assert_eq!(keys.verify("something-else"), None);
        assert_eq!(keys.verify(""), None);
        // A hash is not a key.
        assert_eq!(keys.verify(&hash_key(OLD)), None);
        assert_eq!(
            keys.active_names().collect::<Vec<_>>(),
            ["powerbi-old", "powerbi-new"]
        );
    }

    #[test]
    fn a_disabled_key_is_refused_but_recognised() {
        let keys = ApiKeys::parse(&secret(&[
            ("tableau", NEW, None),
            ("excel-2024", REVOKED, Some(true)),
        ]))
        .unwrap();
        assert_eq!(keys.verify(REVOKED), None);
        assert_eq!(keys.check(REVOKED), KeyMatch::Disabled("excel-2024"));
        assert_eq!(
            keys.check(NEW),
            KeyMatch::Active("tableau", &[Scope::ReportsRead])
        );
        assert_eq!(keys.check(OLD), KeyMatch::Unknown);
        assert_eq!(keys.active_names().collect::<Vec<_>>(), ["tableau"]);
    }

    #[test]
    fn scopes_default_to_reading_reports() {
        let raw = serde_json::json!({"keys": [
            {"name": "reader", "sha256": hash_key(OLD)},
            {"name": "exporter", "sha256": hash_key(NEW), "scopes": ["export:write", "export:write"]},
            {"name": "both", "sha256": hash_key(REVOKED), "scopes": ["export:write", "reports:read"]},
        ]});
        let keys = ApiKeys::parse(&raw.to_string()).unwrap();
        assert_eq!(
            keys.check(OLD),
            KeyMatch::Active("reader", &[Scope::ReportsRead])
        );
        assert_eq!(
            keys.check(NEW),
            KeyMatch::Active("exporter", &[Scope::ExportWrite])
        );
        assert_eq!(
            keys.check(REVOKED),
            KeyMatch::Active("both", &[Scope::ReportsRead, Scope::ExportWrite])
        );
    }

    #[test]
    fn upper_case_hashes_and_padding_are_accepted() {
        let raw = format!(
            r#"{{"keys": [{{"name": " a.b_c-1 ", "sha256": " {} "}}]}}"#,
            hash_key(OLD).to_uppercase()
        );
        assert_eq!(ApiKeys::parse(&raw).unwrap().verify(OLD), Some("a.b_c-1"));
    }

    #[test]
    fn malformed_secrets_name_the_bad_part() {
        let h = hash_key(OLD);
        let cases: Vec<(String, &str, &str)> = vec![
            ("not json".into(), "secret string", "not valid JSON"),
            ("[]".into(), "secret string", "JSON object"),
            ("{}".into(), "keys", "missing"),
            (r#"{"keys": {}}"#.into(), "keys", "array"),
            (r#"{"keys": []}"#.into(), "keys", "empty"),
            (
                r#"{"keys": [], "extra": 1}"#.to_string(),
                "secret string",
                "\"extra\"",
            ),
            (r#"{"keys": ["x"]}"#.into(), "keys[0]", "object"),
            (
                format!(r#"{{"keys": [{{"sha256": "{h}"}}]}}"#),
                "keys[0].name",
                "missing",
            ),
            (
                format!(r#"{{"keys": [{{"name": 5, "sha256": "{h}"}}]}}"#),
                "keys[0].name",
                "string",
            ),
            (
                format!(r#"{{"keys": [{{"name": "", "sha256": "{h}"}}]}}"#),
                "keys[0].name",
                "letters",
            ),
            (
                format!(r#"{{"keys": [{{"name": "has space", "sha256": "{h}"}}]}}"#),
                "keys[0].name",
                "letters",
            ),
            (
                r#"{"keys": [{"name": "a"}]}"#.into(),
                "keys[0].sha256",
                "missing",
            ),
            (
                r#"{"keys": [{"name": "a", "sha256": "abc"}]}"#.into(),
                "keys[0].sha256",
                "64 hexadecimal",
            ),
            (
                format!(
                    r#"{{"keys": [{{"name": "a", "sha256": "{}"}}]}}"#,
                    "g".repeat(64)
                ),
                "keys[0].sha256",
                "64 hexadecimal",
            ),
            (
                format!(r#"{{"keys": [{{"name": "a", "sha256": "{h}", "disabled": "yes"}}]}}"#),
                "keys[0].disabled",
                "true or false",
            ),
            (
                format!(r#"{{"keys": [{{"name": "a", "sha256": "{h}", "scopes": []}}]}}"#),
                "keys[0].scopes",
                "non-empty array",
            ),
            (
                format!(
                    r#"{{"keys": [{{"name": "a", "sha256": "{h}", "scopes": "export:write"}}]}}"#
                ),
                "keys[0].scopes",
                "non-empty array",
            ),
            (
                format!(
                    r#"{{"keys": [{{"name": "a", "sha256": "{h}", "scopes": ["reports:read", "admin"]}}]}}"#
                ),
                "keys[0].scopes[1]",
                "not a scope",
            ),
            (
                format!(r#"{{"keys": [{{"name": "a", "sha256": "{h}", "disabeld": true}}]}}"#),
                "keys[0]",
                "\"disabeld\"",
            ),
            (
                format!(
                    r#"{{"keys": [{{"name": "a", "sha256": "{h}"}}, {{"name": "a", "sha256": "{}"}}]}}"#,
                    hash_key(NEW)
                ),
                "keys[1].name",
                "unique",
            ),
            (
                format!(
                    r#"{{"keys": [{{"name": "a", "sha256": "{h}"}}, {{"name": "b", "sha256": "{h}"}}]}}"#
                ),
                "keys[1].sha256",
                "two names",
            ),
        ];
        for (raw, path, reason) in cases {
            let err = ApiKeys::parse(&raw).unwrap_err();
            assert_eq!(err.path, path, "{raw}: {err}");
            assert!(err.reason.contains(reason), "{raw}: {err}");
        }
    }

    #[test]
    fn a_key_pasted_instead_of_its_hash_is_never_quoted() {
        let raws = [
            format!(r#"{{"keys": [{{"name": "a", "sha256": "{OLD}"}}]}}"#),
            format!(r#"{{"keys": "{OLD}"}}"#),
            format!(
                r#"{{"keys": [{{"name": "a", "sha256": "{}", "{OLD}": 1}}]}}"#,
                hash_key(OLD)
            ),
            format!(
                r#"{{"keys": [{{"name": "a", "sha256": "{}", "disabled": "{OLD}"}}]}}"#,
                hash_key(OLD)
            ),
            OLD.to_string(),
        ];
        for raw in raws {
            let err = ApiKeys::parse(&raw).unwrap_err();
            assert!(!err.to_string().contains(OLD), "{err}");
            assert!(!format!("{err:?}").contains(OLD), "{err:?}");
        }
    }

    #[test]
    fn debug_shows_names_never_hashes() {
        let keys = ApiKeys::parse(&secret(&[("a", OLD, None), ("b", NEW, Some(true))])).unwrap();
        let shown = format!("{keys:?}");
        assert_eq!(shown, r#"["a", "b (disabled)"]"#);
        assert!(!shown.contains(&hash_key(OLD)) && !shown.contains(OLD));
    }

    proptest! {
        /// Any key verifies against a list holding its hash, and no other key does.
        #[test]
        fn only_the_stored_key_verifies(key in "[ -~]{1,64}", other in "[ -~]{1,64}") {
            let keys = ApiKeys::parse(&secret(&[("k", &key, None)])).unwrap();
            prop_assert_eq!(keys.verify(&key), Some("k"));
            prop_assert_eq!(keys.verify(&other).is_some(), other == key);
        }
    }
}
