//! JSON paths for error messages, and small readers over `serde_json::Value` that carry them.
//!
//! Both parsers in this crate (IAM policies in [`crate::policy`], scenario files in
//! [`crate::scenario`]) read untyped JSON by hand rather than through `serde` derives, so every
//! error can name the exact element that is wrong (`Statement[1].Condition.IpAddress`) and the
//! fix, and so unknown or misspelled elements are rejected instead of silently ignored.
//!
//! [`JsonPath`] is the location every [`PolicyError`](crate::error::PolicyError) and
//! [`FileError`] carries; [`parse_strict`] refuses duplicate member names, which would
//! otherwise let `{"Effect": "Deny", "Effect": "Allow"}` read as an allow; [`Fields`] is the
//! strict object reader the file parsers share.
//!
//! ```
//! use policy_engine::json::{parse_strict, Fields, JsonPath};
//!
//! let value = parse_strict(r#"{"name": "get pets", "expect": "Allow"}"#)?;
//! let fields = Fields::read("cases.json", &value, JsonPath::root(), &["name", "expect"], |_| false)?;
//! assert_eq!(fields.required("expect")?, "Allow");
//!
//! let typo = parse_strict(r#"{"name": "get pets", "expcet": "Allow"}"#)?;
//! let err = Fields::read("cases.json", &typo, JsonPath::root(), &["name", "expect"], |_| false)
//!     .unwrap_err();
//! assert_eq!(err.to_string(), "cases.json: unknown field `expcet`: did you mean `expect`? (at `expcet`)");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use serde_json::{Map, Value};
use thiserror::Error;

/// A location inside a JSON document, such as `Statement[1].Condition.IpAddress.aws:SourceIp`.
///
/// Built up member by member; displays as written in error messages (`$` for the root).
///
/// ```
/// use policy_engine::json::JsonPath;
///
/// let path = JsonPath::root().key("Statement").index(1).key("Condition");
/// assert_eq!(path.to_string(), "Statement[1].Condition");
/// assert_eq!(JsonPath::root().to_string(), "$");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JsonPath(String);

impl JsonPath {
    /// The document root (displayed as `$`).
    ///
    /// ```
    /// # use policy_engine::json::JsonPath;
    /// assert_eq!(JsonPath::root().as_str(), "");
    /// ```
    pub fn root() -> Self {
        Self(String::new())
    }

    /// The path of member `key` of the object at this path.
    ///
    /// ```
    /// # use policy_engine::json::JsonPath;
    /// let path = JsonPath::root().key("Condition").key("aws:SourceIp");
    /// assert_eq!(path.as_str(), "Condition.aws:SourceIp");
    /// ```
    pub fn key(&self, key: &str) -> Self {
        if self.0.is_empty() {
            Self(key.to_owned())
        } else {
            Self(format!("{}.{}", self.0, key))
        }
    }

    /// The path of element `index` of the array at this path.
    ///
    /// ```
    /// # use policy_engine::json::JsonPath;
    /// assert_eq!(JsonPath::root().key("Statement").index(0).as_str(), "Statement[0]");
    /// ```
    pub fn index(&self, index: usize) -> Self {
        Self(format!("{}[{index}]", self.0))
    }

