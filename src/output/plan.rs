//! The build plan (docs/plan-schema.md): per-package data once, then per target triple the units
//! of `cargo build` and of `cargo test --no-run`. Written through serde: each object of the schema
//! is a struct with its fields in sorted order (or a map with sorted entries), borrowing from the
//! package graph. Each package entry and each unit is made compact JSON on all cores, then the
//! whole is written by serde_json's pretty printer around them: the documented layout.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

use rustc_hash::FxHashMap as FastMap;
use crate::load::remote::Location;
use crate::load::config::EnvValue;
use crate::load::workspace::Workspace;
use crate::manifest::targets::Target;
use crate::manifest;
use crate::resolve::graph::Graph;
use crate::resolve::profiles::Profile;
use crate::resolve::units::{Kind, UnitGraph};
use crate::source_id::{GitReference, SourceKind};

/// The plan's schema version.
pub(crate) const SCHEMA_VERSION: u32 = 3;

/// A plan: what was worked out for it, borrowing the packages from the graph they are in.
pub struct Plan<'a> {
    pub(crate) graph: &'a Graph,
    pub(crate) ws: &'a Workspace,
    /// Every graph node's package id (`package_ids`).
    pub(crate) ids: Vec<String>,
    pub(crate) inputs: Inputs,
    /// The configuration's `[env]`.
    pub(crate) env: BTreeMap<String, EnvValue>,
    /// The graph nodes of the packages some unit uses, sorted by package id.
    pub(crate) packages: Vec<usize>,
    pub(crate) platforms: BTreeMap<String, Views<UnitSet>>,
    pub(crate) workspace: WorkspaceData,
}

impl Plan<'_> {
    /// Writes the plan's JSON (docs/plan-schema.md).
    pub fn write_to(&self, w: &mut dyn Write) -> io::Result<()> {
        w.write_all(&self.to_bytes())
    }

    /// The plan's JSON: the fields in sorted order, two-space indentation down to each package
    /// and each unit, which are one line each, and a final newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        // About 500 bytes a unit: one allocation, not a series of ever larger copies.
        let units: usize = self.platforms.values().map(|v| v.build.lines.len() + v.test.lines.len()).sum();
        let mut out = Vec::with_capacity(units * 640 + self.packages.len() * 1024);
        let packages = crate::parallel::map(&self.packages, |&n| compact(&PackageJson::new(self.graph, self.ws, n)));
        let json = PlanJson { plan: self, packages: &packages };
        serde_json::to_writer_pretty(&mut out, &json).expect("a plan always serializes to memory");
        out.push(b'\n');
        out
    }
}

/// `value` as one line of JSON.
fn compact<T: Serialize>(value: &T) -> Box<RawValue> {
    serde_json::value::to_raw_value(value).expect("plan entries always serialize")
}

/// The plan with its package entries made.
struct PlanJson<'a> {
    plan: &'a Plan<'a>,
    /// The entries of `plan.packages`, in its order.
    packages: &'a [Box<RawValue>],
}

impl Serialize for PlanJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Json<'p, P, V> {
            env: BTreeMap<&'p str, EnvJson<'p>>,
            inputs: &'p Inputs,
            packages: P,
            platforms: V,
            version: u32,
            workspace: &'p WorkspaceData,
        }
        let plan = self.plan;
        let ids = &plan.ids[..];
        Json {
            env: plan.env.iter().map(|(k, v)| (k.as_str(), EnvJson { force: v.force, relative: v.relative, value: &v.value })).collect(),
            inputs: &plan.inputs,
            packages: Entries(plan.packages.iter().zip(self.packages).map(|(&n, entry)| (&ids[n], entry))),
            platforms: Entries(plan.platforms.iter().map(|(triple, v)| (triple, Views { build: UnitSetJson(&v.build), rustflags: v.rustflags.clone(), test: UnitSetJson(&v.test) }))),
            version: SCHEMA_VERSION,
            workspace: &plan.workspace,
        }
        .serialize(serializer)
    }
}

/// One `[env]` entry.
#[derive(Serialize)]
struct EnvJson<'a> {
    force: bool,
    relative: bool,
    value: &'a str,
}

/// A JSON object with the entries an iterator yields, in its order.
struct Entries<I>(I);

impl<I, K, V> Serialize for Entries<I>
where
    I: Iterator<Item = (K, V)> + Clone,
    K: Serialize,
    V: Serialize,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.clone())
    }
}

