//! The build plan (docs/plan-schema.md): per-package data once, then per target triple the units
//! of `cargo build` and of `cargo test --no-run`. The types serialize straight to the plan's JSON:
//! fields are declared in sorted order, maps are `BTreeMap`s, so the bytes are canonical.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter};

use crate::graph::{Graph, Location};
use crate::source_id::{GitReference, SourceKind};
use crate::units::{Kind, UnitGraph};
use crate::workspace::{MemberPatterns, PanicAbort, Workspace};

/// The plan's schema version.
pub const SCHEMA_VERSION: u32 = 1;

/// A plan, its large parts already written as JSON: `packages` and the views are rendered on all
/// cores (`render_at`), and `to_bytes` puts the pieces together.
pub struct Plan {
    pub inputs: Inputs,
    /// The `packages` object, rendered at its depth (1).
    pub packages: Vec<u8>,
    pub platforms: BTreeMap<String, Views>,
    pub workspace: WorkspaceData,
}

impl Plan {
    /// The plan's JSON: the fields in sorted order, two-space indentation, final newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        let views = |v: &Views| object_at(2, [("build", v.build.as_slice()), ("test", v.test.as_slice())]);
        let platforms: Vec<(&str, Vec<u8>)> = self.platforms.iter().map(|(triple, v)| (triple.as_str(), views(v))).collect();
        let mut out = object_at(
            0,
            [
                ("inputs", render_at(&self.inputs, 1).as_slice()),
                ("packages", self.packages.as_slice()),
                ("platforms", &object_at(1, platforms.iter().map(|(t, v)| (*t, v.as_slice())))),
                ("version", SCHEMA_VERSION.to_string().as_bytes()),
                ("workspace", &render_at(&self.workspace, 1)),
            ],
        );
        out.push(b'\n');
        out
    }
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

/// A platform's two unit sets, each already written as JSON at its depth (3; `unit_set`).
pub struct Views {
    pub build: Vec<u8>,
    pub test: Vec<u8>,
}

#[derive(Serialize)]
struct UnitSet<'a> {
    roots: Vec<&'a str>,
    units: BTreeMap<&'a str, UnitData<'a>>,
}

#[derive(Serialize)]
struct UnitData<'a> {
    dependencies: Vec<DepData<'a>>,
    features: &'a [String],
    mode: &'static str,
    package: &'a str,
    /// `"abort"` for units built with `-C panic=abort`; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    panic: Option<&'static str>,
    platform: &'static str,
    target: &'a str,
}

#[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
struct DepData<'a> {
    #[serde(rename = "externCrateName")]
    extern_crate_name: &'a str,
    unit: &'a str,
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

/// The `packages` object, the packages some unit uses, rendered at its depth in the plan (on all
/// cores).
pub fn packages(graph: &Graph, ws: &Workspace, ids: &[String], used: &[bool]) -> Vec<u8> {
    let mut nodes: Vec<usize> = (0..graph.nodes.len()).filter(|&i| used[i]).collect();
    nodes.sort_by(|&a, &b| ids[a].cmp(&ids[b]));
    let rendered = crate::parallel::map(&nodes, |&i| render_at(&package_data(graph, ws, i), 2));
    object_at(1, nodes.iter().zip(&rendered).map(|(&i, data)| (ids[i].as_str(), data.as_slice())))
}

/// One entry of `packages`.
fn package_data(graph: &Graph, ws: &Workspace, i: usize) -> PackageData {
    let n = &graph.nodes[i];
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
    }
}

