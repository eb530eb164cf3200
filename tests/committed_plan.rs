//! The plan committed at the repository root (from which Nix builds crateplan itself) must match
//! Cargo.toml and Cargo.lock: `crateplan check` says so, or names what changed.

use std::process::Command;

#[test]
fn committed_plan_of_crateplan_is_current() {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = Command::new(env!("CARGO_BIN_EXE_crateplan"))
        .args(["check", "--manifest-path"])
        .arg(format!("{root}/Cargo.toml"))
        .output()
        .expect("crateplan runs");
    assert!(
        out.status.success(),
        "Cargo.plan.json is stale — {}",
        String::from_utf8_lossy(&out.stderr).trim()
    );
}

/// A path dependency outside the workspace root (`path = "../shared"`) is an input of the plan
/// like a member: its manifest, and what target discovery saw in its directory.
#[test]
fn a_path_dependency_outside_the_root_is_an_input() {
    let top = std::env::temp_dir().join(format!("crateplan-outside-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&top);
    let write = |path: &str, text: &str| {
        let path = top.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("app/Cargo.toml", "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n\n[dependencies]\nshared = { path = \"../shared\" }\n");
    write("app/src/main.rs", "fn main() {}\n");
    write("app/Cargo.lock", "version = 4\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"shared\",\n]\n\n[[package]]\nname = \"shared\"\nversion = \"0.1.0\"\n");
    write("shared/Cargo.toml", "[package]\nname = \"shared\"\nversion = \"0.1.0\"\nedition = \"2021\"\n");
    write("shared/src/lib.rs", "");
    let crateplan = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_crateplan")).args(args).current_dir(top.join("app")).output().expect("crateplan runs")
    };
    let generated = crateplan(&["generate", "--target", "x86_64-unknown-linux-gnu", "-o", "Cargo.plan.json"]);
    assert!(generated.status.success(), "{}", String::from_utf8_lossy(&generated.stderr));
    let plan = std::fs::read_to_string(top.join("app/Cargo.plan.json")).unwrap();
    assert!(plan.contains("\"path\": \"../shared/Cargo.toml\"") && plan.contains("\"../shared/src/bin\": []"), "{plan}");
    assert!(crateplan(&["check"]).status.success());
    write("shared/src/bin/tool.rs", "fn main() {}\n");
    let stale = crateplan(&["check"]);
    assert!(!stale.status.success());
    assert!(String::from_utf8_lossy(&stale.stderr).contains("../shared/src/bin/tool.rs is new"), "{}", String::from_utf8_lossy(&stale.stderr));
    std::fs::remove_dir_all(&top).unwrap();
}
