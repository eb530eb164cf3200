//! `crateplan explain` checked against cargo: for each package of some test workspaces, the
//! features explain reports on are those `cargo tree -e features -i PKG --target T` shows, a
//! package cargo's tree leaves out is reported not built, and every step of a printed chain is
//! an edge of cargo's tree.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

const TRIPLES: [&str; 2] = ["x86_64-unknown-linux-gnu", "x86_64-pc-windows-msvc"];
const WORKSPACES: [&str; 5] = ["platform-deps", "features-edge", "weak-features", "resolver2-split", "host-unify"];

/// `name@version` of every registry package of a Cargo.lock.
fn locked_packages(lock: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(lock).unwrap();
    let mut out = Vec::new();
    for block in text.split("[[package]]").skip(1) {
        let field = |k: &str| block.lines().find_map(|l| l.strip_prefix(&format!("{k} = \"")).map(|v| v.trim_end_matches('"').to_string()));
        if field("source").is_some() {
            out.push(format!("{}@{}", field("name").unwrap(), field("version").unwrap()));
        }
    }
    out
}

/// (dependent package name, dependency package name) pairs.
type Edges = BTreeSet<(String, String)>;

/// cargo's inverted feature tree of `spec`: the features of `spec` it shows on, and its edges
/// as (dependent package name, dependency package name). `None` when cargo has no such package
/// in the tree.
fn cargo_tree(manifest: &Path, spec: &str, triple: &str) -> Option<(BTreeSet<String>, Edges)> {
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["tree", "--locked", "--offline", "-e", "features", "--prefix", "depth", "-i", spec, "--target", triple, "--manifest-path"])
        .arg(manifest)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    if !out.status.success() || text.trim().is_empty() {
        return None;
    }
    let name = spec.split('@').next().unwrap();
    let mut features = BTreeSet::new();
    let mut edges = BTreeSet::new();
    let mut stack: Vec<String> = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let digits = line.chars().take_while(char::is_ascii_digit).count();
        let depth: usize = line[..digits].parse().unwrap();
        let rest = &line[digits..];
        let pkg = rest.split(' ').next().unwrap().to_string();
        if let Some(f) = rest.strip_prefix(&format!("{name} feature \"")) {
            features.insert(f.split('"').next().unwrap().to_string());
        }
        stack.truncate(depth);
        if let Some(parent) = stack.last().filter(|p| **p != pkg) {
            edges.insert((pkg.clone(), parent.clone()));
        }
        stack.push(pkg);
    }
    Some((features, edges))
}

/// `name@version` of every package whose manifest declares a `default` feature, as
/// `cargo metadata` reads the manifests. (`cargo tree` shows a `default` node for every
/// dependency that keeps default features, declared or not; only a declared one is compiled in.)
fn declares_default(manifest: &Path) -> BTreeSet<String> {
    let mut cmd = common::cargo();
    cmd.args(["metadata", "--locked", "--offline", "--format-version", "1", "--manifest-path"]).arg(manifest);
    let meta: Value = serde_json::from_slice(&common::run_ok(cmd, "cargo metadata")).unwrap();
    meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["features"].get("default").is_some())
        .map(|p| format!("{}@{}", p["name"].as_str().unwrap(), p["version"].as_str().unwrap()))
        .collect()
}

fn explain(manifest: &Path, spec: &str, triple: &str, feature: Option<&str>) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_crateplan"))
        .args(["explain", spec, "--json", "--tests", "--target", triple])
        .args(feature.map(|f| ["--feature", f]).into_iter().flatten())
        .arg("--manifest-path")
        .arg(manifest)
        .output()
        .unwrap();
    assert!(out.status.success(), "explain {spec}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The package name of a unit label `name@version target mode (side)`.
fn label_package(label: &str) -> String {
    label.trim().split('@').next().unwrap().to_string()
}

#[test]
fn explain_agrees_with_cargo_tree() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for ws in WORKSPACES {
        let dir = common::workspace_copy(ws, &common::scratch("explain", ws));
        let manifest = dir.join("Cargo.toml");
        let with_default = declares_default(&manifest);
        for spec in locked_packages(&dir.join("Cargo.lock")) {
            for triple in TRIPLES {
                let answer = explain(&manifest, &spec, triple, None);
                let units = answer[0]["units"].as_array().unwrap();
                let ours: BTreeSet<String> = units.iter().flat_map(|u| u["features"].as_array().unwrap()).map(|f| f.as_str().unwrap().to_string()).collect();
                let what = format!("{ws} {spec} {triple}");
                checked += 1;
                let Some((mut theirs, edges)) = cargo_tree(&manifest, &spec, triple) else {
                    if !units.is_empty() {
                        failures.push(format!("{what}: cargo's tree leaves it out, explain reports {} units", units.len()));
                    }
                    continue;
                };
                if !with_default.contains(&spec) {
                    theirs.remove("default");
                }
                if units.is_empty() {
                    failures.push(format!("{what}: in cargo's tree, explain says not built"));
                }
                if ours != theirs {
                    failures.push(format!("{what}: features {ours:?}, cargo {theirs:?}"));
                }
                // Each feature cargo shows on has a chain of activations.
                let mut chains: Vec<Value> = units.iter().map(|u| u["chain"].clone()).collect();
                for f in &theirs {
                    let answer = explain(&manifest, &spec, triple, Some(f));
                    let units = answer[0]["units"].as_array().unwrap();
                    if units.is_empty() {
                        failures.push(format!("{what}: cargo has feature `{f}` on, explain says off"));
                    }
                    for u in units {
                        let chain = u["chain"].as_array().unwrap();
                        if chain.iter().any(|s| s.as_str().unwrap().contains("no activation chain")) {
                            failures.push(format!("{what}: no chain for feature `{f}`"));
                        }
                        chains.push(u["chain"].clone());
                    }
                }
                for step in chains.iter().flat_map(|c| c.as_array().unwrap()) {
                    let step = step.as_str().unwrap();
                    let Some((arrow, _)) = step.split_once(": ") else { continue };
                    let Some((from, to)) = arrow.split_once(" -> ") else { continue };
                    let (from, to) = (label_package(from), label_package(to));
                    if from != to && !edges.contains(&(from.clone(), to.clone())) {
                        failures.push(format!("{what}: step {from} -> {to} is no edge of cargo's tree"));
                    }
                }
            }
        }
    }
    assert!(checked > 20, "only {checked} packages checked");
    assert!(failures.is_empty(), "{} disagreements:\n{}", failures.len(), failures.join("\n"));
}

/// Bad input gets `generate`'s one-line errors; an unknown package names the lockfile.
#[test]
fn explain_errors_are_one_line() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/workspaces/platform-deps/Cargo.toml");
    let run = |args: &[&str]| {
        let o = Command::new(env!("CARGO_BIN_EXE_crateplan")).args(args).arg("--manifest-path").arg(&manifest).output().unwrap();
        assert!(!o.status.success());
        String::from_utf8(o.stderr).unwrap()
    };
    let bad_target = run(&["explain", "libc", "--target", "no-such-triple"]);
    assert_eq!(bad_target, run(&["generate", "--target", "no-such-triple"]));
    let bad_feature = run(&["explain", "libc", "--target", TRIPLES[0], "-F", "no-such-feature"]);
    assert_eq!(bad_feature, run(&["generate", "--target", TRIPLES[0], "-F", "no-such-feature"]));
    let unknown = run(&["explain", "no-such-package", "--target", TRIPLES[0]]);
    assert_eq!(unknown.lines().count(), 1, "{unknown}");
    assert!(unknown.contains("`no-such-package` is not in Cargo.lock"), "{unknown}");
}
