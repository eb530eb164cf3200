//! A deterministic mutation fuzzer over crateplan's inputs: Cargo.lock, the workspace's
//! manifests and the `.crate` archives of its registry dependencies. Each case breaks one file of
//! a real workspace in a few random ways and runs `crateplan generate` on it. Whatever the input,
//! crateplan must exit 0 with a whole JSON plan, or 1 with one line on stderr that names a file or
//! a package; never panic, never hang, never leave a file beside `-o`.
//!
//! The same seed gives the same cases. `CRATEPLAN_FUZZ_ITERATIONS` (default 90: seconds, for
//! CI) and `CRATEPLAN_FUZZ_SEED` (default 1) choose the campaign; docs/fuzzing.md says how to run
//! a long one. A failing case is kept under `target/tmp/fuzz/failures/<case>/` with the command
//! that reproduces it.
//!
//! Run: `cargo test --test fuzz -- --nocapture`

use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;

/// The workspaces broken (copies of `tests/workspaces/<name>`): a resolver-3 workspace with
/// inheritance, one with feature edge cases, one with `links` and build scripts.
const SEEDS: &[&str] = &["inherit-ws", "features-edge", "libz-links"];

/// A run taking longer than this is a hang.
const TIMEOUT: Duration = Duration::from_secs(60);

/// Bytes worth inserting: TOML syntax, escapes, multi-byte and invalid UTF-8, terminal controls,
/// and values that mean something to cargo.
const TOKENS: &[&[u8]] = &[
    b"\"", b"'", b"[", b"]", b"]]", b"{", b"}", b"=", b",", b"\n", b"#", b"\\", b"%", b"%a\xe2\x82\xac", b"%2F", b"\xe2\x82\xac",
    b"\xff", b"\xc3", b"\x00", b"\x1b[2J", b"\r", b"\x0b", b"\xe2\x80\xae", b"/", b"?/", b"dep:", b"../", b"*", b"-1",
    b"99999999999999999999", b"0.0.0-", b"workspace = true", b"workspace = false", b"optional = true", b"\"default\"",
    b"git+https://x/r?branch=%a\xe2\x82\xac#abc", b"registry+", b"path+", b"[features]\ndefault = [\"default\"]\n",
    b"[dependencies]\n", b"[workspace]\n", b"[[package]]\nname = \"x\"\nversion = \"1.0.0\"\n",
];

/// Values that replace a whole quoted string.
const STRINGS: &[&str] = &["", "default", "%a\u{20ac}", "../..", "*", "dep:x", "x/y", "x?/y", "1.0.0", "=0.0.0", "\u{1b}", "a b", "cfg(", "2099"];

/// Package sources for Cargo.lock's `source = "…"` values: odd git references and escapes.
const SOURCES: &[&str] = &[
    "git+https://x/r?branch=%a\u{20ac}#abc",
    "git+https://x/r?rev=%ff%fe#1",
    "git+https://x/r?tag=%#",
    "git+?branch=%%",
    "git+https://x/r#",
    "sparse+",
    "registry+",
    "path+/",
    "unknown+x",
];

/// One kind of input file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Lockfile,
    Manifest,
    Archive,
}

/// A seed workspace, copied once: its files as they were, and the crates directory given with
/// `--sources`.
struct Seed {
    dir: PathBuf,
    crates: PathBuf,
    manifests: Vec<PathBuf>,
    archives: Vec<PathBuf>,
}

/// How a case ended.
#[derive(Default)]
struct Tally {
    accepted: BTreeMap<Kind, usize>,
    refused: BTreeMap<Kind, usize>,
    failures: Vec<String>,
}