    /// The path as text; empty for the root.
    ///
    /// ```
    /// # use policy_engine::json::JsonPath;
    /// assert_eq!(JsonPath::root().key("Version").as_str(), "Version");
    /// ```
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

/// Parse JSON text into a [`Value`], refusing an object that names a member twice.
///
/// `serde_json` (like most parsers) silently keeps the last of two equal names, so
/// `{"Effect": "Deny", "Effect": "Allow"}` would read as an allow. IAM documents no meaning for
/// duplicate names, and a document that says two things is refused here rather than guessed
/// at: the error names the member and the line and column of the second one. Nesting deeper
/// than `serde_json`'s limit (128) is an error too, never a stack overflow.
///
/// # Errors
///
/// `serde_json`'s error for text that is not JSON, for a duplicate member name, or for nesting
/// beyond the limit.
///
/// ```
/// use policy_engine::json::parse_strict;
///
/// assert_eq!(parse_strict(r#"{"Effect": "Deny"}"#)?["Effect"], "Deny");
/// let err = parse_strict(r#"{"Effect": "Deny", "Effect": "Allow"}"#).unwrap_err();
/// assert!(err.to_string().starts_with("duplicate member `Effect`"));
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn parse_strict(text: &str) -> Result<Value, serde_json::Error> {
    serde_json::from_str::<StrictValue>(text).map(|v| v.0)
}

/// A [`Value`] whose objects have no duplicate member names.
struct StrictValue(Value);

impl<'de> serde::Deserialize<'de> for StrictValue {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(StrictValue)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        // JSON text has no NaN or infinity, so every f64 it yields is a JSON number.
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(StrictValue(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut members = Map::new();
        while let Some(name) = map.next_key::<String>()? {
            if members.contains_key(&name) {
                return Err(serde::de::Error::custom(format_args!(
                    "duplicate member `{name}`: an object may name a member once (which one was meant is ambiguous)"
                )));
            }
            let StrictValue(value) = map.next_value()?;
            members.insert(name, value);
        }
        Ok(Value::Object(members))
    }
}

/// The JSON type of a value, as a user would name it in an error message.
///
/// ```
/// use policy_engine::json::type_name;
/// use serde_json::json;
///
/// assert_eq!(type_name(&json!(["execute-api:Invoke"])), "an array");
/// assert_eq!(type_name(&json!(null)), "null");
/// ```
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
///
/// ```
/// use policy_engine::json::{one_or_many, JsonPath};
/// use serde_json::json;
///
/// let at = JsonPath::root().key("Action");
/// let one = json!("execute-api:Invoke");
/// assert_eq!(one_or_many(&one, &at), vec![(&one, at.clone())]);
///
/// let many = json!(["execute-api:Invoke", "execute-api:ManageConnections"]);
/// let items = one_or_many(&many, &at);
/// assert_eq!(items[1].0, "execute-api:ManageConnections");
/// assert_eq!(items[1].1.as_str(), "Action[1]");
/// ```
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
///
/// ```
/// use policy_engine::json::suggest;
///
/// let known = ["Effect", "Action", "Resource", "Condition"];
/// assert_eq!(suggest("Resources", &known), Some("Resource"));
/// assert_eq!(suggest("Banana", &known), None);
/// ```
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
///
/// ```
/// use policy_engine::json::unknown_member;
/// use serde_json::json;
///
/// let statement = json!({"Effect": "Allow", "Actions": "*", "//": "a note"});
/// let object = statement.as_object().ok_or("not an object")?;
/// let unknown = unknown_member(object, &["Effect", "Action"], |name| name.starts_with("//"));
/// assert_eq!(unknown, Some(("Actions", "did you mean `Action`?".to_owned())));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
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
///
/// ```
/// use policy_engine::json::{members, JsonPath};
/// use serde_json::json;
///
/// let block = json!({"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}});
/// let object = block.as_object().ok_or("not an object")?;
/// let at = JsonPath::root().key("Condition");
/// let (name, _value, path) = members(object, &at).next().ok_or("empty")?;
/// assert_eq!((name, path.as_str()), ("IpAddress", "Condition.IpAddress"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn members<'v>(
    object: &'v Map<String, Value>,
    path: &'v JsonPath,
) -> impl Iterator<Item = (&'v str, &'v Value, JsonPath)> + 'v {
    object
        .iter()
        .map(move |(k, v)| (k.as_str(), v, path.key(k)))
}

/// A problem in a JSON file (a scenario file, a rules file), located by the file's name and,
/// when the file was readable JSON, the JSON path of the bad field.
///
/// ```
/// use policy_engine::json::{FileError, JsonPath};
///
/// let at = JsonPath::root().key("cases").index(3).key("expect");
/// let err = FileError::new("pets.json", Some(&at), "expected `Allow`, `Deny` or a status");
/// assert_eq!(err.to_string(), "pets.json: expected `Allow`, `Deny` or a status (at `cases[3].expect`)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{file}: {problem}{}", located(.path))]
pub struct FileError {
    file: String,
    path: Option<JsonPath>,
    problem: String,
}

fn located(path: &Option<JsonPath>) -> String {
    path.as_ref()
        .map(|p| format!(" (at `{p}`)"))
        .unwrap_or_default()
}

