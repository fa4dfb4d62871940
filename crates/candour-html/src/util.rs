//! Small helpers shared by the components: escaping, Nunjucks-style truthiness and class checks.

/// HTML-escape text the way Nunjucks autoescape does (`nunjucks/src/lib.js`): `&`, `<`, `>`, `"`, `'`
/// and also `\` (as `&#92;`), so escaped output is byte-for-byte what the official macros produce.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\\' => out.push_str("&#92;"),
            c => out.push(c),
        }
    }
    out
}

/// Nunjucks truthiness of an optional string: present and non-empty.
pub(crate) fn truthy(s: &Option<String>) -> bool {
    s.as_deref().is_some_and(|s| !s.is_empty())
}

/// The value if truthy.
pub(crate) fn nonempty(s: &Option<String>) -> Option<&str> {
    s.as_deref().filter(|s| !s.is_empty())
}

/// `"needle" in params.classes` (a substring test, as in the templates).
pub(crate) fn classes_contain(classes: &Option<String>, needle: &str) -> bool {
    classes.as_deref().is_some_and(|c| c.contains(needle))
}

/// True if `classes` contains any of the given class names (substring test).
pub(crate) fn classes_contain_any(classes: &Option<String>, needles: &[&str]) -> bool {
    needles.iter().any(|n| classes_contain(classes, n))
}

/// Append `" " + classes` when `classes` is truthy.
pub(crate) fn push_classes(class_names: &mut String, classes: &Option<String>) {
    if let Some(c) = nonempty(classes) {
        class_names.push(' ');
        class_names.push_str(c);
    }
}

/// Render a JSON number as JavaScript's `String(n)` would for the common cases.
pub(crate) fn js_number(n: &serde_json::Number) -> String {
    if let Some(f) = n.as_f64().filter(|_| n.is_f64()) {
        if f.fract() == 0.0 && f.abs() < 1e21 {
            return format!("{f:.0}");
        }
        return format!("{f}");
    }
    n.to_string()
}

/// JavaScript `String(value)` for a JSON value (arrays joined with commas, objects as `[object Object]`).
pub(crate) fn js_string(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => js_number(n),
        Value::String(s) => s.clone(),
        Value::Array(a) => a
            .iter()
            .map(|x| if x.is_null() { String::new() } else { js_string(x) })
            .collect::<Vec<_>>()
            .join(","),
        Value::Object(_) => "[object Object]".to_owned(),
    }
}

/// Either trusted HTML (`html`) or text to escape (`text`), `html` winning, as most templates do with
/// `params.html | safe if params.html else params.text`. Returns `None` when neither is truthy.
pub(crate) fn html_or_text(html: &Option<String>, text: &Option<String>) -> Option<String> {
    if let Some(h) = nonempty(html) {
        Some(h.trim().to_owned())
    } else {
        nonempty(text).map(|t| escape(t.trim()))
    }
}

/// Nunjucks `capitalize`: first character upper case, the rest lower case.
pub(crate) fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars.flat_map(char::to_lowercase)).collect(),
        None => String::new(),
    }
}
