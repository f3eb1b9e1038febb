//! Paging of a report's rows: `limit` rows from the cursor's offset, and the opaque cursor.
//!
//! A cursor is base64url (no padding) of the JSON `{"o": offset, "a": as-of unix seconds,
//! "h": hash}`. `h` is the first 16 hex digits of the SHA-256 of the listing's key (a JSON array
//! of the canonical parameters that define the listing, given by the report API: report,
//! effective lookback, filters, dates, ...) with `o` and `a` appended, so a cursor replayed with
//! other parameters, or edited, is refused (400 `cursor`). `limit` and `format` are not part of
//! it: pages of one listing may change either. The cursor pins as-of, so the pages of one
//! listing are computed at one instant.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Default page size.
pub const DEFAULT_LIMIT: u32 = 1000;
/// Largest page size; keeps a page well under Lambda's 6 MB response limit.
pub const MAX_LIMIT: u32 = 5000;

/// Rows per page, 1..=5000.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit(pub u32);

impl Limit {
    pub fn get(self) -> u32 {
        self.0
    }
}

impl Default for Limit {
    fn default() -> Self {
        Self(DEFAULT_LIMIT)
    }
}

/// A decoded cursor. Fields as in the module docs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cursor {
    /// Index of the first row of the page (0-based) in the sorted listing.
    #[serde(rename = "o")]
    pub offset: u64,
    /// The listing's as-of, unix seconds.
    #[serde(rename = "a")]
    pub as_of: i64,
    /// [`listing_hash`] of the parameters, `offset` and `as_of`.
    #[serde(rename = "h")]
    pub hash: String,
}

impl Cursor {
    /// The opaque text form.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).expect("a cursor serialises"))
    }

    /// Decodes [`Cursor::encode`]'s text; the error is the reason for `invalidParams`.
    pub fn decode(text: &str) -> Result<Self, &'static str> {
        const NOT_OURS: &str = "is not a cursor from this API; use page.nextCursor unchanged";
        let bytes = URL_SAFE_NO_PAD
            .decode(text.trim_end_matches('='))
            .map_err(|_| NOT_OURS)?;
        serde_json::from_slice(&bytes).map_err(|_| NOT_OURS)
    }
}

/// The hash `h` of a cursor at `offset` with as-of `as_of` (unix seconds) for the listing
/// whose key is `listing` (a JSON array; any other value is hashed as a one-element array).
pub fn listing_hash(listing: &Value, offset: u64, as_of: i64) -> String {
    let mut canonical = match listing {
        Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    };
    canonical.push(offset.into());
    canonical.push(as_of.into());
    let digest = Sha256::digest(Value::Array(canonical).to_string().as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// One page of a listing: the rows `start..end` of `total`, and the cursor of the next page.
/// Serialises as the response's `page`: `{"limit", "returned", "total", "nextCursor"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    pub limit: u32,
    pub returned: usize,
    pub total: usize,
    /// `None` on the last page.
    pub next_cursor: Option<String>,
    #[serde(skip)]
    pub start: usize,
    #[serde(skip)]
    pub end: usize,
}

impl PageInfo {
    /// The one page of a listing that is not paged: all `total` rows, no next cursor.
    pub fn whole(total: usize) -> Self {
        Self {
            limit: u32::try_from(total).unwrap_or(u32::MAX).max(1),
            returned: total,
            total,
            next_cursor: None,
            start: 0,
            end: total,
        }
    }

    /// The page's index range in the listing.
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start..self.end
    }
}

/// The page of a listing of `total` rows from `cursor`'s offset (0 without a cursor), at most
/// `limit` rows; `as_of` (unix seconds) and `listing` (see [`listing_hash`]) go into the next
/// page's cursor. A cursor past the end (the data shrank) gives an empty last page, not an
/// error; the cursor itself is checked when the request is parsed.
pub fn page_window(
    total: usize,
    cursor: Option<&Cursor>,
    limit: Limit,
    as_of: i64,
    listing: &Value,
) -> PageInfo {
    let offset = cursor.map_or(0, |c| usize::try_from(c.offset).unwrap_or(usize::MAX));
    let start = offset.min(total);
    let end = start.saturating_add(limit.get() as usize).min(total);
    let next_cursor = (end < total).then(|| {
        Cursor {
            offset: end as u64,
            as_of,
            hash: listing_hash(listing, end as u64, as_of),
        }
        .encode()
    });
    PageInfo {
        limit: limit.get(),
        returned: end - start,
        total,
        next_cursor,
        start,
        end,
    }
}
