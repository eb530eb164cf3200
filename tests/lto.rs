//! The plan's per-unit `lto` against what cargo passes to rustc: `cargo build -v --target T`
//! (and `cargo test --no-run -v`) of a small path-only workspace — a bin, rlibs below it, a
//! `cdylib` + `rlib` member, a proc-macro and a build script — with each `lto` setting of the
//! release profile, every rustc line matched to its unit of the plan.
//!
//! Run: `cargo test --test lto`

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const TARGET: &str = "x86_64-unknown-linux-gnu";

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (rel, text) in files {
        let path = dir.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, text).unwrap();
    }
}

/// The workspace, with `lto` as the release profile's setting (a TOML value).
fn workspace(name: &str, lto: &str) -> PathBuf {
    let ws = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("lto").join(name);
    let _ = fs::remove_dir_all(&ws);
    write(&ws, &[
        ("Cargo.toml", &format!(
            "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\na = {{ path = \"a\" }}\nc = {{ path = \"c\" }}\n\n[workspace]\nmembers = [\"a\", \"b\", \"c\", \"pm\"]\n\n[profile.release]\nlto = {lto}\n"
        )),
        ("src/main.rs", "fn main() { println!(\"{}\", a::f() + c::g()); }\n#[test]\nfn t() { assert_eq!(a::f(), 2); }\n"),
        ("a/Cargo.toml", "[package]\nname = \"a\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nb = { path = \"../b\" }\npm = { path = \"../pm\" }\n\n[build-dependencies]\nb = { path = \"../b\" }\n"),
        ("a/build.rs", "fn main() { let _ = b::one(); }\n"),
        ("a/src/lib.rs", "pub fn f() -> u32 { b::one() + pm::answer!() }\n"),
        ("b/Cargo.toml", "[package]\nname = \"b\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
        ("b/src/lib.rs", "pub fn one() -> u32 { 1 }\n"),
        ("c/Cargo.toml", "[package]\nname = \"c\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[lib]\ncrate-type = [\"cdylib\", \"rlib\"]\n\n[dependencies]\nb = { path = \"../b\" }\n"),
        ("c/src/lib.rs", "pub fn g() -> u32 { b::one() }\n"),
        ("pm/Cargo.toml", "[package]\nname = \"pm\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[lib]\nproc-macro = true\n\n[dependencies]\nb = { path = \"../b\" }\n"),
        ("pm/src/lib.rs", "use proc_macro::TokenStream;\n#[proc_macro]\npub fn answer(_: TokenStream) -> TokenStream { let _ = b::one(); \"1\".parse().unwrap() }\n"),
    ]);
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["generate-lockfile", "--offline"])
        .current_dir(&ws)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    ws
}

/// What identifies a compiler run: crate name, crate types, for the host or not, `--test`.
type RunKey = (String, String, bool, bool);

/// The LTO flags cargo gave each rustc run of `cargo <args> -v --release --target T`.
fn cargo_lto_flags(ws: &Path, args: &[&str]) -> BTreeMap<RunKey, String> {
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(args)
        .args(["-v", "--release", "--offline", "--locked", "--target", TARGET])
        .current_dir(ws)
        // A target directory per command, so that every unit is compiled (none is fresh).
        .env("CARGO_TARGET_DIR", ws.join("target").join(args[0]))
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "cargo {args:?}: {stderr}");
    let mut runs = BTreeMap::new();
    for line in stderr.lines().filter(|l| l.trim_start().starts_with("Running `") && l.contains("rustc") && l.contains("--crate-name")) {
        let words: Vec<&str> = line.split_whitespace().collect();
        let after = |flag: &str| words.iter().position(|w| *w == flag).map(|i| words[i + 1].to_string());
        let name = after("--crate-name").unwrap();
        let mut types: Vec<String> = words.windows(2).filter(|w| w[0] == "--crate-type").map(|w| w[1].to_string()).collect();
        types.sort();
        let test = words.contains(&"--test");
        if test {
            types = vec!["bin".to_string()];
        }
        let host = !words.contains(&"--target");
        let flags: Vec<&str> = words
            .windows(2)
            .filter(|w| w[0] == "-C" && (w[1].starts_with("lto") || w[1] == "linker-plugin-lto" || w[1] == "embed-bitcode=no"))
            .map(|w| w[1])
            .collect();
        runs.insert((name, types.join(","), host, test), flags.join(" "));
    }
    runs
}

/// The flags the plan's `lto` stands for (docs/plan-schema.md).
fn flags_of(lto: &str) -> String {
    match lto {
        "run" => "lto".to_string(),
        "off" => "lto=off embed-bitcode=no".to_string(),
        "only-bitcode" => "linker-plugin-lto".to_string(),
        "object-and-bitcode" => String::new(),
        "only-object" => "embed-bitcode=no".to_string(),
        other => format!("lto={}", other.strip_prefix("run:").unwrap_or_else(|| panic!("unknown lto {other}"))),
    }
}

/// The plan's compiler runs of one view with the flags of their `lto`.
fn plan_lto_flags(plan: &Value, view: &str) -> BTreeMap<RunKey, String> {
    let mut runs = BTreeMap::new();
    for unit in plan["platforms"][TARGET][view]["units"].as_object().unwrap().values() {
        if unit["mode"] == "run-custom-build" || unit["mode"] == "doctest" {
            continue;
        }
        let target = &plan["packages"][unit["package"].as_str().unwrap()]["targets"][unit["target"].as_str().unwrap()];
        let test = unit["mode"] == "test";
        let mut types: Vec<String> = target["crateTypes"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_string()).collect();
        types.sort();
        if test {
            types = vec!["bin".to_string()];
        }
        let key = (target["crateName"].as_str().unwrap().to_string(), types.join(","), unit["platform"] == "host", test);
        runs.insert(key, flags_of(unit["lto"].as_str().unwrap()));
    }
    runs
}

#[test]
fn lto_decisions_match_cargo() {
    for (name, lto) in [("fat", "true"), ("thin", "\"thin\""), ("off", "\"off\""), ("none", "false")] {
        let ws = workspace(name, lto);
        let out = Command::new(env!("CARGO_BIN_EXE_crateplan"))
            .args(["generate", "--release", "--target", TARGET])
            .current_dir(&ws)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let plan: Value = serde_json::from_slice(&out.stdout).unwrap();
        for (view, args) in [("build", &["build"][..]), ("test", &["test", "--no-run"][..])] {
            let cargo = cargo_lto_flags(&ws, args);
            let ours = plan_lto_flags(&plan, view);
            assert!(cargo.len() >= 6, "too few compiler runs seen for lto = {lto}: {cargo:?}");
            assert_eq!(cargo, ours, "lto = {lto}, {view}: cargo's rustc flags (left) and the plan's (right)");
        }
    }
}
