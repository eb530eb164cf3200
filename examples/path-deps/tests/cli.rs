//! Runs the built `pathy` binary, as `cargo test` does for integration tests.
use std::process::Command;

#[test]
fn prints_the_banner_and_areas() {
    let out = Command::new(env!("CARGO_BIN_EXE_pathy")).output().expect("run pathy");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("pathy: a workspace"), "{text}");
    assert!(text.contains("square area: 9"), "{text}");
}

#[test]
fn dev_dependency_is_available() {
    let mut buf = itoa::Buffer::new();
    assert_eq!(buf.format(42u8), "42");
}

#[test]
fn target_tmpdir_exists() {
    assert!(std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).is_dir());
}
