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
