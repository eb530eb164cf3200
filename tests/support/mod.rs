//! Shared machinery of the differential suite (`tests/differential.rs`):
//! discovering and preparing the fixture workspaces, running the oracle
//! (`cargo … --unit-graph`) and the generator (`crateplan generate --format
//! unit-graph`), and comparing the two unit graphs.
//!
//! Environment knobs (all optional):
//! - `CRATEPLAN_DIFF_ONLY`: comma-separated substrings; a combination runs
//!   only if its label (`<workspace> <target> <mode> [args]`) contains one.
//! - `CRATEPLAN_DIFF_JOBS`: parallel combinations (default 2).
//! - `CRATEPLAN_BIN`: generator binary to use instead of the one cargo built.

#![allow(dead_code)]

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Target triples every workspace is planned for.
pub const TARGETS: &[&str] = &[
    "x86_64-unknown-linux-gnu",
    "aarch64-unknown-linux-gnu",
    "aarch64-apple-darwin",
    "x86_64-pc-windows-msvc",
    "wasm32-unknown-unknown",
];

/// `build` = `cargo build`, `test` = `cargo test --no-run`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mode {
    Build,
    Test,
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Mode::Build => "build",
            Mode::Test => "test",
        })
    }
}

/// Longest a single cargo or crateplan run may take.
const RUN_TIMEOUT: Duration = Duration::from_secs(300);

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixtures_dir() -> PathBuf {
    repo_root().join("tests").join("workspaces")
}

/// Scratch space of this suite (inside cargo's target dir, never in the repo).
pub fn scratch_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("differential")
}

fn cargo_bin() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string())
}

/// The generator under test, or why it cannot be run.
pub fn crateplan_bin() -> Result<PathBuf, String> {
    static COPY: std::sync::OnceLock<Result<PathBuf, String>> = std::sync::OnceLock::new();
    COPY.get_or_init(|| {
        let built = match (std::env::var("CRATEPLAN_BIN"), option_env!("CARGO_BIN_EXE_crateplan")) {
            (Ok(p), _) => PathBuf::from(p),
            (_, Some(p)) => PathBuf::from(p),
            _ => return Err("the root crate has no `crateplan` binary target yet".to_string()),
        };
        // Run a private copy: another `cargo build` in the same tree may
        // replace the binary while the suite runs.
        let copy = scratch_dir().join("bin").join("crateplan");
        fs::create_dir_all(scratch_dir().join("bin")).map_err(|e| e.to_string())?;
        fs::copy(&built, &copy).map_err(|e| format!("{}: {e}", built.display()))?;
        Ok(copy)
    })
    .clone()
}

// ---------------------------------------------------------------------------
// Workspaces
// ---------------------------------------------------------------------------

/// `tests/workspaces/<name>/crateplan-test.toml`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestConfig {
    /// Extra argument sets, each given identically to cargo and crateplan,
    /// in addition to the empty set (unless `default-args = false`).
    #[serde(default)]
    pub args: Vec<Vec<String>>,
    /// Argument sets for build mode only (e.g. `-p <dependency>`, which
    /// cargo refuses to test).
    #[serde(default, rename = "build-args")]
    pub build_args: Vec<Vec<String>>,
    /// Argument sets cargo refuses (in both modes): crateplan must refuse
    /// them too.
    #[serde(default, rename = "error-args")]
    pub error_args: Vec<Vec<String>>,
    #[serde(default = "yes", rename = "default-args")]
    pub default_args: bool,
    /// Member directories (relative to the workspace root) to run from as
    /// well: cargo with that directory as its working directory, crateplan
    /// with `--manifest-path <dir>/Cargo.toml`, every argument set each.
    #[serde(default, rename = "member-dirs")]
    pub member_dirs: Vec<String>,
    /// Target triples to plan for besides `TARGETS` (built-in targets only).
    #[serde(default, rename = "extra-targets")]
    pub extra_targets: Vec<String>,
    /// Local git repositories to create before the workspace is locked.
    #[serde(default)]
    pub git: Vec<GitRepo>,
    /// Rewrite the lock generated for a template in this older format
    /// (only 3: `version = 3`, git reference values not URL-encoded).
    #[serde(rename = "lock-version")]
    pub lock_version: Option<u32>,
    /// Local registries (git index, `file://` downloads) to create and
    /// publish packages to before the workspace is locked.
    #[serde(default)]
    pub registry: Vec<LocalRegistry>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalRegistry {
    pub name: String,
    /// Package directories (relative to the workspace fixture), each
    /// `cargo package`d and added to the index. They may not have
    /// dependencies.
    pub packages: Vec<String>,
}

impl Default for TestConfig {
    fn default() -> Self {
        TestConfig { args: Vec::new(), build_args: Vec::new(), error_args: Vec::new(), default_args: true, member_dirs: Vec::new(), extra_targets: Vec::new(), git: Vec::new(), lock_version: None, registry: Vec::new() }
    }
}