#[test]
fn mutated_inputs_never_panic_hang_or_mislead() {
    let iterations: usize = env_number("CRATEPLAN_FUZZ_ITERATIONS", 90);
    let seed: u64 = env_number("CRATEPLAN_FUZZ_SEED", 1);
    let root = common::scratch("fuzz", "campaign");
    let failures_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fuzz/failures");
    let _ = fs::remove_dir_all(&failures_dir);
    let seeds: Vec<Seed> = SEEDS.iter().map(|name| prepare(name, &root.join(name))).collect();
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut tally = Tally::default();
    let start = Instant::now();
    for case in 0..iterations {
        let ws = &seeds[case % seeds.len()];
        let kind = [Kind::Lockfile, Kind::Manifest, Kind::Archive][(case / seeds.len()) % 3];
        let file = match kind {
            Kind::Lockfile => ws.dir.join("Cargo.lock"),
            Kind::Manifest => rng.choice(&ws.manifests).unwrap().clone(),
            Kind::Archive => rng.choice(&ws.archives).unwrap().clone(),
        };
        let original = fs::read(&file).unwrap();
        let broken = match kind {
            Kind::Archive => mutate_archive(&mut rng, &original),
            _ => mutate_text(&mut rng, &original),
        };
        fs::write(&file, &broken).unwrap();
        let args: &[&str] = if rng.bool() { &[] } else { &["--workspace", "--all-features"] };
        let outcome = run_case(ws, args);
        match &outcome {
            Ok(true) => *tally.accepted.entry(kind).or_default() += 1,
            Ok(false) => *tally.refused.entry(kind).or_default() += 1,
            Err(why) => {
                let keep = failures_dir.join(case.to_string());
                common::copy_tree(&ws.dir, &keep.join("ws"));
                common::copy_tree(&ws.crates, &keep.join("crates"));
                let replay = format!("crateplan generate --manifest-path ws/Cargo.toml --target x86_64-unknown-linux-gnu --sources crates {}", args.join(" "));
                fs::write(keep.join("README"), format!("seed {seed}, case {case}: {} broken\n{why}\nreplay: {replay}\n", file.display())).unwrap();
                tally.failures.push(format!("case {case} ({}): {why} [kept in {}]", file.display(), keep.display()));
            }
        }
        fs::write(&file, &original).unwrap();
    }
    println!(
        "fuzz: seed {seed}, {iterations} cases in {:.1}s; accepted {:?}, refused {:?}, failed {}",
        start.elapsed().as_secs_f64(),
        tally.accepted,
        tally.refused,
        tally.failures.len()
    );
    assert!(tally.failures.is_empty(), "{} of {iterations} cases failed:\n{}", tally.failures.len(), tally.failures.join("\n"));
}

fn env_number<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Copies the workspace `name` to `dir` (its crates fetched), and its registry crates, from
/// cargo's cache, to `dir/../<name>-crates`.
fn prepare(name: &str, dir: &Path) -> Seed {
    common::workspace_copy(name, dir);
    let crates = dir.with_file_name(format!("{name}-crates"));
    let archives = common::registry_crates(dir, &crates);
    let mut manifests = Vec::new();
    collect_manifests(dir, &mut manifests);
    manifests.sort();
    Seed { dir: dir.to_path_buf(), crates, manifests, archives }
}

fn collect_manifests(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() && path.file_name() != Some("target".as_ref()) {
            collect_manifests(&path, out);
        } else if path.file_name() == Some("Cargo.toml".as_ref()) {
            out.push(path);
        }
    }
}

/// One to three random edits of a text file.
fn mutate_text(rng: &mut fastrand::Rng, text: &[u8]) -> Vec<u8> {
    let mut out = text.to_vec();
    for _ in 0..rng.usize(1..=3) {
        let at = rng.usize(0..=out.len());
        match rng.u8(0..8) {
            0 if !out.is_empty() => {
                let i = rng.usize(0..out.len());
                out[i] = rng.u8(..);
            }
            1 => {
                let token = rng.choice(TOKENS).unwrap();
                out.splice(at..at, token.iter().copied());
            }
            2 => {
                let end = (at + rng.usize(0..40)).min(out.len());
                out.drain(at..end);
            }
            3 => {
                // A line repeated (a duplicate key or table) or moved.
                let lines: Vec<&[u8]> = out.split(|&b| b == b'\n').collect();
                let line = rng.choice(&lines).unwrap().to_vec();
                let at = rng.usize(0..=out.len());
                out.splice(at..at, line.into_iter().chain([b'\n']));
            }
            4 => {
                // A quoted string's value replaced.
                let quotes: Vec<usize> = out.iter().enumerate().filter(|(_, b)| **b == b'"').map(|(i, _)| i).collect();
                if quotes.len() >= 2 {
                    let k = rng.usize(0..quotes.len() - 1);
                    let (from, to) = (quotes[k] + 1, quotes[k + 1]);
                    out.splice(from..to, rng.choice(STRINGS).unwrap().bytes());
                }
            }
            5 => out.truncate(at),
            6 => {
                // A `source = "…"` value (Cargo.lock) replaced.
                let text = String::from_utf8_lossy(&out).into_owned();
                let starts: Vec<usize> = text.match_indices("source = \"").map(|(i, m)| i + m.len()).collect();
                if let Some(&from) = rng.choice(&starts)
                    && let Some(len) = text[from..].find('"')
                {
                    let (from, to) = (from, from + len);
                    if out.get(from..to).is_some() {
                        out.splice(from..to, rng.choice(SOURCES).unwrap().bytes());
                    }
                }
            }
            _ => {
                let i = rng.usize(0..=out.len());
                out.splice(i..i, std::iter::repeat_n(b'a', rng.usize(1..5000)));
            }
        }
    }
    out
}

