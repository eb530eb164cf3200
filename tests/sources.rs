//! Where dependency manifests are found: a `cargo vendor` directory (with and without
//! `--versioned-dirs`), a flat directory of `.crate` files, a CARGO_HOME given with `--sources`,
//! and the default lookup with `CARGO_HOME` (or `HOME`) pointing at a copy. Each gives the same
//! bytes as the default lookup in the real CARGO_HOME — the plan (several targets) and the unit
//! graphs of build and test — and nothing is unpacked: the source directories, the workspace and
//! `TMPDIR` are left as they were.
//!
//! The workspaces are copies of `tests/workspaces/{libz-links,multi-version,serde-basic}` made
//! under `CARGO_TARGET_TMPDIR/sources/` (build scripts and `links`; two versions of one crate,
//! which plain `cargo vendor` puts in `syn/` and `syn-1.0.109/`; a proc-macro). Their crates are
//! fetched into the default CARGO_HOME with `cargo fetch --locked` if they are not there yet.
//!
//! Run: `cargo test --test sources`

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

mod common;
use common::{cargo, copy_tree, run_ok, workspace_copy};

const WORKSPACES: &[&str] = &["libz-links", "multi-version", "serde-basic"];

const TARGETS: &[&str] = &["x86_64-unknown-linux-gnu", "aarch64-apple-darwin", "x86_64-pc-windows-msvc", "wasm32-unknown-unknown"];

fn scratch(test: &str) -> PathBuf {
    common::scratch("sources", test)
}

/// The CARGO_HOME the default lookup uses.
fn real_cargo_home() -> PathBuf {
    std::env::var_os("CARGO_HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(std::env::var("HOME").unwrap()).join(".cargo"))
}


/// A locked registry package.
struct Locked {
    name: String,
    version: String,
    checksum: String,
}

fn locked_registry_packages(ws: &Path) -> Vec<Locked> {
    let lock: toml::Table = toml::from_str(&fs::read_to_string(ws.join("Cargo.lock")).unwrap()).unwrap();
    let metadata = lock.get("metadata").and_then(|m| m.as_table()).cloned().unwrap_or_default();
    let mut out = Vec::new();
    for p in lock["package"].as_array().unwrap() {
        let Some(source) = p.get("source").and_then(|s| s.as_str()).filter(|s| s.starts_with("registry+")) else { continue };
        let (name, version) = (p["name"].as_str().unwrap().to_string(), p["version"].as_str().unwrap().to_string());
        // v1 locks keep checksums in [metadata].
        let checksum = p
            .get("checksum")
            .or_else(|| metadata.get(&format!("checksum {name} {version} ({source})")))
            .and_then(|c| c.as_str())
            .unwrap_or_else(|| panic!("no checksum for {name} {version}"))
            .to_string();
        out.push(Locked { name, version, checksum });
    }
    out
}

fn sha256_hex(path: &Path) -> String {
    Sha256::digest(fs::read(path).unwrap()).iter().map(|b| format!("{b:02x}")).collect()
}

/// The registry directory name (`index.crates.io-…`) and `.crate` file of a locked package in
/// the real CARGO_HOME's cache (the one whose sha256 is the lock's checksum).
fn cached_crate(p: &Locked) -> (String, PathBuf) {
    let cache = real_cargo_home().join("registry/cache");
    let file = format!("{}-{}.crate", p.name, p.version);
    let mut registries: Vec<PathBuf> = fs::read_dir(&cache).unwrap().map(|e| e.unwrap().path()).collect();
    registries.sort();
    for reg in registries {
        let f = reg.join(&file);
        if f.is_file() && sha256_hex(&f) == p.checksum {
            return (reg.file_name().unwrap().to_string_lossy().into_owned(), f);
        }
    }
    panic!("{file} with sha256 {} is not in {}", p.checksum, cache.display());
}

/// How crateplan is run: extra arguments and environment changes.
#[derive(Default, Clone)]
struct Setup {
    label: String,
    args: Vec<String>,
    env: Vec<(String, Option<String>)>,
}

/// The outputs compared: the plan for all TARGETS, and the unit graphs of build and test for
/// the first. Each as (command shown, bytes).
fn outputs(ws: &Path, setup: &Setup, tmpdir: &Path) -> Vec<(String, Vec<u8>)> {
    let targets: Vec<String> = TARGETS.iter().flat_map(|t| ["--target".to_string(), t.to_string()]).collect();
    let one = vec!["--target".to_string(), TARGETS[0].to_string(), "--format".into(), "unit-graph".into()];
    let mut with_tests = one.clone();
    with_tests.push("--tests".into());
    let mut out = Vec::new();
    for args in [targets, one, with_tests] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_crateplan"));
        cmd.arg("generate").arg("--manifest-path").arg(ws.join("Cargo.toml")).args(&args).args(&setup.args);
        cmd.env("TMPDIR", tmpdir);
        let mut env_shown = String::new();
        for (k, v) in &setup.env {
            match v {
                Some(v) => {
                    cmd.env(k, v);
                    env_shown.push_str(&format!("{k}={v} "));
                }
                None => {
                    cmd.env_remove(k);
                    env_shown.push_str(&format!("-u {k} "));
                }
            }
        }
        let shown = format!(
            "{}env {env_shown}crateplan generate --manifest-path {}/Cargo.toml {} {}",
            if setup.label.is_empty() { String::new() } else { format!("[{}] ", setup.label) },
            ws.display(),
            args.join(" "),
            setup.args.join(" ")
        );
        let bytes = run_ok(cmd, &shown);
        out.push((shown, bytes));
    }
    out
}