fn yes() -> bool {
    true
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GitRepo {
    pub repo: String,
    pub steps: Vec<GitStep>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GitStep {
    /// Directory (relative to the workspace fixture) copied over the work tree.
    pub files: String,
    /// Branch to commit on (default `main`); created from HEAD when new.
    pub branch: Option<String>,
    /// Tag to put on the new commit.
    pub tag: Option<String>,
}

/// A fixture workspace ready to be planned.
#[derive(Debug)]
pub struct Workspace {
    pub name: String,
    /// Absolute, canonical directory holding the root Cargo.toml.
    pub dir: PathBuf,
    pub arg_sets: Vec<Vec<String>>,
    /// Extra argument sets for build mode only.
    pub build_arg_sets: Vec<Vec<String>>,
    /// Argument sets cargo refuses.
    pub error_arg_sets: Vec<Vec<String>>,
    /// Directories to run from besides the root ("" = the root).
    pub run_dirs: Vec<String>,
    /// `TARGETS` and the workspace's `extra-targets`.
    pub targets: Vec<String>,
    /// True when the lock file is committed (false: made by the test).
    pub committed_lock: bool,
    /// Package id → the directory of its Cargo.toml, from `cargo metadata`
    /// (filled by `fetch`).
    pub package_roots: BTreeMap<String, PathBuf>,
}

/// Every directory under `tests/workspaces/` with a `Cargo.toml` or a
/// `Cargo.toml.in`, sorted by name.
pub fn discover() -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for entry in fs::read_dir(fixtures_dir()).expect("tests/workspaces exists") {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.join("Cargo.toml").is_file() || path.join("Cargo.toml.in").is_file() {
            out.push((entry.file_name().to_string_lossy().into_owned(), path));
        }
    }
    out.sort();
    out
}

pub fn read_config(dir: &Path) -> Result<TestConfig, String> {
    let path = dir.join("crateplan-test.toml");
    if !path.is_file() {
        return Ok(TestConfig::default());
    }
    let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Makes a fixture ready: committed workspaces are used in place; templated
/// ones (`Cargo.toml.in`, git repositories) are copied to the scratch dir,
/// their repositories created, placeholders filled and the lock generated.
pub fn prepare(name: &str, fixture: &Path) -> Result<Workspace, String> {
    let config = read_config(fixture)?;
    let mut arg_sets = Vec::new();
    if config.default_args {
        arg_sets.push(Vec::new());
    }
    arg_sets.extend(config.args.iter().cloned());
    let mut run_dirs = vec![String::new()];
    run_dirs.extend(config.member_dirs.iter().cloned());
    let mut targets: Vec<String> = TARGETS.iter().map(|t| t.to_string()).collect();
    targets.extend(config.extra_targets.iter().cloned());

    if fixture.join("Cargo.toml").is_file() && config.git.is_empty() && config.registry.is_empty() {
        if !fixture.join("Cargo.lock").is_file() {
            return Err(format!("{}: no Cargo.lock committed", fixture.display()));
        }
        let dir = fixture.canonicalize().map_err(|e| e.to_string())?;
        return Ok(Workspace { name: name.to_string(), dir, arg_sets, build_arg_sets: config.build_args.clone(), error_arg_sets: config.error_args.clone(), run_dirs: run_dirs.clone(), targets: targets.clone(), committed_lock: true, package_roots: BTreeMap::new() });
    }

    let base = scratch_dir().join("prepared").join(name);
    if base.exists() {
        fs::remove_dir_all(&base).map_err(|e| format!("{}: {e}", base.display()))?;
    }
    let repos = base.join("repos");
    let ws = base.join("ws");
    fs::create_dir_all(&repos).map_err(|e| e.to_string())?;
    let repos = repos.canonicalize().map_err(|e| e.to_string())?;

    let mut substitutions: Vec<(String, String)> = Vec::new();
    for repo in &config.git {
        let repo_dir = repos.join(&repo.repo);
        make_git_repo(fixture, repo, &repo_dir)?;
        substitutions.push((format!("@GIT:{}@", repo.repo), format!("file://{}", repo_dir.display())));
        for r in list_refs(&repo_dir)? {
            let sha = git(&repo_dir, &["rev-parse", &format!("{r}^{{commit}}")])?;
            substitutions.push((format!("@REV:{}:{}@", repo.repo, r), sha.trim().to_string()));
        }
    }

    for reg in &config.registry {
        // The directory (and so the registry's URL) names a hash of the
        // packages' files: cargo keeps downloaded .crate files per registry
        // URL and would not fetch a changed package of the same version.
        let digest = tree_digest(&reg.packages.iter().map(|p| fixture.join(p)).collect::<Vec<_>>())?;
        let dir = base.join("registries").join(format!("{}-{}", reg.name, &digest[..12]));
        let index = make_registry(fixture, reg, &dir)?;
        substitutions.push((format!("@REGISTRY:{}@", reg.name), format!("file://{}", index.display())));
    }

    // Copy the fixture (minus the git step trees and registry packages) and
    // fill the templates.
    let skip: BTreeSet<PathBuf> = config
        .git
        .iter()
        .flat_map(|r| r.steps.iter().map(|s| fixture.join(&s.files)))
        .chain(config.registry.iter().flat_map(|r| r.packages.iter().map(|p| fixture.join(p))))
        .collect();
    copy_tree(fixture, &ws, &skip)?;
    fill_templates(&ws, &substitutions)?;

    // Not `--offline`: cargo refuses to clone even a file:// git source then.
    // The templates use git and path dependencies only, so no registry is
    // contacted.
    let out = Command::new(cargo_bin())
        .args(["generate-lockfile"])
        .current_dir(&ws)
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "{name}: cargo generate-lockfile failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    match config.lock_version {
        None | Some(4) => {}
        Some(3) => {
            let path = ws.join("Cargo.lock");
            let text = fs::read_to_string(&path).map_err(|e| e.to_string())?;
            fs::write(&path, lock_v4_to_v3(&text)?).map_err(|e| e.to_string())?;
        }
        Some(v) => return Err(format!("{name}: lock-version = {v} is not supported for templates")),
    }
    let dir = ws.canonicalize().map_err(|e| e.to_string())?;
    Ok(Workspace { name: name.to_string(), dir, arg_sets, build_arg_sets: config.build_args.clone(), error_arg_sets: config.error_args.clone(), run_dirs, targets, committed_lock: false, package_roots: BTreeMap::new() })
}

/// A v4 lock as v3: the `version` line, and git `?branch=`/`?tag=`/`?rev=`
/// values percent-decoded (v4 is the first format to encode them).
fn lock_v4_to_v3(text: &str) -> Result<String, String> {
    if !text.contains("\nversion = 4\n") {
        return Err("generated lock is not v4".to_string());
    }
    let mut out = String::new();
    for line in text.lines() {
        let line = if line == "version = 4" { "version = 3".to_string() } else { decode_git_query(line) };
        out.push_str(&line);
        out.push('\n');
    }
    Ok(out)
}

fn decode_git_query(line: &str) -> String {
    let Some(start) = line.find("git+") else { return line.to_string() };
    let Some(q) = line[start..].find('?').map(|q| start + q) else { return line.to_string() };
    let end = line[q..].find(['#', ')', '"']).map_or(line.len(), |e| q + e);
    let query = &line[q..end];
    let mut decoded = Vec::new();
    let bytes = query.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if i + 2 < bytes.len()
            && bytes[i] == b'%'
            && let Ok(b) = u8::from_str_radix(&query[i + 1..i + 3], 16)
        {
            decoded.push(b);
            i += 3;
            continue;
        }
        decoded.push(bytes[i]);
        i += 1;
    }
    format!("{}{}{}", &line[..q], String::from_utf8_lossy(&decoded), &line[end..])
}

fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .args(["-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false", "-c", "core.hooksPath=/dev/null"])
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "crateplan tests")
        .env("GIT_AUTHOR_EMAIL", "tests@crateplan.invalid")
        .env("GIT_AUTHOR_DATE", "2024-01-01T00:00:00+0000")
        .env("GIT_COMMITTER_NAME", "crateplan tests")
        .env("GIT_COMMITTER_EMAIL", "tests@crateplan.invalid")
        .env("GIT_COMMITTER_DATE", "2024-01-01T00:00:00+0000")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .map_err(|e| format!("git {args:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "git {args:?} in {}: {}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn make_git_repo(fixture: &Path, repo: &GitRepo, dir: &Path) -> Result<(), String> {
    fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    git(dir, &["init", "-q", "-b", "main"])?;
    for (i, step) in repo.steps.iter().enumerate() {
        let branch = step.branch.as_deref().unwrap_or("main");
        if i > 0 {
            let exists = git(dir, &["branch", "--list", branch])?;
            if exists.trim().is_empty() {
                git(dir, &["checkout", "-q", "-b", branch])?;
            } else {
                git(dir, &["checkout", "-q", branch])?;
            }
        }
        copy_tree(&fixture.join(&step.files), dir, &BTreeSet::new())?;
        git(dir, &["add", "-A"])?;
        git(dir, &["commit", "-q", "-m", &format!("step {} of {}", i + 1, repo.repo)])?;
        if let Some(tag) = &step.tag {
            git(dir, &["tag", tag])?;
        }
    }
    // HEAD (the default branch cargo follows) is `main`.
    git(dir, &["checkout", "-q", "main"])?;
    Ok(())
}

/// Creates a registry with a git index at `<dir>/index` whose `dl` points at
/// `.crate` files in `<dir>/dl`; returns the index directory.
fn make_registry(fixture: &Path, reg: &LocalRegistry, dir: &Path) -> Result<PathBuf, String> {
    let index = dir.join("index");
    let dl = dir.join("dl");
    fs::create_dir_all(&index).map_err(|e| e.to_string())?;
    fs::create_dir_all(&dl).map_err(|e| e.to_string())?;
    let dl = dl.canonicalize().map_err(|e| e.to_string())?;
    let index = index.canonicalize().map_err(|e| e.to_string())?;
    fs::write(
        index.join("config.json"),
        format!("{{\"dl\":\"file://{}/{{crate}}-{{version}}.crate\"}}\n", dl.display()),
    )
    .map_err(|e| e.to_string())?;
    for pkg in &reg.packages {
        let src = fixture.join(pkg);
        let work = dir.join("work").join(pkg.replace('/', "_"));
        copy_tree(&src, &work, &BTreeSet::new())?;
        let manifest: toml::Value = toml::from_str(
            &fs::read_to_string(work.join("Cargo.toml")).map_err(|e| format!("{}: {e}", src.display()))?,
        )
        .map_err(|e| format!("{}/Cargo.toml: {e}", src.display()))?;
        if ["dependencies", "build-dependencies", "target"].iter().any(|k| manifest.get(*k).is_some()) {
            return Err(format!("{}: registry test packages may not have dependencies", src.display()));
        }
        let name = manifest["package"]["name"].as_str().ok_or("package.name")?.to_string();
        let version = manifest["package"]["version"].as_str().ok_or("package.version")?.to_string();
        let features = manifest.get("features").cloned().unwrap_or(toml::Value::Table(Default::default()));
        let target_dir = dir.join("package-target");
        let out = Command::new(cargo_bin())
            .args(["package", "--no-verify", "--allow-dirty", "--offline"])
            .current_dir(&work)
            .env("CARGO_TARGET_DIR", &target_dir)
            .output()
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(format!("{}: cargo package failed:\n{}", src.display(), String::from_utf8_lossy(&out.stderr)));
        }
        let file = format!("{name}-{version}.crate");
        let crate_path = dl.join(&file);
        fs::copy(target_dir.join("package").join(&file), &crate_path).map_err(|e| e.to_string())?;
        let bytes = fs::read(&crate_path).map_err(|e| e.to_string())?;
        let cksum = sha256_hex(&bytes);
        let entry = serde_json::json!({
            "name": name, "vers": version, "deps": [], "cksum": cksum,
            "features": serde_json::to_value(&features).map_err(|e| e.to_string())?,
            "yanked": false, "links": manifest["package"].get("links").and_then(|l| l.as_str()),
        });
        let lower = name.to_lowercase();
        let rel = match lower.len() {
            1 => format!("1/{lower}"),
            2 => format!("2/{lower}"),
            3 => format!("3/{}/{lower}", &lower[..1]),
            _ => format!("{}/{}/{lower}", &lower[..2], &lower[2..4]),
        };
        let path = index.join(rel);
        fs::create_dir_all(path.parent().unwrap()).map_err(|e| e.to_string())?;
        let mut text = fs::read_to_string(&path).unwrap_or_default();
        text.push_str(&entry.to_string());
        text.push('\n');
        fs::write(&path, text).map_err(|e| e.to_string())?;
    }
    git(&index, &["init", "-q", "-b", "main"])?;
    git(&index, &["add", "-A"])?;
    git(&index, &["commit", "-q", "-m", "index"])?;
    Ok(index)
}

/// sha256 over the relative paths and contents of every file under `roots`.
fn tree_digest(roots: &[PathBuf]) -> Result<String, String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
        for entry in fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.is_dir() { walk(&path, out)? } else { out.push(path) }
        }
        Ok(())
    }
    let mut files = Vec::new();
    for root in roots {
        walk(root, &mut files)?;
    }
    files.sort();
    let mut all = Vec::new();
    for f in files {
        all.extend_from_slice(f.to_string_lossy().as_bytes());
        all.push(0);
        all.extend(fs::read(&f).map_err(|e| e.to_string())?);
        all.push(0);
    }
    Ok(sha256_hex(&all))
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn list_refs(dir: &Path) -> Result<Vec<String>, String> {
    let out = git(dir, &["for-each-ref", "--format=%(refname:short)", "refs/heads", "refs/tags"])?;
    Ok(out.lines().map(str::to_string).collect())
}

