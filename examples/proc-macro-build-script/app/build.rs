use std::env;
use std::fs;
use std::path::Path;

fn main() {
    let out_dir = env::var("OUT_DIR").expect("OUT_DIR");
    let target = env::var("TARGET").expect("TARGET");
    let os = env::var("CARGO_CFG_TARGET_OS").expect("CARGO_CFG_TARGET_OS");
    let pointer_width = env::var("CARGO_CFG_TARGET_POINTER_WIDTH").expect("pointer width");
    let loud = env::var_os("CARGO_FEATURE_LOUD").is_some();
    let quiet = env::var_os("CARGO_FEATURE_QUIET").is_some();
    let name = env::var("CARGO_PKG_NAME").unwrap();
    let code = format!(
        "pub const BUILT_FOR: &str = {target:?};\n\
         pub const TARGET_OS: &str = {os:?};\n\
         pub const POINTER_WIDTH: u32 = {pointer_width};\n\
         pub const LOUD: bool = {loud};\n\
         pub const QUIET: bool = {quiet};\n\
         pub const SCRIPT_SAW_NAME: &str = {name:?};\n"
    );
    fs::write(Path::new(&out_dir).join("generated.rs"), code).unwrap();
    println!("cargo:rustc-cfg=has_generated");
    println!("cargo::rustc-check-cfg=cfg(has_generated)");
    println!("cargo:rustc-env=BUILD_GREETING=hello from build.rs");
    println!("cargo:rerun-if-changed=build.rs");
}
