//! The key a request is counted under in [`crate::SimStats`].

/// `"METHOD /path"`, with the path replaced by the first of `templates` it matches: a
/// `{...}` segment matches any one segment, other segments must be equal. A path that
/// matches no template is kept as it is (without a trailing `/`).
///
/// `route_key("GET", "/crm/v3/objects/companies/42", &["/crm/v3/objects/companies/{id}"])`
/// is `"GET /crm/v3/objects/companies/{id}"`.
pub fn route_key(method: &str, path: &str, templates: &[&str]) -> String {
    let path = match path.trim_end_matches('/') {
        "" => "/",
        p => p,
    };
    let segments: Vec<&str> = path.split('/').collect();
    let matched = templates.iter().find(|t| {
        let parts: Vec<&str> = t.split('/').collect();
        parts.len() == segments.len()
            && parts
                .iter()
                .zip(&segments)
                .all(|(p, s)| (p.starts_with('{') && p.ends_with('}') && !s.is_empty()) || p == s)
    });
    format!("{method} {}", matched.copied().unwrap_or(path))
}

#[cfg(test)]
mod tests {
    use super::route_key;

    const T: &[&str] = &["/a/search", "/a/{id}", "/b/{x}/c"];

    #[test]
    fn literal_segments_win_when_listed_first() {
        assert_eq!(route_key("POST", "/a/search", T), "POST /a/search");
        assert_eq!(route_key("GET", "/a/17", T), "GET /a/{id}");
        assert_eq!(route_key("GET", "/b/1/c/", T), "GET /b/{x}/c");
    }

    #[test]
    fn unmatched_paths_are_kept() {
        assert_eq!(route_key("GET", "/b/1", T), "GET /b/1");
        assert_eq!(route_key("GET", "/", T), "GET /");
        assert_eq!(route_key("GET", "/a/", T), "GET /a");
    }
}
