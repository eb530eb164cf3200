//! The plan of one target in the shape of cargo's `--unit-graph` JSON, so it can be diffed
//! against cargo directly.

use serde::Serialize;

use crate::load::remote::Location;
use crate::resolve::graph::Graph;
use crate::resolve::profiles::Profile;
use crate::resolve::units::{Kind, UnitGraph};
use crate::source_id::{GitReference, SourceKind};

/// Cargo's package ID spec spelling: `registry+URL#name@version`, `path+file:///dir#version`
/// when the directory is named like the package, and so on.
pub(crate) fn pkg_id(graph: &Graph, node: usize) -> String {
    let n = &graph.nodes[node];
    let (url, last_segment) = match (&n.source.kind, &n.location) {
        (SourceKind::Path, Location::Path(dir)) => {
            let path = dir.to_string_lossy();
            let url = format!("path+file://{}", path_encode(&path));
            let last = path_encode(&dir.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default());
            (url, last)
        }
        (SourceKind::Git { url, reference, .. }, _) => {
            let last = url.trim_end_matches('/').rsplit('/').next().unwrap_or("").to_string();
            let query = match reference {
                GitReference::DefaultBranch => String::new(),
                GitReference::Branch(b) => format!("?branch={}", form_urlencode(b)),
                GitReference::Tag(t) => format!("?tag={}", form_urlencode(t)),
                GitReference::Rev(r) => format!("?rev={}", form_urlencode(r)),
            };
            (format!("git+{url}{query}"), last)
        }
        _ => {
            let last = n.source.url().trim_end_matches('/').rsplit('/').next().unwrap_or("").to_string();
            (n.source.repr.clone(), last)
        }
    };
    if last_segment == n.package.name {
        format!("{url}#{}", n.package.version)
    } else {
        format!("{url}#{}@{}", n.package.name, n.package.version)
    }
}

/// `units` as cargo's `--unit-graph` JSON (version 1), units sorted like cargo's: pretty, with a
/// final newline, as cargo prints it.
pub(crate) fn to_json(graph: &Graph, units: &UnitGraph, triple: &str) -> Vec<u8> {
    let ids: Vec<String> = (0..graph.nodes.len()).map(|n| pkg_id(graph, n)).collect();
    let mut order: Vec<usize> = (0..units.units.len()).collect();
    order.sort_by_key(|&i| {
        let u = &units.units[i];
        let t = &graph.package(u.node).targets[u.target];
        (&ids[u.node], t.kind, &t.name, u.kind, u.mode, &u.features, u.profile)
    });
    let mut position = vec![0; order.len()];
    for (pos, &i) in order.iter().enumerate() {
        position[i] = pos;
    }
    let units_json = order
        .iter()
        .map(|&i| {
            let u = &units.units[i];
            let node = &graph.nodes[u.node];
            let t = &node.package.targets[u.target];
            let mut dependencies: Vec<DependencyJson> = units.deps[i]
                .iter()
                .map(|d| DependencyJson { extern_crate_name: &d.extern_crate_name, index: position[d.unit], noprelude: false, public: false })
                .collect();
            dependencies.sort_by_key(|d| (d.index, d.extern_crate_name));
            UnitJson {
                dependencies,
                features: &u.features,
                mode: u.mode.as_str(),
                pkg_id: &ids[u.node],
                platform: match u.kind {
                    Kind::Host => None,
                    Kind::Target => Some(triple),
                },
                profile: ProfileJson::new(u.profile_of(&units.profiles), matches!(node.source.kind, SourceKind::Path)),
                target: TargetJson {
                    crate_types: &t.crate_types,
                    doc: t.documented,
                    doctest: t.doctested,
                    edition: &t.edition,
                    kind: t.unit_graph_kind(),
                    name: &t.name,
                    src_path: match &node.location {
                        Location::Path(dir) => dir.join(&t.path).display().to_string(),
                        _ => t.path.clone(),
                    },
                    test: t.tested,
                },
            }
        })
        .collect();
    let mut roots: Vec<usize> = units.roots.iter().map(|&r| position[r]).collect();
    roots.sort();
    let mut out = Vec::new();
    serde_json::to_writer_pretty(&mut out, &UnitGraphJson { roots, units: units_json, version: 1 }).expect("a unit graph always serializes to memory");
    out.push(b'\n');
    out
}

/// The JSON objects of `--unit-graph`, their fields in sorted order as cargo writes them.
#[derive(Serialize)]
struct UnitGraphJson<'a> {
    roots: Vec<usize>,
    units: Vec<UnitJson<'a>>,
    version: u32,
}

#[derive(Serialize)]
struct UnitJson<'a> {
    dependencies: Vec<DependencyJson<'a>>,
    features: &'a [String],
    mode: &'static str,
    pkg_id: &'a str,
    /// `null` for the host.
    platform: Option<&'a str>,
    profile: ProfileJson<'a>,
    target: TargetJson<'a>,
}

/// Cargo's `Profile` as `--unit-graph` prints it.
#[derive(Serialize)]
struct ProfileJson<'a> {
    name: &'a str,
    opt_level: &'a str,
    lto: &'a str,
    codegen_backend: Option<&'a str>,
    codegen_units: Option<u32>,
    debuginfo: serde_json::Value,
    split_debuginfo: Option<&'a str>,
    debug_assertions: bool,
    overflow_checks: bool,
    rpath: bool,
    incremental: bool,
    panic: &'static str,
    strip: serde_json::Value,
}

impl<'a> ProfileJson<'a> {
    fn new(p: &'a Profile, is_local: bool) -> Self {
        let inner = match &p.strip {
            None => serde_json::Value::from("None"),
            Some(name) => serde_json::json!({ "Named": name }),
        };
        ProfileJson {
            name: &p.name,
            opt_level: &p.opt_level,
            lto: p.lto.as_str(),
            codegen_backend: None,
            codegen_units: p.codegen_units,
            debuginfo: p.debuginfo.to_json(),
            split_debuginfo: p.split_debuginfo.as_deref(),
            debug_assertions: p.debug_assertions,
            overflow_checks: p.overflow_checks,
            rpath: p.rpath,
            incremental: p.incremental && is_local,
            panic: p.panic.as_str(),
            strip: serde_json::json!({ (if p.strip_deferred { "deferred" } else { "resolved" }): inner }),
        }
    }
}

#[derive(Serialize)]
struct TargetJson<'a> {
    crate_types: &'a [String],
    doc: bool,
    doctest: bool,
    edition: &'a str,
    kind: Vec<String>,
    name: &'a str,
    src_path: String,
    test: bool,
}

#[derive(Serialize)]
struct DependencyJson<'a> {
    extern_crate_name: &'a str,
    index: usize,
    noprelude: bool,
    public: bool,
}

/// `application/x-www-form-urlencoded` encoding of a query value, as URLs print it.
fn form_urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Percent-encoding of a file URL's path, as URLs made from file paths print it: controls,
/// space, `"#<>?`{}%` and non-ASCII bytes are escaped.
fn path_encode(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        match b {
            b' ' | b'"' | b'#' | b'<' | b'>' | b'?' | b'`' | b'{' | b'}' | b'%' => out.push_str(&format!("%{b:02X}")),
            0..=0x1f | 0x7f..=0xff => out.push_str(&format!("%{b:02X}")),
            _ => out.push(b as char),
        }
    }
    out
}
