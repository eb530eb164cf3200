//! Reads the `links` metadata of its direct dependency native-thing.
use std::env;
use std::fs;
use std::path::Path;

fn main() {
    let api = env::var("DEP_NATIVETHING_API_LEVEL").expect("DEP_NATIVETHING_API_LEVEL");
    let root = env::var("DEP_NATIVETHING_ROOT").expect("DEP_NATIVETHING_ROOT");
    let has_lib = Path::new(&root).join("libnativething.a").exists();
    let out = env::var("OUT_DIR").unwrap();
    fs::write(
        Path::new(&out).join("dep_info.rs"),
        format!("pub const API_LEVEL: u32 = {api};\npub const ROOT_HAS_LIB: bool = {has_lib};\n"),
    )
    .unwrap();
    println!("cargo:rustc-link-arg-bins=-Wl,--build-id=none");
    println!("cargo:rustc-env=CONSUMER_PROFILE_IS_SET={}", env::var("PROFILE").is_ok());
}
