//! `crateplan diff`: what changes in the build between two plans (before and after a lockfile or
//! manifest change) — per target triple and view, packages added, removed and upgraded, units
//! whose features changed, and new build scripts and proc-macros.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{json, Value};

use crate::error::{Error, Result};

/// Reads a plan written by `crateplan generate`.
pub fn read_plan(path: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::new(format!("cannot read plan {}: {e}; write one with `crateplan generate -o`", path.display())))?;
    let plan: Value = serde_json::from_str(&text).map_err(|e| Error::new(format!("{} is not JSON ({e}); pass a plan written by `crateplan generate`", path.display())))?;
    if !plan["platforms"].is_object() || !plan["packages"].is_object() {
        return Err(Error::new(format!("{} is not a crateplan plan (no `platforms` or `packages`); pass a plan written by `crateplan generate`", path.display())));
    }
    Ok(plan)
}

/// A unit, keyed by what stays the same across a version change: package name, target,
/// mode and platform.
type UnitName = (String, String, String, String);

/// The units of one view, by name, with their features.
fn units(plan: &Value, triple: &str, view: &str) -> BTreeMap<UnitName, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    for unit in plan["platforms"][triple][view]["units"].as_object().into_iter().flat_map(|m| m.values()) {
        let id = unit["package"].as_str().unwrap_or_default();
        let name = plan["packages"][id]["name"].as_str().unwrap_or(id).to_string();
        let s = |k: &str| unit[k].as_str().unwrap_or_default().to_string();
        let features: BTreeSet<String> = unit["features"].as_array().into_iter().flatten().filter_map(|f| f.as_str().map(str::to_string)).collect();
        out.entry((name, s("target"), s("mode"), s("platform"))).or_insert_with(BTreeSet::new).extend(features);
    }
    out
}

/// The packages of one view: name → versions.
fn packages(plan: &Value, triple: &str, view: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for unit in plan["platforms"][triple][view]["units"].as_object().into_iter().flat_map(|m| m.values()) {
        let id = unit["package"].as_str().unwrap_or_default();
        let p = &plan["packages"][id];
        out.entry(p["name"].as_str().unwrap_or(id).to_string()).or_default().insert(p["version"].as_str().unwrap_or_default().to_string());
    }
    out
}

fn is_proc_macro(plan: &Value, name: &UnitName) -> bool {
    plan["packages"].as_object().into_iter().flat_map(|m| m.values()).any(|p| {
        p["name"].as_str() == Some(&name.0) && p["targets"][&name.1]["crateTypes"].as_array().is_some_and(|t| t.iter().any(|c| c == "proc-macro"))
    })
}

/// The differences between two plans, as JSON (`--format json`).
pub fn diff(old: &Value, new: &Value) -> Value {
    let triples: BTreeSet<&String> = old["platforms"].as_object().into_iter().chain(new["platforms"].as_object()).flat_map(|m| m.keys()).collect();
    let mut views = Vec::new();
    let mut totals = [0usize; 5];
    for triple in triples {
        for view in ["build", "test"] {
            let (po, pn) = (packages(old, triple, view), packages(new, triple, view));
            let added: Vec<String> = pn.iter().filter(|(n, _)| !po.contains_key(*n)).map(|(n, v)| format!("{n}@{}", join(v))).collect();
            let removed: Vec<String> = po.iter().filter(|(n, _)| !pn.contains_key(*n)).map(|(n, v)| format!("{n}@{}", join(v))).collect();
            let upgraded: Vec<Value> = po
                .iter()
                .filter_map(|(n, v)| pn.get(n).filter(|w| *w != v).map(|w| json!({ "name": n, "from": join(v), "to": join(w) })))
                .collect();
            let (uo, un) = (units(old, triple, view), units(new, triple, view));
            let mut features = Vec::new();
            for (name, fo) in &uo {
                if let Some(fnew) = un.get(name).filter(|f| *f != fo) {
                    features.push(json!({
                        "unit": format!("{} {} {} {}", name.0, name.1, name.2, name.3),
                        "added": fnew.difference(fo).collect::<Vec<_>>(),
                        "removed": fo.difference(fnew).collect::<Vec<_>>(),
                    }));
                }
            }
            let fresh: Vec<&UnitName> = un.keys().filter(|k| !uo.contains_key(*k)).collect();
            let build_scripts: Vec<String> = fresh.iter().filter(|k| k.2 == "run-custom-build").map(|k| k.0.clone()).collect();
            let proc_macros: Vec<String> = fresh.iter().filter(|k| k.2 == "build" && is_proc_macro(new, k)).map(|k| k.0.clone()).collect();
            for (t, n) in totals.iter_mut().zip([added.len(), removed.len(), upgraded.len(), features.len(), build_scripts.len() + proc_macros.len()]) {
                *t += n;
            }
            views.push(json!({
                "target": triple, "view": view, "added": added, "removed": removed, "upgraded": upgraded,
                "featuresChanged": features, "newBuildScripts": build_scripts, "newProcMacros": proc_macros,
            }));
        }
    }
    let [a, r, u, f, b] = totals;
    let summary = if a + r + u + f + b == 0 {
        "no change to what is built".to_string()
    } else {
        format!("{a} added, {r} removed, {u} upgraded, {f} units with changed features, {b} new build scripts or proc-macros (summed over targets and views)")
    };
    json!({ "summary": summary, "views": views })
}

fn join(v: &BTreeSet<String>) -> String {
    v.iter().cloned().collect::<Vec<_>>().join(",")
}

/// The differences as text: the summary line, then each view that changed.
pub fn to_text(d: &Value) -> String {
    let mut s = format!("{}\n", d["summary"].as_str().unwrap_or_default());
    let list = |v: &Value| v.as_array().cloned().unwrap_or_default();
    for view in list(&d["views"]) {
        let mut lines = Vec::new();
        for a in list(&view["added"]) {
            lines.push(format!("  + {}", a.as_str().unwrap_or_default()));
        }
        for r in list(&view["removed"]) {
            lines.push(format!("  - {}", r.as_str().unwrap_or_default()));
        }
        for u in list(&view["upgraded"]) {
            lines.push(format!("  ~ {} {} -> {}", u["name"].as_str().unwrap_or_default(), u["from"].as_str().unwrap_or_default(), u["to"].as_str().unwrap_or_default()));
        }
        for f in list(&view["featuresChanged"]) {
            let names = |k: &str| list(&f[k]).iter().filter_map(|x| x.as_str().map(str::to_string)).collect::<Vec<_>>().join(", ");
            lines.push(format!("  features of {}: +[{}] -[{}]", f["unit"].as_str().unwrap_or_default(), names("added"), names("removed")));
        }
        for b in list(&view["newBuildScripts"]) {
            lines.push(format!("  new build script: {}", b.as_str().unwrap_or_default()));
        }
        for p in list(&view["newProcMacros"]) {
            lines.push(format!("  new proc-macro: {}", p.as_str().unwrap_or_default()));
        }
        if !lines.is_empty() {
            s += &format!("{} {}:\n{}\n", view["target"].as_str().unwrap_or_default(), view["view"].as_str().unwrap_or_default(), lines.join("\n"));
        }
    }
    s
}