impl FileError {
    /// A problem at `path` of `file` (`None`: the file as a whole).
    ///
    /// ```
    /// # use policy_engine::json::FileError;
    /// let err = FileError::new("pets.json", None, "not valid JSON");
    /// assert_eq!(err.to_string(), "pets.json: not valid JSON");
    /// ```
    pub fn new(file: &str, path: Option<&JsonPath>, problem: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            path: path.cloned(),
            problem: problem.into(),
        }
    }

    /// The file.
    ///
    /// ```
    /// # use policy_engine::json::FileError;
    /// assert_eq!(FileError::new("pets.json", None, "empty").file(), "pets.json");
    /// ```
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The JSON path of the bad field, if the file was readable JSON.
    ///
    /// ```
    /// # use policy_engine::json::{FileError, JsonPath};
    /// let err = FileError::new("pets.json", Some(&JsonPath::root().key("api")), "missing");
    /// assert_eq!(err.path().map(JsonPath::as_str), Some("api"));
    /// ```
    pub fn path(&self) -> Option<&JsonPath> {
        self.path.as_ref()
    }

    /// What is wrong, without the file and path.
    ///
    /// ```
    /// # use policy_engine::json::{FileError, JsonPath};
    /// let err = FileError::new("pets.json", Some(&JsonPath::root().key("api")), "missing");
    /// assert_eq!(err.problem(), "missing");
    /// ```
    pub fn problem(&self) -> &str {
        &self.problem
    }
}

/// A strict reader over one JSON object of a file: every getter checks the member's type and
/// reports a [`FileError`] naming the file and the member's path. Shared by the scenario-file
/// and rules-file parsers so both read, and complain, the same way.
///
/// ```
/// use policy_engine::json::{parse_strict, Fields, JsonPath};
///
/// let value = parse_strict(r#"{"method": "GET", "path": "/pets", "ttl": 300}"#)?;
/// let request = Fields::read("case.json", &value, JsonPath::root(), &["method", "path", "ttl"], |_| false)?;
/// assert_eq!(request.required("method")?, "GET");
/// assert_eq!(request.integer("ttl")?, Some(300));
/// let err = request.boolean("path").unwrap_err();
/// assert_eq!(err.to_string(), "case.json: expected true or false, found a string (at `path`)");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Fields<'a> {
    file: &'a str,
    map: &'a Map<String, Value>,
    path: JsonPath,
}

impl<'a> Fields<'a> {
    /// Read `value` at `path` as an object whose members are all in `allowed` (or notes, as
    /// `is_note` says); an unknown member is an error with a did-you-mean hint.
    ///
    /// # Errors
    ///
    /// When `value` is not an object, or has a member not in `allowed` that is not a note.
    ///
    /// ```
    /// # use policy_engine::json::{Fields, JsonPath};
    /// let value = serde_json::json!({"name": "x", "//": "comment"});
    /// let is_note = |k: &str| k.starts_with("//");
    /// assert!(Fields::read("f.json", &value, JsonPath::root(), &["name"], is_note).is_ok());
    /// assert!(Fields::read("f.json", &value, JsonPath::root(), &["name"], |_| false).is_err());
    /// ```
    pub fn read(
        file: &'a str,
        value: &'a Value,
        path: JsonPath,
        allowed: &[&str],
        is_note: impl Fn(&str) -> bool,
    ) -> Result<Self, FileError> {
        let fields = Self::any(file, value, path)?;
        if let Some((key, hint)) = unknown_member(fields.map, allowed, is_note) {
            return Err(fields.err(
                &fields.path.key(key),
                format!("unknown field `{key}`: {hint}"),
            ));
        }
        Ok(fields)
    }

