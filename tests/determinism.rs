//! Same inputs ⇒ same bytes: the plan (several `--target`s) of a real workspace (registry
//! dependencies, build scripts, `links`, a proc-macro) is byte-for-byte the same on a second run,
//! for a copy of the workspace in another directory, whatever the order of `--sources`; it holds
//! no absolute path, and its objects are written with sorted keys.
//!
//! The workspaces are copies of `tests/workspaces/{libz-links,serde-basic}` made under
//! `CARGO_TARGET_TMPDIR/determinism/` (the originals are only read). Their crates are fetched into
//! the default CARGO_HOME with `cargo fetch --locked` if they are not there yet.
//!
//! Run: `cargo test --test determinism`

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Map, Value};

mod common;
use common::{cargo, run_ok, workspace_copy};

/// The workspaces planned (copied from `tests/workspaces/`).
const WORKSPACES: &[&str] = &["libz-links", "serde-basic"];

const TARGETS: &[&str] = &["x86_64-unknown-linux-gnu", "aarch64-apple-darwin", "x86_64-pc-windows-msvc", "wasm32-unknown-unknown"];

fn scratch(test: &str) -> PathBuf {
    common::scratch("determinism", test)
}


/// `crateplan generate --target T… ARGS` with `cwd` as working directory; the arguments are
/// returned too, for messages.
fn plan_in(cwd: &Path, args: &[&str]) -> (Vec<u8>, String) {
    let mut all: Vec<String> = vec!["generate".into()];
    for t in TARGETS {
        all.push("--target".into());
        all.push(t.to_string());
    }
    all.extend(args.iter().map(|s| s.to_string()));
    let shown = format!("(cd {} && crateplan {})", cwd.display(), all.join(" "));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_crateplan"));
    cmd.args(&all).current_dir(cwd);
    (run_ok(cmd, &shown), shown)
}

fn plan(ws: &Path, extra: &[&str]) -> (Vec<u8>, String) {
    let manifest = ws.join("Cargo.toml");
    let mut args = vec!["--manifest-path", manifest.to_str().unwrap()];
    args.extend(extra);
    plan_in(Path::new("/"), &args)
}

/// Where two byte strings first differ, with some context, for messages.
fn first_difference(a: &[u8], b: &[u8]) -> String {
    let at = a.iter().zip(b).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()));
    let show = |s: &[u8]| String::from_utf8_lossy(&s[at.saturating_sub(200)..(at + 200).min(s.len())]).into_owned();
    format!("lengths {} and {}; first difference at byte {at}:\n--- first:\n{}\n--- second:\n{}", a.len(), b.len(), show(a), show(b))
}

fn assert_same_bytes(a: &(Vec<u8>, String), b: &(Vec<u8>, String)) {
    assert!(a.0 == b.0, "different plans from\n  {}\n  {}\n{}", a.1, b.1, first_difference(&a.0, &b.0));
}

#[test]
fn two_runs_give_identical_bytes() {
    let dir = scratch("two_runs");
    for name in WORKSPACES {
        let ws = workspace_copy(name, &dir.join(name));
        let first = plan(&ws, &[]);
        let second = plan(&ws, &[]);
        assert_same_bytes(&first, &second);
        // Written with -o: the same bytes as on standard output.
        let out = dir.join(format!("{name}.plan.json"));
        let third = plan(&ws, &["-o", out.to_str().unwrap()]);
        assert!(third.0.is_empty(), "{}: with -o nothing goes to stdout", third.1);
        assert_same_bytes(&first, &(fs::read(&out).unwrap(), third.1));
    }
}

#[test]
fn copy_in_another_directory_gives_identical_bytes() {
    let dir = scratch("other_directory");
    let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
    for name in WORKSPACES {
        let here = workspace_copy(name, &dir.join("a").join(name));
        let there = workspace_copy(name, &dir.join("somewhere/else/entirely").join(format!("{name}-copy")));
        // One run from outside with an absolute --manifest-path, one from inside with the default.
        let a = plan(&here, &[]);
        let b = plan_in(&there, &[]);
        assert_same_bytes(&a, &b);
        let text = String::from_utf8(a.0.clone()).expect("the plan is UTF-8");
        for (what, path) in [
            ("the workspace path", here.display().to_string()),
            ("the other copy's path", there.display().to_string()),
            ("the scratch directory", dir.display().to_string()),
            ("the repository path", env!("CARGO_MANIFEST_DIR").to_string()),
            ("$HOME", format!("{}/", home.trim_end_matches('/'))),
        ] {
            assert!(!text.contains(&path), "{}: the plan contains {what} ({path})", a.1);
        }
        // No absolute path anywhere: every `path` value is relative.
        let value: Value = serde_json::from_str(&text).unwrap();
        let mut bad = Vec::new();
        walk(&value, &mut |key, v| {
            if let (Some("path"), Some(s)) = (key, v.as_str())
                && (s.starts_with('/') || s.contains('\\') || s.contains(':')) {
                    bad.push(s.to_string());
                }
        });
        assert!(bad.is_empty(), "{}: absolute or non-/ paths in the plan: {bad:?}", a.1);
    }
}

