//! `crateplan check`: is a committed plan still the plan of the workspace? Compares the hashes the
//! plan records (docs/plan-schema.md, `inputs`) with the files as they are now.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::{Error, Result};
use crate::load::digest::sha256_file;
use crate::load::lookups;
use crate::load::workspace::{FileNames, Workspace};

/// Checks the plan at `plan` (relative to the workspace root unless absolute) against the
/// workspace of `manifest_path`: its path when it is current, else an error saying what changed
/// and how to regenerate it.
pub fn check(manifest_path: &Path, plan: &Path) -> Result<PathBuf> {
    let root = manifest_path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let plan_path = if plan.is_absolute() { plan.to_path_buf() } else { root.join(plan) };
    let text = std::fs::read_to_string(&plan_path).map_err(|e| Error::in_file(&plan_path, format!("cannot read the plan ({e}); make it with `crateplan generate --target <triple> -o {}`", plan.display())))?;
    let value: Value = serde_json::from_str(&text).map_err(|e| Error::in_file(&plan_path, format!("not JSON ({e}); regenerate it with `crateplan generate`")))?;
    let changes = changes(&value, &plan_path, manifest_path)?;
    if changes.is_empty() {
        return Ok(plan_path);
    }
    Err(Error::new(format!("{} is stale: {}; run `{}`", plan_path.display(), changes.join(", "), regenerate_command(&value, &plan.display().to_string()))))
}

/// What changed since the plan was generated; empty when it is current.
pub(crate) fn changes(plan: &Value, plan_path: &Path, manifest_path: &Path) -> Result<Vec<String>> {
    let bad = |what: &str| Error::in_file(plan_path, format!("not a crateplan plan ({what}); regenerate it with `crateplan generate`"));
    let inputs = plan.get("inputs").ok_or_else(|| bad("no `inputs`"))?;
    let version = plan.get("version").and_then(Value::as_u64);
    if version != Some(u64::from(crate::output::plan::SCHEMA_VERSION)) {
        let was = version.map_or("no schema version".to_string(), |v| format!("schema version {v}"));
        return Ok(vec![format!("it has {was}, this crateplan writes version {}", crate::output::plan::SCHEMA_VERSION)]);
    }
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
    for m in recorded {
        let rel = m.get("path").and_then(Value::as_str).ok_or_else(|| bad("a manifest without `path`"))?;
        let path = ws.root_dir.join(rel);
        // The workspace's own manifests were hashed as they were read.
        let now = ws.manifests.get(&path).cloned().map_or_else(|| sha256_file(&path), Ok);
        match now {
            Ok(sum) if Some(sum.as_str()) == m.get("sha256").and_then(Value::as_str) => {}
            Ok(_) => changes.push(format!("{rel} changed")),
            Err(_) => changes.push(format!("{rel} is gone")),
        }
    }
    for c in inputs.get("config").and_then(Value::as_array).into_iter().flatten() {
        let rel = c.get("path").and_then(Value::as_str).ok_or_else(|| bad("a config file without `path`"))?;
        match sha256_file(&ws.root_dir.join(rel)) {
            Ok(sum) if Some(sum.as_str()) == c.get("sha256").and_then(Value::as_str) => {}
            Ok(_) => changes.push(format!("{rel} changed")),
            Err(_) => changes.push(format!("{rel} is gone")),
        }
    }
    changes.extend(lookup_changes(inputs, &ws.root_dir));
    Ok(changes)
}

/// Files added or removed where target discovery or a `members` glob looked (`inputs.probes` and
/// `inputs.listings`): each probe asked again, each directory listed again.
fn lookup_changes(inputs: &Value, root: &Path) -> Vec<String> {
    let at = |rel: &str| -> PathBuf { if rel == "." { root.to_path_buf() } else { root.join(rel) } };
    let mut changes = Vec::new();
    for (path, was) in inputs.get("probes").and_then(Value::as_object).into_iter().flatten() {
        match (was.as_bool(), lookups::probe(&at(path))) {
            (Some(false), true) => changes.push(format!("{path} is new")),
            (Some(true), false) => changes.push(format!("{path} is gone")),
            _ => {}
        }
    }
    for (dir, was) in inputs.get("listings").and_then(Value::as_object).into_iter().flatten() {
        let was: BTreeSet<&str> = was.as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        let now = lookups::listing(&at(dir));
        let now: BTreeSet<&str> = now.iter().map(String::as_str).collect();
        let path = |name: &str| if dir == "." { name.to_string() } else { format!("{dir}/{name}") };
        changes.extend(now.difference(&was).map(|n| format!("{} is new", path(n))));
        changes.extend(was.difference(&now).map(|n| format!("{} is gone", path(n))));
    }
    changes
}

/// The command that regenerates `plan`, written to `output`.
pub(crate) fn regenerate_command(plan: &Value, output: &str) -> String {
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
    match inputs.and_then(|i| i.get("profile")).and_then(Value::as_str) {
        None | Some("dev") => {}
        Some("release") => cmd.push_str(" --release"),
        Some(name) => cmd.push_str(&format!(" --profile {name}")),
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
