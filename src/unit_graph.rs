//! The plan of one target in the shape of cargo's `--unit-graph` JSON, so it can be diffed
//! against cargo directly.

use serde_json::{json, Value};

use crate::graph::{Graph, Location};
use crate::source_id::{GitReference, SourceKind};
use crate::units::{Kind, UnitGraph};

/// Cargo's package ID spec spelling: `registry+URL#name@version`, `path+file:///dir#version`
/// when the directory is named like the package, and so on.
pub fn pkg_id(graph: &Graph, node: usize) -> String {
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

/// Renders `units` as cargo's `--unit-graph` JSON (version 1), units sorted like cargo's.
pub fn render(graph: &Graph, units: &UnitGraph, triple: &str) -> Value {
    let ids: Vec<String> = (0..graph.nodes.len()).map(|n| pkg_id(graph, n)).collect();
    let mut order: Vec<usize> = (0..units.units.len()).collect();
    let key = |i: usize| {
        let u = &units.units[i];
        let t = &graph.package(u.node).targets[u.target];
        (ids[u.node].clone(), t.kind, t.name.clone(), u.kind, u.mode, u.features.clone(), u.panic_abort)
    };
    order.sort_by_key(|&i| key(i));
    let mut position = vec![0; order.len()];
    for (pos, &i) in order.iter().enumerate() {
        position[i] = pos;
    }
    let rendered: Vec<Value> = order
        .iter()
        .map(|&i| {
            let u = &units.units[i];
            let node = &graph.nodes[u.node];
            let t = &node.package.targets[u.target];
            let src_path = match &node.location {
                Location::Path(dir) => dir.join(&t.path).display().to_string(),
                _ => t.path.clone(),
            };
            let mut deps: Vec<(usize, &str)> = units.deps[i].iter().map(|d| (position[d.unit], d.extern_crate_name.as_str())).collect();
            deps.sort();
            json!({
                "pkg_id": ids[u.node],
                "target": {
                    "kind": t.unit_graph_kind(),
                    "crate_types": t.crate_types,
                    "name": t.name,
                    "src_path": src_path,
                    "edition": t.edition,
                    "doc": t.documented,
                    "doctest": t.doctested,
                    "test": t.tested,
                },
                "profile": { "panic": if u.panic_abort { "abort" } else { "unwind" } },
                "platform": match u.kind { Kind::Host => Value::Null, Kind::Target => Value::String(triple.to_string()) },
                "mode": u.mode.as_str(),
                "features": &u.features[..],
                "dependencies": deps.iter().map(|(index, name)| json!({
                    "index": index, "extern_crate_name": name, "public": false, "noprelude": false
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let mut roots: Vec<usize> = units.roots.iter().map(|&r| position[r]).collect();
    roots.sort();
    json!({ "version": 1, "units": rendered, "roots": roots })
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
