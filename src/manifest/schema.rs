//! Cargo.toml as written: the serde shapes of its tables, before workspace inheritance and
//! target discovery.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::Result;
use crate::manifest::lints;
use crate::manifest::parse;

#[derive(Deserialize, Default, Clone)]
#[serde(rename_all = "kebab-case")]
pub struct RawManifest {
    pub package: Option<RawPackage>,
    pub project: Option<RawPackage>,
    pub workspace: Option<RawWorkspace>,
    pub lib: Option<RawTarget>,
    #[serde(default)]
    pub bin: Vec<RawTarget>,
    pub example: Option<Vec<RawTarget>>,
    pub test: Option<Vec<RawTarget>>,
    pub bench: Option<Vec<RawTarget>>,
    #[serde(default)]
    pub dependencies: BTreeMap<String, RawDependency>,
    #[serde(default, alias = "dev_dependencies")]
    pub dev_dependencies: BTreeMap<String, RawDependency>,
    #[serde(default, alias = "build_dependencies")]
    pub build_dependencies: BTreeMap<String, RawDependency>,
    #[serde(default)]
    pub target: BTreeMap<String, RawPlatformDeps>,
    #[serde(default)]
    pub features: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub patch: BTreeMap<String, BTreeMap<String, RawDependency>>,
    #[serde(default)]
    pub replace: BTreeMap<String, RawDependency>,
    #[serde(default)]
    pub profile: BTreeMap<String, RawProfile>,
    pub lints: Option<lints::RawLints>,
}

/// A `[profile.NAME]` table, as far as the unit graph depends on it.
#[derive(Deserialize, Default, Clone)]
pub struct RawProfile {
    pub panic: Option<String>,
    pub inherits: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(rename_all = "kebab-case")]
pub struct RawPlatformDeps {
    #[serde(default)]
    pub dependencies: BTreeMap<String, RawDependency>,
    #[serde(default, alias = "dev_dependencies")]
    pub dev_dependencies: BTreeMap<String, RawDependency>,
    #[serde(default, alias = "build_dependencies")]
    pub build_dependencies: BTreeMap<String, RawDependency>,
}

/// A `[package]` field that may say `{ workspace = true }`.
#[derive(Clone)]
pub enum Inheritable<T> {
    Value(T),
    Workspace { workspace: bool },
}