/// One unit set (`build` or `test` of one triple), rendered at its depth in the plan (3).
pub fn unit_set(graph: &Graph, ids: &[String], units: &UnitGraph) -> Vec<u8> {
    let platform = |kind: Kind| match kind {
        Kind::Host => "host",
        Kind::Target => "target",
    };
    let base_keys: Vec<String> = units
        .units
        .iter()
        .map(|u| {
            let t = &graph.package(u.node).targets[u.target];
            let panic = if u.panic_abort { " panic=abort" } else { "" };
            format!("{} {}:{} {} {}{panic}", ids[u.node], t.kind.as_str(), t.name, u.mode.as_str(), platform(u.kind))
        })
        .collect();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for k in &base_keys {
        *seen.entry(k.as_str()).or_default() += 1;
    }
    let ambiguous: Vec<Option<String>> = base_keys
        .iter()
        .zip(&units.units)
        .map(|(k, u)| (seen[k.as_str()] > 1).then(|| format!("{k} [{}]", u.features.join(","))))
        .collect();
    let keys: Vec<&str> = base_keys.iter().zip(&ambiguous).map(|(k, a)| a.as_deref().unwrap_or(k)).collect();
    let target_keys: Vec<String> = units.units.iter().map(|u| graph.package(u.node).targets[u.target].key()).collect();
    let mut out = BTreeMap::new();
    for (i, u) in units.units.iter().enumerate() {
        let mut dependencies: Vec<DepData> =
            units.deps[i].iter().map(|d| DepData { extern_crate_name: &d.extern_crate_name, unit: keys[d.unit] }).collect();
        dependencies.sort_by(|a, b| (a.unit, a.extern_crate_name).cmp(&(b.unit, b.extern_crate_name)));
        out.insert(
            keys[i],
            UnitData {
                dependencies,
                features: &u.features,
                mode: u.mode.as_str(),
                package: &ids[u.node],
                panic: u.panic_abort.then_some("abort"),
                platform: platform(u.kind),
                target: &target_keys[i],
            },
        );
    }
    let mut roots: Vec<&str> = units.roots.iter().map(|&r| keys[r]).collect();
    roots.sort();
    render_at(&UnitSet { roots, units: out }, 3)
}

/// `value` as pretty JSON (two-space indentation) the way it is written `depth` levels deep in a
/// plan: its lines after the first indented `depth` levels more.
pub fn render_at<T: Serialize + ?Sized>(value: &T, depth: usize) -> Vec<u8> {
    let mut formatter = PrettyFormatter::new();
    // The formatter indents by how many objects it is inside: enter `depth` of them, writing
    // nothing, first.
    for _ in 0..depth {
        formatter.begin_object(&mut std::io::sink()).expect("a sink takes anything");
    }
    let mut out = Vec::new();
    value.serialize(&mut serde_json::Serializer::with_formatter(&mut out, formatter)).expect("plan values always serialize");
    out
}

/// A JSON object `depth` levels deep whose entries, in the order given, are values already
/// rendered at `depth + 1` — the bytes `render_at` would write for the same object.
fn object_at<'a>(depth: usize, entries: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Vec<u8> {
    let mut out = b"{".to_vec();
    let mut any = false;
    for (key, value) in entries {
        out.extend_from_slice(if any { b",\n" } else { b"\n" });
        any = true;
        out.resize(out.len() + 2 * (depth + 1), b' ');
        serde_json::to_writer(&mut out, key).expect("a string always serializes");
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
    }
    if any {
        out.push(b'\n');
        out.resize(out.len() + 2 * depth, b' ');
    }
    out.push(b'}');
    out
}

/// The `--check-cfg` values cargo gives every compiler run of `p`.
fn check_cfg(p: &crate::manifest::Package) -> Vec<String> {
    let features: Vec<String> = p.feature_map.keys().map(|f| format!("\"{f}\"")).collect();
    let mut out = p.lint_args.check_cfg.clone();
    out.push("cfg(docsrs,test)".to_string());
    out.push(format!("cfg(feature, values({}))", features.join(", ")));
    out
}

/// Serializes a value the way every plan is written: two-space indentation, final newline.
pub fn to_bytes<T: Serialize>(value: &T) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 << 20);
    serde_json::to_writer_pretty(&mut out, value).expect("plans always serialize");
    out.push(b'\n');
    out
}