/// What the plan was generated from (`inputs`): for the staleness check.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Inputs {
    /// The cargo configuration file read (none, or `.cargo/config.toml`).
    pub(crate) config: Vec<FileHash>,
    pub(crate) features: FeatureSelection,
    pub(crate) host: String,
    /// Directories target discovery or a `members` glob listed, with the entries it saw
    /// (`lookups::listing`), relative to the workspace root.
    pub(crate) listings: BTreeMap<String, Vec<String>>,
    pub(crate) lockfile: FileHash,
    pub(crate) manifests: Vec<FileHash>,
    /// `null` (cargo's default selection), `"workspace"`, or the `-p` values.
    pub(crate) packages: serde_json::Value,
    /// Paths target discovery or a `members` glob asked about, with whether a file was there
    /// (`lookups::probe`), relative to the workspace root.
    pub(crate) probes: BTreeMap<String, bool>,
    /// The cargo profile of the build units (`--profile`).
    pub(crate) profile: String,
    /// `release` or `debug`: the root of the profile's `inherits` chain, as build scripts see
    /// it in `PROFILE`.
    pub(crate) profile_root: &'static str,
    pub(crate) resolver: String,
}

/// The feature options given on the command line.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FeatureSelection {
    pub(crate) all_features: bool,
    pub(crate) features: Vec<String>,
    pub(crate) no_default_features: bool,
}

/// A file relative to the workspace root, and the sha256 of its contents.
#[derive(Serialize)]
pub(crate) struct FileHash {
    pub(crate) path: String,
    pub(crate) sha256: String,
}

/// The package ids of the workspace's members, default members and selected packages.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WorkspaceData {
    pub(crate) default_members: Vec<String>,
    pub(crate) members: Vec<String>,
    pub(crate) selected: Vec<String>,
}

/// A platform's two unit sets: those of `cargo build` and of `cargo test --no-run`, and the
/// configuration's rustflags.
#[derive(Serialize)]
pub(crate) struct Views<T> {
    pub(crate) build: T,
    pub(crate) rustflags: Rustflags,
    pub(crate) test: T,
}

/// The extra rustc arguments of the configuration, for a platform's host and target units.
#[derive(Serialize, Clone)]
pub(crate) struct Rustflags {
    pub(crate) host: Vec<String>,
    pub(crate) target: Vec<String>,
}

/// Package ids for the plan: `name@version`, with ` (source)` where that is not unique.
pub fn package_ids(graph: &Graph, ws: &Workspace) -> Vec<String> {
    let mut count: FastMap<(&str, &semver::Version), usize> = FastMap::default();
    for n in &graph.nodes {
        *count.entry((n.package.name.as_str(), &n.package.version)).or_default() += 1;
    }
    graph
        .nodes
        .iter()
        .map(|n| {
            let base = [n.package.name.as_str(), "@", &manifest::version_string(&n.package.version)].concat();
            if count[&(n.package.name.as_str(), &n.package.version)] == 1 {
                base
            } else {
                let source = match &n.location {
                    Location::Path(dir) => format!("path+{}", ws.relative(dir)),
                    _ => n.source.repr.clone(),
                };
                format!("{base} ({source})")
            }
        })
        .collect()
}

/// One entry of `packages`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PackageJson<'a> {
    check_cfg: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    default_run: Option<&'a str>,
    edition: &'a str,
    links: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    lints: &'a [String],
    metadata: MetadataJson<'a>,
    name: &'a str,
    source: SourceJson<'a>,
    targets: BTreeMap<String, TargetJson<'a>>,
    version: String,
}

/// The values of `CARGO_PKG_*`, `""` where the manifest has none.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MetadataJson<'a> {
    authors: String,
    description: &'a str,
    homepage: &'a str,
    license: &'a str,
    license_file: &'a str,
    readme: &'a str,
    repository: &'a str,
    rust_version: &'a str,
}

/// Where a package comes from; `type` names the form.
#[derive(Serialize)]
#[serde(untagged)]
enum SourceJson<'a> {
    Path {
        /// `include` and `exclude` of the manifest, absent when empty: with the package's
        /// directory, `readme`, `license-file` and target paths they decide its files.
        #[serde(skip_serializing_if = "<[String]>::is_empty")]
        exclude: &'a [String],
        #[serde(skip_serializing_if = "<[String]>::is_empty")]
        include: &'a [String],
        path: String,
        r#type: &'static str,
    },
    Git {
        /// `{}` for the default branch, else `{"branch"|"tag"|"rev": value}`.
        reference: BTreeMap<&'static str, &'a str>,
        rev: Option<&'a str>,
        subdir: &'a str,
        r#type: &'static str,
        url: &'a str,
    },
    Registry {
        checksum: Option<&'a str>,
        registry: &'a str,
        r#type: &'static str,
    },
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TargetJson<'a> {
    crate_name: String,
    crate_types: &'a [String],
    edition: &'a str,
    harness: bool,
    kind: &'static str,
    name: &'a str,
    path: &'a str,
    required_features: &'a [String],
}