/// A value, or a table (`{ workspace = true }`), told apart by what the TOML holds: serde's
/// `untagged` would first copy every field of every manifest into a buffer of its own.
impl<'de, T: Deserialize<'de>> Deserialize<'de> for Inheritable<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        use serde::de::{value::MapAccessDeserializer, value::SeqAccessDeserializer, IntoDeserializer};
        struct Shape<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Shape<T> {
            type Value = Inheritable<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a value or `{ workspace = true }`")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<Self::Value, E> {
                T::deserialize(v.into_deserializer()).map(Inheritable::Value)
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> std::result::Result<Self::Value, E> {
                T::deserialize(v.into_deserializer()).map(Inheritable::Value)
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> std::result::Result<Self::Value, E> {
                T::deserialize(v.into_deserializer()).map(Inheritable::Value)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> std::result::Result<Self::Value, A::Error> {
                T::deserialize(SeqAccessDeserializer::new(seq)).map(Inheritable::Value)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> std::result::Result<Self::Value, A::Error> {
                #[derive(Deserialize)]
                struct Workspace {
                    workspace: bool,
                }
                let Workspace { workspace } = Workspace::deserialize(MapAccessDeserializer::new(map))?;
                Ok(Inheritable::Workspace { workspace })
            }
        }
        deserializer.deserialize_any(Shape(std::marker::PhantomData))
    }
}

#[derive(Clone)]
pub enum StringOrBool {
    Bool(bool),
    String(String),
}

impl<'de> Deserialize<'de> for StringOrBool {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct Shape;
        impl<'de> serde::de::Visitor<'de> for Shape {
            type Value = StringOrBool;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string or a boolean")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<StringOrBool, E> {
                Ok(StringOrBool::String(v.to_string()))
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> std::result::Result<StringOrBool, E> {
                Ok(StringOrBool::Bool(v))
            }
        }
        deserializer.deserialize_any(Shape)
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(rename_all = "kebab-case")]
pub struct RawPackage {
    pub name: Option<String>,
    pub version: Option<Inheritable<String>>,
    pub edition: Option<Inheritable<String>>,
    pub links: Option<String>,
    pub build: Option<StringOrBool>,
    pub workspace: Option<String>,
    pub resolver: Option<String>,
    pub autolib: Option<bool>,
    pub autobins: Option<bool>,
    pub autoexamples: Option<bool>,
    pub autotests: Option<bool>,
    pub autobenches: Option<bool>,
    pub authors: Option<Inheritable<Vec<String>>>,
    pub description: Option<Inheritable<String>>,
    pub homepage: Option<Inheritable<String>>,
    pub repository: Option<Inheritable<String>>,
    pub license: Option<Inheritable<String>>,
    pub license_file: Option<Inheritable<String>>,
    pub rust_version: Option<Inheritable<String>>,
    pub readme: Option<Inheritable<StringOrBool>>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(rename_all = "kebab-case")]
pub struct RawWorkspace {
    #[serde(default)]
    pub members: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
    pub default_members: Option<Vec<String>>,
    pub resolver: Option<String>,
    pub lints: Option<lints::LintTables>,
    #[serde(default)]
    pub dependencies: BTreeMap<String, RawDependency>,
    pub package: Option<RawPackage>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(rename_all = "kebab-case")]
pub struct RawTarget {
    pub name: Option<String>,
    pub path: Option<String>,
    #[serde(alias = "crate_type")]
    pub crate_type: Option<Vec<String>>,
    #[serde(alias = "proc_macro")]
    pub proc_macro: Option<bool>,
    #[serde(alias = "required_features")]
    pub required_features: Option<Vec<String>>,
    pub edition: Option<String>,
    pub test: Option<bool>,
    pub doctest: Option<bool>,
    pub bench: Option<bool>,
    pub doc: Option<bool>,
    pub harness: Option<bool>,
}

#[derive(Clone)]
pub enum RawDependency {
    Version(String),
    Detailed(Box<RawDetailedDependency>),
}

/// A string or a table, told apart by what the TOML holds (serde's `untagged` would buffer every
/// table first, for each of a workspace's thousands of dependencies).
impl<'de> Deserialize<'de> for RawDependency {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct Shape;
        impl<'de> serde::de::Visitor<'de> for Shape {
            type Value = RawDependency;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a version requirement (\"1.0\") or a dependency table ({ version = \"1.0\", … })")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<RawDependency, E> {
                Ok(RawDependency::Version(v.to_string()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> std::result::Result<RawDependency, A::Error> {
                RawDetailedDependency::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(|d| RawDependency::Detailed(Box::new(d)))
            }
        }
        deserializer.deserialize_any(Shape)
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(rename_all = "kebab-case")]
pub struct RawDetailedDependency {
    pub version: Option<String>,
    pub path: Option<String>,
    pub git: Option<String>,
    pub branch: Option<String>,
    pub tag: Option<String>,
    pub rev: Option<String>,
    pub registry: Option<String>,
    pub registry_index: Option<String>,
    pub package: Option<String>,
    pub optional: Option<bool>,
    #[serde(default)]
    pub features: Vec<String>,
    #[serde(alias = "default_features")]
    pub default_features: Option<bool>,
    pub workspace: Option<bool>,
}

impl RawDependency {
    pub fn detailed(&self) -> RawDetailedDependency {
        match self {
            RawDependency::Version(v) => RawDetailedDependency { version: Some(v.clone()), ..Default::default() },
            RawDependency::Detailed(d) => (**d).clone(),
        }
    }
}

/// Parses Cargo.toml text.
pub(crate) fn parse_raw(text: &str, path: &Path) -> Result<RawManifest> {
    let mut raw: RawManifest = parse::toml(text, path)?;
    if raw.package.is_none() {
        raw.package = raw.project.take();
    }
    Ok(raw)
}
