//! Bad input: `crateplan generate` refuses it with one line on stderr that names the file or
//! package at fault and what to do, exits with status 1, never panics, and with `-o FILE` leaves
//! no output file (nor a temporary one) behind.
//!
//! Every workspace is made by the test itself under `CARGO_TARGET_TMPDIR/errors/<test>`; where
//! the refusal is cargo's own rule (extern names, `links`), the test asks cargo first, so it keeps
//! matching what cargo rejects.
//!
//! Run: `cargo test --test errors`

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const TARGET: &str = "x86_64-unknown-linux-gnu";

/// A fresh, empty scratch directory for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("errors").join(test);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `files` (relative path, contents) under `dir`.
fn write(dir: &Path, files: &[(&str, &str)]) {
    for (rel, text) in files {
        let path = dir.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, text).unwrap();
    }
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// `cargo generate-lockfile --offline` (the workspaces here have path dependencies only).
fn generate_lockfile(ws: &Path) {
    let out = cargo().arg("generate-lockfile").arg("--offline").arg("--manifest-path").arg(ws.join("Cargo.toml")).output().unwrap();
    assert!(out.status.success(), "cargo generate-lockfile in {}: {}", ws.display(), String::from_utf8_lossy(&out.stderr));
}

/// Cargo's unit graph (`--locked --offline`): the graph, or cargo's error text.
fn cargo_unit_graph(ws: &Path, tests: bool) -> Result<Value, String> {
    let mut cmd = cargo();
    cmd.env("RUSTC_BOOTSTRAP", "1");
    if tests {
        cmd.args(["test", "--no-run"]);
    } else {
        cmd.arg("build");
    }
    cmd.args(["--unit-graph", "-Z", "unstable-options", "--locked", "--offline", "--target", TARGET]);
    cmd.arg("--manifest-path").arg(ws.join("Cargo.toml"));
    cmd.env("CARGO_TARGET_DIR", ws.join("target"));
    let out = cmd.output().unwrap();
    if out.status.success() {
        Ok(serde_json::from_slice(&out.stdout).unwrap())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

fn crateplan(ws: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crateplan"))
        .arg("generate")
        .arg("--manifest-path")
        .arg(ws.join("Cargo.toml"))
        .args(args)
        .current_dir(ws)
        .output()
        .unwrap()
}

/// Runs `crateplan generate --manifest-path WS/Cargo.toml ARGS -o OUT` and checks the refusal:
/// status 1, no panic, exactly one line on stderr containing every one of `expect` (where an
/// entry `a|b` means either), nothing on
/// stdout, and the output directory still empty. Returns the line.
fn assert_refused(ws: &Path, args: &[&str], expect: &[&str]) -> String {
    let out_dir = ws.parent().unwrap().join(format!("{}-out", ws.file_name().unwrap().to_string_lossy()));
    let _ = fs::remove_dir_all(&out_dir);
    fs::create_dir_all(&out_dir).unwrap();
    let out_file = out_dir.join("plan.json");
    let mut all: Vec<&str> = args.to_vec();
    all.push("-o");
    all.push(out_file.to_str().unwrap());
    let out = crateplan(ws, &all);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let shown = format!("crateplan generate --manifest-path {}/Cargo.toml {}\nstatus: {:?}\nstderr:\n{stderr}", ws.display(), all.join(" "), out.status.code());
    assert!(!stderr.contains("panicked"), "crateplan panicked:\n{shown}");
    assert_eq!(out.status.code(), Some(1), "exit status must be exactly 1:\n{shown}");
    let lines: Vec<&str> = stderr.trim_end().lines().collect();
    assert_eq!(lines.len(), 1, "stderr must be exactly one line:\n{shown}");
    let line = lines[0];
    for want in expect {
        // `a|b`: either will do.
        assert!(want.split('|').any(|w| line.contains(w)), "the message should contain {want:?}:\n{shown}");
    }
    assert!(out.stdout.is_empty(), "nothing may be written to stdout with -o:\n{shown}");
    let left: Vec<String> = fs::read_dir(&out_dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(left.is_empty(), "a refused run must leave no file (not even a temporary one) in the output directory, found {left:?}:\n{shown}");
    line.to_string()
}

const ROOT_TOML: &str = r#"[package]
name = "app"
version = "0.1.0"
edition = "2021"

[workspace]
members = ["m"]

[dependencies]
m = { path = "m" }
"#;

const M_TOML: &str = r#"[package]
name = "m"
version = "0.1.0"
edition = "2021"
"#;

/// A two-package workspace: root package `app` depending on member `m`, both path packages,
/// with a Cargo.lock made by cargo.
fn two_members(test: &str) -> PathBuf {
    let ws = scratch(test).join("ws");
    write(&ws, &[("Cargo.toml", ROOT_TOML), ("src/main.rs", "fn main() {}\n"), ("m/Cargo.toml", M_TOML), ("m/src/lib.rs", "")]);
    generate_lockfile(&ws);
    ws
}

/// The workspace is valid to begin with, so each test's refusal is due to its own change.
fn assert_accepted(ws: &Path, args: &[&str]) {
    let out = crateplan(ws, args);
    assert!(out.status.success(), "the unbroken workspace should plan: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn malformed_member_manifest() {
    let ws = two_members("malformed_member_manifest");
    assert_accepted(&ws, &["--target", TARGET]);
    // Line 4, column 11: the second `=` (where cargo points too).
    write(&ws, &[("m/Cargo.toml", "[package]\nname = \"m\"\nversion = \"0.1.0\"\nedition = = \"2021\"\n")]);
    assert_refused(&ws, &["--target", TARGET], &["m/Cargo.toml:4:11"]);
}

#[test]
fn malformed_lockfile_syntax() {
    let ws = two_members("malformed_lockfile_syntax");
    assert_accepted(&ws, &["--target", TARGET]);
    // Line 5, column 19: the stray `x` (where cargo points too).
    write(&ws, &[("Cargo.lock", "version = 4\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\" x\n")]);
    assert_refused(&ws, &["--target", TARGET], &["Cargo.lock:5:19"]);
}

#[test]
fn malformed_lockfile_structure() {
    let ws = two_members("malformed_lockfile_structure");
    // Valid TOML, but a `[[package]]` without `version`.
    write(&ws, &[("Cargo.lock", "version = 4\n\n[[package]]\nname = \"app\"\ndependencies = [\"m\"]\n\n[[package]]\nname = \"m\"\nversion = \"0.1.0\"\n")]);
    assert_refused(&ws, &["--target", TARGET], &["Cargo.lock"]);
}

#[test]
fn lockfile_out_of_date_new_dependency() {
    let ws = two_members("lockfile_out_of_date_new_dependency");
    assert_accepted(&ws, &["--target", TARGET]);
    write(&ws, &[("m/Cargo.toml", &format!("{M_TOML}\n[dependencies]\nitoa = \"1\"\n"))]);
    assert_refused(&ws, &["--target", TARGET], &["Cargo.lock", "`m", "itoa", "cargo generate-lockfile"]);
}

#[test]
fn lockfile_out_of_date_member_version() {
    let ws = two_members("lockfile_out_of_date_member_version");
    write(&ws, &[("m/Cargo.toml", &M_TOML.replace("0.1.0", "0.2.0"))]);
    assert_refused(&ws, &["--target", TARGET], &["Cargo.lock", "`m", "cargo generate-lockfile"]);
}

/// Cargo `--locked` refuses a lock that it would rewrite: one holding a dependency the manifests
/// no longer declare.
#[test]
fn lockfile_out_of_date_removed_dependency() {
    let ws = two_members("lockfile_out_of_date_removed_dependency");
    write(&ws, &[("Cargo.toml", ROOT_TOML.split("[dependencies]").next().unwrap())]);
    let err = assert_cargo_refuses(&ws, &[]);
    assert!(err.contains("--locked"), "cargo refused for another reason: {err}");
    assert_refused(&ws, &["--target", TARGET], &["Cargo.lock", "`app", "`m", "cargo generate-lockfile"]);
}

/// Likewise a lock with a package nothing depends on (cargo would drop it).
#[test]
fn lockfile_with_an_unused_entry() {
    let ws = two_members("lockfile_with_an_unused_entry");
    let lock = fs::read_to_string(ws.join("Cargo.lock")).unwrap();
    write(&ws, &[("Cargo.lock", &format!("{lock}\n[[package]]\nname = \"itoa\"\nversion = \"1.0.15\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"4a5f13b858c8d314ee3e8f639011f7ccefe71f97f96e50151fb991f267928e2c\"\n"))]);
    let err = assert_cargo_refuses(&ws, &[]);
    assert!(err.contains("--locked"), "cargo refused for another reason: {err}");
    assert_refused(&ws, &["--target", TARGET], &["Cargo.lock", "itoa", "cargo generate-lockfile"]);
}

#[test]
fn no_lockfile() {
    let ws = two_members("no_lockfile");
    fs::remove_file(ws.join("Cargo.lock")).unwrap();
    assert_refused(&ws, &["--target", TARGET], &["Cargo.lock", "cargo generate-lockfile"]);
}

/// A workspace whose member `m` depends on the registry package `itoa 1.0.15`, with a
/// hand-written lock (nothing is fetched: the tests pass their own `--sources`).
fn with_registry_dep(test: &str) -> PathBuf {
    let ws = scratch(test).join("ws");
    write(
        &ws,
        &[
            ("Cargo.toml", ROOT_TOML),
            ("src/main.rs", "fn main() {}\n"),
            ("m/Cargo.toml", &format!("{M_TOML}\n[dependencies]\nitoa = \"1\"\n")),
            ("m/src/lib.rs", ""),
            (
                "Cargo.lock",
                r#"# This file is automatically @generated by Cargo.
# It is not intended for manual editing.
version = 4

[[package]]
name = "app"
version = "0.1.0"
dependencies = [
 "m",
]

[[package]]
name = "itoa"
version = "1.0.15"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "4a5f13b858c8d314ee3e8f639011f7ccefe71f97f96e50151fb991f267928e2c"

[[package]]
name = "m"
version = "0.1.0"
dependencies = [
 "itoa",
]
"#,
            ),
        ],
    );
    ws
}

#[test]
fn missing_dependency_manifest() {
    let ws = with_registry_dep("missing_dependency_manifest");
    let empty = ws.parent().unwrap().join("empty-sources");
    fs::create_dir_all(&empty).unwrap();
    assert_refused(&ws, &["--target", TARGET, "--sources", empty.to_str().unwrap()], &["itoa", "1.0.15", "cargo fetch"]);
}

#[test]
fn crate_file_not_a_gzipped_tar() {
    let ws = with_registry_dep("crate_file_not_a_gzipped_tar");
    // Plain garbage; then a valid gzip stream whose content is not a tar.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, &[0x5a; 1500]).unwrap();
    let gzipped_garbage = gz.finish().unwrap();
    for (i, bytes) in [b"this is not a crate archive\n".to_vec(), gzipped_garbage].into_iter().enumerate() {
        let dir = ws.parent().unwrap().join(format!("crates-{i}"));
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("itoa-1.0.15.crate"), bytes).unwrap();
        assert_refused(&ws, &["--target", TARGET, "--sources", dir.to_str().unwrap()], &["itoa-1.0.15.crate"]);
    }
}

/// A `.crate` is read only as far as its `Cargo.toml` unless target discovery needs its file
/// names; when it does and the rest of the archive is damaged, that is the error.
#[test]
fn crate_file_damaged_after_its_manifest() {
    let ws = with_registry_dep("crate_file_damaged_after_its_manifest");
    let archive = |manifest: &str| {
        let mut tar = tar::Builder::new(Vec::new());
        for (name, text) in [("itoa-1.0.15/Cargo.toml", manifest), ("itoa-1.0.15/src/lib.rs", &"// padding\n".repeat(2000))] {
            let mut header = tar::Header::new_gnu();
            header.set_size(text.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            tar.append_data(&mut header, name, text.as_bytes()).unwrap();
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::none());
        std::io::Write::write_all(&mut gz, &tar.into_inner().unwrap()).unwrap();
        let mut bytes = gz.finish().unwrap();
        // Cut inside src/lib.rs: the manifest's entry stays whole.
        bytes.truncate(bytes.len() - 15_000);
        bytes
    };
    let package = "[package]\nname = \"itoa\"\nversion = \"1.0.15\"\nedition = \"2018\"\n";
    let explicit = format!("{package}readme = false\nbuild = false\nautolib = false\nautobins = false\nautoexamples = false\nautotests = false\nautobenches = false\n\n[lib]\nname = \"itoa\"\npath = \"src/lib.rs\"\n");
    for (i, manifest) in [package.to_string(), explicit].into_iter().enumerate() {
        let dir = ws.parent().unwrap().join(format!("crates-{i}"));
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("itoa-1.0.15.crate"), archive(&manifest)).unwrap();
        let args = ["--target", TARGET, "--sources", dir.to_str().unwrap()];
        if i == 0 {
            // Discovery needs the file names: the damage is found and named.
            assert_refused(&ws, &args, &["itoa-1.0.15.crate", "not a valid .crate"]);
        } else {
            // Every target named: the archive is read no further than its manifest.
            assert_accepted(&ws, &args);
        }
    }
}

#[test]
fn unknown_target_triple() {
    let ws = two_members("unknown_target_triple");
    assert_refused(&ws, &["--target", TARGET, "--target", "x86_64-unknown-nonesuch"], &["x86_64-unknown-nonesuch"]);
    assert_refused(&ws, &["--target", "x86_64-unknown-nonesuch", "--format", "unit-graph"], &["x86_64-unknown-nonesuch"]);
}

#[test]
fn unknown_feature() {
    let ws = two_members("unknown_feature");
    assert_refused(&ws, &["--target", TARGET, "--features", "nosuch"], &["nosuch", "app"]);
}

#[test]
fn package_not_a_member() {
    let ws = two_members("package_not_a_member");
    assert_accepted(&ws, &["--target", TARGET, "-p", "m"]);
    let line = assert_refused(&ws, &["--target", TARGET, "-p", "nosuch"], &["nosuch", "app", "m"]);
    assert!(line.contains("members"), "the message should list the members: {line}");
}

#[test]
fn duplicate_links() {
    // Cargo will not even lock this graph ("more than one crate with links=foo"), so the lock is
    // written by hand, and cargo `--locked` refuses it too.
    let ws = scratch("duplicate_links").join("ws");
    let pkg = |name: &str| format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\nlinks = \"foo\"\n");
    write(
        &ws,
        &[
            ("Cargo.toml", "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n\n[dependencies]\np1 = { path = \"p1\" }\np2 = { path = \"p2\" }\n"),
            ("src/main.rs", "fn main() {}\n"),
            ("p1/Cargo.toml", &pkg("p1")),
            ("p1/build.rs", "fn main() {}\n"),
            ("p1/src/lib.rs", ""),
            ("p2/Cargo.toml", &pkg("p2")),
            ("p2/build.rs", "fn main() {}\n"),
            ("p2/src/lib.rs", ""),
            ("Cargo.lock", "version = 4\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"p1\",\n \"p2\",\n]\n\n[[package]]\nname = \"p1\"\nversion = \"0.1.0\"\n\n[[package]]\nname = \"p2\"\nversion = \"0.1.0\"\n"),
        ],
    );
    let err = cargo_unit_graph(&ws, false).expect_err("cargo should refuse two packages with links = \"foo\"");
    assert!(err.contains("links=foo"), "cargo refused for another reason: {err}");
    assert_refused(&ws, &["--target", TARGET], &["p1", "p2", "foo"]);
}

// ---------------------------------------------------------------------------------------------
// Extern names: cargo refuses a package that depends on another under two names (in any two of
// its dependency tables, even for an inactive platform or a dev-dependency during a plain build),
// but not a second name on an optional dependency that is never activated.

/// Workspace `app` (with a build script) and path package `x`; `deps` is the dependency part of
/// app's manifest.
fn extern_names_ws(test: &str, deps: &str) -> PathBuf {
    let ws = scratch(test).join("ws");
    write(
        &ws,
        &[
            ("Cargo.toml", &format!("[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n\n{deps}")),
            ("src/main.rs", "fn main() {}\n"),
            ("build.rs", "fn main() {}\n"),
            ("x/Cargo.toml", "[package]\nname = \"x\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
            ("x/src/lib.rs", ""),
        ],
    );
    generate_lockfile(&ws);
    ws
}

/// Cargo refuses the workspace in build and in test mode; so must crateplan, in every output.
fn assert_names_conflict_refused(test: &str, deps: &str, args: &[&str]) {
    let ws = extern_names_ws(test, deps);
    for tests in [false, true] {
        let mut cmd_args: Vec<&str> = args.to_vec();
        let err = {
            let mut c = cargo();
            c.env("RUSTC_BOOTSTRAP", "1");
            if tests {
                c.args(["test", "--no-run"]);
            } else {
                c.arg("build");
            }
            c.args(["--unit-graph", "-Z", "unstable-options", "--locked", "--offline", "--target", TARGET]).args(args);
            c.arg("--manifest-path").arg(ws.join("Cargo.toml")).env("CARGO_TARGET_DIR", ws.join("target"));
            let out = c.output().unwrap();
            assert!(!out.status.success(), "cargo accepted {deps} (tests: {tests})");
            String::from_utf8_lossy(&out.stderr).into_owned()
        };
        assert!(err.contains("multiple times with different names"), "cargo refused for another reason: {err}");
        cmd_args.extend(["--target", TARGET, "--format", "unit-graph"]);
        if tests {
            cmd_args.push("--tests");
        }
        assert_refused(&ws, &cmd_args, &["app", "`x"]);
    }
    let mut plan_args: Vec<&str> = args.to_vec();
    plan_args.extend(["--target", TARGET]);
    assert_refused(&ws, &plan_args, &["app", "`x"]);
}

#[test]
fn extern_names_normal_and_build() {
    assert_names_conflict_refused(
        "extern_names_normal_and_build",
        "[dependencies]\na = { package = \"x\", path = \"x\" }\n\n[build-dependencies]\nb = { package = \"x\", path = \"x\" }\n",
        &[],
    );
}

#[test]
fn extern_names_normal_and_dev() {
    assert_names_conflict_refused(
        "extern_names_normal_and_dev",
        "[dependencies]\na = { package = \"x\", path = \"x\" }\n\n[dev-dependencies]\nb = { package = \"x\", path = \"x\" }\n",
        &[],
    );
}

#[test]
fn extern_names_plain_and_renamed_build() {
    assert_names_conflict_refused(
        "extern_names_plain_and_renamed_build",
        "[dependencies]\nx = { path = \"x\" }\n\n[build-dependencies]\ny = { package = \"x\", path = \"x\" }\n",
        &[],
    );
}

#[test]
fn extern_names_active_platform() {
    assert_names_conflict_refused(
        "extern_names_active_platform",
        "[dependencies]\na = { package = \"x\", path = \"x\" }\n\n[target.'cfg(unix)'.dependencies]\nb = { package = \"x\", path = \"x\" }\n",
        &[],
    );
}

#[test]
fn extern_names_inactive_platform() {
    assert_names_conflict_refused(
        "extern_names_inactive_platform",
        "[dependencies]\na = { package = \"x\", path = \"x\" }\n\n[target.'cfg(windows)'.dependencies]\nb = { package = \"x\", path = \"x\" }\n",
        &[],
    );
}

#[test]
fn extern_names_activated_optional() {
    assert_names_conflict_refused(
        "extern_names_activated_optional",
        "[dependencies]\na = { package = \"x\", path = \"x\" }\nb = { package = \"x\", path = \"x\", optional = true }\n",
        &["--features", "b"],
    );
}

/// A unit graph reduced to what must agree: units (package, target, mode, platform, features,
/// crate types, edition, source path) with their edges (unit, extern name), and the roots.
fn comparable(graph: &Value) -> (BTreeMap<String, BTreeSet<String>>, BTreeSet<String>) {
    let units = graph["units"].as_array().unwrap();
    let key = |u: &Value| {
        let t = &u["target"];
        format!(
            "{} {} {} {} {} [{}] types={} edition={} src={}",
            u["pkg_id"].as_str().unwrap(),
            t["kind"],
            t["name"].as_str().unwrap(),
            u["mode"].as_str().unwrap(),
            u["platform"],
            u["features"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect::<Vec<_>>().join(","),
            t["crate_types"],
            t["edition"],
            t["src_path"],
        )
    };
    let keys: Vec<String> = units.iter().map(key).collect();
    let mut out = BTreeMap::new();
    for (u, k) in units.iter().zip(&keys) {
        let deps: BTreeSet<String> = u["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| format!("{} as {}", keys[d["index"].as_u64().unwrap() as usize], d["extern_crate_name"].as_str().unwrap()))
            .collect();
        assert!(out.insert(k.clone(), deps).is_none(), "two units with the key {k}");
    }
    let roots = graph["roots"].as_array().unwrap().iter().map(|r| keys[r.as_u64().unwrap() as usize].clone()).collect();
    (out, roots)
}

/// Cargo accepts the workspace: crateplan's unit graphs (build and test) equal cargo's.
fn assert_names_accepted_like_cargo(test: &str, deps: &str) {
    let ws = extern_names_ws(test, deps);
    for tests in [false, true] {
        let theirs = cargo_unit_graph(&ws, tests).unwrap_or_else(|e| panic!("cargo refused {deps} (tests: {tests}): {e}"));
        let mut args = vec!["--target", TARGET, "--format", "unit-graph"];
        if tests {
            args.push("--tests");
        }
        let out = crateplan(&ws, &args);
        assert!(
            out.status.success(),
            "cargo accepts this workspace (tests: {tests}), crateplan refused it:\ncrateplan generate --manifest-path {}/Cargo.toml {}\n{}",
            ws.display(),
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
        let ours: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(comparable(&ours), comparable(&theirs), "unit graphs differ (tests: {tests})");
    }
}

#[test]
fn extern_names_same_rename_in_every_table() {
    assert_names_accepted_like_cargo(
        "extern_names_same_rename_in_every_table",
        "[dependencies]\na = { package = \"x\", path = \"x\" }\n\n[build-dependencies]\na = { package = \"x\", path = \"x\" }\n\n[dev-dependencies]\na = { package = \"x\", path = \"x\" }\n",
    );
}

#[test]
fn extern_names_inactive_optional() {
    assert_names_accepted_like_cargo(
        "extern_names_inactive_optional",
        "[dependencies]\na = { package = \"x\", path = \"x\" }\nb = { package = \"x\", path = \"x\", optional = true }\n",
    );
}

// ---------------------------------------------------------------------------------------------
// Features cargo refuses: in a dependency declaration, on the command line for a dependency, and
// in a `[features]` table. Each asks cargo first.

/// Cargo (`build --unit-graph --locked --offline`) refuses the workspace with `args`.
fn assert_cargo_refuses(ws: &Path, args: &[&str]) -> String {
    let mut c = cargo();
    c.env("RUSTC_BOOTSTRAP", "1").args(["build", "--unit-graph", "-Z", "unstable-options", "--locked", "--offline", "--target", TARGET]).args(args);
    c.arg("--manifest-path").arg(ws.join("Cargo.toml")).env("CARGO_TARGET_DIR", ws.join("target")).current_dir(ws);
    let out = c.output().unwrap();
    assert!(!out.status.success(), "cargo accepts {} with {args:?}; the test's premise is wrong", ws.display());
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn unknown_feature_of_a_dependency_on_the_command_line() {
    let ws = two_members("unknown_feature_of_a_dependency_on_the_command_line");
    let err = assert_cargo_refuses(&ws, &["--features", "m/nosuch"]);
    assert!(err.contains("nosuch") || err.contains("failed to select a version for `m`"), "cargo refused for another reason: {err}");
    assert_refused(&ws, &["--target", TARGET, "--features", "m/nosuch"], &["nosuch", "`m"]);
}

#[test]
fn unknown_feature_requested_by_a_dependency_declaration() {
    let ws = two_members("unknown_feature_requested_by_a_dependency_declaration");
    write(&ws, &[("Cargo.toml", &ROOT_TOML.replace("m = { path = \"m\" }", "m = { path = \"m\", features = [\"nosuch\"] }"))]);
    let err = assert_cargo_refuses(&ws, &[]);
    assert!(err.contains("nosuch"), "cargo refused for another reason: {err}");
    assert_refused(&ws, &["--target", TARGET], &["nosuch", "`m", "app|ws/Cargo.toml"]);
}

/// App's manifest gets `[features]` with `line`; member `m` has a feature `g`.
fn assert_bad_feature_table_refused(test: &str, line: &str, offending: &str) {
    let ws = two_members(test);
    write(&ws, &[("Cargo.toml", &format!("{ROOT_TOML}\n[features]\n{line}\n")), ("m/Cargo.toml", &format!("{M_TOML}\n[features]\ng = []\n"))]);
    let err = assert_cargo_refuses(&ws, &[]);
    assert!(err.contains(offending), "cargo refused for another reason: {err}");
    assert_refused(&ws, &["--target", TARGET], &[offending, "app|ws/Cargo.toml"]);
}

#[test]
fn feature_table_unknown_name() {
    assert_bad_feature_table_refused("feature_table_unknown_name", "f = [\"nosuch\"]", "nosuch");
}

#[test]
fn feature_table_unknown_name_in_default() {
    assert_bad_feature_table_refused("feature_table_unknown_name_in_default", "default = [\"nosuch\"]", "nosuch");
}

#[test]
fn feature_table_dep_prefix_on_a_non_optional_dependency() {
    assert_bad_feature_table_refused("feature_table_dep_prefix_on_a_non_optional_dependency", "f = [\"dep:m\"]", "dep:m");
}

#[test]
fn feature_table_weak_feature_of_a_non_optional_dependency() {
    assert_bad_feature_table_refused("feature_table_weak_feature_of_a_non_optional_dependency", "f = [\"m?/g\"]", "m?/g");
}

#[test]
fn feature_table_dep_prefix_with_slash() {
    assert_bad_feature_table_refused("feature_table_dep_prefix_with_slash", "f = [\"dep:m/g\"]", "dep:m/g");
}

#[test]
fn feature_table_unknown_feature_of_a_dependency() {
    assert_bad_feature_table_refused("feature_table_unknown_feature_of_a_dependency", "default = [\"m/nosuch\"]", "nosuch");
}

// ---------------------------------------------------------------------------------------------
// `.crate` archives that are gzip'd tars but do not hold a usable manifest.

/// A gzip'd tar holding `files` (path, contents).
fn crate_archive(files: &[(&str, &str)]) -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    for (path, text) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(text.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, path, text.as_bytes()).unwrap();
    }
    tar.into_inner().unwrap().finish().unwrap()
}

#[test]
fn crate_file_with_malformed_manifest() {
    let ws = with_registry_dep("crate_file_with_malformed_manifest");
    let dir = ws.parent().unwrap().join("crates");
    fs::create_dir_all(&dir).unwrap();
    let archive = crate_archive(&[
        ("itoa-1.0.15/Cargo.toml", "[package]\nname = \"itoa\"\nversion = \"1.0.15\"\nedition = = \"2018\"\n"),
        ("itoa-1.0.15/src/lib.rs", ""),
    ]);
    fs::write(dir.join("itoa-1.0.15.crate"), archive).unwrap();
    assert_refused(&ws, &["--target", TARGET, "--sources", dir.to_str().unwrap()], &["itoa-1.0.15.crate", ":4:11"]);
}

#[test]
fn crate_file_without_manifest() {
    let ws = with_registry_dep("crate_file_without_manifest");
    let dir = ws.parent().unwrap().join("crates");
    fs::create_dir_all(&dir).unwrap();
    // The manifest is there, but under another top directory than `itoa-1.0.15/`.
    let archive = crate_archive(&[("itoa/Cargo.toml", "[package]\nname = \"itoa\"\nversion = \"1.0.15\"\n"), ("itoa/src/lib.rs", "")]);
    fs::write(dir.join("itoa-1.0.15.crate"), archive).unwrap();
    assert_refused(&ws, &["--target", TARGET, "--sources", dir.to_str().unwrap()], &["itoa-1.0.15.crate", "Cargo.toml"]);
}

/// `--profile` of a profile the workspace does not define: cargo refuses it, and so does
/// crateplan, listing the profiles that are defined.
#[test]
fn unknown_profile() {
    let ws = two_members("unknown_profile");
    write(&ws, &[("Cargo.toml", &format!("{ROOT_TOML}\n[profile.dist]\ninherits = \"release\"\n"))]);
    assert_accepted(&ws, &["--target", TARGET, "--profile", "dist"]);
    let err = assert_cargo_refuses(&ws, &["--profile", "nope"]);
    assert!(err.contains("profile `nope` is not defined"), "cargo refused for another reason: {err}");
    assert_refused(&ws, &["--target", TARGET, "--profile", "nope"], &["profile `nope` is not defined", "dev, dist, doc, release, test", "Cargo.toml"]);
}

/// Profile tables cargo refuses: a bad value, a missing or looping `inherits`, `inherits` on a
/// root profile, `panic` in a package override. Cargo is asked first.
#[test]
fn invalid_profiles() {
    let cases: &[(&str, &str, &[&str])] = &[
        ("opt_level", "[profile.release]\nopt-level = \"fast\"\n", &["[profile.release]", "opt-level"]),
        ("no_inherits", "[profile.dist]\nopt-level = 1\n", &["profile `dist`", "inherits"]),
        ("loop", "[profile.a]\ninherits = \"b\"\n[profile.b]\ninherits = \"a\"\n", &["inheritance loop"]),
        ("root_inherits", "[profile.dev]\ninherits = \"release\"\n", &["root profile `dev`"]),
        ("package_panic", "[profile.dev.package.m]\npanic = \"abort\"\n", &["[profile.dev.package.\"m\"]", "panic"]),
        ("undefined_parent", "[profile.dist]\ninherits = \"nowhere\"\n", &["`nowhere`", "not defined"]),
    ];
    for (name, table, expect) in cases {
        let ws = two_members(&format!("invalid_profiles_{name}"));
        write(&ws, &[("Cargo.toml", &format!("{ROOT_TOML}\n{table}"))]);
        assert_cargo_refuses(&ws, &[]);
        let mut want = vec!["Cargo.toml"];
        want.extend_from_slice(expect);
        assert_refused(&ws, &["--target", TARGET], &want);
    }
}

/// A bad profile value in `.cargo/config.toml` is refused naming that file, as cargo refuses it.
#[test]
fn invalid_config_profile() {
    let ws = two_members("invalid_config_profile");
    write(&ws, &[(".cargo/config.toml", "[profile.release]\npanic = \"sometimes\"\n")]);
    assert_cargo_refuses(&ws, &["--release"]);
    assert_refused(&ws, &["--target", TARGET, "--release"], &[".cargo/config.toml", "[profile.release]", "panic"]);
}

/// A `.cargo/config.toml` that is no TOML is refused with its path and position.
#[test]
fn malformed_cargo_config() {
    let ws = two_members("malformed_cargo_config");
    write(&ws, &[(".cargo/config.toml", "[build]\nrustflags = [\"--cfg\", \n")]);
    assert_cargo_refuses(&ws, &[]);
    assert_refused(&ws, &["--target", TARGET], &[".cargo/config.toml:"]);
}

/// Keys crateplan does not apply are named in warnings; the plan is made all the same.
#[test]
fn unapplied_keys_are_warned_about() {
    let ws = two_members("unapplied_keys_are_warned_about");
    write(&ws, &[
        (".cargo/config.toml", "[build]\ntarget-dir = \"out\"\nrustc-wrapper = \"sccache\"\n[target.x86_64-unknown-linux-gnu]\nlinker = \"clang\"\nrustflags = [\"-C\", \"target-feature=+crt-static\"]\n[source.crates-io]\nreplace-with = \"vendored\"\n[source.vendored]\ndirectory = \"vendor\"\n"),
        ("Cargo.toml", &format!("{ROOT_TOML}\n[profile.release]\ntrim-paths = true\n")),
    ]);
    let out = crateplan(&ws, &["--target", TARGET]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    for key in ["`build.rustc-wrapper`", "`target.x86_64-unknown-linux-gnu.linker`", "`profile.release.trim-paths`", "`-Ctarget-feature`"] {
        assert!(stderr.lines().any(|l| l.starts_with("warning: ") && l.contains(key)), "no warning naming {key}:\n{stderr}");
    }
    for quiet in ["target-dir", "source", "replace-with"] {
        assert!(!stderr.contains(quiet), "`{quiet}` changes no build and needs no warning:\n{stderr}");
    }
}

// ---------------------------------------------------------------------------------------------
// Workspaces cargo refuses while it loads or resolves them. Cargo cannot write a lock for most,
// so the lock is written by hand; each test asks cargo first, with that lock.

/// A Cargo.lock (v4) of path packages: (name, dependencies) at version 0.1.0.
fn path_lock(packages: &[(&str, &[&str])]) -> String {
    let mut lock = String::from("version = 4\n");
    for (name, deps) in packages {
        lock += &format!("\n[[package]]\nname = \"{name}\"\nversion = \"0.1.0\"\n");
        if !deps.is_empty() {
            lock += &format!("dependencies = [\n{}]\n", deps.iter().map(|d| format!(" \"{d}\",\n")).collect::<String>());
        }
    }
    lock
}

/// A package manifest: `[package]` for `name` 0.1.0, then `rest`.
fn package(name: &str, rest: &str) -> String {
    format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n{rest}")
}

/// Writes `files` (each package given a `src/lib.rs` next to its manifest) under a scratch
/// workspace `ws/` and returns it.
fn workspace_of(test: &str, files: &[(&str, String)]) -> PathBuf {
    let ws = scratch(test).join("ws");
    for (rel, text) in files {
        write(&ws, &[(rel, text)]);
        if rel.ends_with("Cargo.toml") && text.contains("[package]") {
            let lib = Path::new(rel).with_file_name("src/lib.rs");
            write(&ws, &[(lib.to_str().unwrap(), "")]);
        }
    }
    ws
}

/// A workspace of one package, `name` 0.1.0 with `rest` in its manifest.
fn one_package(test: &str, name: &str, rest: &str) -> PathBuf {
    workspace_of(test, &[("Cargo.toml", package(name, rest)), ("Cargo.lock", path_lock(&[(name, &[])]))])
}

/// Cargo refuses the workspace saying `cargo_says`; crateplan refuses it with a line holding
/// each of `we_say`.
fn refused_as_by_cargo(ws: &Path, cargo_says: &str, we_say: &[&str]) {
    let err = assert_cargo_refuses(ws, &[]);
    assert!(err.contains(cargo_says), "cargo refused for another reason: {err}");
    assert_refused(ws, &["--target", TARGET], we_say);
}

/// Cargo and crateplan both accept the workspace.
fn accepted_as_by_cargo(ws: &Path) {
    if let Err(e) = cargo_unit_graph(ws, false) {
        panic!("cargo refuses {}; the test's premise is wrong: {e}", ws.display());
    }
    assert_accepted(ws, &["--target", TARGET]);
}

#[test]
fn feature_including_itself() {
    let ws = one_package("feature_including_itself", "a", "\n[features]\ndefault = [\"default\"]\n");
    refused_as_by_cargo(&ws, "cyclic feature dependency", &["cyclic feature dependency", "`default`", "ws/Cargo.toml"]);
}

/// Cargo resolves a workspace with every feature of its members on: an unused one counts.
#[test]
fn unused_member_feature_including_itself() {
    let ws = one_package("unused_member_feature_including_itself", "a", "\n[features]\nx = [\"x\"]\n");
    refused_as_by_cargo(&ws, "cyclic feature dependency", &["cyclic feature dependency", "`x`"]);
}

/// A dependency outside the workspace: its feature counts only once activated.
#[test]
fn dependency_feature_including_itself() {
    let dir = scratch("dependency_feature_including_itself");
    write(&dir, &[("b/Cargo.toml", &package("b", "\n[features]\nx = [\"x\"]\n")), ("b/src/lib.rs", "")]);
    let ws = dir.join("ws");
    let lock = path_lock(&[("a", &["b"]), ("b", &[])]);
    write(&ws, &[("Cargo.toml", &package("a", "\n[dependencies]\nb = { path = \"../b\" }\n")), ("src/lib.rs", ""), ("Cargo.lock", &lock)]);
    accepted_as_by_cargo(&ws);
    write(&ws, &[("Cargo.toml", &package("a", "\n[dependencies]\nb = { path = \"../b\", features = [\"x\"] }\n"))]);
    refused_as_by_cargo(&ws, "cyclic feature dependency", &["cyclic feature dependency", "`x`", "`b 0.1.0`"]);
}

/// Only a feature naming itself is refused; a longer loop is not.
#[test]
fn features_including_each_other() {
    let ws = one_package("features_including_each_other", "a", "\n[features]\ndefault = [\"x\"]\nx = [\"default\"]\n");
    accepted_as_by_cargo(&ws);
}

/// `a` and `b`, members of one workspace, depend on each other through the tables `a_table` and
/// `b_table`.
fn two_packages_depending_on_each_other(test: &str, a_table: &str, b_table: &str) -> PathBuf {
    workspace_of(
        test,
        &[
            ("Cargo.toml", package("a", &format!("\n[workspace]\n\n[{a_table}]\nb = {{ path = \"b\" }}\n"))),
            ("b/Cargo.toml", package("b", &format!("\n[{b_table}]\na = {{ path = \"..\" }}\n"))),
            ("Cargo.lock", path_lock(&[("a", &["b"]), ("b", &["a"])])),
        ],
    )
}

#[test]
fn libraries_depending_on_each_other() {
    let ws = two_packages_depending_on_each_other("libraries_depending_on_each_other", "dependencies", "dependencies");
    refused_as_by_cargo(&ws, "cyclic package dependency", &["cyclic package dependency", "`a 0.1.0`", "b 0.1.0"]);
}

#[test]
fn build_dependency_closing_a_cycle() {
    let ws = two_packages_depending_on_each_other("build_dependency_closing_a_cycle", "dependencies", "build-dependencies");
    refused_as_by_cargo(&ws, "cyclic package dependency", &["cyclic package dependency", "`a 0.1.0`", "b 0.1.0"]);
}

#[test]
fn dev_dependency_closing_a_cycle() {
    let ws = two_packages_depending_on_each_other("dev_dependency_closing_a_cycle", "dependencies", "dev-dependencies");
    generate_lockfile(&ws);
    accepted_as_by_cargo(&ws);
}

#[test]
fn package_depending_on_itself() {
    let ws = workspace_of(
        "package_depending_on_itself",
        &[("Cargo.toml", package("a", "\n[dependencies]\na = { path = \".\" }\n")), ("Cargo.lock", path_lock(&[("a", &["a"])]))],
    );
    refused_as_by_cargo(&ws, "cyclic package dependency", &["cyclic package dependency", "`a 0.1.0`"]);
}

/// The root `a` with the dependency table `deps` on the path package `b`.
fn a_with_b(test: &str, deps: &str) -> PathBuf {
    workspace_of(
        test,
        &[("Cargo.toml", package("a", &format!("\n{deps}\n"))), ("b/Cargo.toml", package("b", "")), ("Cargo.lock", path_lock(&[("a", &["b"]), ("b", &[])]))],
    )
}

#[test]
fn optional_dev_dependency() {
    let ws = a_with_b("optional_dev_dependency", "[dev-dependencies]\nb = { path = \"b\", optional = true }");
    refused_as_by_cargo(&ws, "dev-dependencies are not allowed to be optional", &["dev-dependencies", "optional", "`b`", "ws/Cargo.toml"]);
}

#[test]
fn dependency_with_workspace_false() {
    let ws = a_with_b("dependency_with_workspace_false", "[workspace]\n\n[dependencies]\nb = { path = \"b\", workspace = false }");
    refused_as_by_cargo(&ws, "`workspace` cannot be false", &["`workspace` cannot be false", "`b`", "ws/Cargo.toml"]);
}

#[test]
fn package_field_with_workspace_false() {
    let ws = one_package("package_field_with_workspace_false", "a", "description = { workspace = false }\n\n[workspace]\n");
    refused_as_by_cargo(&ws, "`workspace` cannot be false", &["`workspace` cannot be false", "ws/Cargo.toml"]);
}

#[test]
fn two_members_of_one_name() {
    let ws = workspace_of(
        "two_members_of_one_name",
        &[
            ("Cargo.toml", "[workspace]\nmembers = [\"x\", \"y\"]\n".into()),
            ("x/Cargo.toml", package("same", "")),
            ("y/Cargo.toml", package("same", "")),
            ("Cargo.lock", path_lock(&[("same", &[])])),
        ],
    );
    refused_as_by_cargo(&ws, "two packages named `same` in this workspace", &["`same`", "x/Cargo.toml", "y/Cargo.toml"]);
}

#[test]
fn member_outside_the_root_directory() {
    let dir = scratch("member_outside_the_root_directory");
    write(&dir, &[("x/Cargo.toml", &package("x", "")), ("x/src/lib.rs", "")]);
    let ws = dir.join("ws");
    write(&ws, &[("Cargo.toml", "[workspace]\nmembers = [\"../x\"]\n"), ("Cargo.lock", &path_lock(&[("x", &[])]))]);
    refused_as_by_cargo(&ws, "is not hierarchically below the workspace root", &["x/Cargo.toml", "ws/Cargo.toml", "root"]);
}

#[test]
fn member_with_a_workspace_of_its_own() {
    let ws = workspace_of(
        "member_with_a_workspace_of_its_own",
        &[
            ("Cargo.toml", package("a", "\n[workspace]\nmembers = [\"x\"]\n")),
            ("x/Cargo.toml", package("x", "\n[workspace]\n")),
            ("Cargo.lock", path_lock(&[("a", &[]), ("x", &[])])),
        ],
    );
    refused_as_by_cargo(&ws, "multiple workspace roots found in the same workspace", &["x/Cargo.toml", "[workspace]"]);
}

#[test]
fn package_name_with_a_space() {
    let ws = one_package("package_name_with_a_space", "a b", "");
    refused_as_by_cargo(&ws, "invalid character ` ` in package name", &["`a b`", "ws/Cargo.toml", "rename"]);
}

#[test]
fn feature_name_with_a_space() {
    let ws = one_package("feature_name_with_a_space", "a", "\n[features]\n\"a b\" = []\n");
    refused_as_by_cargo(&ws, "invalid character ` ` in feature name", &["`a b`", "ws/Cargo.toml", "rename"]);
}

#[test]
fn dependency_name_with_a_space() {
    let ws = a_with_b("dependency_name_with_a_space", "[dependencies]\n\"b c\" = { path = \"b\", package = \"b\" }");
    refused_as_by_cargo(&ws, "invalid character ` ` in package name: `b c`", &["`b c`", "ws/Cargo.toml"]);
}

#[test]
fn library_name_with_a_hyphen() {
    let ws = one_package("library_name_with_a_hyphen", "a", "\n[lib]\nname = \"a-b\"\n");
    refused_as_by_cargo(&ws, "library target names cannot contain hyphens", &["hyphens", "`a-b`", "a_b", "ws/Cargo.toml"]);
}

/// One dependency name, two path sources (a normal and a build dependency).
#[test]
fn dependency_with_two_sources() {
    let ws = workspace_of(
        "dependency_with_two_sources",
        &[
            ("Cargo.toml", package("a", "\n[dependencies]\nc = { path = \"x/c\" }\n\n[build-dependencies]\nc = { path = \"y/c\" }\n")),
            ("x/c/Cargo.toml", package("c", "")),
            ("y/c/Cargo.toml", package("c", "")),
            ("Cargo.lock", path_lock(&[("a", &["c"]), ("c", &[])])),
        ],
    );
    refused_as_by_cargo(&ws, "has different source paths depending on the build target", &["`c`", "x/c", "y/c", "ws/Cargo.toml"]);
}

// ---------------------------------------------------------------------------------------------
// Reproducers of the fuzzing campaign's findings (docs/fuzzing.md).

/// A `%` escape followed by a multi-byte character in a git source's reference made the
/// percent-decoding panic.
#[test]
fn git_source_with_a_percent_before_a_multibyte_character() {
    let ws = workspace_of(
        "git_source_with_a_percent_before_a_multibyte_character",
        &[
            ("Cargo.toml", package("a", "\n[dependencies]\ng = { git = \"https://x/r\", branch = \"%a\u{20ac}\" }\n")),
            ("Cargo.lock", "version = 4\n\n[[package]]\nname = \"a\"\nversion = \"0.1.0\"\ndependencies = [\n \"g\",\n]\n\n[[package]]\nname = \"g\"\nversion = \"0.1.0\"\nsource = \"git+https://x/r?branch=%a\u{20ac}#abc\"\n".into()),
        ],
    );
    let empty = ws.parent().unwrap().join("no-sources");
    fs::create_dir_all(&empty).unwrap();
    assert_refused(&ws, &["--target", TARGET, "--sources", empty.to_str().unwrap()], &["`g"]);
}

/// Bytes of a damaged archive (ESC, CR, VT) reach the message escaped, never raw.
#[test]
fn control_bytes_of_a_damaged_archive_are_escaped() {
    let ws = with_registry_dep("control_bytes_of_a_damaged_archive_are_escaped");
    let dir = ws.parent().unwrap().join("crates");
    fs::create_dir_all(&dir).unwrap();
    let mut tar = crate_archive(&[("itoa-1.0.15/Cargo.toml", "[package]\nname = \"itoa\"\nversion = \"1.0.15\"\n")]);
    // Unpacked, the first header's size field (offset 124) gets an ESC sequence, a CR and a VT.
    let mut raw = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&tar[..]), &mut raw).unwrap();
    raw[124..130].copy_from_slice(b"\x1b[2J\r\x0b");
    // The header's checksum made right again, so that the size field is what tar reads next.
    raw[148..156].copy_from_slice(b"        ");
    let sum: u32 = raw[..512].iter().map(|&b| u32::from(b)).sum();
    raw[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, &raw).unwrap();
    tar = gz.finish().unwrap();
    fs::write(dir.join("itoa-1.0.15.crate"), tar).unwrap();
    let line = assert_refused(&ws, &["--target", TARGET, "--sources", dir.to_str().unwrap()], &["itoa-1.0.15.crate", "cargo fetch"]);
    assert!(!line.chars().any(|c| c.is_control()), "raw control characters in {line:?}");
    assert!(line.contains("\\u{1b}[2J\\u{d}\\u{b}"), "the bytes should be shown escaped: {line:?}");
}

/// A manifest that is not UTF-8: the line and column of the first bad byte, and what to do.
#[test]
fn manifest_not_utf8() {
    let ws = two_members("manifest_not_utf8");
    fs::write(ws.join("m/Cargo.toml"), b"[package]\nname = \"m\"\ndescription = \"caf\xe9\"\nversion = \"0.1.0\"\n").unwrap();
    assert_refused(&ws, &["--target", TARGET], &["m/Cargo.toml:3:19", "UTF-8", "0xe9"]);
}

/// Likewise inside a `.crate`: the archive is named, and fetching it again is the fix.
#[test]
fn crate_manifest_not_utf8() {
    let ws = with_registry_dep("crate_manifest_not_utf8");
    let dir = ws.parent().unwrap().join("crates");
    fs::create_dir_all(&dir).unwrap();
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    let text = b"[package]\nname = \"itoa\"\nversion = \"1.0.15\"\nauthors = [\"\xff\"]\n";
    let mut header = tar::Header::new_gnu();
    header.set_size(text.len() as u64);
    header.set_mode(0o644);
    header.set_cksum();
    tar.append_data(&mut header, "itoa-1.0.15/Cargo.toml", &text[..]).unwrap();
    fs::write(dir.join("itoa-1.0.15.crate"), tar.into_inner().unwrap().finish().unwrap()).unwrap();
    assert_refused(&ws, &["--target", TARGET, "--sources", dir.to_str().unwrap()], &["itoa-1.0.15.crate", "Cargo.toml:4:13", "UTF-8", "cargo fetch"]);
}
