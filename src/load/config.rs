//! The workspace's cargo configuration: `<root>/.cargo/config.toml` (or the older
//! `<root>/.cargo/config`), the file cargo reads when it runs in the workspace root. The
//! configuration of parent directories and of `$CARGO_HOME` belongs to a machine, not to the
//! workspace, and is not read: a Nix build could not see it.
//!
//! What is applied: `[build] rustflags`, `[target.<triple>] rustflags`,
//! `[target.'cfg(…)'] rustflags`, `[env]` and `[profile.*]`. Keys that change what or how cargo
//! builds but that crateplan does not apply are reported as warnings; keys about fetching,
//! registries or the terminal change nothing of a build and are passed over.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::manifest::parse;
use crate::manifest::profile::RawProfile;

/// The places cargo looks for the configuration of a directory, relative to it, in the order it
/// prefers them.
pub(crate) const CONFIG_PATHS: [&str; 2] = [".cargo/config", ".cargo/config.toml"];

/// The workspace's cargo configuration, as far as it changes a build.
#[derive(Debug, Default)]
pub struct Config {
    /// The file read (relative to the workspace root) and its sha256; `None` without one.
    pub(crate) file: Option<(String, String)>,
    /// `[build] rustflags`.
    pub(crate) build_rustflags: Option<Vec<String>>,
    /// `[target.<triple or cfg>] rustflags`, by key.
    pub(crate) target_rustflags: BTreeMap<String, Vec<String>>,
    /// `[env]`.
    pub(crate) env: BTreeMap<String, EnvValue>,
    /// `[profile.*]`.
    pub(crate) profiles: BTreeMap<String, RawProfile>,
    /// Keys crateplan does not apply, as dotted paths.
    pub(crate) unapplied: Vec<String>,
}

/// One `[env]` entry: `NAME = "value"` or `NAME = { value, force, relative }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EnvValue {
    pub(crate) value: String,
    /// Overrides a variable the environment already has.
    pub(crate) force: bool,
    /// `value` is a path relative to the workspace root (the directory holding `.cargo/`).
    pub(crate) relative: bool,
}

#[derive(Deserialize, Default)]
struct RawConfig {
    #[serde(default)]
    build: RawBuild,
    #[serde(default)]
    target: BTreeMap<String, RawTarget>,
    #[serde(default)]
    env: BTreeMap<String, RawEnv>,
    #[serde(default)]
    profile: BTreeMap<String, RawProfile>,
    #[serde(flatten)]
    other: BTreeMap<String, toml::Value>,
}

#[derive(Deserialize, Default)]
struct RawBuild {
    rustflags: Option<StringList>,
    #[serde(flatten)]
    other: BTreeMap<String, toml::Value>,
}

#[derive(Deserialize, Default)]
struct RawTarget {
    rustflags: Option<StringList>,
    #[serde(flatten)]
    other: BTreeMap<String, toml::Value>,
}

/// Cargo's `StringList`: an array, or one string split at whitespace.
#[derive(Deserialize)]
#[serde(untagged)]
enum StringList {
    String(String),
    List(Vec<String>),
}

impl StringList {
    fn into_vec(self) -> Vec<String> {
        match self {
            StringList::String(s) => s.split_whitespace().map(str::to_string).collect(),
            StringList::List(l) => l,
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawEnv {
    Value(String),
    Table {
        value: String,
        #[serde(default)]
        force: bool,
        #[serde(default)]
        relative: bool,
    },
}

/// Top-level tables that change nothing of what is built or how.
const NO_BUILD_EFFECT: &[&str] = &["alias", "cargo-new", "credential-alias", "future-incompat-report", "http", "install", "net", "registries", "registry", "source", "term", "cache", "resolver"];
/// `[build]` keys that change nothing of a Nix build.
const BUILD_NO_EFFECT: &[&str] = &["jobs", "target-dir", "build-dir", "incremental", "pipelining", "dep-info-basedir"];

impl Config {
    /// Reads the configuration of the workspace at `root`; the default when it has none.
    pub(crate) fn load(root: &Path) -> Result<Config> {
        let Some(path) = CONFIG_PATHS.iter().map(|p| root.join(p)).find(|p| p.is_file()) else {
            return Ok(Config::default());
        };
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let raw: RawConfig = parse::toml(&text, &path)?;
        let rel = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
        let mut unapplied: Vec<String> = raw.other.keys().filter(|k| !NO_BUILD_EFFECT.contains(&k.as_str())).cloned().collect();
        unapplied.extend(raw.build.other.keys().filter(|k| !BUILD_NO_EFFECT.contains(&k.as_str())).map(|k| format!("build.{k}")));
        let mut target_rustflags = BTreeMap::new();
        for (key, t) in raw.target {
            unapplied.extend(t.other.keys().map(|k| format!("target.{key}.{k}")));
            if let Some(flags) = t.rustflags {
                if key.starts_with("cfg(") {
                    crate::manifest::platform::Platform::parse(&key)
                        .map_err(|e| Error::in_file(&path, format!("`[target.'{key}']`: not a valid cfg expression ({e})")))?;
                }
                target_rustflags.insert(key, flags.into_vec());
            }
        }
        for (name, p) in &raw.profile {
            p.unknown_keys(&format!("profile.{name}"), &mut unapplied);
        }
        let env = raw
            .env
            .into_iter()
            .map(|(k, v)| {
                let v = match v {
                    RawEnv::Value(value) => EnvValue { value, force: false, relative: false },
                    RawEnv::Table { value, force, relative } => EnvValue { value, force, relative },
                };
                (k, v)
            })
            .collect();
        Ok(Config {
            file: Some((rel, crate::load::digest::sha256_hex(text.as_bytes()))),
            build_rustflags: raw.build.rustflags.map(StringList::into_vec),
            target_rustflags,
            env,
            profiles: raw.profile,
            unapplied,
        })
    }

    /// The path of the file read, for messages.
    pub(crate) fn path(&self, root: &Path) -> Option<PathBuf> {
        self.file.as_ref().map(|(rel, _)| root.join(rel))
    }
}