fn copy_tree(from: &Path, to: &Path, skip: &BTreeSet<PathBuf>) -> Result<(), String> {
    fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    for entry in fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let entry = entry.map_err(|e| e.to_string())?;
        let path = entry.path();
        if skip.contains(&path) {
            continue;
        }
        let dest = to.join(entry.file_name());
        if path.is_dir() {
            copy_tree(&path, &dest, skip)?;
        } else {
            fs::copy(&path, &dest).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    // Remove directories left empty because everything in them was skipped.
    if fs::read_dir(to).map(|mut d| d.next().is_none()).unwrap_or(false) {
        let _ = fs::remove_dir(to);
    }
    Ok(())
}

fn fill_templates(dir: &Path, subs: &[(String, String)]) -> Result<(), String> {
    for entry in fs::read_dir(dir).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            fill_templates(&path, subs)?;
        } else if path.extension().is_some_and(|e| e == "in") {
            let mut text = fs::read_to_string(&path).map_err(|e| e.to_string())?;
            for (k, v) in subs {
                text = text.replace(k, v);
            }
            if let Some(i) = ["@GIT:", "@REV:", "@REGISTRY:"].iter().filter_map(|p| text.find(p)).min() {
                return Err(format!("{}: unfilled placeholder at byte {i}", path.display()));
            }
            fs::write(path.with_extension(""), text).map_err(|e| e.to_string())?;
            fs::remove_file(&path).map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

/// `cargo fetch --locked`, so the registry cache and git checkouts hold
/// everything both cargo and crateplan read; then `cargo metadata` for the
/// package roots.
pub fn fetch(ws: &mut Workspace) -> Result<(), String> {
    let out = Command::new(cargo_bin())
        .args(["fetch", "--locked"])
        .current_dir(&ws.dir)
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!("{}: cargo fetch --locked failed:\n{}", ws.name, String::from_utf8_lossy(&out.stderr)));
    }
    let out = Command::new(cargo_bin())
        .args(["metadata", "--format-version", "1", "--all-features", "--locked", "--offline"])
        .current_dir(&ws.dir)
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!("{}: cargo metadata failed:\n{}", ws.name, String::from_utf8_lossy(&out.stderr)));
    }
    let meta: Value = serde_json::from_slice(&out.stdout).map_err(|e| format!("{}: cargo metadata: {e}", ws.name))?;
    for p in meta["packages"].as_array().ok_or("cargo metadata: no packages")? {
        if let (Some(id), Some(manifest)) = (p["id"].as_str(), p["manifest_path"].as_str()) {
            let root = Path::new(manifest).parent().unwrap_or(Path::new("/")).to_path_buf();
            ws.package_roots.insert(id.to_string(), root);
        }
    }
    Ok(())
}