impl<'a> PackageJson<'a> {
    fn new(graph: &'a Graph, ws: &Workspace, node: usize) -> Self {
        let n = &graph.nodes[node];
        let p = &n.package;
        let m = &p.metadata;
        let text = |value: &'a Option<String>| value.as_deref().unwrap_or_default();
        let source = match (&n.source.kind, &n.location) {
            (SourceKind::Path, Location::Path(dir)) => SourceJson::Path {
                exclude: &p.file_rules.exclude,
                include: &p.file_rules.include,
                path: ws.relative(dir),
                r#type: "path",
            },
            (SourceKind::Git { url, reference, precise }, location) => SourceJson::Git {
                reference: match reference {
                    GitReference::DefaultBranch => BTreeMap::new(),
                    GitReference::Branch(b) => BTreeMap::from([("branch", b.as_str())]),
                    GitReference::Tag(t) => BTreeMap::from([("tag", t.as_str())]),
                    GitReference::Rev(r) => BTreeMap::from([("rev", r.as_str())]),
                },
                rev: precise.as_deref(),
                subdir: if let Location::Git { subdir } = location { subdir } else { "" },
                r#type: "git",
                url,
            },
            _ => SourceJson::Registry { checksum: n.checksum.as_deref(), registry: &n.source.repr, r#type: "registry" },
        };
        PackageJson {
            check_cfg: check_cfg(p),
            default_run: p.default_run.as_deref(),
            edition: &p.edition,
            links: p.links.as_deref(),
            lints: &p.lint_args.flags,
            metadata: MetadataJson {
                authors: m.authors.join(":"),
                description: text(&m.description),
                homepage: text(&m.homepage),
                license: text(&m.license),
                license_file: text(&m.license_file),
                readme: text(&m.readme),
                repository: text(&m.repository),
                rust_version: text(&m.rust_version),
            },
            name: &p.name,
            source,
            targets: p.targets.iter().map(|t| (t.key(), TargetJson::new(t))).collect(),
            version: manifest::version_string(&p.version),
        }
    }
}

impl<'a> TargetJson<'a> {
    fn new(t: &'a Target) -> Self {
        TargetJson {
            crate_name: t.crate_name(),
            crate_types: &t.crate_types,
            edition: &t.edition,
            harness: t.harness,
            kind: t.kind.as_str(),
            name: &t.name,
            path: &t.path,
            required_features: t.required_features.as_deref().unwrap_or_default(),
        }
    }
}

/// The `--check-cfg` values cargo gives every compiler run of `p`.
fn check_cfg(p: &crate::manifest::Package) -> Vec<String> {
    let mut features = String::from("cfg(feature, values(");
    for (i, f) in p.feature_map.keys().enumerate() {
        if i > 0 {
            features.push_str(", ");
        }
        features.push('"');
        features.push_str(f);
        features.push('"');
    }
    features.push_str("))");
    let mut out = p.lint_args.check_cfg.clone();
    out.push("cfg(docsrs,test)".to_string());
    out.push(features);
    out
}

/// One unit set (`build` or `test` of one triple): the units with their keys, in the order they
/// are written.
pub struct UnitSet {
    /// The graph nodes of the units' packages.
    nodes: Vec<usize>,
    /// The roots' keys, sorted.
    roots: Vec<String>,
    /// Each unit's key (docs/plan-schema.md) and its entry, sorted by key.
    lines: Vec<(String, Box<RawValue>)>,
}

impl UnitSet {
    /// Works out the keys of `units` and puts the units, their roots and each unit's
    /// dependencies in key order.
    pub fn new(graph: &Graph, ids: &[String], mut units: UnitGraph) -> UnitSet {
        let profiles = &units.profiles;
        let mut keys: Vec<String> = units
            .units
            .iter()
            .map(|u| {
                let t = &graph.package(u.node).targets[u.target];
                let abort = if u.panic_abort(profiles) { " panic=abort" } else { "" };
                let parts = [ids[u.node].as_str(), " ", t.kind.as_str(), ":", &t.name, " ", u.mode.as_str(), " ", platform(u.kind), abort];
                parts.concat()
            })
            .collect();
        if disambiguate(&mut keys, |i| format!(" [{}]", units.units[i].features.join(","))) {
            // Units cargo makes twice with different profiles: a proc-macro that is both a root
            // and a dependency, and the build script runs of the two.
            disambiguate(&mut keys, |i| if units.units[i].profile_of(profiles).for_host { " build-override".to_string() } else { String::new() });
        }
        let lto = crate::resolve::lto::generate(graph, &units);
        let profile_json: Vec<Box<RawValue>> = units.profiles.iter().map(|p| compact(&ProfileJson::new(p))).collect();
        let mut order: Vec<usize> = (0..units.units.len()).collect();
        order.sort_by(|&a, &b| keys[a].cmp(&keys[b]));
        units.roots.sort_by(|&a, &b| keys[a].cmp(&keys[b]));
        for deps in &mut units.deps {
            deps.sort_by(|a, b| (&keys[a.unit], &a.extern_crate_name, a.unit).cmp(&(&keys[b.unit], &b.extern_crate_name, b.unit)));
        }
        let entry = |i: usize| {
            let u = &units.units[i];
            compact(&UnitJson {
                dependencies: units.deps[i].iter().map(|d| DependencyJson { extern_crate_name: &d.extern_crate_name, unit: &keys[d.unit] }).collect(),
                features: &u.features,
                mode: u.mode.as_str(),
                lto: lto[i].to_plan_string(),
                package: &ids[u.node],
                panic: u.panic_abort(&units.profiles).then_some("abort"),
                platform: platform(u.kind),
                profile: &profile_json[u.profile as usize],
                target: graph.package(u.node).targets[u.target].key(),
            })
        };
        let lines = order.iter().map(|&i| (keys[i].clone(), entry(i))).collect();
        let roots = units.roots.iter().map(|&r| keys[r].clone()).collect();
        UnitSet { nodes: units.units.iter().map(|u| u.node).collect(), roots, lines }
    }

