// Records the triple crateplan is built for: the default `--host` of `crateplan generate`.
fn main() {
    let target = std::env::var("TARGET").unwrap_or_default();
    println!("cargo:rustc-env=CRATEPLAN_BUILD_TARGET={target}");
    println!("cargo:rerun-if-changed=build.rs");
}
