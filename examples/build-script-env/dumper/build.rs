//! Records the environment cargo gives a build script, with machine-specific values masked.
use std::env;
use std::fs;
use std::path::Path;

fn main() {
    let mut lines: Vec<String> = env::vars()
        // Not compared: CARGO_HOME (passed through from the caller's environment, not set by cargo)
        // and CARGO_MAKEFLAGS (cargo's jobserver, which a Nix build does not run).
        .filter(|(k, _)| k != "CARGO_HOME" && k != "CARGO_MAKEFLAGS")
        .filter(|(k, _)| {
            k.starts_with("CARGO_") || k.starts_with("DEP_")
                || ["TARGET", "HOST", "PROFILE", "OPT_LEVEL", "DEBUG", "NUM_JOBS", "RUSTC", "RUSTDOC", "OUT_DIR", "RUSTC_LINKER", "RUSTC_WRAPPER"].contains(&k.as_str())
        })
        .map(|(k, v)| {
            let shown = match k.as_str() {
                "CARGO_MANIFEST_DIR" | "CARGO_MANIFEST_PATH" | "OUT_DIR" | "RUSTC" | "RUSTDOC" | "CARGO" => {
                    if Path::new(&v).is_absolute() { "<absolute path>".to_string() } else { format!("<relative: {v}>") }
                }
                "NUM_JOBS" => if v.parse::<u32>().map_or(false, |n| n > 0) { "<n>".into() } else { v },
                _ => v,
            };
            format!("{k}={shown}")
        })
        .collect();
    lines.sort();
    let out = env::var("OUT_DIR").unwrap();
    fs::write(Path::new(&out).join("build-env.txt"), lines.join("\n") + "\n").unwrap();
    println!("cargo:rustc-env=DUMPER_FROM_BUILD_RS=yes");
}