/// Calls `f(key, value)` for every value (key = the object key it sits under, if any).
fn walk(v: &Value, f: &mut dyn FnMut(Option<&str>, &Value)) {
    fn go(key: Option<&str>, v: &Value, f: &mut dyn FnMut(Option<&str>, &Value)) {
        f(key, v);
        match v {
            Value::Object(m) => m.iter().for_each(|(k, x)| go(Some(k), x, f)),
            Value::Array(a) => a.iter().for_each(|x| go(None, x, f)),
            _ => {}
        }
    }
    go(None, v, f)
}

#[test]
fn order_of_sources_does_not_matter() {
    let dir = scratch("sources_order");
    for name in WORKSPACES {
        let ws = workspace_copy(name, &dir.join(name).join("ws"));
        // A: a flat directory of .crate files; B: a `cargo vendor` directory. Each holds every
        // locked registry package.
        let a = dir.join(name).join("crates");
        common::registry_crates(&ws, &a);
        let b = dir.join(name).join("vendor");
        let mut vendor = cargo();
        vendor.args(["vendor", "--locked", "--offline", "--manifest-path"]).arg(ws.join("Cargo.toml")).arg(&b);
        run_ok(vendor, "cargo vendor");
        let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
        let ab = plan(&ws, &["--sources", a, "--sources", b]);
        let ba = plan(&ws, &["--sources", b, "--sources", a]);
        assert_same_bytes(&ab, &ba);
        // And the same as from the default CARGO_HOME.
        assert_same_bytes(&plan(&ws, &[]), &ab);
    }
}

/// `v` with every object's keys in sorted order (whatever order serde_json's Map keeps).
/// A plan as docs/plan-schema.md lays it out: pretty-printed, but each entry of `packages` and of
/// a unit set's `units` compact, on its line.
fn laid_out(plan: &Value) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut marked = plan.clone();
    let mut mark = |entry: &mut Value| {
        lines.push(serde_json::to_string(entry).unwrap());
        *entry = Value::String(format!("\u{0}line {}", lines.len() - 1));
    };
    for (_, package) in marked["packages"].as_object_mut().unwrap() {
        mark(package);
    }
    for (_, views) in marked["platforms"].as_object_mut().unwrap() {
        // `build` and `test` (not `rustflags`).
        for (_, set) in views.as_object_mut().unwrap().iter_mut().filter(|(_, v)| v.get("units").is_some()) {
            for (_, unit) in set["units"].as_object_mut().unwrap() {
                mark(unit);
            }
        }
    }
    let mut text = serde_json::to_string_pretty(&marked).unwrap() + "\n";
    for (i, line) in lines.iter().enumerate().rev() {
        text = text.replace(&format!("\"\\u0000line {i}\""), line);
    }
    text
}

fn sorted(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut entries: Vec<(&String, &Value)> = m.iter().collect();
            entries.sort_by(|x, y| x.0.cmp(y.0));
            let mut out = Map::new();
            for (k, x) in entries {
                out.insert(k.clone(), sorted(x));
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// The keys of every object in document order, checked to be strictly increasing. Works on the
/// text itself (a parsed map may have re-sorted them already).
fn unsorted_objects(text: &str) -> Vec<String> {
    struct Reader<'a> {
        s: &'a [u8],
        i: usize,
        bad: Vec<String>,
    }
    impl Reader<'_> {
        fn ws(&mut self) {
            while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
                self.i += 1;
            }
        }
        fn string(&mut self) -> String {
            let start = self.i;
            self.i += 1;
            while self.s[self.i] != b'"' {
                self.i += if self.s[self.i] == b'\\' { 2 } else { 1 };
            }
            self.i += 1;
            serde_json::from_slice(&self.s[start..self.i]).unwrap()
        }
        fn value(&mut self) {
            self.ws();
            match self.s[self.i] {
                b'{' => {
                    self.i += 1;
                    let mut keys: Vec<String> = Vec::new();
                    loop {
                        self.ws();
                        if self.s[self.i] == b'}' {
                            self.i += 1;
                            break;
                        }
                        if self.s[self.i] == b',' {
                            self.i += 1;
                            self.ws();
                        }
                        let k = self.string();
                        self.ws();
                        self.i += 1; // ':'
                        self.value();
                        keys.push(k);
                    }
                    if keys.windows(2).any(|w| w[0] >= w[1]) {
                        self.bad.push(format!("{keys:?}"));
                    }
                }
                b'[' => {
                    self.i += 1;
                    loop {
                        self.ws();
                        match self.s[self.i] {
                            b']' => {
                                self.i += 1;
                                break;
                            }
                            b',' => self.i += 1,
                            _ => self.value(),
                        }
                    }
                }
                b'"' => {
                    self.string();
                }
                _ => {
                    while self.i < self.s.len() && !matches!(self.s[self.i], b',' | b'}' | b']') && !self.s[self.i].is_ascii_whitespace() {
                        self.i += 1;
                    }
                }
            }
        }
    }
    let mut r = Reader { s: text.as_bytes(), i: 0, bad: Vec::new() };
    r.value();
    r.bad
}

