//! `crateplan check`: is a committed plan still the plan of the workspace? Compares the hashes the
//! plan records (docs/plan-schema.md, `inputs`) with the files as they are now.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::digest::sha256_file;
use crate::workspace::{FileNames, Workspace};

/// What changed since the plan was generated; empty when it is current.
pub fn changes(plan: &Value, plan_path: &Path, manifest_path: &Path) -> Result<Vec<String>> {
    let bad = |what: &str| Error::in_file(plan_path, format!("not a crateplan plan ({what}); regenerate it with `crateplan generate`"));
    let inputs = plan.get("inputs").ok_or_else(|| bad("no `inputs`"))?;
    let ws = Workspace::load(manifest_path, &FileNames::Disk)?;
    let mut changes = Vec::new();
    let lock = inputs.get("lockfile").ok_or_else(|| bad("no `inputs.lockfile`"))?;
    let lock_path = ws.root_dir.join(lock.get("path").and_then(Value::as_str).unwrap_or("Cargo.lock"));
    match sha256_file(&lock_path) {
        Ok(sum) if Some(sum.as_str()) == lock.get("sha256").and_then(Value::as_str) => {}
        Ok(_) => changes.push(format!("{} changed", ws.relative(&lock_path))),
        Err(_) => changes.push(format!("{} is missing", ws.relative(&lock_path))),
    }
    let recorded = inputs.get("manifests").and_then(Value::as_array).ok_or_else(|| bad("no `inputs.manifests`"))?;
    let mut recorded_paths = BTreeSet::new();
    for m in recorded {
        let rel = m.get("path").and_then(Value::as_str).ok_or_else(|| bad("a manifest without `path`"))?;
        recorded_paths.insert(rel.to_string());
        let path = ws.root_dir.join(rel);
        // The workspace's own manifests were hashed as they were read.
        let now = ws.manifests.get(&path).cloned().map_or_else(|| sha256_file(&path), Ok);
        match now {
            Ok(sum) if Some(sum.as_str()) == m.get("sha256").and_then(Value::as_str) => {}
            Ok(_) => changes.push(format!("{rel} changed")),
            Err(_) => changes.push(format!("{rel} is gone")),
        }
    }
    for m in ws.manifests.keys() {
        let rel = ws.relative(m);
        if !recorded_paths.contains(&rel) {
            changes.push(format!("{rel} is new"));
        }
    }
    // Target files added or removed (plans made before `targetFiles` existed have none to compare).
    if let Some(recorded) = inputs.get("targetFiles").and_then(Value::as_object) {
        let current = ws.discovery_files();
        for (dir, files) in recorded {
            // A directory that holds no path package now: its manifest's change says why.
            let Some(current_files) = current.get(dir) else { continue };
            let was: BTreeSet<&str> = files.as_array().into_iter().flatten().filter_map(Value::as_str).collect();
            let now: BTreeSet<&str> = current_files.iter().map(String::as_str).collect();
            let path = |f: &str| if dir == "." { f.to_string() } else { format!("{dir}/{f}") };
            changes.extend(now.difference(&was).map(|f| format!("{} is new", path(f))));
            changes.extend(was.difference(&now).map(|f| format!("{} is gone", path(f))));
        }
    }
    Ok(changes)
}

/// The command that regenerates `plan`, written to `output`.
pub fn regenerate_command(plan: &Value, output: &str) -> String {
    let mut cmd = String::from("crateplan generate");
    if let Some(platforms) = plan.get("platforms").and_then(Value::as_object) {
        for triple in platforms.keys() {
            cmd.push_str(&format!(" --target {triple}"));
        }
    }
    let inputs = plan.get("inputs");
    let features = inputs.and_then(|i| i.get("features"));
    if let Some(list) = features.and_then(|f| f.get("features")).and_then(Value::as_array) {
        let names: Vec<&str> = list.iter().filter_map(Value::as_str).collect();
        if !names.is_empty() {
            cmd.push_str(&format!(" --features {}", names.join(",")));
        }
    }
    if features.and_then(|f| f.get("allFeatures")).and_then(Value::as_bool) == Some(true) {
        cmd.push_str(" --all-features");
    }
    if features.and_then(|f| f.get("noDefaultFeatures")).and_then(Value::as_bool) == Some(true) {
        cmd.push_str(" --no-default-features");
    }
    if inputs.and_then(|i| i.get("profile")).and_then(Value::as_str) == Some("release") {
        cmd.push_str(" --release");
    }
    match inputs.and_then(|i| i.get("packages")) {
        Some(Value::String(s)) if s == "workspace" => cmd.push_str(" --workspace"),
        Some(Value::Object(w)) => {
            cmd.push_str(" --workspace");
            for e in w.get("exclude").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
                cmd.push_str(&format!(" --exclude {e}"));
            }
        }
        Some(Value::Array(names)) => {
            for n in names.iter().filter_map(Value::as_str) {
                cmd.push_str(&format!(" -p {n}"));
            }
        }
        _ => {}
    }
    cmd.push_str(&format!(" -o {output}"));
    cmd
}
