//! The key presented in an `Authorization: Bearer <key>` header (RFC 6750 §2.1).

/// The key of `Authorization: Bearer <key>`: the scheme is case-insensitive, surrounding
/// whitespace is ignored. `None` for no header, another scheme (`Basic ...`), an empty key, or a
/// key containing whitespace (not a single token, e.g. two headers joined by API Gateway).
pub fn bearer(header: Option<&str>) -> Option<&str> {
    let header = header?.trim();
    let (scheme, key) = header.split_once(|c: char| c.is_ascii_whitespace())?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let key = key.trim();
    if key.is_empty() || key.contains(|c: char| c.is_whitespace()) {
        return None;
    }
    Some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_keys_are_extracted() {
        let cases: &[(Option<&str>, Option<&str>)] = &[
            (Some("Bearer abc123"), Some("abc123")),
            (Some("bearer abc123"), Some("abc123")),
            (Some("BEARER abc123"), Some("abc123")),
            (Some("  Bearer   abc-_.~+/=  "), Some("abc-_.~+/=")),
            (Some("Bearer\tabc"), Some("abc")),
            (None, None),
            (Some(""), None),
            (Some("Bearer"), None),
            (Some("Bearer   "), None),
            (Some("abc123"), None),
            (Some("Basic YWxhZGRpbjpvcGVuc2VzYW1l"), None),
            (Some("Bearerabc"), None),
            (Some("Bearer a b"), None),
            (Some("Bearer a, Bearer b"), None),
            (Some("Token abc"), None),
        ];
        for (header, expected) in cases {
            assert_eq!(bearer(*header), *expected, "{header:?}");
        }
    }
}
