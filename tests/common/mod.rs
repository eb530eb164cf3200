//! Helpers shared by the integration tests that copy workspaces and run cargo and crateplan.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// An empty scratch directory `target/tmp/<suite>/<test>`.
pub fn scratch(suite: &str, test: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(suite).join(test);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// Copies a directory tree (regular files and directories; `target/` left out), in sorted order.
pub fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    let mut entries: Vec<_> = fs::read_dir(from).unwrap().map(|e| e.unwrap()).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name();
        if name == "target" {
            continue;
        }
        let ty = e.file_type().unwrap();
        if ty.is_dir() {
            copy_tree(&e.path(), &to.join(&name));
        } else if ty.is_file() {
            fs::copy(e.path(), to.join(&name)).unwrap();
        }
    }
}

/// The cargo running the tests.
pub fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// Runs `cmd`, which must succeed; its standard output.
pub fn run_ok(mut cmd: Command, what: &str) -> Vec<u8> {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(out.status.success(), "{what} failed ({:?}):\n{}", out.status.code(), String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// A copy of `tests/workspaces/<name>` at `dest`, its crates fetched into the default CARGO_HOME
/// (and its Cargo.lock left as committed).
pub fn workspace_copy(name: &str, dest: &Path) -> PathBuf {
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/workspaces").join(name);
    copy_tree(&fixture, dest);
    let mut fetch = cargo();
    fetch.args(["fetch", "--locked", "--manifest-path"]).arg(dest.join("Cargo.toml"));
    run_ok(fetch, &format!("cargo fetch --locked in {}", dest.display()));
    assert_eq!(fs::read(dest.join("Cargo.lock")).unwrap(), fs::read(fixture.join("Cargo.lock")).unwrap(), "cargo fetch rewrote the lock of {name}");
    dest.to_path_buf()
}

/// The `.crate` files of the registry packages in `ws`'s Cargo.lock, copied from cargo's download
/// cache into `dest` (flat); their paths there.
pub fn registry_crates(ws: &Path, dest: &Path) -> Vec<PathBuf> {
    let cargo_home = std::env::var_os("CARGO_HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(std::env::var("HOME").unwrap()).join(".cargo"));
    let lock: toml::Table = toml::from_str(&fs::read_to_string(ws.join("Cargo.lock")).unwrap()).unwrap();
    fs::create_dir_all(dest).unwrap();
    let caches: Vec<PathBuf> = fs::read_dir(cargo_home.join("registry/cache")).unwrap().map(|e| e.unwrap().path()).collect();
    let mut copied = Vec::new();
    for p in lock["package"].as_array().unwrap() {
        if !p.get("source").and_then(|s| s.as_str()).is_some_and(|s| s.starts_with("registry+")) {
            continue;
        }
        let file = format!("{}-{}.crate", p["name"].as_str().unwrap(), p["version"].as_str().unwrap());
        let found = caches.iter().map(|c| c.join(&file)).find(|f| f.is_file()).unwrap_or_else(|| panic!("{file} is not in {}/registry/cache", cargo_home.display()));
        fs::copy(found, dest.join(&file)).unwrap();
        copied.push(dest.join(&file));
    }
    copied
}

/// Waits for `child` up to `timeout`; `None` (the child killed) when it did not end in time.
pub fn wait_timeout(child: &mut std::process::Child, timeout: std::time::Duration) -> Option<std::process::ExitStatus> {
    let start = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}
