//! The build plan (docs/plan-schema.md): per-package data once, then per target triple the units
//! of `cargo build` and of `cargo test --no-run`.

use std::collections::{BTreeMap, HashMap};

use serde_json::{json, Map, Value};

use crate::graph::{Graph, Location};
use crate::source_id::{GitReference, SourceKind};
use crate::units::{Kind, UnitGraph};
use crate::workspace::Workspace;

/// The plan's schema version.
pub const SCHEMA_VERSION: u32 = 1;

/// Package ids for the plan: `name@version`, with ` (source)` where that is not unique.
pub fn package_ids(graph: &Graph, ws: &Workspace) -> Vec<String> {
    let mut count: HashMap<(String, String), usize> = HashMap::new();
    for n in &graph.nodes {
        *count.entry((n.package.name.clone(), n.package.version.to_string())).or_default() += 1;
    }
    graph
        .nodes
        .iter()
        .map(|n| {
            let base = format!("{}@{}", n.package.name, n.package.version);
            if count[&(n.package.name.clone(), n.package.version.to_string())] == 1 {
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

/// The `packages` object.
pub fn packages(graph: &Graph, ws: &Workspace, ids: &[String], used: &[bool]) -> Value {
    let mut out = Map::new();
    for (i, n) in graph.nodes.iter().enumerate() {
        if !used[i] {
            continue;
        }
        let p = &n.package;
        let source = match (&n.source.kind, &n.location) {
            (SourceKind::Path, Location::Path(dir)) => json!({ "type": "path", "path": ws.relative(dir) }),
            (SourceKind::Git { url, reference, precise }, loc) => {
                let reference = match reference {
                    GitReference::DefaultBranch => json!({}),
                    GitReference::Branch(b) => json!({ "branch": b }),
                    GitReference::Tag(t) => json!({ "tag": t }),
                    GitReference::Rev(r) => json!({ "rev": r }),
                };
                let subdir = match loc {
                    Location::Git { subdir } => subdir.clone(),
                    _ => String::new(),
                };
                json!({ "type": "git", "url": url, "reference": reference, "rev": precise, "subdir": subdir })
            }
            _ => json!({ "type": "registry", "registry": n.source.repr, "checksum": n.checksum }),
        };
        let m = &p.metadata;
        let s = |v: &Option<String>| v.clone().unwrap_or_default();
        let targets: Map<String, Value> = p
            .targets
            .iter()
            .map(|t| {
                (
                    t.key(),
                    json!({
                        "kind": t.kind.as_str(),
                        "name": t.name,
                        "crateName": t.crate_name(),
                        "crateTypes": t.crate_types,
                        "path": t.path,
                        "edition": t.edition,
                        "requiredFeatures": t.required_features.clone().unwrap_or_default(),
                        "harness": t.harness,
                    }),
                )
            })
            .collect();
        out.insert(
            ids[i].clone(),
            json!({
                "name": p.name,
                "version": p.version.to_string(),
                "source": source,
                "edition": p.edition,
                "links": p.links,
                "metadata": {
                    "authors": m.authors.join(":"),
                    "description": s(&m.description),
                    "homepage": s(&m.homepage),
                    "repository": s(&m.repository),
                    "license": s(&m.license),
                    "licenseFile": s(&m.license_file),
                    "rustVersion": s(&m.rust_version),
                    "readme": s(&m.readme),
                },
                "targets": targets,
            }),
        );
    }
    Value::Object(out)
}

/// One unit set (`build` or `test` of one triple).
pub fn unit_set(graph: &Graph, ids: &[String], units: &UnitGraph) -> Value {
    let base_key = |i: usize| {
        let u = &units.units[i];
        let t = &graph.package(u.node).targets[u.target];
        let platform = match u.kind {
            Kind::Host => "host",
            Kind::Target => "target",
        };
        format!("{} {} {} {platform}", ids[u.node], t.key(), u.mode.as_str())
    };
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for i in 0..units.units.len() {
        *seen.entry(base_key(i)).or_default() += 1;
    }
    let keys: Vec<String> = (0..units.units.len())
        .map(|i| {
            let k = base_key(i);
            if seen[&k] > 1 { format!("{k} [{}]", units.units[i].features.join(",")) } else { k }
        })
        .collect();
    let mut out = Map::new();
    for (i, u) in units.units.iter().enumerate() {
        let t = &graph.package(u.node).targets[u.target];
        let mut deps: Vec<(&str, &str)> = units.deps[i].iter().map(|d| (keys[d.unit].as_str(), d.extern_crate_name.as_str())).collect();
        deps.sort();
        out.insert(
            keys[i].clone(),
            json!({
                "package": ids[u.node],
                "target": t.key(),
                "mode": u.mode.as_str(),
                "platform": match u.kind { Kind::Host => "host", Kind::Target => "target" },
                "features": u.features,
                "dependencies": deps.iter().map(|(unit, name)| json!({ "unit": unit, "externCrateName": name })).collect::<Vec<_>>(),
            }),
        );
    }
    let mut roots: Vec<&str> = units.roots.iter().map(|&r| keys[r].as_str()).collect();
    roots.sort();
    json!({ "roots": roots, "units": out })
}

/// Serializes a JSON value the way every plan is written: sorted keys, two-space indentation,
/// final newline.
pub fn to_bytes(value: &Value) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(value).expect("JSON values always serialize");
    out.push(b'\n');
    out
}
