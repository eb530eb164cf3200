//! Compiles csrc/thing.c into a static library in OUT_DIR with the C compiler from PATH, and
//! tells dependents where it is through `links` metadata.
use std::env;
use std::path::PathBuf;
use std::process::Command;

fn run(cmd: &mut Command) {
    let status = cmd.status().expect("spawn");
    assert!(status.success(), "{cmd:?} failed");
}

fn main() {
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    run(Command::new("cc").args(["-c", "-fPIC", "-O2", "-o"]).arg(out.join("thing.o")).arg(manifest_dir.join("csrc/thing.c")));
    run(Command::new("ar").arg("crs").arg(out.join("libnativething.a")).arg(out.join("thing.o")));
    println!("cargo:rustc-link-search=native={}", out.display());
    println!("cargo:rustc-link-lib=static=nativething");
    // Old-syntax metadata (unknown key) and new-syntax metadata, for DEP_NATIVETHING_*.
    println!("cargo:root={}", out.display());
    println!("cargo::metadata=api-level=7");
    println!("cargo:rerun-if-changed=csrc/thing.c");
    assert_eq!(env::var("CARGO_MANIFEST_LINKS").unwrap(), "nativething");
}