    /// The graph nodes of the units' packages.
    pub(crate) fn nodes(&self) -> impl Iterator<Item = usize> + '_ {
        self.nodes.iter().copied()
    }
}

fn platform(kind: Kind) -> &'static str {
    match kind {
        Kind::Host => "host",
        Kind::Target => "target",
    }
}

/// A unit set as written: its roots, and its units by key.
struct UnitSetJson<'a>(&'a UnitSet);

impl Serialize for UnitSetJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Json<R, U> {
            roots: R,
            units: U,
        }
        let set = self.0;
        Json { roots: &set.roots, units: Entries(set.lines.iter().map(|(key, entry)| (key, entry))) }.serialize(serializer)
    }
}

#[derive(Serialize)]
struct UnitJson<'a> {
    dependencies: Vec<DependencyJson<'a>>,
    features: &'a [String],
    lto: std::borrow::Cow<'static, str>,
    mode: &'static str,
    package: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    panic: Option<&'static str>,
    platform: &'static str,
    profile: &'a RawValue,
    target: String,
}

/// A unit's `profile`: cargo's `--unit-graph` profile fields, camel-cased.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProfileJson<'a> {
    codegen_units: Option<u32>,
    debug_assertions: bool,
    debuginfo: serde_json::Value,
    lto: &'a str,
    name: &'a str,
    opt_level: &'a str,
    overflow_checks: bool,
    panic: &'static str,
    rpath: bool,
    split_debuginfo: Option<&'a str>,
    strip: &'a str,
}

impl<'a> ProfileJson<'a> {
    fn new(p: &'a Profile) -> Self {
        ProfileJson {
            codegen_units: p.codegen_units,
            debug_assertions: p.debug_assertions,
            debuginfo: p.debuginfo.to_json(),
            lto: p.lto.as_str(),
            name: &p.name,
            opt_level: &p.opt_level,
            overflow_checks: p.overflow_checks,
            panic: p.panic.as_str(),
            rpath: p.rpath,
            split_debuginfo: p.split_debuginfo.as_deref(),
            strip: p.strip_name(),
        }
    }
}

/// Appends `suffix(i)` to every key that is not unique; whether there was one.
fn disambiguate(keys: &mut [String], suffix: impl Fn(usize) -> String) -> bool {
    let mut seen: FastMap<&str, usize> = FastMap::default();
    for k in keys.iter() {
        *seen.entry(k.as_str()).or_default() += 1;
    }
    let ambiguous: Vec<usize> = (0..keys.len()).filter(|&i| seen[keys[i].as_str()] > 1).collect();
    for &i in &ambiguous {
        keys[i].push_str(&suffix(i));
    }
    !ambiguous.is_empty()
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DependencyJson<'a> {
    extern_crate_name: &'a str,
    unit: &'a str,
}
