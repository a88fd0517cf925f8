//! Which files a run reads — the arguments of `policy-sim test` and `policy-sim lint` — and
//! what kind of file each JSON file found is.
//!
//! An argument is an existing file (read as given), an existing folder (searched recursively
//! for `*.json` files), or else a glob pattern (`'tests/**/*.json'`, matched by the `glob`
//! crate). A plain path that does not exist and a pattern that matches nothing are errors
//! naming them, so a typo in CI cannot turn into a run that checked nothing.
//!
//! A folder search skips hidden entries (names starting with `.`: `.git`, editor backups),
//! folders named `target` (build output) and `node_modules` (installed packages), and does not
//! follow symbolic links to folders (a link to a file is read); patterns skip the same unless
//! they name such a folder themselves. Files found are sorted by path and each is read once,
//! even when several arguments reach it.
//!
//! A folder that holds scenarios often holds other JSON files too: the OpenAPI export a
//! scenario names, an authorizer rules file, events and responses. [`FileKind::of`] tells them
//! apart, so a run leaves out the files it does not read (saying so) instead of failing on
//! their first field.

use std::collections::HashMap;
use std::fmt;
use std::path::{Component, Path, PathBuf};

use serde_json::Value;

use super::ScenarioError;
use crate::json::FileError;

/// A file a run reads, and how the run came to it.
///
/// ```
/// use policy_engine::scenario::find_files;
///
/// # let dir = std::env::temp_dir().join(format!("policy-engine-found-doc-{}", std::process::id()));
/// # std::fs::create_dir_all(dir.join("nested"))?;
/// std::fs::write(dir.join("nested/pets.json"), "{}")?;
/// let found = find_files(&[&dir]);
/// assert_eq!(found.files[0].path, dir.join("nested/pets.json"));
/// assert!(!found.files[0].named); // found in a folder, not named
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FoundFile {
    /// The file, as given or as found under the argument.
    pub path: PathBuf,
    /// Named as an argument (`true`), or found in a folder or by a pattern (`false`). A file
    /// found may be another kind of file, which a run leaves out; a file named must be one the
    /// command reads.
    pub named: bool,
}

/// What [`find_files`] found: the files, in order, and an error for every argument that names
/// no file (all of them, not only the first).
///
/// ```
/// use policy_engine::scenario::find_files;
///
/// let found = find_files(&["no/such/file.json", "no/such/folder/**/*.json"]);
/// assert!(found.files.is_empty());
/// assert_eq!(found.errors.len(), 2);
/// assert_eq!(found.errors[0].to_string(), "no/such/file.json: no such file or directory");
/// assert_eq!(found.errors[1].problem(), "the pattern matches no file");
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct FoundFiles {
    /// The files, each once: named files in argument order, the files of each folder or
    /// pattern sorted by path.
    pub files: Vec<FoundFile>,
    /// Arguments that do not exist, patterns that match nothing or are invalid, folders that
    /// cannot be read.
    pub errors: Vec<ScenarioError>,
}

/// Folders a search does not enter (besides hidden ones): build output and installed
/// packages, which hold JSON files that are not the user's.
const SKIPPED_FOLDERS: [&str; 2] = ["target", "node_modules"];