/// The `version` of a Cargo.lock as cargo reads it (1 to 4).
pub fn lock_version(text: &str) -> Result<u32, String> {
    let value: toml::Value = toml::from_str(text).map_err(|e| e.to_string())?;
    if let Some(v) = value.get("version").and_then(|v| v.as_integer()) {
        return Ok(v as u32);
    }
    let packages = value.get("package").and_then(|p| p.as_array()).cloned().unwrap_or_default();
    let inline_checksum = packages.iter().any(|p| p.get("checksum").is_some());
    let short_dep = packages.iter().any(|p| {
        p.get("dependencies")
            .and_then(|d| d.as_array())
            .is_some_and(|deps| deps.iter().any(|d| d.as_str().is_some_and(|s| !s.contains('('))))
    });
    if inline_checksum || short_dep || packages.len() == 1 { Ok(2) } else { Ok(1) }
}

// ---------------------------------------------------------------------------
// Unit graphs
// ---------------------------------------------------------------------------

/// What identifies a unit: package, target kind and name, mode, platform
/// (`None` = host) and sorted features.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnitKey {
    pub pkg_id: String,
    pub kind: String,
    pub name: String,
    pub mode: String,
    pub platform: Option<String>,
    pub features: Vec<String>,
}

impl fmt::Display for UnitKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}:{} {} {} [{}]",
            short_pkg_id(&self.pkg_id),
            self.kind,
            self.name,
            self.mode,
            self.platform.as_deref().unwrap_or("host"),
            self.features.join(",")
        )
    }
}

/// `registry+https://…crates.io-index#serde@1.0.1` → `serde@1.0.1`;
/// `path+file:///…/ws/foo#0.1.0` → `path:foo#0.1.0`; git → `git:<repo>#name@v`.
pub fn short_pkg_id(id: &str) -> String {
    let (source, rest) = id.split_once('#').unwrap_or((id, ""));
    if source.starts_with("registry+https://github.com/rust-lang/crates.io-index") {
        return rest.to_string();
    }
    if let Some(path) = source.strip_prefix("path+file://") {
        let last = path.rsplit('/').next().unwrap_or(path);
        return format!("path:{last}#{rest}");
    }
    if let Some(url) = source.strip_prefix("git+") {
        let (url, query) = url.split_once('?').unwrap_or((url, ""));
        let last = url.rsplit('/').next().unwrap_or(url);
        let q = if query.is_empty() { String::new() } else { format!("?{query}") };
        return format!("git:{last}{q}#{rest}");
    }
    id.to_string()
}

/// The per-unit data compared once two units are matched by key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitDetails {
    pub crate_types: Vec<String>,
    pub src_path: String,
    pub edition: String,
}

#[derive(Clone, Debug, Default)]
pub struct Graph {
    pub units: BTreeMap<UnitKey, UnitDetails>,
    /// Keys that occur more than once in the graph (reported, never hidden).
    pub duplicate_keys: Vec<UnitKey>,
    /// How many distinct units share each key: cargo builds a unit twice
    /// when only its profile differs (`panic = "abort"` profiles: unwind
    /// copies for the test harness; a proc-macro that is both a root and a
    /// dependency of another unit).
    pub counts: BTreeMap<UnitKey, usize>,
    /// The profiles of the units of each key (`compared_profile`).
    pub profiles: BTreeMap<UnitKey, BTreeSet<String>>,
    pub edges: BTreeSet<(UnitKey, UnitKey, String)>,
    pub roots: BTreeSet<UnitKey>,
}

fn str_field<'a>(v: &'a Value, path: &[&str]) -> Result<&'a str, String> {
    let mut cur = v;
    for p in path {
        cur = cur.get(*p).ok_or_else(|| format!("missing field {}", path.join(".")))?;
    }
    cur.as_str().ok_or_else(|| format!("field {} is not a string", path.join(".")))
}

fn str_list(v: &Value, what: &str) -> Result<Vec<String>, String> {
    match v {
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map(str::to_string).ok_or_else(|| format!("{what}: non-string item")))
            .collect(),
        Value::String(s) => Ok(vec![s.clone()]),
        _ => Err(format!("{what}: not a list")),
    }
}

/// The profile fields compared, as one string: all that cargo prints but `incremental`
/// (which a Nix build does not use, and which cargo turns off on CI).
pub fn compared_profile(profile: &Value) -> String {
    let mut p = profile.clone();
    if let Some(o) = p.as_object_mut() {
        o.remove("incremental");
    }
    p.to_string()
}