/// Every file and directory under `dir` with its size, for "nothing was unpacked or changed".
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, u64> {
    fn go(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, u64>) {
        for e in fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            let meta = fs::symlink_metadata(&p).unwrap();
            out.insert(p.strip_prefix(root).unwrap().to_path_buf(), if meta.is_dir() { u64::MAX } else { meta.len() });
            if meta.is_dir() {
                go(root, &p, out);
            }
        }
    }
    let mut out = BTreeMap::new();
    go(dir, dir, &mut out);
    out
}

fn first_difference(a: &[u8], b: &[u8]) -> String {
    let at = a.iter().zip(b).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()));
    let show = |s: &[u8]| String::from_utf8_lossy(&s[at.saturating_sub(200)..(at + 200).min(s.len())]).into_owned();
    format!("lengths {} and {}; first difference at byte {at}:\n--- default:\n{}\n--- this one:\n{}", a.len(), b.len(), show(a), show(b))
}

/// For each workspace: `make(ws, dir)` prepares the sources in `dir` (a fresh directory) and
/// returns the setup; its outputs must equal the default's byte for byte, and neither the
/// workspace, `dir` nor TMPDIR may change.
fn check_same_as_default(test: &str, make: &dyn Fn(&Path, &Path) -> Setup) {
    let base = scratch(test);
    for name in WORKSPACES {
        let ws = workspace_copy(name, &base.join(name).join("ws"));
        let tmpdir = base.join(name).join("tmp");
        fs::create_dir_all(&tmpdir).unwrap();
        let defaults = outputs(&ws, &Setup::default(), &tmpdir);
        let dir = base.join(name).join("sources");
        fs::create_dir_all(&dir).unwrap();
        let setup = make(&ws, &dir);
        let before = (snapshot(&ws), snapshot(&dir));
        let ours = outputs(&ws, &setup, &tmpdir);
        for ((default_cmd, default_bytes), (cmd, bytes)) in defaults.iter().zip(&ours) {
            assert!(default_bytes == bytes, "{name}: different output\n  {default_cmd}\n  {cmd}\n{}", first_difference(default_bytes, bytes));
        }
        assert!(snapshot(&ws) == before.0, "{name}: [{}] changed the workspace directory", setup.label);
        let after = snapshot(&dir);
        let added: Vec<&PathBuf> = after.keys().filter(|k| !before.1.contains_key(*k)).collect();
        assert!(after == before.1, "{name}: [{}] changed the sources directory {} (new: {added:?})", setup.label, dir.display());
        assert!(snapshot(&tmpdir).is_empty(), "{name}: [{}] wrote into TMPDIR: {:?}", setup.label, snapshot(&tmpdir).keys().collect::<Vec<_>>());
    }
}

fn sources_arg(dir: &Path) -> Vec<String> {
    vec!["--sources".into(), dir.display().to_string()]
}