    /// Read `value` at `path` as an object with any members (a map keyed by user names).
    ///
    /// # Errors
    ///
    /// When `value` is not an object.
    ///
    /// ```
    /// # use policy_engine::json::{Fields, JsonPath};
    /// let value = serde_json::json!({"Authorization": "Bearer abc"});
    /// let headers = Fields::any("f.json", &value, JsonPath::root().key("headers"))?;
    /// assert!(headers.contains("Authorization"));
    /// let err = Fields::any("f.json", &serde_json::json!([]), JsonPath::root()).unwrap_err();
    /// assert_eq!(err.problem(), "expected an object, found an array");
    /// # Ok::<(), policy_engine::json::FileError>(())
    /// ```
    pub fn any(file: &'a str, value: &'a Value, path: JsonPath) -> Result<Self, FileError> {
        match value {
            Value::Object(map) => Ok(Self { file, map, path }),
            other => Err(FileError::new(
                file,
                Some(&path),
                format!("expected an object, found {}", type_name(other)),
            )),
        }
    }

    /// An error at `at` in this file, for checks beyond the member's type.
    ///
    /// ```
    /// # use policy_engine::json::{Fields, JsonPath};
    /// let value = serde_json::json!({"ttl": 4000});
    /// let fields = Fields::any("f.json", &value, JsonPath::root())?;
    /// let err = fields.err(&fields.path().key("ttl"), "above 3600");
    /// assert_eq!(err.to_string(), "f.json: above 3600 (at `ttl`)");
    /// # Ok::<(), policy_engine::json::FileError>(())
    /// ```
    pub fn err(&self, at: &JsonPath, problem: impl Into<String>) -> FileError {
        FileError::new(self.file, Some(at), problem)
    }

    /// The object's path.
    ///
    /// ```
    /// # use policy_engine::json::{Fields, JsonPath};
    /// let value = serde_json::json!({});
    /// let fields = Fields::any("f.json", &value, JsonPath::root().key("api"))?;
    /// assert_eq!(fields.path().as_str(), "api");
    /// # Ok::<(), policy_engine::json::FileError>(())
    /// ```
    pub fn path(&self) -> &JsonPath {
        &self.path
    }