/// Parses cargo's `--unit-graph` JSON (and crateplan's copy of it).
pub fn parse_unit_graph(text: &str) -> Result<Graph, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    if v.get("version").and_then(Value::as_u64) != Some(1) {
        return Err("`version` is not 1".to_string());
    }
    let units = v.get("units").and_then(Value::as_array).ok_or("no `units` array")?;
    let mut keys = Vec::with_capacity(units.len());
    let mut graph = Graph::default();
    let mut variants: BTreeMap<UnitKey, BTreeSet<String>> = BTreeMap::new();
    for (i, u) in units.iter().enumerate() {
        let ctx = |e: String| format!("units[{i}]: {e}");
        let mut features = match u.get("features") {
            Some(f) => str_list(f, "features").map_err(ctx)?,
            None => Vec::new(),
        };
        features.sort();
        let platform = match u.get("platform") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(ctx("`platform` is neither null nor a string".into())),
        };
        let target = u.get("target").ok_or_else(|| ctx("no `target`".into()))?;
        let key = UnitKey {
            pkg_id: str_field(u, &["pkg_id"]).map_err(ctx)?.to_string(),
            kind: str_list(target.get("kind").unwrap_or(&Value::Null), "target.kind").map_err(ctx)?.join(","),
            name: str_field(target, &["name"]).map_err(ctx)?.to_string(),
            mode: str_field(u, &["mode"]).map_err(ctx)?.to_string(),
            platform,
            features,
        };
        let details = UnitDetails {
            crate_types: str_list(target.get("crate_types").unwrap_or(&Value::Null), "target.crate_types")
                .map_err(ctx)?,
            src_path: str_field(target, &["src_path"]).map_err(ctx)?.to_string(),
            edition: target.get("edition").and_then(Value::as_str).unwrap_or("").to_string(),
        };
        if graph.units.insert(key.clone(), details).is_some() {
            graph.duplicate_keys.push(key.clone());
        }
        let variant = match u.get("profile") {
            Some(profile) => compared_profile(profile),
            None => format!("#{i}"),
        };
        variants.entry(key.clone()).or_default().insert(variant);
        keys.push(key);
    }
    graph.counts = variants.iter().map(|(k, v)| (k.clone(), v.len())).collect();
    graph.profiles = variants;
    for (i, u) in units.iter().enumerate() {
        let deps = u.get("dependencies").and_then(Value::as_array).cloned().unwrap_or_default();
        for d in deps {
            let idx = d.get("index").and_then(Value::as_u64).ok_or_else(|| format!("units[{i}]: dependency without index"))?
                as usize;
            let to = keys.get(idx).ok_or_else(|| format!("units[{i}]: dependency index {idx} out of range"))?;
            let name = d.get("extern_crate_name").and_then(Value::as_str).unwrap_or("").to_string();
            graph.edges.insert((keys[i].clone(), to.clone(), name));
        }
    }
    let roots = v.get("roots").and_then(Value::as_array).ok_or("no `roots` array")?;
    for r in roots {
        let idx = r.as_u64().ok_or("non-integer root")? as usize;
        graph.roots.insert(keys.get(idx).ok_or_else(|| format!("root index {idx} out of range"))?.clone());
    }
    Ok(graph)
}

// ---------------------------------------------------------------------------
// Running one combination
// ---------------------------------------------------------------------------

#[derive(Clone, Debug)]
pub struct Combo {
    pub ws: Arc<Workspace>,
    /// Working directory relative to the workspace root ("" = the root).
    pub run_dir: String,
    pub target: String,
    pub mode: Mode,
    pub args: Vec<String>,
    /// cargo must refuse this combination, and so must crateplan.
    pub expect_error: bool,
}

impl Combo {
    /// The directory cargo runs in and whose Cargo.toml crateplan is given.
    pub fn dir(&self) -> PathBuf {
        if self.run_dir.is_empty() { self.ws.dir.clone() } else { self.ws.dir.join(&self.run_dir) }
    }

    pub fn label(&self) -> String {
        let mut s = self.ws.name.clone();
        if !self.run_dir.is_empty() {
            s.push_str(&format!(" (in {})", self.run_dir));
        }
        s.push_str(&format!(" {} {}", self.target, self.mode));
        if !self.args.is_empty() {
            s.push_str(&format!(" [{}]", self.args.join(" ")));
        }
        if self.expect_error {
            s.push_str(" (must fail)");
        }
        s
    }
}

#[derive(Debug)]
pub struct Outcome {
    pub combo: Combo,
    pub cargo: Result<Graph, String>,
    pub cargo_time: Duration,
    pub crateplan: Result<Graph, String>,
    pub crateplan_time: Duration,
}

/// Runs a command with stdout/stderr going to files (no pipe deadlock) and a
/// timeout; returns stdout on success, a readable error otherwise.
fn run_captured(mut cmd: Command, scratch: &Path, what: &str) -> Result<String, String> {
    fs::create_dir_all(scratch).map_err(|e| e.to_string())?;
    let out_path = scratch.join("stdout");
    let err_path = scratch.join("stderr");
    let stdout = fs::File::create(&out_path).map_err(|e| e.to_string())?;
    let stderr = fs::File::create(&err_path).map_err(|e| e.to_string())?;
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .map_err(|e| format!("{what}: cannot start: {e}"))?;
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if start.elapsed() > RUN_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("{what}: timed out after {}s", RUN_TIMEOUT.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = fs::read_to_string(&out_path).unwrap_or_default();
    if !status.success() {
        let err = fs::read_to_string(&err_path).unwrap_or_default();
        let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
        // Start at the first error (cargo prints warnings first).
        let first = lines.iter().position(|l| l.starts_with("error")).unwrap_or(0);
        let err: Vec<&str> = lines[first..].iter().copied().take(30).collect();
        return Err(format!("{what}: exited with {status}:\n      {}", err.join("\n      ")));
    }
    Ok(out)
}

fn combo_scratch(combo: &Combo, who: &str) -> PathBuf {
    let mut tag: String = combo
        .label()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
        .collect();
    tag.truncate(120);
    // Distinct labels must never share a directory, even when truncated.
    let digest = sha256_hex(combo.label().as_bytes());
    scratch_dir().join("runs").join(format!("{tag}-{}", &digest[..10])).join(who)
}

fn mode_args(mode: Mode) -> &'static [&'static str] {
    match mode {
        Mode::Build => &["build"],
        Mode::Test => &["test", "--no-run"],
    }
}

