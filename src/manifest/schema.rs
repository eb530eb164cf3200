//! Cargo.toml as written: the serde shapes of its tables, before workspace inheritance and
//! target discovery.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::Result;
use crate::manifest::lints;
use crate::manifest::parse;
use crate::manifest::profile::RawProfile;

#[derive(Deserialize, Default, Clone)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct RawManifest {
    pub(crate) package: Option<RawPackage>,
    pub(crate) project: Option<RawPackage>,
    pub(crate) workspace: Option<RawWorkspace>,
    pub(crate) lib: Option<RawTarget>,
    #[serde(default)]
    pub(crate) bin: Vec<RawTarget>,
    pub(crate) example: Option<Vec<RawTarget>>,
    pub(crate) test: Option<Vec<RawTarget>>,
    pub(crate) bench: Option<Vec<RawTarget>>,
    #[serde(default)]
    pub(crate) dependencies: BTreeMap<String, RawDependency>,
    #[serde(default, alias = "dev_dependencies")]
    pub(crate) dev_dependencies: BTreeMap<String, RawDependency>,
    #[serde(default, alias = "build_dependencies")]
    pub(crate) build_dependencies: BTreeMap<String, RawDependency>,
    #[serde(default)]
    pub(crate) target: BTreeMap<String, RawPlatformDeps>,
    #[serde(default)]
    pub(crate) features: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub(crate) patch: BTreeMap<String, BTreeMap<String, RawDependency>>,
    #[serde(default)]
    pub(crate) replace: BTreeMap<String, RawDependency>,
    #[serde(default)]
    pub(crate) profile: BTreeMap<String, RawProfile>,
    pub(crate) lints: Option<lints::RawLints>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct RawPlatformDeps {
    #[serde(default)]
    pub(crate) dependencies: BTreeMap<String, RawDependency>,
    #[serde(default, alias = "dev_dependencies")]
    pub(crate) dev_dependencies: BTreeMap<String, RawDependency>,
    #[serde(default, alias = "build_dependencies")]
    pub(crate) build_dependencies: BTreeMap<String, RawDependency>,
}

/// A `[package]` field that may say `{ workspace = true }`.
#[derive(Clone)]
pub(crate) enum Inheritable<T> {
    Value(T),
    Workspace,
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
                // The only table a field may be: `{ workspace = true }` (cargo refuses `false`).
                #[derive(Deserialize)]
                struct Workspace {
                    workspace: bool,
                }
                if !Workspace::deserialize(MapAccessDeserializer::new(map))?.workspace {
                    return Err(serde::de::Error::custom("`workspace` cannot be false; write the value itself, or `{ workspace = true }` to inherit it"));
                }
                Ok(Inheritable::Workspace)
            }
        }
        deserializer.deserialize_any(Shape(std::marker::PhantomData))
    }
}

#[derive(Clone)]
pub(crate) enum StringOrBool {
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
pub(crate) struct RawPackage {
    pub(crate) name: Option<String>,
    pub(crate) version: Option<Inheritable<String>>,
    pub(crate) edition: Option<Inheritable<String>>,
    pub(crate) links: Option<String>,
    pub(crate) build: Option<StringOrBool>,
    pub(crate) workspace: Option<String>,
    pub(crate) resolver: Option<String>,
    pub(crate) autolib: Option<bool>,
    pub(crate) autobins: Option<bool>,
    pub(crate) autoexamples: Option<bool>,
    pub(crate) autotests: Option<bool>,
    pub(crate) autobenches: Option<bool>,
    pub(crate) authors: Option<Inheritable<Vec<String>>>,
    pub(crate) description: Option<Inheritable<String>>,
    pub(crate) homepage: Option<Inheritable<String>>,
    pub(crate) repository: Option<Inheritable<String>>,
    pub(crate) license: Option<Inheritable<String>>,
    pub(crate) license_file: Option<Inheritable<String>>,
    pub(crate) rust_version: Option<Inheritable<String>>,
    pub(crate) readme: Option<Inheritable<StringOrBool>>,
    pub(crate) default_run: Option<String>,
    pub(crate) include: Option<Inheritable<Vec<String>>>,
    pub(crate) exclude: Option<Inheritable<Vec<String>>>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct RawWorkspace {
    #[serde(default)]
    pub(crate) members: Vec<String>,
    #[serde(default)]
    pub(crate) exclude: Vec<String>,
    pub(crate) default_members: Option<Vec<String>>,
    pub(crate) resolver: Option<String>,
    pub(crate) lints: Option<lints::LintTables>,
    #[serde(default)]
    pub(crate) dependencies: BTreeMap<String, RawDependency>,
    pub(crate) package: Option<RawPackage>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct RawTarget {
    pub(crate) name: Option<String>,
    pub(crate) path: Option<String>,
    #[serde(alias = "crate_type")]
    pub(crate) crate_type: Option<Vec<String>>,
    #[serde(alias = "proc_macro")]
    pub(crate) proc_macro: Option<bool>,
    #[serde(alias = "required_features")]
    pub(crate) required_features: Option<Vec<String>>,
    pub(crate) edition: Option<String>,
    pub(crate) test: Option<bool>,
    pub(crate) doctest: Option<bool>,
    pub(crate) bench: Option<bool>,
    pub(crate) doc: Option<bool>,
    pub(crate) harness: Option<bool>,
}

#[derive(Clone)]
pub(crate) enum RawDependency {
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
pub(crate) struct RawDetailedDependency {
    pub(crate) version: Option<String>,
    pub(crate) path: Option<String>,
    pub(crate) git: Option<String>,
    pub(crate) branch: Option<String>,
    pub(crate) tag: Option<String>,
    pub(crate) rev: Option<String>,
    /// Read only so that a value that is no string is refused, as cargo refuses it.
    #[serde(rename = "registry")]
    pub(crate) _registry: Option<String>,
    pub(crate) registry_index: Option<String>,
    pub(crate) package: Option<String>,
    pub(crate) optional: Option<bool>,
    #[serde(default)]
    pub(crate) features: Vec<String>,
    #[serde(alias = "default_features")]
    pub(crate) default_features: Option<bool>,
    pub(crate) workspace: Option<bool>,
}

impl RawDependency {
    pub(crate) fn detailed(&self) -> RawDetailedDependency {
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
