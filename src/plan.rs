//! The build plan (docs/plan-schema.md): per-package data once, then per target triple the units
//! of `cargo build` and of `cargo test --no-run`. The small parts serialize with serde (fields
//! declared in sorted order, maps `BTreeMap`s, so the bytes are canonical); the unit sets, most of
//! a plan, are written by hand in the same layout (`unit_set`).

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter};

use rustc_hash::FxHashMap as FastMap;
use crate::graph::{Graph, Location};
use crate::manifest;
use crate::scan;
use crate::source_id::{GitReference, SourceKind};
use crate::units::{Kind, UnitGraph};
use crate::workspace::{MemberPatterns, PanicAbort, Workspace};

/// The plan's schema version.
pub const SCHEMA_VERSION: u32 = 1;

/// A plan, its large parts already written as JSON: `packages` and the views are rendered on all
/// cores, and `write_to` puts the pieces together.
pub struct Plan {
    pub inputs: Inputs,
    /// The `packages` object's entries, sorted, each value one line of JSON.
    pub packages: Vec<(String, Vec<u8>)>,
    pub platforms: BTreeMap<String, Views>,
    pub workspace: WorkspaceData,
}

impl Plan {
    /// Writes the plan's JSON (docs/plan-schema.md): the fields in sorted order, two-space
    /// indentation down to each package and each unit, which are one line each, final newline.
    pub fn write_to(&self, w: &mut dyn Write) -> std::io::Result<()> {
        let raw = |w: &mut dyn Write, bytes: &Vec<u8>| w.write_all(bytes);
        w.write_all(b"{\n  \"inputs\": ")?;
        w.write_all(&render_at(&self.inputs, 1))?;
        w.write_all(b",\n  \"packages\": ")?;
        write_object(w, 1, self.packages.iter().map(|(id, data)| (id.as_str(), data)), raw)?;
        w.write_all(b",\n  \"platforms\": ")?;
        write_object(w, 1, self.platforms.iter().map(|(triple, views)| (triple.as_str(), views)), |w, views| {
            write_object(w, 2, [("build", &views.build), ("test", &views.test)], raw)
        })?;
        write!(w, ",\n  \"version\": {SCHEMA_VERSION},\n  \"workspace\": ")?;
        w.write_all(&render_at(&self.workspace, 1))?;
        w.write_all(b"\n}\n")
    }