/// The oracle: `RUSTC_BOOTSTRAP=1 cargo build|test --no-run --unit-graph -Z
/// unstable-options --target T --locked [args]`, in the workspace directory.
pub fn run_cargo(combo: &Combo) -> Result<Graph, String> {
    let scratch = combo_scratch(combo, "cargo");
    let mut cmd = Command::new(cargo_bin());
    cmd.args(mode_args(combo.mode))
        .args(["--unit-graph", "-Z", "unstable-options", "--target", &combo.target, "--locked"])
        .args(&combo.args)
        .current_dir(combo.dir())
        .env("RUSTC_BOOTSTRAP", "1")
        .env("CARGO_TARGET_DIR", scratch.join("target"));
    for var in ["CARGO_BUILD_TARGET", "RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS", "CARGO_BUILD_RUSTFLAGS"] {
        cmd.env_remove(var);
    }
    let text = run_captured(cmd, &scratch, "cargo")?;
    parse_unit_graph(&text).map_err(|e| format!("cargo's unit graph: {e}"))
}

/// The generator: `crateplan generate --manifest-path <ws>/Cargo.toml
/// --target T [--tests] --format unit-graph [args]`, in the workspace directory.
pub fn run_crateplan(combo: &Combo) -> Result<Graph, String> {
    let bin = crateplan_bin()?;
    let scratch = combo_scratch(combo, "crateplan");
    let mut cmd = Command::new(bin);
    cmd.arg("generate")
        .arg("--manifest-path")
        .arg(combo.dir().join("Cargo.toml"))
        .args(["--target", &combo.target]);
    if combo.mode == Mode::Test {
        cmd.arg("--tests");
    }
    cmd.args(["--format", "unit-graph"]).args(&combo.args).current_dir(combo.dir());
    let text = run_captured(cmd, &scratch, "crateplan")?;
    parse_unit_graph(&text).map_err(|e| format!("crateplan's unit graph: {e}"))
}

fn selected(label: &str) -> bool {
    match std::env::var("CRATEPLAN_DIFF_ONLY") {
        Ok(filter) if !filter.trim().is_empty() => filter.split(',').any(|f| label.contains(f.trim())),
        _ => true,
    }
}

/// Everything the tests look at, computed once per test binary.
pub struct Suite {
    pub workspaces: Vec<Arc<Workspace>>,
    /// Workspaces that could not be prepared or fetched: (name, error).
    pub setup_errors: Vec<(String, String)>,
    /// Workspaces whose Cargo.lock bytes changed while cargo ran.
    pub rewritten_locks: Vec<String>,
    pub outcomes: Vec<Outcome>,
    pub wall_time: Duration,
    pub jobs: usize,
}

pub fn run_suite() -> Suite {
    // Another run of this suite (another `cargo test` in the same tree) would
    // rebuild the prepared workspaces under our feet: wait for it.
    let _ = fs::create_dir_all(scratch_dir());
    let lock = fs::File::create(PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("differential.lock"))
        .expect("create the suite's lock file");
    lock.lock().expect("lock the suite's lock file");
    let _ = fs::remove_dir_all(scratch_dir().join("runs"));
    let _ = crateplan_bin();
    let start = Instant::now();
    let mut workspaces = Vec::new();
    let mut setup_errors = Vec::new();
    let mut locks_before = BTreeMap::new();
    for (name, dir) in discover() {
        let mut ws = match prepare(&name, &dir) {
            Ok(ws) => ws,
            Err(e) => {
                setup_errors.push((name, e));
                continue;
            }
        };
        let lock_path = ws.dir.join("Cargo.lock");
        let before = fs::read(&lock_path).unwrap_or_default();
        if let Err(e) = fetch(&mut ws) {
            setup_errors.push((name, e));
            continue;
        }
        locks_before.insert(name.clone(), (lock_path, before));
        workspaces.push(Arc::new(ws));
    }

    let mut queue = VecDeque::new();
    for ws in &workspaces {
        for target in &ws.targets {
            for mode in [Mode::Build, Mode::Test] {
                for run_dir in &ws.run_dirs {
                    let extra = if mode == Mode::Build { &ws.build_arg_sets[..] } else { &[] };
                    let sets = ws.arg_sets.iter().chain(extra).map(|a| (a, false));
                    for (args, expect_error) in sets.chain(ws.error_arg_sets.iter().map(|a| (a, true))) {
                        let combo = Combo {
                            ws: ws.clone(),
                            run_dir: run_dir.clone(),
                            target: target.clone(),
                            mode,
                            args: args.clone(),
                            expect_error,
                        };
                        if selected(&combo.label()) {
                            queue.push_back(combo);
                        }
                    }
                }
            }
        }
    }
    let jobs = std::env::var("CRATEPLAN_DIFF_JOBS").ok().and_then(|j| j.parse().ok()).unwrap_or(2usize).max(1);
    let queue = Mutex::new(queue);
    let results = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..jobs {
            s.spawn(|| loop {
                let Some(combo) = queue.lock().unwrap().pop_front() else { break };
                let t = Instant::now();
                let cargo = run_cargo(&combo);
                let cargo_time = t.elapsed();
                let t = Instant::now();
                let crateplan = run_crateplan(&combo);
                let crateplan_time = t.elapsed();
                results.lock().unwrap().push(Outcome { combo, cargo, cargo_time, crateplan, crateplan_time });
            });
        }
    });
    let mut outcomes = results.into_inner().unwrap();
    outcomes.sort_by_key(|o| {
        (o.combo.ws.name.clone(), o.combo.run_dir.clone(), o.combo.target.clone(), o.combo.mode, o.combo.expect_error, o.combo.args.clone())
    });

    let mut rewritten_locks = Vec::new();
    for (name, (path, before)) in locks_before {
        if fs::read(&path).unwrap_or_default() != before {
            rewritten_locks.push(name);
        }
    }
    let _ = lock.unlock();
    Suite { workspaces, setup_errors, rewritten_locks, outcomes, wall_time: start.elapsed(), jobs }
}