    /// The members.
    ///
    /// ```
    /// # use policy_engine::json::{Fields, JsonPath};
    /// let value = serde_json::json!({"a": 1, "b": 2});
    /// assert_eq!(Fields::any("f.json", &value, JsonPath::root())?.map().len(), 2);
    /// # Ok::<(), policy_engine::json::FileError>(())
    /// ```
    pub fn map(&self) -> &'a Map<String, Value> {
        self.map
    }

    /// Member `key`, untyped.
    ///
    /// ```
    /// # use policy_engine::json::{Fields, JsonPath};
    /// let value = serde_json::json!({"policy": {"Version": "2012-10-17"}});
    /// let fields = Fields::any("f.json", &value, JsonPath::root())?;
    /// assert!(fields.get("policy").is_some_and(|p| p.is_object()));
    /// # Ok::<(), policy_engine::json::FileError>(())
    /// ```
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key)
    }

    /// Whether member `key` is present.
    ///
    /// ```
    /// # use policy_engine::json::{Fields, JsonPath};
    /// let value = serde_json::json!({"stage": "prod"});
    /// let fields = Fields::any("f.json", &value, JsonPath::root())?;
    /// assert!(fields.contains("stage") && !fields.contains("path"));
    /// # Ok::<(), policy_engine::json::FileError>(())
    /// ```
    pub fn contains(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    fn wrong_type(&self, key: &str, expected: &str, found: &Value) -> FileError {
        self.err(
            &self.path.key(key),
            format!("expected {expected}, found {}", type_name(found)),
        )
    }

    /// Member `key` as a string, if present.
    ///
    /// # Errors
    ///
    /// When the member is present but not a string.
    ///
    /// ```
    /// # use policy_engine::json::{Fields, JsonPath};
    /// let value = serde_json::json!({"stage": "prod", "ttl": 300});
    /// let fields = Fields::any("f.json", &value, JsonPath::root())?;
    /// assert_eq!(fields.string("stage")?, Some("prod"));
    /// assert_eq!(fields.string("path")?, None);
    /// assert!(fields.string("ttl").is_err());
    /// # Ok::<(), policy_engine::json::FileError>(())
    /// ```
    pub fn string(&self, key: &str) -> Result<Option<&'a str>, FileError> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(self.wrong_type(key, "a string", other)),
        }
    }

    /// Member `key` as a non-empty string; absent or empty is an error.
    ///
    /// # Errors
    ///
    /// When the member is absent, empty or not a string.
    ///
    /// ```
    /// # use policy_engine::json::{Fields, JsonPath};
    /// let value = serde_json::json!({"stage": ""});
    /// let fields = Fields::any("f.json", &value, JsonPath::root())?;
    /// assert_eq!(fields.required("stage").unwrap_err().problem(), "`stage` must not be empty");
    /// assert_eq!(fields.required("path").unwrap_err().problem(), "missing required field `path`");
    /// # Ok::<(), policy_engine::json::FileError>(())
    /// ```
    pub fn required(&self, key: &str) -> Result<&'a str, FileError> {
        match self.string(key)? {
            Some(s) if !s.is_empty() => Ok(s),
            Some(_) => Err(self.err(&self.path.key(key), format!("`{key}` must not be empty"))),
            None => Err(self.err(&self.path, format!("missing required field `{key}`"))),
        }
    }

    /// Member `key` as a boolean, if present.
    ///
    /// # Errors
    ///
    /// When the member is present but not `true` or `false`.
    ///
    /// ```
    /// # use policy_engine::json::{Fields, JsonPath};
    /// let value = serde_json::json!({"signed": true});
    /// let fields = Fields::any("f.json", &value, JsonPath::root())?;
    /// assert_eq!(fields.boolean("signed")?, Some(true));
    /// # Ok::<(), policy_engine::json::FileError>(())
    /// ```
    pub fn boolean(&self, key: &str) -> Result<Option<bool>, FileError> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(self.wrong_type(key, "true or false", other)),
        }
    }

    /// Member `key` as a whole number, if present.
    ///
    /// # Errors
    ///
    /// When the member is present but not a number, or not a whole one that fits an `i64`.
    ///
    /// ```
    /// # use policy_engine::json::{Fields, JsonPath};
    /// let value = serde_json::json!({"at": 1767225600, "ttl": 2.5});
    /// let fields = Fields::any("f.json", &value, JsonPath::root())?;
    /// assert_eq!(fields.integer("at")?, Some(1_767_225_600));
    /// assert_eq!(fields.integer("ttl").unwrap_err().problem(), "expected a whole number, found `2.5`");
    /// # Ok::<(), policy_engine::json::FileError>(())
    /// ```
    pub fn integer(&self, key: &str) -> Result<Option<i64>, FileError> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(|| {
                self.err(
                    &self.path.key(key),
                    format!("expected a whole number, found `{n}`"),
                )
            }),
            Some(other) => Err(self.wrong_type(key, "a number", other)),
        }
    }

    /// Member `key` as one non-empty string or an array of them; absent is empty.
    ///
    /// # Errors
    ///
    /// When the member, or an element of it, is not a non-empty string.
    ///
    /// ```
    /// # use policy_engine::json::{Fields, JsonPath};
    /// let value = serde_json::json!({"one": "GET", "many": ["GET", "POST"]});
    /// let fields = Fields::any("f.json", &value, JsonPath::root())?;
    /// assert_eq!(fields.strings("one")?, ["GET"]);
    /// assert_eq!(fields.strings("many")?, ["GET", "POST"]);
    /// assert!(fields.strings("absent")?.is_empty());
    /// # Ok::<(), policy_engine::json::FileError>(())
    /// ```
    pub fn strings(&self, key: &str) -> Result<Vec<String>, FileError> {
        let Some(value) = self.map.get(key) else {
            return Ok(Vec::new());
        };
        one_or_many(value, &self.path.key(key))
            .into_iter()
            .map(|(v, p)| match v {
                Value::String(s) if !s.is_empty() => Ok(s.clone()),
                other => Err(self.err(
                    &p,
                    format!("expected a non-empty string, found {}", type_name(other)),
                )),
            })
            .collect()
    }

    /// Member `key` as an object of strings (headers, query parameters); absent is empty.
    ///
    /// # Errors
    ///
    /// When the member is not an object, or one of its values is not a string.
    ///
    /// ```
    /// # use policy_engine::json::{Fields, JsonPath};
    /// let value = serde_json::json!({"headers": {"Authorization": "Bearer abc"}});
    /// let fields = Fields::any("f.json", &value, JsonPath::root())?;
    /// assert_eq!(
    ///     fields.string_map("headers")?,
    ///     [("Authorization".to_owned(), "Bearer abc".to_owned())]
    /// );
    /// # Ok::<(), policy_engine::json::FileError>(())
    /// ```
    pub fn string_map(&self, key: &str) -> Result<Vec<(String, String)>, FileError> {
        let Some(value) = self.map.get(key) else {
            return Ok(Vec::new());
        };
        let path = self.path.key(key);
        let Value::Object(map) = value else {
            return Err(self.wrong_type(key, "an object of strings", value));
        };
        map.iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.clone(), s.clone())),
                other => Err(self.err(
                    &path.key(k),
                    format!("expected a string, found {}", type_name(other)),
                )),
            })
            .collect()
    }

    /// Member `key` as a nested strict object, if present.
    ///
    /// # Errors
    ///
    /// As [`Fields::read`], for the member's value.
    ///
    /// ```
    /// # use policy_engine::json::{Fields, JsonPath};
    /// let value = serde_json::json!({"request": {"method": "GET", "path": "/pets"}});
    /// let fields = Fields::any("f.json", &value, JsonPath::root())?;
    /// let request = fields.object("request", &["method", "path"], |_| false)?.ok_or("absent")?;
    /// assert_eq!(request.path().as_str(), "request");
    /// assert_eq!(request.required("path")?, "/pets");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn object(
        &self,
        key: &str,
        allowed: &[&str],
        is_note: impl Fn(&str) -> bool,
    ) -> Result<Option<Fields<'a>>, FileError> {
        self.map
            .get(key)
            .map(|v| Fields::read(self.file, v, self.path.key(key), allowed, is_note))
            .transpose()
    }
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

    #[test]
    fn duplicate_members_are_refused_with_their_name_and_place() {
        let error =
            parse_strict("{\"Statement\": [{\"Effect\": \"Deny\",\n \"Effect\": \"Allow\"}]}")
                .unwrap_err()
                .to_string();
        assert_eq!(
            error,
            "duplicate member `Effect`: an object may name a member once (which one was meant is ambiguous) at line 2 column 9"
        );
        assert!(
            parse_strict(r#"{"a": 1, "a": 1}"#).is_err(),
            "even with equal values"
        );
        assert!(
            parse_strict(r#"[{"a": {"b": 1, "b": 2}}]"#).is_err(),
            "at any depth"
        );
        // The same name in different objects, or differing in case, is fine.
        assert!(parse_strict(r#"{"a": {"x": 1}, "b": {"x": 1}, "A": 2}"#).is_ok());
    }

    #[test]
    fn strict_parsing_reads_every_valid_document_as_serde_json_does() {
        for text in [
            r#"{"n": [0, -1, 18446744073709551615, -9223372036854775808, 1.5, 1e300, -0.0]}"#,
            r#"{"s": "a\u0000b\ud83d\ude00", "t": true, "f": false, "z": null, "e": {}, "l": []}"#,
            r#""just a string""#,
            "  [1, [2, [3]]]  ",
        ] {
            let loose: Value = serde_json::from_str(text).unwrap();
            assert_eq!(parse_strict(text).unwrap(), loose, "{text}");
        }
        for bad in ["", "{", "[1,]", "{\"a\" 1}", "1e400", "nan", "[1] [2]"] {
            assert!(parse_strict(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn nesting_beyond_the_limit_is_an_error_not_a_stack_overflow() {
        let deep = "[".repeat(100_000);
        assert!(
            parse_strict(&deep)
                .unwrap_err()
                .to_string()
                .starts_with("recursion limit exceeded")
        );
    }

    proptest::proptest! {
        /// Without duplicate names, strict and ordinary parsing agree on any JSON document.
        #[test]
        fn strict_parsing_agrees_with_serde_json(value in json_value()) {
            let text = value.to_string();
            let loose: Value = serde_json::from_str(&text).unwrap();
            proptest::prop_assert_eq!(parse_strict(&text).unwrap(), loose);
        }
    }

    fn json_value() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            (-1e12f64..1e12).prop_map(Value::from),
            ".{0,8}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::btree_map("[a-zA-Z]{0,3}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }
}