    /// The plan's JSON (`write_to`) as bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_to(&mut out).expect("writing to memory cannot fail");
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

/// A platform's two unit sets, each already written as JSON at its depth (3; `unit_set`).
pub struct Views {
    pub build: Vec<u8>,
    pub test: Vec<u8>,
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

/// The value of one entry of `packages`: one line of JSON (compact, fields in sorted order, as
/// serde_json would write it), written by hand as every package of a plan has one.
pub fn package_json(graph: &Graph, ws: &Workspace, node: usize) -> Vec<u8> {
    let n = &graph.nodes[node];
    let p = &n.package;
    let mut out = Vec::with_capacity(1024);
    let o = &mut out;
    o.extend_from_slice(b"{\"checkCfg\":");
    str_array(o, check_cfg(p).iter());
    field(o, "edition", &p.edition);
    o.extend_from_slice(b",\"links\":");
    opt_str(o, p.links.as_deref());
    if !p.lint_args.flags.is_empty() {
        o.extend_from_slice(b",\"lints\":");
        str_array(o, p.lint_args.flags.iter());
    }
    let m = &p.metadata;
    o.extend_from_slice(b",\"metadata\":{\"authors\":");
    write_str(o, &m.authors.join(":"));
    for (key, value) in [
        ("description", &m.description),
        ("homepage", &m.homepage),
        ("license", &m.license),
        ("licenseFile", &m.license_file),
        ("readme", &m.readme),
        ("repository", &m.repository),
        ("rustVersion", &m.rust_version),
    ] {
        field(o, key, value.as_deref().unwrap_or_default());
    }
    o.push(b'}');
    field(o, "name", &p.name);
    o.extend_from_slice(b",\"source\":{");
    match (&n.source.kind, &n.location) {
        (SourceKind::Path, Location::Path(dir)) => {
            o.extend_from_slice(b"\"path\":");
            write_str(o, &ws.relative(dir));
            field(o, "type", "path");
        }
        (SourceKind::Git { url, reference, precise }, location) => {
            o.extend_from_slice(b"\"reference\":{");
            match reference {
                GitReference::DefaultBranch => {}
                GitReference::Branch(b) => field_first(o, "branch", b),
                GitReference::Tag(t) => field_first(o, "tag", t),
                GitReference::Rev(r) => field_first(o, "rev", r),
            }
            o.extend_from_slice(b"},\"rev\":");
            opt_str(o, precise.as_deref());
            field(o, "subdir", if let Location::Git { subdir } = location { subdir } else { "" });
            field(o, "type", "git");
            field(o, "url", url);
        }
        _ => {
            o.extend_from_slice(b"\"checksum\":");
            opt_str(o, n.checksum.as_deref());
            field(o, "registry", &n.source.repr);
            field(o, "type", "registry");
        }
    }
    o.extend_from_slice(b"},\"targets\":{");
    let mut targets: Vec<(String, &crate::targets::Target)> = p.targets.iter().map(|t| (t.key(), t)).collect();
    targets.sort_by(|a, b| a.0.cmp(&b.0));
    for (i, (key, t)) in targets.iter().enumerate() {
        if i > 0 {
            o.push(b',');
        }
        write_str(o, key);
        o.extend_from_slice(b":{\"crateName\":");
        write_str(o, &t.crate_name());
        o.extend_from_slice(b",\"crateTypes\":");
        str_array(o, t.crate_types.iter());
        field(o, "edition", &t.edition);
        o.extend_from_slice(if t.harness { b",\"harness\":true" } else { b",\"harness\":false" });
        field(o, "kind", t.kind.as_str());
        field(o, "name", &t.name);
        field(o, "path", &t.path);
        o.extend_from_slice(b",\"requiredFeatures\":");
        str_array(o, t.required_features.iter().flatten());
        o.push(b'}');
    }
    o.push(b'}');
    field(o, "version", &manifest::version_string(&p.version));
    o.push(b'}');
    out
}

/// `,"key":"value"`.
fn field(out: &mut Vec<u8>, key: &str, value: &str) {
    out.push(b',');
    field_first(out, key, value);
}

/// `"key":"value"` (`key` is one of the schema's names: nothing in it needs escaping).
fn field_first(out: &mut Vec<u8>, key: &str, value: &str) {
    out.push(b'"');
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\":");
    write_str(out, value);
}

/// A string, or `null`.
fn opt_str(out: &mut Vec<u8>, value: Option<&str>) {
    match value {
        Some(v) => write_str(out, v),
        None => out.extend_from_slice(b"null"),
    }
}

/// `["a","b"]`.
fn str_array<'a>(out: &mut Vec<u8>, items: impl Iterator<Item = &'a String>) {
    out.push(b'[');
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_str(out, item);
    }
    out.push(b']');
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
            // `<package id> <kind>:<name> <mode> <platform>[ panic=abort]`, without `format!`'s
            // machinery (a few thousand keys per view).
            let t = &graph.package(u.node).targets[u.target];
            let parts = [ids[u.node].as_str(), " ", t.kind.as_str(), ":", &t.name, " ", u.mode.as_str(), " ", platform(u.kind), if u.panic_abort { " panic=abort" } else { "" }];
            parts.concat()
        })
        .collect();
    let mut seen: FastMap<&str, usize> = FastMap::default();
    for k in &base_keys {
        *seen.entry(k.as_str()).or_default() += 1;
    }
    let ambiguous: Vec<Option<String>> = base_keys
        .iter()
        .zip(&units.units)
        .map(|(k, u)| (seen[k.as_str()] > 1).then(|| format!("{k} [{}]", u.features.join(","))))
        .collect();
    let keys: Vec<&str> = base_keys.iter().zip(&ambiguous).map(|(k, a)| a.as_deref().unwrap_or(k)).collect();
    let quoted_keys: Vec<Vec<u8>> = keys.iter().map(|k| quoted(k)).collect();
    let mut order: Vec<usize> = (0..units.units.len()).collect();
    order.sort_by(|&a, &b| keys[a].cmp(keys[b]));
    let mut roots: Vec<usize> = units.roots.clone();
    roots.sort_by(|&a, &b| keys[a].cmp(keys[b]));

    // Written directly, three levels deep, each unit on one line (serde_json's compact form): a
    // view is most of a plan's bytes, and each unit's key recurs in every unit that depends on it.
    // About 500 bytes a unit: one allocation, not a series of ever larger copies.
    let mut w = Pretty(Vec::with_capacity(units.units.len() * 640));
    w.0.push(b'{');
    w.key(4, true, b"\"roots\"");
    w.array(4, roots.iter().map(|&r| quoted_keys[r].as_slice()));
    w.key(4, false, b"\"units\"");
    w.0.push(b'{');
    for (n, &i) in order.iter().enumerate() {
        let u = &units.units[i];
        w.key(5, n == 0, &quoted_keys[i]);
        let out = &mut w.0;
        out.extend_from_slice(b"{\"dependencies\":[");
        let mut deps: Vec<(&str, &str, usize)> = units.deps[i].iter().map(|d| (keys[d.unit], d.extern_crate_name.as_str(), d.unit)).collect();
        deps.sort();
        for (m, (_, extern_crate_name, unit)) in deps.iter().enumerate() {
            out.extend_from_slice(if m == 0 { b"{\"externCrateName\":" } else { b",{\"externCrateName\":" });
            write_str(out, extern_crate_name);
            out.extend_from_slice(b",\"unit\":");
            out.extend_from_slice(&quoted_keys[*unit]);
            out.push(b'}');
        }
        out.extend_from_slice(b"],\"features\":");
        str_array(out, u.features.iter());
        field(out, "mode", u.mode.as_str());
        field(out, "package", &ids[u.node]);
        if u.panic_abort {
            field(out, "panic", "abort");
        }
        field(out, "platform", platform(u.kind));
        field(out, "target", &graph.package(u.node).targets[u.target].key());
        out.push(b'}');
    }
    if !order.is_empty() {
        w.newline(4);
    }
    w.0.push(b'}');
    w.newline(3);
    w.0.push(b'}');
    w.0
}