fn vendor(ws: &Path, dir: &Path, versioned: bool) {
    let mut cmd = cargo();
    cmd.args(["vendor", "--locked", "--offline"]);
    if versioned {
        cmd.arg("--versioned-dirs");
    }
    cmd.arg("--manifest-path").arg(ws.join("Cargo.toml")).arg(dir);
    run_ok(cmd, "cargo vendor");
}

#[test]
fn cargo_vendor_versioned_dirs() {
    check_same_as_default("vendor_versioned", &|ws, dir| {
        let vendor_dir = dir.join("vendor");
        vendor(ws, &vendor_dir, true);
        for p in locked_registry_packages(ws) {
            assert!(vendor_dir.join(format!("{}-{}", p.name, p.version)).join("Cargo.toml").is_file(), "cargo vendor --versioned-dirs made no {}-{}", p.name, p.version);
        }
        Setup { label: "cargo vendor --versioned-dirs".into(), args: sources_arg(&vendor_dir), ..Setup::default() }
    });
}

#[test]
fn cargo_vendor_plain() {
    check_same_as_default("vendor_plain", &|ws, dir| {
        let vendor_dir = dir.join("vendor");
        vendor(ws, &vendor_dir, false);
        Setup { label: "cargo vendor".into(), args: sources_arg(&vendor_dir), ..Setup::default() }
    });
}

#[test]
fn plain_vendor_mixes_unversioned_and_versioned_dirs() {
    // Checks the fixture: multi-version's plain vendor directory has both forms, so the test
    // above covers both.
    let base = scratch("vendor_layout");
    let ws = workspace_copy("multi-version", &base.join("ws"));
    vendor(&ws, &base.join("vendor"), false);
    assert!(base.join("vendor/syn/Cargo.toml").is_file() && base.join("vendor/syn-1.0.109/Cargo.toml").is_file(), "expected vendor/syn and vendor/syn-1.0.109");
}

#[test]
fn flat_directory_of_crate_files() {
    check_same_as_default("crate_files", &|ws, dir| {
        for p in locked_registry_packages(ws) {
            let (_, file) = cached_crate(&p);
            fs::copy(&file, dir.join(file.file_name().unwrap())).unwrap();
        }
        Setup { label: "directory of .crate files".into(), args: sources_arg(dir), ..Setup::default() }
    });
}

#[test]
fn crate_files_beside_other_versions() {
    // Every version of the locked packages' names that the cache holds, plus an unrelated
    // directory and file: the locked version is still the one read.
    check_same_as_default("crate_files_other_versions", &|ws, dir| {
        let locked = locked_registry_packages(ws);
        for p in &locked {
            let (_, file) = cached_crate(p);
            let cache_dir = file.parent().unwrap();
            for e in fs::read_dir(cache_dir).unwrap().flatten() {
                let n = e.file_name().to_string_lossy().into_owned();
                let Some(stem) = n.strip_suffix(".crate") else { continue };
                let Some(version) = stem.strip_prefix(&format!("{}-", p.name)) else { continue };
                if version.starts_with(|c: char| c.is_ascii_digit()) {
                    fs::copy(e.path(), dir.join(&n)).unwrap();
                }
            }
        }
        fs::create_dir_all(dir.join("unrelated")).unwrap();
        fs::write(dir.join("README.txt"), "not a crate\n").unwrap();
        Setup { label: ".crate files with other versions".into(), args: sources_arg(dir), ..Setup::default() }
    });
}

#[test]
fn cargo_home_as_sources() {
    check_same_as_default("cargo_home_as_sources", &|_, _| Setup {
        label: "--sources CARGO_HOME".into(),
        args: sources_arg(&real_cargo_home()),
        ..Setup::default()
    });
}

/// A CARGO_HOME holding only the workspace's registry packages: their `.crate` files in
/// `registry/cache/<registry>/`, and, with `unpacked`, their directories in
/// `registry/src/<registry>/` too.
fn cargo_home_copy(ws: &Path, home: &Path, unpacked: bool) {
    for p in locked_registry_packages(ws) {
        let (registry, file) = cached_crate(&p);
        let cache = home.join("registry/cache").join(&registry);
        fs::create_dir_all(&cache).unwrap();
        fs::copy(&file, cache.join(file.file_name().unwrap())).unwrap();
        if unpacked {
            let key = format!("{}-{}", p.name, p.version);
            let src = real_cargo_home().join("registry/src").join(&registry).join(&key);
            assert!(src.join("Cargo.toml").is_file(), "{} is not unpacked", src.display());
            copy_tree(&src, &home.join("registry/src").join(&registry).join(&key));
        }
    }
}

