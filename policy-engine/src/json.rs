//! JSON paths for error messages, and small readers over `serde_json::Value` that carry them.
//!
//! Both parsers in this crate (IAM policies in [`crate::policy`], scenario files in
//! [`crate::scenario`]) read untyped JSON by hand rather than through `serde` derives, so every
//! error can name the exact element that is wrong (`Statement[1].Condition.IpAddress`) and the
//! fix, and so unknown or misspelled elements are rejected instead of silently ignored.

use std::fmt;

use serde_json::{Map, Value};

/// A location inside a JSON document, such as `Statement[1].Condition.IpAddress.aws:SourceIp`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JsonPath(String);

impl JsonPath {
    /// The document root (displayed as `$`).
    pub fn root() -> Self {
        Self(String::new())
    }

    /// The path of member `key` of the object at this path.
    pub fn key(&self, key: &str) -> Self {
        if self.0.is_empty() {
            Self(key.to_owned())
        } else {
            Self(format!("{}.{}", self.0, key))
        }
    }

    /// The path of element `index` of the array at this path.
    pub fn index(&self, index: usize) -> Self {
        Self(format!("{}[{index}]", self.0))
    }

    /// The path as text; empty for the root.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("$")
        } else {
            f.write_str(&self.0)
        }
    }
}

/// The JSON type of a value, as a user would name it in an error message.
pub fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Values given either as one item or as an array of items (IAM's `"a"` or `["a", "b"]`),
/// each with its own path.
pub fn one_or_many<'v>(value: &'v Value, path: &JsonPath) -> Vec<(&'v Value, JsonPath)> {
    match value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| (item, path.index(i)))
            .collect(),
        other => vec![(other, path.clone())],
    }
}

/// The known name closest to `given` (by edit distance, ignoring case), if it is close enough
/// to be a plausible misspelling; used for "did you mean" hints.
pub fn suggest<'k>(given: &str, known: &[&'k str]) -> Option<&'k str> {
    let given_lower = given.to_ascii_lowercase();
    known
        .iter()
        .map(|k| (edit_distance(&given_lower, &k.to_ascii_lowercase()), *k))
        .filter(|(d, k)| *d <= (k.len() / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Levenshtein distance over chars; inputs here are element names, a few dozen chars at most.
fn edit_distance(a: &str, b: &str) -> usize {
    let b_chars: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b_chars.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut row = Vec::with_capacity(b_chars.len() + 1);
        row.push(i + 1);
        for (j, cb) in b_chars.iter().enumerate() {
            let subst = prev
                .get(j)
                .map_or(usize::MAX, |d| d + usize::from(ca != *cb));
            let delete = prev.get(j + 1).map_or(usize::MAX, |d| d + 1);
            let insert = row.get(j).map_or(usize::MAX, |d| d + 1);
            row.push(subst.min(delete).min(insert));
        }
        prev = row;
    }
    prev.last().copied().unwrap_or(0)
}

/// The first member of `object` whose name is not in `allowed` (members for which `is_note`
/// holds are allowed too), with a hint for the error message: "did you mean `X`?" for a likely
/// misspelling, else the list of known names. Shared by every strict reader in the project.
pub fn unknown_member<'m>(
    object: &'m Map<String, Value>,
    allowed: &[&str],
    is_note: impl Fn(&str) -> bool,
) -> Option<(&'m str, String)> {
    let key = object
        .keys()
        .find(|k| !allowed.contains(&k.as_str()) && !is_note(k))?;
    let hint = suggest(key, allowed)
        .map(|s| format!("did you mean `{s}`?"))
        .unwrap_or_else(|| {
            let known: Vec<String> = allowed.iter().map(|a| format!("`{a}`")).collect();
            format!("known names: {}", known.join(", "))
        });
    Some((key, hint))
}

/// Iterate an object's members, each with its path.
pub fn members<'v>(
    object: &'v Map<String, Value>,
    path: &'v JsonPath,
) -> impl Iterator<Item = (&'v str, &'v Value, JsonPath)> + 'v {
    object
        .iter()
        .map(move |(k, v)| (k.as_str(), v, path.key(k)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_display_like_the_style_guide() {
        let p = JsonPath::root()
            .key("Statement")
            .index(1)
            .key("Condition")
            .key("IpAddress")
            .key("aws:SourceIp");
        assert_eq!(
            p.to_string(),
            "Statement[1].Condition.IpAddress.aws:SourceIp"
        );
        assert_eq!(JsonPath::root().to_string(), "$");
        assert_eq!(JsonPath::root().index(0).to_string(), "[0]");
    }

    #[test]
    fn suggestions_catch_misspellings_only() {
        let known = ["Effect", "Action", "Resource", "Condition"];
        assert_eq!(suggest("effect", &known), Some("Effect"));
        assert_eq!(suggest("Efect", &known), Some("Effect"));
        assert_eq!(suggest("Resources", &known), Some("Resource"));
        assert_eq!(suggest("Banana", &known), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