/// The files `paths` name. Each path is an existing file (taken as given, whatever its
/// name), an existing folder (searched recursively for `*.json` files), or else a glob pattern
/// (`*`, `?`, `[...]`, `**` for any folders; a match that is a folder is searched, a match that
/// is a file is taken when it ends in `.json`). A plain path that does not exist and a pattern
/// that matches nothing are errors naming them.
///
/// A folder search skips hidden entries (names starting with `.`: `.git`, editor backups),
/// folders named `target` (build output) and `node_modules` (installed packages), and does not
/// follow symbolic links to folders (a link to a file is read); a pattern skips the same
/// folders unless it spells them out (`target/*.json`). Files are sorted by path within each
/// argument, and a file reached by several arguments is read once.
///
/// ```
/// use policy_engine::scenario::find_files;
///
/// # let dir = std::env::temp_dir().join(format!("policy-engine-find-doc-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir)?;
/// for name in ["b.json", "a/c.json", "a/notes.md", ".hidden/d.json", "target/e.json"] {
///     let path = dir.join(name);
///     std::fs::create_dir_all(path.parent().unwrap())?;
///     std::fs::write(path, "{}")?;
/// }
/// let found = find_files(&[&dir]);
/// let paths: Vec<_> = found.files.iter().map(|f| f.path.clone()).collect();
/// assert_eq!(paths, [dir.join("a/c.json"), dir.join("b.json")]);
/// assert!(found.errors.is_empty());
///
/// let pattern = format!("{}/*.json", dir.display());
/// assert_eq!(find_files(&[pattern]).files.len(), 1); // `*` stays in its folder
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn find_files<P: AsRef<Path>>(paths: &[P]) -> FoundFiles {
    let mut found = FoundFiles::default();
    let mut seen: HashMap<PathBuf, usize> = HashMap::new();
    let mut add = |found: &mut FoundFiles, path: PathBuf, named: bool| match seen.get(&path) {
        // A file reached twice is read once; named by any argument, it counts as named.
        Some(&index) => {
            if let Some(file) = found.files.get_mut(index) {
                file.named |= named;
            }
        }
        None => {
            seen.insert(path.clone(), found.files.len());
            found.files.push(FoundFile { path, named });
        }
    };
    for path in paths {
        let path = path.as_ref();
        let name = path.display().to_string();
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {
                let mut files = Vec::new();
                walk(path, &mut files, &mut found.errors);
                files.sort();
                for file in files {
                    add(&mut found, file, false);
                }
            }
            Ok(_) => add(&mut found, path.to_path_buf(), true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                match path.to_str().filter(|p| is_pattern(p)) {
                    Some(pattern) => match search(pattern, &mut found.errors) {
                        Ok(files) => {
                            for file in files {
                                add(&mut found, file, false);
                            }
                        }
                        Err(e) => found.errors.push(e),
                    },
                    None => {
                        found
                            .errors
                            .push(FileError::new(&name, None, "no such file or directory"))
                    }
                }
            }
            Err(e) => {
                found
                    .errors
                    .push(FileError::new(&name, None, format!("cannot read it ({e})")))
            }
        }
    }
    found
}

/// Whether an argument that is not an existing path is meant as a glob pattern.
fn is_pattern(text: &str) -> bool {
    text.contains(['*', '?', '['])
}

/// Whether a folder search leaves this entry out: hidden, or a folder of others' files.
fn skipped(name: &str, is_dir: bool) -> bool {
    name.starts_with('.') || (is_dir && SKIPPED_FOLDERS.contains(&name))
}

fn is_json(path: &Path) -> bool {
    path.extension().is_some_and(|x| x == "json")
}

/// The `*.json` files under `dir`, recursively (unsorted); folders that cannot be read are
/// errors.
fn walk(dir: &Path, files: &mut Vec<PathBuf>, errors: &mut Vec<ScenarioError>) {
    let unreadable = |e: std::io::Error| {
        FileError::new(
            &dir.display().to_string(),
            None,
            format!("cannot read the folder ({e})"),
        )
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            errors.push(unreadable(e));
            return;
        }
    };
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                errors.push(unreadable(e));
                continue;
            }
        };
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        // `file_type` does not follow symbolic links: a link to a folder is not entered (no
        // loops); a link to a file is read like the file.
        let Ok(file_type) = entry.file_type() else {
            continue;
        };
        if file_type.is_dir() {
            if !skipped(&name, true) {
                walk(&path, files, errors);
            }
        } else if !skipped(&name, false)
            && is_json(&path)
            && (file_type.is_file() || path.is_file())
        {
            files.push(path);
        }
    }
}

/// The `*.json` files a glob pattern reaches (sorted): matching files, and the files under
/// matching folders.
///
/// # Errors
///
/// An invalid pattern, or one that reaches no `*.json` file. Folders that cannot be read on
/// the way are added to `errors`.
fn search(pattern: &str, errors: &mut Vec<ScenarioError>) -> Result<Vec<PathBuf>, ScenarioError> {
    let options = ::glob::MatchOptions {
        case_sensitive: true,
        // `*` stays within one folder; `**` crosses folders.
        require_literal_separator: true,
        // Hidden files and folders only when the pattern spells the dot.
        require_literal_leading_dot: true,
    };
    let matches = ::glob::glob_with(pattern, options).map_err(|e| {
        FileError::new(
            pattern,
            None,
            format!(
                "not a valid pattern: {} (at character {}); a path that does not exist is read as a pattern when it holds `*`, `?` or `[`",
                e.msg,
                e.pos.saturating_add(1)
            ),
        )
    })?;
    // Folders the pattern spells out itself (`target/*.json`) are searched even if a folder
    // search would skip them.
    let spelled: Vec<&str> = pattern.split(['/', '\\']).collect();
    let mut files = Vec::new();
    let mut matched_any = false;
    for entry in matches {
        let path = match entry {
            Ok(path) => path,
            Err(e) => {
                errors.push(FileError::new(
                    &e.path().display().to_string(),
                    None,
                    format!("cannot read the folder ({})", e.error()),
                ));
                continue;
            }
        };
        matched_any = true;
        let skipped_folder = path.components().any(|c| match c {
            Component::Normal(part) => part
                .to_str()
                .is_some_and(|p| SKIPPED_FOLDERS.contains(&p) && !spelled.contains(&p)),
            _ => false,
        });
        if skipped_folder {
            continue;
        }
        if path.is_dir() {
            walk(&path, &mut files, errors);
        } else if is_json(&path) {
            files.push(path);
        }
    }
    if files.is_empty() {
        let problem = if matched_any {
            "the pattern matches no `*.json` file"
        } else {
            "the pattern matches no file"
        };
        return Err(FileError::new(pattern, None, problem));
    }
    files.sort();
    files.dedup();
    Ok(files)
}

