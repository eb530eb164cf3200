//! The build plan (docs/plan-schema.md): per-package data once, then per target triple the units
//! of `cargo build` and of `cargo test --no-run`. The types serialize straight to the plan's JSON:
//! fields are declared in sorted order, maps are `BTreeMap`s, so the bytes are canonical.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use serde_json::value::RawValue;

use crate::graph::{Graph, Location};
use crate::source_id::{GitReference, SourceKind};
use crate::units::{Kind, UnitGraph};
use crate::workspace::{MemberPatterns, PanicAbort, Workspace};

/// The plan's schema version.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
pub struct Plan {
    pub inputs: Inputs,
    pub packages: BTreeMap<String, PackageData>,
    pub platforms: BTreeMap<String, Views>,
    pub version: u32,
    pub workspace: WorkspaceData,
}

#[derive(Serialize)]
pub struct Inputs {
    pub features: FeatureSelection,
    pub host: String,
    pub lockfile: FileHash,
    pub manifests: Vec<FileHash>,
    /// The root's `workspace.members` and `workspace.exclude`, as written: a committed plan's
    /// check expands the globs again to find members added since.
    pub members: MemberPatterns,
    /// `null` (cargo's default selection), `"workspace"`, or the `-p` values.
    pub packages: serde_json::Value,
    /// Which of cargo's two profiles set `panic = "abort"`: a plan made for one profile holds
    /// the other's units too when these agree.
    #[serde(rename = "panicAbort")]
    pub panic_abort: PanicAbort,
    /// `dev` or `release`: the cargo profile the units are those of.
    pub profile: &'static str,
    pub resolver: String,
    /// Per path package directory inside the workspace root, the files target discovery saw.
    #[serde(rename = "targetFiles")]
    pub target_files: BTreeMap<String, Vec<String>>,
}

#[derive(Serialize)]
pub struct FeatureSelection {
    #[serde(rename = "allFeatures")]
    pub all_features: bool,
    pub features: Vec<String>,
    #[serde(rename = "noDefaultFeatures")]
    pub no_default_features: bool,
}

#[derive(Serialize)]
pub struct FileHash {
    pub path: String,
    pub sha256: String,
}

#[derive(Serialize)]
pub struct WorkspaceData {
    #[serde(rename = "defaultMembers")]
    pub default_members: Vec<String>,
    pub members: Vec<String>,
    pub selected: Vec<String>,
}

#[derive(Serialize)]
pub struct PackageData {
    /// The `--check-cfg` values cargo passes for the package: its `[lints]` check-cfg, then
    /// `cfg(docsrs,test)` and the declared features.
    #[serde(rename = "checkCfg")]
    check_cfg: Vec<String>,
    edition: String,
    links: Option<String>,
    /// `[lints]` as rustc arguments, for every compiler run of the package (absent when none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    lints: Vec<String>,
    metadata: Metadata,
    name: String,
    source: Source,
    targets: BTreeMap<String, TargetData>,
    version: String,
}

#[derive(Serialize)]
struct Metadata {
    authors: String,
    description: String,
    homepage: String,
    license: String,
    #[serde(rename = "licenseFile")]
    license_file: String,
    readme: String,
    repository: String,
    #[serde(rename = "rustVersion")]
    rust_version: String,
}

