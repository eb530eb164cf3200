//! `crateplan diff` over two real plans: before and after `cargo update -p memchr --precise` in
//! a copy of a test workspace. The upgrades it reports must be the lockfile changes cargo made,
//! for exactly the packages `cargo tree` says are built.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

const TRIPLE: &str = "x86_64-unknown-linux-gnu";

fn lock_versions(lock: &Path) -> BTreeSet<(String, String)> {
    let text = std::fs::read_to_string(lock).unwrap();
    text.split("[[package]]")
        .skip(1)
        .map(|b| {
            let field = |k: &str| b.lines().find_map(|l| l.strip_prefix(&format!("{k} = \"")).map(|v| v.trim_end_matches('"').to_string())).unwrap();
            (field("name"), field("version"))
        })
        .collect()
}

fn crateplan(args: &[&str], dir: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_crateplan")).args(args).current_dir(dir).output().unwrap()
}

fn generate(dir: &Path, out: &str) {
    let o = crateplan(&["generate", "--target", TRIPLE, "-o", out], dir);
    assert!(o.status.success(), "generate: {}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn diff_reports_cargo_update() {
    let dir = common::workspace_copy("platform-deps", &common::scratch("diff", "update"));
    generate(&dir, "old.json");
    let before = lock_versions(&dir.join("Cargo.lock"));
    let mut update = common::cargo();
    update.args(["update", "-p", "memchr", "--precise", "2.7.4"]).current_dir(&dir);
    common::run_ok(update, "cargo update");
    let mut fetch = common::cargo();
    fetch.args(["fetch", "--locked"]).current_dir(&dir);
    common::run_ok(fetch, "cargo fetch");
    generate(&dir, "new.json");
    let after = lock_versions(&dir.join("Cargo.lock"));

    // The oracle: what cargo changed in the lock, among the packages cargo builds.
    let mut tree = common::cargo();
    tree.args(["tree", "--locked", "--offline", "-e", "normal,build", "--prefix", "none", "--target", TRIPLE]).current_dir(&dir);
    let built: BTreeSet<String> =
        String::from_utf8(common::run_ok(tree, "cargo tree")).unwrap().lines().filter_map(|l| l.split(' ').next().map(str::to_string)).collect();
    let mut expected = BTreeSet::new();
    for (name, old) in before.difference(&after) {
        let new = after.iter().find(|(n, v)| n == name && !before.contains(&(n.clone(), v.clone())));
        if let Some((_, new)) = new.filter(|_| built.contains(name)) {
            expected.insert((name.clone(), old.clone(), new.clone()));
        }
    }
    assert!(!expected.is_empty(), "cargo update changed nothing that is built");

    let o = crateplan(&["diff", "old.json", "new.json", "--format", "json"], &dir);
    assert!(o.status.success(), "diff: {}", String::from_utf8_lossy(&o.stderr));
    let d: Value = serde_json::from_slice(&o.stdout).unwrap();
    let view = d["views"].as_array().unwrap().iter().find(|v| v["target"] == TRIPLE && v["view"] == "build").unwrap();
    let reported: BTreeSet<(String, String, String)> = view["upgraded"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["name"].as_str().unwrap().into(), u["from"].as_str().unwrap().into(), u["to"].as_str().unwrap().into()))
        .collect();
    assert_eq!(reported, expected);
    assert!(view["added"].as_array().unwrap().is_empty() && view["removed"].as_array().unwrap().is_empty());

    // Text: the summary line first; the same inputs give the same bytes.
    let text = crateplan(&["diff", "old.json", "new.json"], &dir);
    assert!(text.status.success());
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.lines().next().unwrap().contains("upgraded"), "{text}");
    assert!(text.contains("memchr 2.8.3 -> 2.7.4"), "{text}");
    assert_eq!(crateplan(&["diff", "old.json", "new.json"], &dir).stdout, text.as_bytes());

    let same = crateplan(&["diff", "old.json", "old.json"], &dir);
    assert_eq!(String::from_utf8(same.stdout).unwrap(), "no change to what is built\n");
}

#[test]
fn diff_rejects_a_file_that_is_no_plan() {
    let dir = common::scratch("diff", "bad");
    std::fs::write(dir.join("a.json"), "{}").unwrap();
    let o = crateplan(&["diff", "a.json", "a.json"], &dir);
    assert!(!o.status.success());
    let err = String::from_utf8(o.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("a.json is not a crateplan plan"), "{err}");
}