/// Pretty JSON written piece by piece, as serde_json's pretty printer lays it out.
struct Pretty(Vec<u8>);

impl Pretty {
    /// A line break and the indentation of `level`.
    fn newline(&mut self, level: usize) {
        const SPACES: &[u8] = &[b' '; 32];
        self.0.push(b'\n');
        self.0.extend_from_slice(&SPACES[..2 * level]);
    }

    /// An object's key (already quoted) on its own line at `level`, after a comma unless `first`.
    fn key(&mut self, level: usize, first: bool, quoted_key: &[u8]) {
        if !first {
            self.0.push(b',');
        }
        self.newline(level);
        self.0.extend_from_slice(quoted_key);
        self.0.extend_from_slice(b": ");
    }

    /// An array, opened at `level`, of values already written as JSON.
    fn array<'a>(&mut self, level: usize, items: impl Iterator<Item = &'a [u8]>) {
        self.0.push(b'[');
        let mut any = false;
        for item in items {
            if any {
                self.0.push(b',');
            }
            any = true;
            self.newline(level + 1);
            self.0.extend_from_slice(item);
        }
        if any {
            self.newline(level);
        }
        self.0.push(b']');
    }
}

/// `s` as a JSON string.
fn quoted(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() + 2);
    write_str(&mut out, s);
    out
}

/// Appends `s` as a JSON string, escaped as serde_json escapes it.
fn write_str(out: &mut Vec<u8>, s: &str) {
    if needs_escape(s.as_bytes()) {
        return write_escaped(out, s);
    }
    out.reserve(s.len() + 2);
    out.push(b'"');
    out.extend_from_slice(s.as_bytes());
    out.push(b'"');
}

#[cold]
fn write_escaped(out: &mut Vec<u8>, s: &str) {
    serde_json::to_writer(&mut *out, s).expect("a string always serializes");
}

/// Whether `bytes` hold a control character, `"` or `\\`.
fn needs_escape(bytes: &[u8]) -> bool {
    let maybe = |w: u64| scan::any_below(w, 0x20) || scan::any_eq(w, b'"') || scan::any_eq(w, b'\\');
    scan::find(bytes, maybe, |b| b < 0x20 || b == b'"' || b == b'\\').is_some()
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

/// Writes a JSON object `depth` levels deep from its entries in the order given, each value written
/// by `write_value` at `depth + 1` — the bytes `render_at` would write for the same object.
fn write_object<'a, T>(
    w: &mut dyn Write,
    depth: usize,
    entries: impl IntoIterator<Item = (&'a str, T)>,
    mut write_value: impl FnMut(&mut dyn Write, T) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut line = Pretty(Vec::new());
    let mut any = false;
    w.write_all(b"{")?;
    for (key, value) in entries {
        line.0.clear();
        line.key(depth + 1, !any, &quoted(key));
        any = true;
        w.write_all(&line.0)?;
        write_value(w, value)?;
    }
    if any {
        line.0.clear();
        line.newline(depth);
        w.write_all(&line.0)?;
    }
    w.write_all(b"}")
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

/// Serializes a value the way every plan is written: two-space indentation, final newline.
pub fn to_bytes<T: Serialize>(value: &T) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 << 20);
    serde_json::to_writer_pretty(&mut out, value).expect("plans always serialize");
    out.push(b'\n');
    out
}
