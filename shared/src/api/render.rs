//! Report responses: the JSON envelope (`meta`, `summary`, rows, `page`), CSV of the page's
//! rows, and gzip when the client accepts it.
//!
//! Every report response has `Cache-Control: no-store` (reports hold member data) and
//! `Vary: Accept-Encoding`. A gzipped body is a binary body, which lambda_http hands to API
//! Gateway base64-encoded; API Gateway decodes it before it reaches the client.

use std::borrow::Cow;
use std::io::Write;

use flate2::write::GzEncoder;
use flate2::Compression;
use lambda_http::http::header::{
    HeaderName, HeaderValue, ACCEPT, ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_DISPOSITION,
    CONTENT_ENCODING, CONTENT_TYPE, LINK, VARY,
};
use lambda_http::http::{HeaderMap, Method, StatusCode};
use lambda_http::{Body, Request, Response};
use serde::ser::SerializeMap;
use serde::Serialize;
use serde_json::Value;

use crate::api::paging::PageInfo;
use crate::api::params::Format;
use crate::api::problem::Problem;

/// `Content-Type` of JSON report bodies.
pub const JSON_CONTENT_TYPE: &str = "application/json";
/// `Content-Type` of CSV report bodies.
pub const CSV_CONTENT_TYPE: &str = "text/csv; charset=utf-8";

/// A report row that also has a flat CSV form (RFC 4180 cells; arrays joined with "; ").
pub trait TabularRow: Serialize {
    /// The CSV header, in column order.
    const CSV_HEADER: &'static [&'static str];
    /// The row's cells, one per header column, unescaped (the writer quotes and neutralises).
    fn csv_record(&self) -> Vec<String>;
}

/// Whether to answer CSV: `format=csv`, or no `format` and an `Accept` that prefers `text/csv`
/// over `application/json` (q-values honoured, specific media ranges before wildcards).
pub fn wants_csv(format: Option<Format>, headers: &HeaderMap) -> bool {
    match format {
        Some(Format::Csv) => true,
        Some(Format::Json) => false,
        None => {
            let accept = q_values(headers, &ACCEPT);
            let q = |full: &str, family: &str| {
                [full, family, "*/*"]
                    .iter()
                    .find_map(|want| accept.iter().find(|(t, _)| t == want).map(|(_, q)| *q))
                    .unwrap_or(0.0)
            };
            let csv = q("text/csv", "text/*");
            csv > 0.0 && csv > q("application/json", "application/*")
        }
    }
}

/// Whether `Accept-Encoding` allows gzip: `gzip` (or `x-gzip`) with q > 0, or `*` with q > 0
/// when gzip is not named. `gzip;q=0` refuses it.
pub fn accepts_gzip(headers: &HeaderMap) -> bool {
    let codings = q_values(headers, &ACCEPT_ENCODING);
    let named = codings
        .iter()
        .find(|(c, _)| c == "gzip" || c == "x-gzip")
        .or_else(|| codings.iter().find(|(c, _)| c == "*"));
    named.is_some_and(|(_, q)| *q > 0.0)
}

/// The entries of a comma-separated header with q-values (`Accept`, `Accept-Encoding`), as
/// (lower-cased token, q). A missing or unreadable q is 1.
fn q_values(headers: &HeaderMap, name: &HeaderName) -> Vec<(String, f32)> {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|entry| {
            let mut parts = entry.split(';');
            let token = parts.next()?.trim().to_ascii_lowercase();
            if token.is_empty() {
                return None;
            }
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q=").or(p.trim().strip_prefix("Q=")))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .map_or(1.0, |q| q.clamp(0.0, 1.0));
            Some((token, q))
        })
        .collect()
}

/// The JSON response: `{"meta", "summary", <rows_name>: rows of this page, [<extra name>:
/// extra, …], "page"}` in that key order (`extra` in its order; `None` for none). `rows` is the whole sorted listing; the page is
/// `rows[page.range()]`. gzipped when `req_headers` allow it.
pub fn json_response<'e, R: TabularRow>(
    meta: &impl Serialize,
    summary: &impl Serialize,
    rows_name: &str,
    rows: &[R],
    extra: impl IntoIterator<Item = (&'e str, Value)>,
    page: &PageInfo,
    req_headers: &HeaderMap,
) -> Response<Body> {
    let envelope = Envelope {
        meta,
        summary,
        rows: Some((rows_name, rows.get(page.range()).unwrap_or(&[]))),
        extra: extra.into_iter().collect(),
        page: Some(page),
    };
    envelope_response(&envelope, req_headers)
}

/// The JSON response of a report that is not paged (its listing is bounded and small):
/// `{"meta", "summary", [<rows_name>: rows]}` in that key order, without `page`; `rows` `None`
/// for a report that is only a summary. gzipped when `req_headers` allow it.
pub fn json_unpaged_response<R: Serialize>(
    meta: &impl Serialize,
    summary: &impl Serialize,
    rows: Option<(&str, &[R])>,
    req_headers: &HeaderMap,
) -> Response<Body> {
    let envelope = Envelope {
        meta,
        summary,
        rows,
        extra: Vec::new(),
        page: None,
    };
    envelope_response(&envelope, req_headers)
}

fn envelope_response<M: Serialize, S: Serialize, R: Serialize>(
    envelope: &Envelope<'_, M, S, R>,
    req_headers: &HeaderMap,
) -> Response<Body> {
    match serde_json::to_vec(envelope) {
        Ok(body) => respond(JSON_CONTENT_TYPE, body, Vec::new(), req_headers),
        Err(error) => {
            tracing::error!(%error, "report is not serialisable");
            Problem::internal_error().into_response()
        }
    }
}

