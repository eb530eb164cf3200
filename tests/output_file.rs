//! `-o FILE` is replaced whole or not at all: two runs writing the same file at once leave one
//! whole plan (each run's exit status telling the truth), and whatever a stranger planted next
//! to `FILE` under the name a temporary file might have — a symlink, a FIFO — is neither
//! followed nor waited on.
//!
//! Run: `cargo test --test output_file`

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;
use std::os::unix::fs::FileTypeExt;

mod common;

const MANIFEST: &str = "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nm = { path = \"m\" }\n";
const MEMBER: &str = "[package]\nname = \"m\"\nversion = \"0.1.0\"\nedition = \"2021\"\n";
const LOCK: &str = "version = 4\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"m\",\n]\n\n[[package]]\nname = \"m\"\nversion = \"0.1.0\"\n";

/// A workspace of two path packages under a fresh scratch directory, and an empty `out/` beside it.
fn workspace(test: &str) -> (PathBuf, PathBuf) {
    let dir = common::scratch("output_file", test);
    let ws = dir.join("ws");
    for (rel, text) in [("Cargo.toml", MANIFEST), ("Cargo.lock", LOCK), ("src/main.rs", "fn main() {}\n"), ("m/Cargo.toml", MEMBER), ("m/src/lib.rs", "")] {
        let path = ws.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    let out = dir.join("out");
    fs::create_dir_all(&out).unwrap();
    (ws, out)
}

fn generate(ws: &Path, target: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_crateplan"));
    cmd.arg("generate").arg("--manifest-path").arg(ws.join("Cargo.toml")).args(["--target", target]);
    cmd
}

/// The plan for `target`, from standard output.
fn plan_for(ws: &Path, target: &str) -> Vec<u8> {
    let out = generate(ws, target).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// Names in `dir`, sorted.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

#[test]
fn two_writers_at_once_leave_one_whole_plan() {
    let (ws, out) = workspace("two-writers");
    let targets = ["x86_64-unknown-linux-gnu", "aarch64-unknown-linux-gnu"];
    let expected = targets.map(|t| plan_for(&ws, t));
    assert_ne!(expected[0], expected[1]);
    let file = out.join("plan.json");
    for round in 0..40 {
        let children: Vec<_> =
            targets.iter().map(|t| generate(&ws, t).arg("-o").arg(&file).stderr(Stdio::piped()).spawn().unwrap()).collect();
        for child in children {
            let result = child.wait_with_output().unwrap();
            assert!(result.status.success(), "round {round}: {}", String::from_utf8_lossy(&result.stderr));
        }
        let written = fs::read(&file).unwrap();
        assert!(expected.contains(&written), "round {round}: plan.json is neither plan ({} bytes)", written.len());
        assert_eq!(entries(&out), ["plan.json"], "round {round}: a temporary file was left behind");
    }
}

#[test]
fn a_planted_symlink_is_not_followed() {
    let (ws, out) = workspace("planted-symlink");
    let victim = out.parent().unwrap().join("victim.txt");
    fs::write(&victim, "untouched\n").unwrap();
    // The name every run used to write through.
    std::os::unix::fs::symlink(&victim, out.join(".plan.json.tmp")).unwrap();
    let status = generate(&ws, "x86_64-unknown-linux-gnu").arg("-o").arg(out.join("plan.json")).status().unwrap();
    assert!(status.success());
    assert_eq!(fs::read_to_string(&victim).unwrap(), "untouched\n");
    let meta = fs::symlink_metadata(out.join("plan.json")).unwrap();
    assert!(meta.file_type().is_file(), "plan.json must be a regular file, not {:?}", meta.file_type());
    assert_eq!(fs::read(out.join("plan.json")).unwrap(), plan_for(&ws, "x86_64-unknown-linux-gnu"));
    assert_eq!(entries(&out), [".plan.json.tmp", "plan.json"]);
}

#[test]
fn a_planted_fifo_is_not_waited_on() {
    let (ws, out) = workspace("planted-fifo");
    let fifo = out.join(".plan.json.tmp");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let mut child = generate(&ws, "x86_64-unknown-linux-gnu").arg("-o").arg(out.join("plan.json")).spawn().unwrap();
    let status = common::wait_timeout(&mut child, Duration::from_secs(20))
        .unwrap_or_else(|| panic!("crateplan blocked on the FIFO planted at {}", fifo.display()));
    assert!(status.success());
    assert_eq!(fs::read(out.join("plan.json")).unwrap(), plan_for(&ws, "x86_64-unknown-linux-gnu"));
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo(), "the FIFO must be left alone");
}

#[test]
fn a_new_plan_file_gets_the_usual_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let (ws, out) = workspace("permissions");
    let status = generate(&ws, "x86_64-unknown-linux-gnu").arg("-o").arg(out.join("plan.json")).status().unwrap();
    assert!(status.success());
    // Compared with a file made by `File::create` under the same umask.
    fs::File::create(out.join("reference")).unwrap();
    let mode = |name: &str| fs::metadata(out.join(name)).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode("plan.json"), mode("reference"));
}

#[test]
fn a_refused_run_leaves_the_previous_plan_whole() {
    let (ws, out) = workspace("refused-run");
    let file = out.join("plan.json");
    let status = generate(&ws, "x86_64-unknown-linux-gnu").arg("-o").arg(&file).status().unwrap();
    assert!(status.success());
    let before = fs::read(&file).unwrap();
    fs::write(ws.join("Cargo.lock"), "version = 4\n[[package]]\nname = \"app\"\n").unwrap();
    let refused = generate(&ws, "aarch64-unknown-linux-gnu").arg("-o").arg(&file).output().unwrap();
    assert_eq!(refused.status.code(), Some(1), "{}", String::from_utf8_lossy(&refused.stderr));
    assert_eq!(fs::read(&file).unwrap(), before);
    assert_eq!(entries(&out), ["plan.json"]);
}