/// What a JSON file is, told from its top-level members: a scenario file, or one of the other
/// files that sit beside scenarios in an API's folder. More kinds may be added.
///
/// ```
/// use policy_engine::scenario::FileKind;
/// use serde_json::json;
///
/// assert_eq!(FileKind::of(&json!({"api": {}, "cases": []})), Some(FileKind::Scenario));
/// assert_eq!(FileKind::of(&json!({"openapi": "3.0.1", "info": {}})), Some(FileKind::OpenApi));
/// assert_eq!(FileKind::of(&json!({"keys": []})), Some(FileKind::Jwks));
/// assert_eq!(FileKind::of(&json!({"hello": "world"})), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FileKind {
    /// A scenario file: `api`, `cases`.
    Scenario,
    /// An OpenAPI (or Swagger) export: an `openapi` or `swagger` string.
    OpenApi,
    /// An authorizer rules file (the `authorizer` binary's configuration): `token`, `jwt`,
    /// `rules`.
    AuthorizerRules,
    /// An IAM policy: `Statement`, or the policy as an escaped JSON string.
    Policy,
    /// The output of `aws apigateway get-rest-api`: `policy`.
    GetRestApi,
    /// An event API Gateway sends an authorizer: `methodArn` or `routeArn`, or `type` with
    /// `requestContext`.
    AuthorizerEvent,
    /// An authorizer's response: `principalId`, `policyDocument` or `isAuthorized`.
    AuthorizerResponse,
    /// A JSON Web Key Set: `keys`.
    Jwks,
}

impl FileKind {
    /// The kind of `value`, or `None` for JSON that is none of them.
    ///
    /// ```
    /// use policy_engine::scenario::FileKind;
    /// use serde_json::json;
    ///
    /// let event = json!({"type": "TOKEN", "authorizationToken": "abc",
    ///     "methodArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets"});
    /// assert_eq!(FileKind::of(&event), Some(FileKind::AuthorizerEvent));
    /// assert_eq!(FileKind::of(&json!({"token": {}, "jwt": {}, "rules": []})), Some(FileKind::AuthorizerRules));
    /// assert_eq!(FileKind::of(&json!({"Version": "2012-10-17", "Statement": []})), Some(FileKind::Policy));
    /// ```
    pub fn of(value: &Value) -> Option<FileKind> {
        let has = |key: &str| value.get(key).is_some();
        let kind = if has("api") || has("cases") {
            FileKind::Scenario
        } else if crate::openapi::is_openapi(value) {
            FileKind::OpenApi
        } else if has("jwt") || has("rules") || has("token") {
            // Before responses: a rules file has a `principalId` too (where to take it from).
            FileKind::AuthorizerRules
        } else if has("policyDocument") || has("isAuthorized") || has("principalId") {
            FileKind::AuthorizerResponse
        } else if has("methodArn") || has("routeArn") || (has("type") && has("requestContext")) {
            FileKind::AuthorizerEvent
        } else if has("Statement") || value.is_string() {
            FileKind::Policy
        } else if has("policy") {
            FileKind::GetRestApi
        } else if matches!(value.get("keys"), Some(Value::Array(_))) {
            FileKind::Jwks
        } else {
            return None;
        };
        Some(kind)
    }

