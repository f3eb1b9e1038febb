//! Writing export objects to S3 (`EXPORT_BUCKET`, `EXPORT_PREFIX`).

use aws_sdk_s3::primitives::ByteStream;

/// Where exports go: `s3://{bucket}/{prefix}{key}`.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportTarget {
    /// `EXPORT_BUCKET`.
    pub bucket: String,
    /// `EXPORT_PREFIX`, empty or ending in `/` (a missing `/` is added).
    pub prefix: String,
}

/// The export destination is missing or unusable, or S3 refused the object.
#[derive(Debug, thiserror::Error)]
pub enum S3Error {
    #[error("configuration {variable}: {reason}")]
    Config {
        variable: &'static str,
        reason: String,
    },
    #[error("s3://{bucket}/{key} already exists; exports on demand never overwrite an object")]
    Exists { bucket: String, key: String },
    #[error("S3 PutObject s3://{bucket}/{key} failed: {reason}")]
    Put {
        bucket: String,
        key: String,
        reason: String,
    },
}

impl ExportTarget {
    /// Reads `EXPORT_BUCKET` (required) and `EXPORT_PREFIX` (optional) through `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, S3Error> {
        let bucket = lookup("EXPORT_BUCKET")
            .map(|b| b.trim().to_string())
            .filter(|b| !b.is_empty())
            .ok_or(S3Error::Config {
                variable: "EXPORT_BUCKET",
                reason: "must name the S3 bucket that receives the export".into(),
            })?;
        let mut prefix = lookup("EXPORT_PREFIX")
            .unwrap_or_default()
            .trim()
            .to_string();
        if prefix.starts_with('/') || prefix.split('/').any(|s| s == "..") {
            return Err(S3Error::Config {
                variable: "EXPORT_PREFIX",
                reason: format!("{prefix:?} must be relative, without a leading / or .. segments"),
            });
        }
        if !prefix.is_empty() && !prefix.ends_with('/') {
            prefix.push('/');
        }
        Ok(Self { bucket, prefix })
    }

    /// The full object key for `key` (relative to the prefix).
    pub fn object_key(&self, key: &str) -> String {
        format!("{}{}", self.prefix, key)
    }

    /// The full object key of an on-demand export: under `{prefix}on-demand/`, apart from the
    /// scheduled exports, so that no API caller can replace the nightly object.
    pub fn on_demand_key(&self, key: &str) -> String {
        format!("{}{ON_DEMAND_PREFIX}{}", self.prefix, key)
    }
}

/// The folder, under `EXPORT_PREFIX`, of the exports started through the API.
pub const ON_DEMAND_PREFIX: &str = "on-demand/";

/// Whether a put may replace an existing object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overwrite {
    /// Replace whatever is there (scheduled exports, re-runs of a night).
    Allowed,
    /// Conditional put (`If-None-Match: *`): an existing object is kept and the put fails with
    /// [`S3Error::Exists`].
    Never,
}

/// An S3 client from the shared SDK config. A custom endpoint (`AWS_ENDPOINT_URL[_S3]`, e.g. a
/// local moto server) gets path-style addressing, which local servers need.
pub fn s3_client(sdk: &aws_config::SdkConfig) -> aws_sdk_s3::Client {
    let custom_endpoint = std::env::var_os("AWS_ENDPOINT_URL").is_some()
        || std::env::var_os("AWS_ENDPOINT_URL_S3").is_some();
    let config = aws_sdk_s3::config::Builder::from(sdk)
        .force_path_style(custom_endpoint)
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

/// Puts `body` as a `text/csv; charset=utf-8` object at `key` (the full key).
///
/// Errors: [`S3Error::Exists`] when `overwrite` is [`Overwrite::Never`] and the object exists
/// (S3 answers 412 Precondition Failed), [`S3Error::Put`] for any other refusal.
pub async fn put_csv(
    client: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    body: Vec<u8>,
    overwrite: Overwrite,
) -> Result<(), S3Error> {
    let mut put = client
        .put_object()
        .bucket(bucket)
        .key(key)
        .content_type("text/csv; charset=utf-8")
        .body(ByteStream::from(body));
    if overwrite == Overwrite::Never {
        put = put.if_none_match("*");
    }
    put.send().await.map_err(|e| {
        let status = e.raw_response().map(|r| r.status().as_u16());
        if overwrite == Overwrite::Never && status == Some(412) {
            S3Error::Exists {
                bucket: bucket.to_string(),
                key: key.to_string(),
            }
        } else {
            S3Error::Put {
                bucket: bucket.to_string(),
                key: key.to_string(),
                reason: aws_sdk_s3::error::DisplayErrorContext(&e).to_string(),
            }
        }
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(bucket: Option<&str>, prefix: Option<&str>) -> Result<ExportTarget, S3Error> {
        ExportTarget::from_lookup(|k| match k {
            "EXPORT_BUCKET" => bucket.map(str::to_string),
            "EXPORT_PREFIX" => prefix.map(str::to_string),
            _ => None,
        })
    }

    #[test]
    fn prefix_gets_a_trailing_slash() {
        let t = target(Some("b"), Some("exports")).unwrap();
        assert_eq!(t.object_key("x.csv"), "exports/x.csv");
        assert_eq!(
            target(Some("b"), None).unwrap().object_key("x.csv"),
            "x.csv"
        );
    }

    #[test]
    fn missing_bucket_and_bad_prefix_are_named() {
        assert!(matches!(
            target(None, None),
            Err(S3Error::Config {
                variable: "EXPORT_BUCKET",
                ..
            })
        ));
        assert!(matches!(
            target(Some("b"), Some("/abs")),
            Err(S3Error::Config {
                variable: "EXPORT_PREFIX",
                ..
            })
        ));
        assert!(matches!(
            target(Some("b"), Some("a/../b")),
            Err(S3Error::Config {
                variable: "EXPORT_PREFIX",
                ..
            })
        ));
    }
}