/// A package's source; each form lists its fields, `type` included, in sorted order.
#[derive(Serialize)]
#[serde(untagged)]
enum Source {
    Git { reference: BTreeMap<&'static str, String>, rev: Option<String>, subdir: String, r#type: &'static str, url: String },
    Path { path: String, r#type: &'static str },
    Registry { checksum: Option<String>, registry: String, r#type: &'static str },
}

#[derive(Serialize)]
struct TargetData {
    #[serde(rename = "crateName")]
    crate_name: String,
    #[serde(rename = "crateTypes")]
    crate_types: Vec<String>,
    edition: String,
    harness: bool,
    kind: &'static str,
    name: String,
    path: String,
    #[serde(rename = "requiredFeatures")]
    required_features: Vec<String>,
}

/// A platform's two unit sets, each already written as JSON (`prerender`).
#[derive(Serialize)]
pub struct Views {
    pub build: Box<RawValue>,
    pub test: Box<RawValue>,
}

#[derive(Serialize)]
pub struct UnitSet {
    roots: Vec<String>,
    units: BTreeMap<String, UnitData>,
}

#[derive(Serialize)]
struct UnitData {
    dependencies: Vec<DepData>,
    features: Vec<String>,
    mode: &'static str,
    package: String,
    /// `"abort"` for units built with `-C panic=abort`; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    panic: Option<&'static str>,
    platform: &'static str,
    target: String,
}

#[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
struct DepData {
    #[serde(rename = "externCrateName")]
    extern_crate_name: String,
    unit: String,
}

/// Package ids for the plan: `name@version`, with ` (source)` where that is not unique.
pub fn package_ids(graph: &Graph, ws: &Workspace) -> Vec<String> {
    let mut count: HashMap<(&str, String), usize> = HashMap::new();
    for n in &graph.nodes {
        *count.entry((n.package.name.as_str(), n.package.version.to_string())).or_default() += 1;
    }
    graph
        .nodes
        .iter()
        .map(|n| {
            let base = format!("{}@{}", n.package.name, n.package.version);
            if count[&(n.package.name.as_str(), n.package.version.to_string())] == 1 {
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

/// The `packages` object: the packages some unit uses.
pub fn packages(graph: &Graph, ws: &Workspace, ids: &[String], used: &[bool]) -> BTreeMap<String, PackageData> {
    let mut out = BTreeMap::new();
    for (i, n) in graph.nodes.iter().enumerate() {
        if !used[i] {
            continue;
        }
        let p = &n.package;
        let source = match (&n.source.kind, &n.location) {
            (SourceKind::Path, Location::Path(dir)) => Source::Path { path: ws.relative(dir), r#type: "path" },
            (SourceKind::Git { url, reference, precise }, loc) => {
                let reference = match reference {
                    GitReference::DefaultBranch => BTreeMap::new(),
                    GitReference::Branch(b) => BTreeMap::from([("branch", b.clone())]),
                    GitReference::Tag(t) => BTreeMap::from([("tag", t.clone())]),
                    GitReference::Rev(r) => BTreeMap::from([("rev", r.clone())]),
                };
                let subdir = match loc {
                    Location::Git { subdir } => subdir.clone(),
                    _ => String::new(),
                };
                Source::Git { reference, rev: precise.clone(), subdir, r#type: "git", url: url.clone() }
            }
            _ => Source::Registry { checksum: n.checksum.clone(), registry: n.source.repr.clone(), r#type: "registry" },
        };
        let m = &p.metadata;
        let s = |v: &Option<String>| v.clone().unwrap_or_default();
        let targets = p
            .targets
            .iter()
            .map(|t| {
                (
                    t.key(),
                    TargetData {
                        crate_name: t.crate_name(),
                        crate_types: t.crate_types.clone(),
                        edition: t.edition.clone(),
                        harness: t.harness,
                        kind: t.kind.as_str(),
                        name: t.name.clone(),
                        path: t.path.clone(),
                        required_features: t.required_features.clone().unwrap_or_default(),
                    },
                )
            })
            .collect();
        out.insert(
            ids[i].clone(),
            PackageData {
                check_cfg: check_cfg(p),
                edition: p.edition.clone(),
                links: p.links.clone(),
                lints: p.lint_args.flags.clone(),
                metadata: Metadata {
                    authors: m.authors.join(":"),
                    description: s(&m.description),
                    homepage: s(&m.homepage),
                    license: s(&m.license),
                    license_file: s(&m.license_file),
                    readme: s(&m.readme),
                    repository: s(&m.repository),
                    rust_version: s(&m.rust_version),
                },
                name: p.name.clone(),
                source,
                targets,
                version: p.version.to_string(),
            },
        );
    }
    out
}

/// One unit set (`build` or `test` of one triple).
pub fn unit_set(graph: &Graph, ids: &[String], units: &UnitGraph) -> UnitSet {
    let base_keys: Vec<String> = units
        .units
        .iter()
        .map(|u| {
            let t = &graph.package(u.node).targets[u.target];
            let platform = match u.kind {
                Kind::Host => "host",
                Kind::Target => "target",
            };
            let panic = if u.panic_abort { " panic=abort" } else { "" };
            format!("{} {}:{} {} {platform}{panic}", ids[u.node], t.kind.as_str(), t.name, u.mode.as_str())
        })
        .collect();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for k in &base_keys {
        *seen.entry(k.as_str()).or_default() += 1;
    }
    let keys: Vec<String> = base_keys
        .iter()
        .zip(&units.units)
        .map(|(k, u)| if seen[k.as_str()] > 1 { format!("{k} [{}]", u.features.join(",")) } else { k.clone() })
        .collect();
    let mut out = BTreeMap::new();
    for (i, u) in units.units.iter().enumerate() {
        let t = &graph.package(u.node).targets[u.target];
        let mut dependencies: Vec<DepData> = units.deps[i]
            .iter()
            .map(|d| DepData { extern_crate_name: d.extern_crate_name.clone(), unit: keys[d.unit].clone() })
            .collect();
        dependencies.sort_by(|a, b| (&a.unit, &a.extern_crate_name).cmp(&(&b.unit, &b.extern_crate_name)));
        out.insert(
            keys[i].clone(),
            UnitData {
                dependencies,
                features: u.features.clone(),
                mode: u.mode.as_str(),
                package: ids[u.node].clone(),
                panic: u.panic_abort.then_some("abort"),
                platform: match u.kind {
                    Kind::Host => "host",
                    Kind::Target => "target",
                },
                target: t.key(),
            },
        );
    }
    let mut roots: Vec<String> = units.roots.iter().map(|&r| keys[r].clone()).collect();
    roots.sort();
    UnitSet { roots, units: out }
}

/// Serializes a value the way every plan is written: two-space indentation, final newline.
/// A unit set as the pretty JSON it is at its place in the plan (`platforms.<triple>.<view>`,
/// three levels deep): the views, most of a plan's bytes, are written on all cores and `to_bytes`
/// copies them in.
pub fn prerender(set: &UnitSet) -> Box<RawValue> {
    let flat = serde_json::to_vec_pretty(set).expect("unit sets always serialize");
    let mut nested = Vec::with_capacity(flat.len() + flat.len() / 4);
    // JSON strings hold no raw newline: every one ends a line of the layout.
    for (i, line) in flat.split(|&b| b == b'\n').enumerate() {
        if i > 0 {
            nested.extend_from_slice(b"\n      ");
        }
        nested.extend_from_slice(line);
    }
    let text = String::from_utf8(nested).expect("serde_json writes UTF-8");
    RawValue::from_string(text).expect("serde_json writes JSON")
}

/// The `--check-cfg` values cargo gives every compiler run of `p`.
fn check_cfg(p: &crate::manifest::Package) -> Vec<String> {
    let features: Vec<String> = crate::features::feature_map(p).keys().map(|f| format!("\"{f}\"")).collect();
    let mut out = p.lint_args.check_cfg.clone();
    out.push("cfg(docsrs,test)".to_string());
    out.push(format!("cfg(feature, values({}))", features.join(", ")));
    out
}

pub fn to_bytes<T: Serialize>(value: &T) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 << 20);
    serde_json::to_writer_pretty(&mut out, value).expect("plans always serialize");
    out.push(b'\n');
    out
}