// ---------------------------------------------------------------------------
// Reports
// ---------------------------------------------------------------------------

fn list_section<T: fmt::Display>(out: &mut String, title: &str, items: &[T]) {
    if items.is_empty() {
        return;
    }
    out.push_str(&format!("  {title} ({}):\n", items.len()));
    for i in items {
        out.push_str(&format!("    {i}\n"));
    }
}

struct Edge<'a>(&'a (UnitKey, UnitKey, String));

impl fmt::Display for Edge<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}  --{}-->  {}", self.0 .0, self.0 .2, self.0 .1)
    }
}

/// The set comparison of two graphs; empty string when they agree.
pub fn graph_diff(cargo: &Graph, ours: &Graph) -> String {
    let mut out = String::new();
    let only_cargo: Vec<&UnitKey> = cargo.units.keys().filter(|k| !ours.units.contains_key(*k)).collect();
    let only_ours: Vec<&UnitKey> = ours.units.keys().filter(|k| !cargo.units.contains_key(*k)).collect();
    list_section(&mut out, "units only in cargo", &only_cargo);
    list_section(&mut out, "units only in crateplan", &only_ours);
    let e_cargo: Vec<Edge> = cargo.edges.difference(&ours.edges).map(Edge).collect();
    let e_ours: Vec<Edge> = ours.edges.difference(&cargo.edges).map(Edge).collect();
    list_section(&mut out, "edges only in cargo", &e_cargo);
    list_section(&mut out, "edges only in crateplan", &e_ours);
    let r_cargo: Vec<&UnitKey> = cargo.roots.difference(&ours.roots).collect();
    let r_ours: Vec<&UnitKey> = ours.roots.difference(&cargo.roots).collect();
    list_section(&mut out, "roots only in cargo", &r_cargo);
    list_section(&mut out, "roots only in crateplan", &r_ours);
    let multiplicity: Vec<String> = cargo
        .counts
        .iter()
        .filter_map(|(k, &n)| {
            let m = ours.counts.get(k).copied().unwrap_or(0);
            (m != 0 && m != n).then(|| format!("{k}: {n}× in cargo, {m}× in crateplan"))
        })
        .collect();
    list_section(&mut out, "units built a different number of times (same key, different profiles)", &multiplicity);
    out
}

/// The profiles of the units both graphs have: for each key, the same set of profiles.
pub fn profile_diff(cargo: &Graph, ours: &Graph) -> String {
    let mut out = String::new();
    for (key, c) in &cargo.profiles {
        let Some(o) = ours.profiles.get(key) else { continue };
        if c != o {
            out.push_str(&format!("  {key}\n"));
            for p in c.difference(o) {
                out.push_str(&format!("    cargo:     {p}\n"));
            }
            for p in o.difference(c) {
                out.push_str(&format!("    crateplan: {p}\n"));
            }
        }
    }
    out
}

/// crate_types / src_path / edition of the units both graphs have.
///
/// `src_path`: cargo's is absolute. crateplan's must equal it when absolute;
/// a relative one (the plan schema's form: relative to the package root, for
/// packages that have no fixed place on disk, such as a registry package
/// read from its `.crate`) must equal cargo's with the package root — the
/// directory of the package's Cargo.toml per `cargo metadata` — removed.
pub fn details_diff(cargo: &Graph, ours: &Graph, package_roots: &BTreeMap<String, PathBuf>) -> String {
    let mut out = String::new();
    for (key, c) in &cargo.units {
        let Some(o) = ours.units.get(key) else { continue };
        if c.crate_types != o.crate_types {
            out.push_str(&format!("  {key}\n    crate_types: cargo {:?}, crateplan {:?}\n", c.crate_types, o.crate_types));
        }
        let expected = if Path::new(&o.src_path).is_relative() {
            match package_roots.get(&key.pkg_id).and_then(|root| Path::new(&c.src_path).strip_prefix(root).ok()) {
                Some(rel) => rel.display().to_string(),
                None => c.src_path.clone(),
            }
        } else {
            c.src_path.clone()
        };
        if expected != o.src_path {
            out.push_str(&format!("  {key}\n    src_path: cargo {} (expected {expected})\n              crateplan {}\n", c.src_path, o.src_path));
        }
        if c.edition != o.edition {
            out.push_str(&format!("  {key}\n    edition: cargo {:?}, crateplan {:?}\n", c.edition, o.edition));
        }
    }
    out
}

/// Writes a report next to the scratch runs and returns its path.
pub fn write_report(name: &str, text: &str) -> PathBuf {
    let path = scratch_dir().join(format!("report-{name}.txt"));
    let _ = fs::create_dir_all(scratch_dir());
    let _ = fs::write(&path, text);
    path
}