struct Envelope<'a, M, S, R> {
    meta: &'a M,
    summary: &'a S,
    rows: Option<(&'a str, &'a [R])>,
    extra: Vec<(&'a str, Value)>,
    page: Option<&'a PageInfo>,
}

impl<M: Serialize, S: Serialize, R: Serialize> Serialize for Envelope<'_, M, S, R> {
    fn serialize<Ser: serde::Serializer>(&self, s: Ser) -> Result<Ser::Ok, Ser::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("meta", self.meta)?;
        map.serialize_entry("summary", self.summary)?;
        if let Some((name, rows)) = &self.rows {
            map.serialize_entry(name, rows)?;
        }
        for (name, value) in &self.extra {
            map.serialize_entry(name, value)?;
        }
        if let Some(page) = self.page {
            map.serialize_entry("page", page)?;
        }
        map.end()
    }
}

/// The CSV response of the page `rows[page.range()]` (`rows` is the whole sorted listing; for
/// a report that is not paged, [`PageInfo::whole`]): header row always, `Content-Disposition: attachment; filename="<filename>"`,
/// `X-Total-Count`, and when there is a next page `X-Next-Cursor` and, given
/// `next_link_base` (see [`next_link_base`]; `None` for POST), `Link: <…cursor=…>; rel="next"`.
pub fn csv_response<R: TabularRow>(
    rows: &[R],
    page: &PageInfo,
    filename: &str,
    next_link_base: Option<&str>,
    req_headers: &HeaderMap,
) -> Response<Body> {
    let body = match csv_bytes(rows.get(page.range()).unwrap_or(&[])) {
        Ok(body) => body,
        Err(error) => {
            tracing::error!(%error, "CSV could not be written");
            return Problem::internal_error().into_response();
        }
    };
    let mut extra = vec![
        (
            CONTENT_DISPOSITION.as_str(),
            format!("attachment; filename=\"{filename}\""),
        ),
        ("x-total-count", page.total.to_string()),
    ];
    if let Some(cursor) = &page.next_cursor {
        extra.push(("x-next-cursor", cursor.clone()));
        if let Some(base) = next_link_base {
            let sep = if base.contains('?') { '&' } else { '?' };
            extra.push((
                LINK.as_str(),
                format!("<{base}{sep}cursor={cursor}>; rel=\"next\""),
            ));
        }
    }
    respond(CSV_CONTENT_TYPE, body, extra, req_headers)
}

/// For a GET: the request's path and query string without `cursor`, to which the next page's
/// cursor is appended in `Link`. `None` for other methods (a POST body cannot ride in a link).
pub fn next_link_base(req: &Request) -> Option<String> {
    if req.method() != Method::GET {
        return None;
    }
    let query: Vec<(String, String)> = req
        .uri()
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .filter(|(k, _)| k != "cursor")
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default();
    let path = req.uri().path();
    if query.is_empty() {
        return Some(path.to_string());
    }
    let encoded = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(query)
        .finish();
    Some(format!("{path}?{encoded}"))
}

/// RFC 4180 CSV (CRLF line ends, quoted when needed, UTF-8 without BOM): the header row, then
/// one record per row with every cell passed through [`neutralise`].
pub fn csv_bytes<R: TabularRow>(rows: &[R]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer.write_record(R::CSV_HEADER)?;
    for row in rows {
        let record = row.csv_record();
        writer.write_record(record.iter().map(|c| neutralise(c).into_owned()))?;
    }
    writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}

/// A cell a spreadsheet could read as a formula (first character `=`, `+`, `-`, `@`, tab or
/// CR) gets a leading `'`, as OWASP's CSV injection guidance advises. A negative number
/// (e.g. `daysAgo` of a session after as-of) thus becomes the text `'-1` in CSV; JSON keeps the
/// number.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

/// A 200 response with `body`, gzipped when accepted.
fn respond(
    content_type: &str,
    body: Vec<u8>,
    extra: Vec<(&str, String)>,
    req_headers: &HeaderMap,
) -> Response<Body> {
    let gzip = accepts_gzip(req_headers);
    let body = if gzip {
        match gzip_bytes(&body) {
            Ok(zipped) => Body::Binary(zipped),
            Err(error) => {
                tracing::error!(%error, "gzip failed");
                return Problem::internal_error().into_response();
            }
        }
    } else {
        match String::from_utf8(body) {
            Ok(text) => Body::Text(text),
            Err(e) => Body::Binary(e.into_bytes()),
        }
    };
    let mut response = Response::new(body);
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    let mut set = |name: HeaderName, value: &str| {
        if let Ok(v) = HeaderValue::from_str(value) {
            headers.insert(name, v);
        }
    };
    set(CONTENT_TYPE, content_type);
    set(CACHE_CONTROL, "no-store");
    set(VARY, "Accept-Encoding");
    if gzip {
        set(CONTENT_ENCODING, "gzip");
    }
    for (name, value) in extra {
        if let Ok(name) = HeaderName::from_bytes(name.as_bytes()) {
            set(name, &value);
        }
    }
    response
}

/// `bytes` gzipped.
pub fn gzip_bytes(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(bytes.len() / 4), Compression::default());
    encoder.write_all(bytes)?;
    encoder.finish()
}
