//! Slack's checks of a posted message, as its documentation states them.

use serde_json::Value;

const MAX_BLOCKS: usize = 50;
const MAX_HEADER: usize = 150;
const MAX_TEXT: usize = 3000;
const MAX_FIELDS: usize = 10;
const MAX_FIELD: usize = 2000;
const MAX_CONTEXT_ELEMENTS: usize = 10;

/// `Ok` when Slack would accept `body`; otherwise Slack's error text (`invalid_payload`,
/// `no_text`, `invalid_blocks`). Characters are counted as Unicode scalar values.
pub fn validate(body: &[u8]) -> Result<(), &'static str> {
    let Ok(Value::Object(message)) = serde_json::from_slice::<Value>(body) else {
        return Err("invalid_payload");
    };
    let text = message.get("text").and_then(Value::as_str).unwrap_or("");
    let blocks = match message.get("blocks") {
        None | Some(Value::Null) => &[][..],
        Some(Value::Array(blocks)) => blocks.as_slice(),
        Some(_) => return Err("invalid_blocks"),
    };
    if text.trim().is_empty() && blocks.is_empty() {
        return Err("no_text");
    }
    if blocks.len() > MAX_BLOCKS || !blocks.iter().all(block_ok) {
        return Err("invalid_blocks");
    }
    Ok(())
}

fn block_ok(block: &Value) -> bool {
    match block["type"].as_str() {
        Some("header") => text_ok(&block["text"], MAX_HEADER, true),
        Some("section") => {
            let text = &block["text"];
            let fields = &block["fields"];
            (!text.is_null() || !fields.is_null())
                && (text.is_null() || text_ok(text, MAX_TEXT, false))
                && (fields.is_null()
                    || fields.as_array().is_some_and(|f| {
                        !f.is_empty()
                            && f.len() <= MAX_FIELDS
                            && f.iter().all(|t| text_ok(t, MAX_FIELD, false))
                    }))
        }
        Some("context") => block["elements"].as_array().is_some_and(|e| {
            !e.is_empty()
                && e.len() <= MAX_CONTEXT_ELEMENTS
                && e.iter().all(|t| match t["type"].as_str() {
                    Some("image") => true,
                    _ => text_ok(t, MAX_TEXT, false),
                })
        }),
        Some("divider") => true,
        // Other block types (image, actions, ...) are not checked here.
        Some(_) => true,
        None => false,
    }
}

fn text_ok(text: &Value, max: usize, plain_only: bool) -> bool {
    let kind_ok = match text["type"].as_str() {
        Some("plain_text") => true,
        Some("mrkdwn") => !plain_only,
        _ => false,
    };
    let body = text["text"].as_str().unwrap_or("");
    kind_ok && !body.trim().is_empty() && body.chars().count() <= max
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(body: Value) -> Result<(), &'static str> {
        validate(body.to_string().as_bytes())
    }

    fn mrkdwn(text: &str) -> Value {
        json!({"type": "mrkdwn", "text": text})
    }

    #[test]
    fn accepts_what_slack_accepts() {
        assert_eq!(check(json!({"text": "hi"})), Ok(()));
        let section = json!({"type": "section", "text": mrkdwn("s")});
        assert_eq!(
            check(json!({"text": "", "blocks": vec![section; 50]})),
            Ok(())
        );
        let header =
            json!({"type": "header", "text": {"type": "plain_text", "text": "h".repeat(150)}});
        assert_eq!(
            check(json!({"blocks": [header, {"type": "divider"}]})),
            Ok(())
        );
    }

    #[test]
    fn refuses_what_slack_refuses() {
        assert_eq!(validate(b"text=hi"), Err("invalid_payload"));
        assert_eq!(check(json!(["x"])), Err("invalid_payload"));
        assert_eq!(check(json!({"text": " "})), Err("no_text"));
        let section = json!({"type": "section", "text": mrkdwn("s")});
        let cases = [
            json!({"blocks": vec![section; 51]}),
            json!({"blocks": "x"}),
            json!({"blocks": [{"type": "header", "text": mrkdwn("h")}]}),
            json!({"blocks": [{"type": "header", "text": {"type": "plain_text", "text": "h".repeat(151)}}]}),
            json!({"blocks": [{"type": "section", "text": mrkdwn(&"s".repeat(3001))}]}),
            json!({"blocks": [{"type": "section", "text": mrkdwn("")}]}),
            json!({"blocks": [{"type": "section"}]}),
            json!({"blocks": [{"type": "section", "fields": vec![mrkdwn("f"); 11]}]}),
            json!({"blocks": [{"type": "section", "fields": [mrkdwn(&"f".repeat(2001))]}]}),
            json!({"blocks": [{"type": "context", "elements": []}]}),
            json!({"blocks": [{"type": "context", "elements": vec![mrkdwn("c"); 11]}]}),
            json!({"blocks": [{"text": mrkdwn("no type")}]}),
        ];
        for body in cases {
            assert_eq!(check(body.clone()), Err("invalid_blocks"), "{body}");
        }
    }
}