/// A `.crate` broken in one of three ways: its manifest edited as text (the archive otherwise
/// sound), bytes of the tar stream changed (headers, sizes, names), or the gzip stream damaged.
fn mutate_archive(rng: &mut fastrand::Rng, archive: &[u8]) -> Vec<u8> {
    let mut tar = Vec::new();
    flate2::read::GzDecoder::new(archive).read_to_end(&mut tar).unwrap();
    match rng.u8(0..3) {
        0 => gzip(&edit_manifest_entry(rng, &tar)),
        1 => {
            // Mostly within the first headers, where names, sizes and checksums are; half the time
            // the changed block's checksum is made right again, so that tar reads the fields.
            let fix_checksums = rng.bool();
            for _ in 0..rng.usize(1..=4) {
                let i = if rng.bool() { rng.usize(0..tar.len().min(2048)) } else { rng.usize(0..tar.len()) };
                tar[i] = if rng.bool() { rng.u8(..) } else { *rng.choice(b"\x1b\r\x0b0 7/.\xff").unwrap() };
                let block = i / 512 * 512;
                if fix_checksums && block + 512 <= tar.len() {
                    set_header_checksum(&mut tar[block..block + 512]);
                }
            }
            gzip(&tar)
        }
        _ => {
            let mut bytes = archive.to_vec();
            if rng.bool() {
                bytes.truncate(rng.usize(0..bytes.len()));
            } else {
                let i = rng.usize(0..bytes.len());
                bytes[i] ^= 1 << rng.u8(0..8);
            }
            bytes
        }
    }
}

/// The tar with its `Cargo.toml` entry's text mutated (and its header fixed to fit).
fn edit_manifest_entry(rng: &mut fastrand::Rng, tar_bytes: &[u8]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    let mut archive = tar::Archive::new(tar_bytes);
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let path = entry.path().unwrap().into_owned();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        let mut header = entry.header().clone();
        if path.components().count() == 2 && path.ends_with("Cargo.toml") {
            data = mutate_text(rng, &data);
        }
        header.set_size(data.len() as u64);
        header.set_cksum();
        builder.append_data(&mut header, &path, &data[..]).unwrap();
    }
    builder.into_inner().unwrap()
}

/// Writes a tar header block's checksum field (the sum of its bytes, the field counted as spaces).
fn set_header_checksum(block: &mut [u8]) {
    block[148..156].copy_from_slice(b"        ");
    let sum: u32 = block.iter().map(|&b| u32::from(b)).sum();
    block[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

/// Runs crateplan on the (broken) workspace: `Ok(true)` for a plan, `Ok(false)` for a proper
/// refusal, else what went wrong.
fn run_case(ws: &Seed, args: &[&str]) -> Result<bool, String> {
    let out_dir = ws.dir.with_file_name("out");
    let _ = fs::remove_dir_all(&out_dir);
    fs::create_dir_all(&out_dir).unwrap();
    let plan = out_dir.join("plan.json");
    let mut child = Command::new(env!("CARGO_BIN_EXE_crateplan"))
        .arg("generate")
        .arg("--manifest-path")
        .arg(ws.dir.join("Cargo.toml"))
        .args(["--target", "x86_64-unknown-linux-gnu", "--sources"])
        .arg(&ws.crates)
        .args(args)
        .arg("-o")
        .arg(&plan)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stderr.read_to_end(&mut s);
        s
    });
    let Some(status) = common::wait_timeout(&mut child, TIMEOUT) else {
        return Err(format!("no answer after {}s (a hang)", TIMEOUT.as_secs()));
    };
    let stderr = String::from_utf8_lossy(&reader.join().unwrap()).into_owned();
    let left: Vec<String> = fs::read_dir(&out_dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).filter(|n| n != "plan.json").collect();
    if !left.is_empty() {
        return Err(format!("files left beside -o: {left:?}"));
    }
    match status.code() {
        Some(0) => {
            let text = fs::read(&plan).map_err(|e| format!("exit 0 but no plan: {e}"))?;
            let value: serde_json::Value = serde_json::from_slice(&text).map_err(|e| format!("exit 0 but the plan is not JSON: {e}"))?;
            value.get("version").map(|_| true).ok_or_else(|| "exit 0 but the plan has no version".to_string())
        }
        Some(1) => {
            let lines: Vec<&str> = stderr.lines().collect();
            let [line] = lines[..] else { return Err(format!("{} lines on stderr: {stderr:?}", lines.len())) };
            if plan.exists() {
                return Err("refused, but a plan was written".into());
            }
            if !line.starts_with("error: ") || line.chars().any(char::is_control) {
                return Err(format!("malformed error line: {line:?}"));
            }
            if !["Cargo.toml", "Cargo.lock", ".crate", "`"].iter().any(|name| line.contains(name)) {
                return Err(format!("the error names no file or package: {line:?}"));
            }
            Ok(false)
        }
        code => Err(format!("exit status {code:?} (signal or panic): {stderr:?}")),
    }
}
