//! `crateplan diff` over two real plans: before and after `cargo update -p memchr --precise` in
//! a copy of a test workspace. The upgrades it reports must be the lockfile changes cargo made,
//! for exactly the packages `cargo tree` says are built. `diff --old-lockfile` (the workspace
//! planned with the lock before the update and with the one after) must print the same bytes.

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
    std::fs::copy(dir.join("Cargo.lock"), dir.join("old.lock")).unwrap();
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

    // The workspace planned with the old lockfile and with its Cargo.lock: the plans' diff, byte
    // for byte, in both formats.
    for format in ["text", "json"] {
        let files = crateplan(&["diff", "old.json", "new.json", "--format", format], &dir);
        let lockfiles = crateplan(&["diff", "--old-lockfile", "old.lock", "--target", TRIPLE, "--format", format], &dir);
        assert!(lockfiles.status.success(), "diff --old-lockfile: {}", String::from_utf8_lossy(&lockfiles.stderr));
        assert_eq!(String::from_utf8(lockfiles.stdout).unwrap(), String::from_utf8(files.stdout).unwrap(), "--format {format}");
    }
}

#[test]
fn diff_old_lockfile_gets_generates_errors() {
    let dir = common::workspace_copy("platform-deps", &common::scratch("diff", "old-lockfile"));
    let same = crateplan(&["diff", "--old-lockfile", "Cargo.lock", "--target", TRIPLE], &dir);
    assert!(same.status.success(), "{}", String::from_utf8_lossy(&same.stderr));
    assert_eq!(String::from_utf8(same.stdout).unwrap(), "no change to what is built\n");

    let missing = crateplan(&["diff", "--old-lockfile", "nope.lock", "--target", TRIPLE], &dir);
    assert!(!missing.status.success());
    assert_eq!(String::from_utf8(missing.stderr).unwrap(), "error: nope.lock: no such lockfile; write one with `git show REV:Cargo.lock > nope.lock`\n");

    // A lockfile without a package the manifests need (its entry and the links to it gone):
    // generate's error, naming that file.
    let lock = std::fs::read_to_string(dir.join("Cargo.lock")).unwrap();
    let without_memchr: Vec<&str> = lock.split("\n[[package]]").filter(|b| !b.contains("\nname = \"memchr\"")).collect();
    assert_eq!(without_memchr.len() + 1, lock.split("\n[[package]]").count(), "one memchr entry");
    let without_memchr = without_memchr.join("\n[[package]]");
    let without_memchr: String = without_memchr.lines().filter(|l| !l.starts_with(" \"memchr")).map(|l| format!("{l}\n")).collect();
    std::fs::write(dir.join("old.lock"), without_memchr).unwrap();
    std::fs::copy(dir.join("old.lock"), dir.join("Cargo.lock")).unwrap();
    let generated = crateplan(&["generate", "--target", TRIPLE], &dir);
    std::fs::write(dir.join("Cargo.lock"), &lock).unwrap();
    let o = crateplan(&["diff", "--old-lockfile", "old.lock", "--target", TRIPLE], &dir);
    assert!(!o.status.success() && !generated.status.success());
    let err = String::from_utf8(o.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("old.lock"), "{err}");
    assert!(err.contains("memchr"), "{err}");
    let generated = String::from_utf8(generated.stderr).unwrap().replace(&dir.join("Cargo.lock").display().to_string(), "Cargo.lock");
    assert_eq!(err.replace("old.lock", "Cargo.lock"), generated);
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