    /// A short name, for JSON reports: `scenario`, `openapi`, `authorizer rules`, `policy`,
    /// `get-rest-api output`, `authorizer event`, `authorizer output`, `jwks`.
    ///
    /// ```
    /// use policy_engine::scenario::FileKind;
    ///
    /// assert_eq!(FileKind::AuthorizerRules.name(), "authorizer rules");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            FileKind::Scenario => "scenario",
            FileKind::OpenApi => "openapi",
            FileKind::AuthorizerRules => "authorizer rules",
            FileKind::Policy => "policy",
            FileKind::GetRestApi => "get-rest-api output",
            FileKind::AuthorizerEvent => "authorizer event",
            FileKind::AuthorizerResponse => "authorizer output",
            FileKind::Jwks => "jwks",
        }
    }

    /// What the file is taken for, with the members that told: ``an OpenAPI export
    /// (`openapi` or `swagger`)``.
    ///
    /// ```
    /// use policy_engine::scenario::FileKind;
    ///
    /// assert_eq!(FileKind::Jwks.description(), "a JSON Web Key Set (`keys`)");
    /// ```
    pub fn description(self) -> &'static str {
        match self {
            FileKind::Scenario => "a scenario file (`api`, `cases`)",
            FileKind::OpenApi => "an OpenAPI export (`openapi` or `swagger`)",
            FileKind::AuthorizerRules => "an authorizer rules file (`token`, `jwt`, `rules`)",
            FileKind::Policy => "a policy (`Statement`)",
            FileKind::GetRestApi => "`aws apigateway get-rest-api` output (`policy`)",
            FileKind::AuthorizerEvent => "an authorizer event (`type`, `methodArn` or `routeArn`)",
            FileKind::AuthorizerResponse => {
                "an authorizer response (`principalId`, `policyDocument` or `isAuthorized`)"
            }
            FileKind::Jwks => "a JSON Web Key Set (`keys`)",
        }
    }

    /// How a scenario uses a file of this kind: the fix when one is given to `policy-sim
    /// test` as if it were a scenario.
    fn in_a_scenario(self) -> &'static str {
        match self {
            FileKind::Scenario => "run it with `policy-sim test`",
            FileKind::OpenApi => {
                "a scenario reads it through `\"openapi\": \"FILE\"`; review it with `policy-sim lint`"
            }
            FileKind::AuthorizerRules => {
                "a scenario runs it through `\"auth\": {\"rules\": \"FILE\"}`"
            }
            FileKind::Policy => {
                "a scenario holds it as `\"resourcePolicy\"` (or a request's `\"identityPolicies\"`); `policy-sim check --resource-policy FILE` and `policy-sim lint` read it alone"
            }
            FileKind::GetRestApi => {
                "`policy-sim check --resource-policy FILE` and `policy-sim lint` read it"
            }
            FileKind::AuthorizerEvent => {
                "give it to an authorizer (`authorizer invoke --event FILE`); a scenario's cases make the events themselves"
            }
            FileKind::AuthorizerResponse => {
                "a scenario holds it in `\"auth\": {\"responses\": {IDENTITY: RESPONSE}}`; `policy-sim check --authorizer-output FILE` and `policy-sim lint` read it alone"
            }
            FileKind::Jwks => "a rules file names it as `\"jwksFile\"`",
        }
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A file a folder search or a pattern found that is not a scenario but another kind of file
/// (an OpenAPI export beside the scenarios that name it...): left out of the run, and said so.
///
/// ```
/// use policy_engine::scenario::{FileKind, LeftOut};
///
/// let left_out = LeftOut::new("api/pets-export.json", FileKind::OpenApi);
/// assert_eq!(left_out.to_string(),
///            "api/pets-export.json: left out: an OpenAPI export (`openapi` or `swagger`), not a scenario file");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LeftOut {
    /// The file, as found.
    pub file: String,
    /// What it was taken for.
    pub kind: FileKind,
}

impl LeftOut {
    /// `file`, taken for `kind`.
    ///
    /// ```
    /// use policy_engine::scenario::{FileKind, LeftOut};
    ///
    /// assert_eq!(LeftOut::new("jwks.json", FileKind::Jwks).kind, FileKind::Jwks);
    /// ```
    pub fn new(file: &str, kind: FileKind) -> Self {
        Self {
            file: file.to_owned(),
            kind,
        }
    }
}

impl fmt::Display for LeftOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: left out: {}, not a scenario file",
            self.file,
            self.kind.description()
        )
    }
}

/// The error for a file named as a scenario that is recognisably another kind of file.
pub(super) fn not_a_scenario(file: &str, kind: FileKind) -> ScenarioError {
    FileError::new(
        file,
        None,
        format!(
            "this is {}, not a scenario file: {}",
            kind.description(),
            kind.in_a_scenario()
        ),
    )
}

/// The error for JSON that is no kind of file a run knows.
pub(super) fn unknown_kind(file: &str, value: &Value) -> ScenarioError {
    let members = match value {
        Value::Object(map) if !map.is_empty() => format!(
            " (its members: {})",
            map.keys()
                .take(5)
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        _ => String::new(),
    };
    FileError::new(
        file,
        None,
        format!(
            "not a scenario file: it has neither `api` nor `cases`{members}, and it is not one of the files a folder run leaves out (an OpenAPI export, an authorizer rules file, a policy, `get-rest-api` output, an authorizer event or response, a JWKS); give it `api` and `cases`, or move it out of the folder"
        ),
    )
}