#[test]
fn cargo_home_copy_with_only_crate_files_as_sources() {
    check_same_as_default("cargo_home_cache_only", &|ws, dir| {
        cargo_home_copy(ws, dir, false);
        Setup { label: "--sources CARGO_HOME copy, registry/cache only".into(), args: sources_arg(dir), ..Setup::default() }
    });
}

#[test]
fn cargo_home_env_pointing_at_a_copy() {
    check_same_as_default("cargo_home_env", &|ws, dir| {
        cargo_home_copy(ws, dir, true);
        Setup {
            label: "CARGO_HOME=copy".into(),
            env: vec![("CARGO_HOME".into(), Some(dir.display().to_string())), ("HOME".into(), Some("/nonexistent".into()))],
            ..Setup::default()
        }
    });
}

#[test]
fn cargo_home_env_pointing_at_a_copy_with_only_crate_files() {
    check_same_as_default("cargo_home_env_cache_only", &|ws, dir| {
        cargo_home_copy(ws, dir, false);
        Setup {
            label: "CARGO_HOME=copy, registry/cache only".into(),
            env: vec![("CARGO_HOME".into(), Some(dir.display().to_string())), ("HOME".into(), Some("/nonexistent".into()))],
            ..Setup::default()
        }
    });
}

#[test]
fn home_env_without_cargo_home() {
    // No CARGO_HOME: the default is $HOME/.cargo.
    check_same_as_default("home_env", &|ws, dir| {
        cargo_home_copy(ws, &dir.join(".cargo"), true);
        Setup {
            label: "HOME=copy, no CARGO_HOME".into(),
            env: vec![("CARGO_HOME".into(), None), ("HOME".into(), Some(dir.display().to_string()))],
            ..Setup::default()
        }
    });
}

/// The checks above can fail: a sources directory missing one package is refused, and the
/// snapshot sees a new file.
#[test]
fn a_sources_directory_missing_a_package_is_refused() {
    let base = scratch("missing_one");
    let ws = workspace_copy("libz-links", &base.join("ws"));
    let dir = base.join("crates");
    fs::create_dir_all(&dir).unwrap();
    let locked = locked_registry_packages(&ws);
    for p in locked.iter().filter(|p| p.name != "libz-sys") {
        let (_, file) = cached_crate(p);
        fs::copy(&file, dir.join(file.file_name().unwrap())).unwrap();
    }
    let before = snapshot(&dir);
    let out = Command::new(env!("CARGO_BIN_EXE_crateplan"))
        .arg("generate")
        .arg("--manifest-path")
        .arg(ws.join("Cargo.toml"))
        .args(["--target", TARGETS[0], "--sources"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("libz-sys"), "{}", String::from_utf8_lossy(&out.stderr));
    fs::write(dir.join("new"), "").unwrap();
    assert_ne!(snapshot(&dir), before);
}

#[test]
fn packages_split_across_a_vendor_and_a_crate_directory() {
    // Half the packages vendored, the other half as .crate files: both --sources are searched.
    check_same_as_default("split", &|ws, dir| {
        let vendor_dir = dir.join("vendor");
        vendor(ws, &vendor_dir, true);
        let crates = dir.join("crates");
        fs::create_dir_all(&crates).unwrap();
        for (i, p) in locked_registry_packages(ws).iter().enumerate() {
            if i % 2 == 0 {
                let (_, file) = cached_crate(p);
                fs::copy(&file, crates.join(file.file_name().unwrap())).unwrap();
                fs::remove_dir_all(vendor_dir.join(format!("{}-{}", p.name, p.version))).unwrap();
            }
        }
        let mut args = sources_arg(&vendor_dir);
        args.extend(sources_arg(&crates));
        Setup { label: "split: vendor + .crate files".into(), args, ..Setup::default() }
    });
}