fn assert_sorted_array(what: &str, v: &Value) {
    let items: Vec<&str> = v.as_array().unwrap_or_else(|| panic!("{what} is not an array")).iter().map(|x| x.as_str().unwrap()).collect();
    let mut s = items.clone();
    s.sort();
    s.dedup();
    assert_eq!(items, s, "{what} is not sorted (or has duplicates)");
}

#[test]
fn plan_keys_and_arrays_are_sorted() {
    let dir = scratch("sorted");
    for name in WORKSPACES {
        let ws = workspace_copy(name, &dir.join(name));
        let (bytes, shown) = plan(&ws, &["--workspace"]);
        let text = String::from_utf8(bytes).unwrap();
        let bad = unsorted_objects(&text);
        assert!(bad.is_empty(), "{shown}: objects whose keys are not sorted: {bad:?}");
        // Parsed and written again in the layout of docs/plan-schema.md: sorted keys, two-space
        // indentation but for each package and each unit, one compact line each, a final newline.
        let value: Value = serde_json::from_str(&text).unwrap();
        let again = laid_out(&sorted(&value));
        assert!(again == text, "{shown}: not the sorted, laid-out form of itself:\n{}", first_difference(again.as_bytes(), text.as_bytes()));
        // Arrays in their stated order (docs/plan-schema.md).
        let manifests: Vec<Value> = value["inputs"]["manifests"].as_array().unwrap().iter().map(|m| m["path"].clone()).collect();
        assert_sorted_array("inputs.manifests[].path", &Value::Array(manifests));
        for key in ["members", "defaultMembers", "selected"] {
            assert_sorted_array(&format!("workspace.{key}"), &value["workspace"][key]);
        }
        let platforms = value["platforms"].as_object().unwrap();
        assert_eq!(platforms.keys().collect::<Vec<_>>().len(), TARGETS.len(), "{shown}: one entry per --target");
        for (triple, views) in platforms {
            for view in ["build", "test"] {
                let set = &views[view];
                assert_sorted_array(&format!("platforms.{triple}.{view}.roots"), &set["roots"]);
                for (key, unit) in set["units"].as_object().unwrap() {
                    assert_sorted_array(&format!("features of {key}"), &unit["features"]);
                    let deps: Vec<Value> = unit["dependencies"].as_array().unwrap().iter().map(|d| d["unit"].clone()).collect();
                    let plain: Vec<&str> = deps.iter().map(|d| d.as_str().unwrap()).collect();
                    let mut s = plain.clone();
                    s.sort();
                    assert_eq!(plain, s, "{shown}: dependencies of {key} are not sorted by unit key");
                }
            }
        }
    }
}

/// The key-order check itself can fail.
#[test]
fn key_order_check_finds_unsorted_objects() {
    assert!(unsorted_objects(r#"{"a": {"x": [1, {"p": "}", "q": null}], "y": "\"{"}, "b": []}"#).is_empty());
    assert_eq!(unsorted_objects(r#"{"a": [{"q": 1, "p": 2}], "b": true}"#), vec![r#"["q", "p"]"#.to_string()]);
    assert_eq!(unsorted_objects(r#"{"b": 1, "a": {}}"#).len(), 1);
    assert_ne!(sorted(&serde_json::json!({"b": 1, "a": 2})).to_string(), r#"{"b":1,"a":2}"#);
}

/// Every file under `dir` (relative, `/`-separated, sorted), `target/` left out.
fn file_names(dir: &Path) -> Vec<String> {
    fn go(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for e in fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if e.file_type().unwrap().is_dir() {
                if p != root.join("target") {
                    go(root, &p, out);
                }
            } else {
                out.push(p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut out = Vec::new();
    go(dir, dir, &mut out);
    out.sort();
    out
}

/// What the Nix side hands the generator: the Cargo.toml files and Cargo.lock only, in another
/// directory, plus `--file-list` naming every file of the workspace. Same bytes as the full
/// workspace read from disk.
#[test]
fn manifests_only_view_with_file_list_gives_identical_bytes() {
    let dir = scratch("file_list");
    for name in WORKSPACES {
        let full = workspace_copy(name, &dir.join(name).join("full"));
        let names = file_names(&full);
        let view = dir.join(name).join("view");
        for n in names.iter().filter(|n| n.ends_with("Cargo.toml") || n.as_str() == "Cargo.lock") {
            fs::create_dir_all(view.join(n).parent().unwrap()).unwrap();
            fs::copy(full.join(n), view.join(n)).unwrap();
        }
        let list = dir.join(name).join("files.json");
        fs::write(&list, serde_json::to_string(&names).unwrap()).unwrap();
        let from_disk = plan(&full, &["--workspace"]);
        let from_view = plan(&view, &["--workspace", "--file-list", list.to_str().unwrap()]);
        assert_same_bytes(&from_disk, &from_view);
    }
}
