//! Matching: every dependency declaration of every package to its Cargo.lock entry, giving the
//! package graph cargo would build from (`--locked`: a declaration with no entry is an error).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use rustc_hash::FxHashMap as FastMap;
use crate::load::lockfile::Lockfile;
use crate::load::remote::{Loaded, Location};
use crate::load::workspace::Workspace;
use crate::manifest::features;
use crate::manifest::{DepKind, DepSource, Package};
use crate::source_id::{canonical_url, GitReference, SourceId, SourceKind};

/// A package of the graph.
pub(crate) struct Node {
    pub(crate) package: Package,
    pub(crate) source: SourceId,
    pub(crate) checksum: Option<String>,
    pub(crate) location: Location,
    pub(crate) is_member: bool,
    /// Dependencies: one edge per depended-on package, with the declarations that point there.
    pub(crate) deps: Vec<Edge>,
}

pub(crate) struct Edge {
    pub(crate) to: usize,
    /// Indices into the declaring package's `dependencies`.
    pub(crate) decls: Vec<usize>,
}

pub struct Graph {
    pub(crate) nodes: Vec<Node>,
    /// Nodes of the workspace members, in member order.
    pub(crate) members: Vec<usize>,
}

impl Graph {
    /// Matches the workspace against its lockfile; `remote` holds the registry and git packages
    /// of the lock, read beforehand (`load::remote::load_all`).
    pub fn build(ws: &Workspace, lock: &Lockfile, lock_path: &Path, mut remote: Vec<Option<Loaded>>) -> Result<Graph> {
        // Path packages of the lock, by (name, version) → directory.
        let mut path_dirs: FastMap<(String, String), Vec<PathBuf>> = FastMap::default();
        for (dir, p) in &ws.path_packages {
            path_dirs.entry((p.name.clone(), p.version.to_string())).or_default().push(dir.clone());
        }
        let mut nodes: Vec<Node> = Vec::with_capacity(lock.packages.len());
        let mut node_of_lock: FastMap<usize, usize> = FastMap::default();
        let mut node_of_dir: FastMap<PathBuf, usize> = FastMap::default();
        let mut lock_of_node: Vec<usize> = Vec::new();
        let mut queue: Vec<usize> = Vec::new();

        // Members first.
        let mut members = Vec::new();
        for dir in &ws.members {
            let pkg = ws.package(dir);
            let lock_idx = lock
                .packages
                .iter()
                .position(|l| l.source.is_path() && l.name == pkg.name && l.version == pkg.version)
                .ok_or_else(|| stale(lock_path, format!("workspace member `{} {}` is not in it", pkg.name, pkg.version)))?;
            let node = nodes.len();
            nodes.push(Node { package: pkg.clone(), source: SourceId::path(), checksum: None, location: Location::Path(dir.clone()), is_member: true, deps: Vec::new() });
            node_of_lock.insert(lock_idx, node);
            node_of_dir.insert(dir.clone(), node);
            lock_of_node.push(lock_idx);
            queue.push(node);
            members.push(node);
        }

        let mut remote_matched = match_remote_all(&remote, lock, lock_path);
        let mut used_lock = vec![false; lock.packages.len()];
        for &l in &lock_of_node {
            used_lock[l] = true;
        }
        let mut next = 0;
        while next < nodes.len() {
            let node = next;
            next += 1;
            let lock_idx = lock_of_node[node];
            let matched = match remote_matched[lock_idx].take() {
                Some(m) => m,
                None => match_declarations(&nodes[node].package, lock_idx, lock, lock_path, nodes[node].is_member),
            };
            // One edge per depended-on node, in order of first declaration (a handful per node:
            // found by a linear search).
            let mut deps: Vec<Edge> = Vec::new();
            for (decl_idx, chosen) in matched.pairs {
                used_lock[chosen] = true;
                let chosen = lock.packages[chosen].replace.unwrap_or(chosen);
                used_lock[chosen] = true;
                // The node for that lock entry, created on first sight.
                let target = match node_of_lock.get(&chosen) {
                    Some(&n) => n,
                    None => {
                        let locked = &lock.packages[chosen];
                        let (package, location) = if locked.source.is_path() {
                            let dir = match &nodes[node].package.dependencies[decl_idx].source {
                                DepSource::Path(p) if ws.path_packages.contains_key(p) => p.clone(),
                                _ => path_dirs
                                    .get(&(locked.name.clone(), locked.version.to_string()))
                                    .and_then(|v| v.first())
                                    .cloned()
                                    .ok_or_else(|| stale(lock_path, format!("path package `{} {}` is locked but no manifest declares it", locked.name, locked.version)))?,
                            };
                            (ws.package(&dir).clone(), Location::Path(dir))
                        } else {
                            remote[chosen].take().expect("every registry and git lock entry is read up front, and each becomes one node").map(|r| (r.package, r.location))?
                        };
                        if package.name != locked.name || package.version != locked.version {
                            return Err(stale(lock_path, format!(
                                "`{} {}` is locked, but its manifest says `{} {}`",
                                locked.name, locked.version, package.name, package.version
                            )));
                        }
                        let n = nodes.len();
                        let is_member = matches!(&location, Location::Path(d) if node_of_dir.contains_key(d) || ws.members.contains(d));
                        nodes.push(Node { package, source: locked.source.clone(), checksum: locked.checksum.clone(), location, is_member, deps: Vec::new() });
                        node_of_lock.insert(chosen, n);
                        lock_of_node.push(chosen);
                        n
                    }
                };
                match deps.iter_mut().find(|e| e.to == target) {
                    Some(edge) => edge.decls.push(decl_idx),
                    None => deps.push(Edge { to: target, decls: vec![decl_idx] }),
                }
            }
            if let Some(e) = matched.error {
                return Err(e);
            }
            nodes[node].deps = deps;
        }
        if let Some(unused) = used_lock.iter().position(|u| !u) {
            let p = &lock.packages[unused];
            return Err(stale(lock_path, format!("package `{} {}` is locked, but nothing in the workspace depends on it", p.name, p.version)));
        }
        check_links(&nodes)?;
        check_cycles(&nodes)?;
        check_member_features(&nodes)?;
        Ok(Graph { nodes, members })
    }

    pub(crate) fn package(&self, node: usize) -> &Package {
        &self.nodes[node].package
    }
}

/// Does a lock entry's source fit a declaration's? Path declarations inside a git package are
/// locked with the git source.
fn source_matches(decl: &DepSource, locked: &SourceId, parent: &SourceId) -> bool {
    match (decl, &locked.kind) {
        (DepSource::Path(_), SourceKind::Path) => true,
        (DepSource::Path(_), SourceKind::Git { .. }) => parent.kind != SourceKind::Path && parent.without_precise() == locked.without_precise(),
        (DepSource::Git { url, reference }, SourceKind::Git { url: locked_url, reference: locked_ref, .. }) => {
            // Locks before v3 wrote `branch = "master"` as the default branch.
            let master = GitReference::Branch("master".into());
            let same_ref = reference == locked_ref || (*locked_ref == GitReference::DefaultBranch && *reference == master);
            canonical_url(url) == canonical_url(locked_url) && same_ref
        }
        (DepSource::Registry(None), SourceKind::Registry) => true,
        (DepSource::Registry(Some(index)), SourceKind::Registry) => canonical_url(index) == canonical_url(locked.url()),
        _ => false,
    }
}

/// A package's dependency declarations matched to the dependencies of its Cargo.lock entry.
struct Matched {
    /// (declaration, lock entry), in declaration order, up to `error`.
    pairs: Vec<(usize, usize)>,
    /// A declaration no entry fits, or an entry no declaration does.
    error: Option<Error>,
}

/// The error for a lockfile that does not fit the manifests.
fn stale(lock_path: &Path, msg: String) -> Error {
    Error::in_file(lock_path, format!("{msg}; the lockfile is out of date, run `cargo generate-lockfile` (or `cargo update`) and commit it"))
}

/// Matches the declarations of `package`, locked as entry `lock_idx`: each to the entry among its
/// locked dependencies with that name, a version the requirement accepts and, if there are
/// several, the declared source. Development dependencies count for members only.
fn match_declarations(package: &Package, lock_idx: usize, lock: &Lockfile, lock_path: &Path, is_member: bool) -> Matched {
    let locked_deps = &lock.packages[lock_idx].dependencies;
    let parent_source = &lock.packages[lock_idx].source;
    let mut pairs = Vec::with_capacity(package.dependencies.len());
    for (decl_idx, decl) in package.dependencies.iter().enumerate() {
        if decl.kind == DepKind::Development && !is_member {
            continue;
        }
        let fits = |i: &usize| lock.packages[*i].name == decl.package_name && decl.req.as_ref().is_none_or(|r| r.matches(&lock.packages[*i].version));
        let same_source = locked_deps.iter().filter(|i| fits(i)).find(|&&i| source_matches(&decl.source, &lock.packages[i].source, parent_source));
        match same_source.or_else(|| locked_deps.iter().find(|i| fits(i))) {
            Some(&chosen) => pairs.push((decl_idx, chosen)),
            // Cargo.lock holds the optional dependencies that some feature can reach from the
            // members' features; others are absent and can never be built.
            None if decl.optional => {}
            None => {
                let req = decl.req.as_ref().map(|r| format!(" {r}")).unwrap_or_default();
                let error = stale(lock_path, format!("package `{} {}` depends on `{}{req}`, which has no matching entry", package.name, package.version, decl.package_name));
                return Matched { pairs, error: Some(error) };
            }
        }
    }
    // Cargo.lock lists exactly the dependencies the manifest declares.
    let error = locked_deps.iter().find(|i| !pairs.iter().any(|(_, c)| c == *i)).map(|&extra| {
        let d = &lock.packages[extra];
        stale(lock_path, format!("it says package `{} {}` depends on `{} {}`, which its manifest does not declare", package.name, package.version, d.name, d.version))
    });
    Matched { pairs, error }
}

/// `match_declarations` of every registry and git package that was read, on all cores: they are
/// independent. `None` for path entries and for entries that could not be read.
fn match_remote_all(remote: &[Option<Loaded>], lock: &Lockfile, lock_path: &Path) -> Vec<Option<Matched>> {
    crate::parallel::map(remote, |loaded| match loaded {
        Some(Ok(loaded)) => Some(match_declarations(&loaded.package, loaded.lock_index, lock, lock_path, false)),
        _ => None,
    })
}

/// One package per `links` value.
fn check_links(nodes: &[Node]) -> Result<()> {
    let mut seen: BTreeMap<&str, &Node> = BTreeMap::new();
    for node in nodes {
        if let Some(links) = &node.package.links
            && let Some(other) = seen.insert(links, node) {
                return Err(Error::new(format!(
                    "packages `{} {}` and `{} {}` both set `links = \"{links}\"`; only one package in a dependency graph may link a native library, so depend on one version of it",
                    other.package.name, other.package.version, node.package.name, node.package.version
                )));
            }
    }
    Ok(())
}

/// No package may depend on itself through normal or build dependencies (a dev-dependency may
/// close a loop: tests are built after the library). Cargo checks this over its whole resolve,
/// so every locked declaration counts, whatever the platform or features.
fn check_cycles(nodes: &[Node]) -> Result<()> {
    let counts = |from: usize, edge: &Edge| edge.decls.iter().any(|&d| nodes[from].package.dependencies[d].kind != DepKind::Development);
    // Depth-first, without recursion: 0 unseen, 1 on the current path, 2 done.
    let mut state = vec![0u8; nodes.len()];
    for start in 0..nodes.len() {
        if state[start] != 0 {
            continue;
        }
        // (node, index of its next edge)
        let mut path: Vec<(usize, usize)> = vec![(start, 0)];
        state[start] = 1;
        while let Some((node, next)) = path.last_mut() {
            let (node, edge) = (*node, *next);
            *next += 1;
            let Some(e) = nodes[node].deps.get(edge) else {
                state[node] = 2;
                path.pop();
                continue;
            };
            if !counts(node, e) {
                continue;
            }
            match state[e.to] {
                0 => {
                    state[e.to] = 1;
                    path.push((e.to, 0));
                }
                1 => {
                    let from = path.iter().position(|&(n, _)| n == e.to).unwrap_or(0);
                    let name = |n: usize| format!("{} {}", nodes[n].package.name, nodes[n].package.version);
                    let cycle: Vec<String> = path[from..].iter().map(|&(n, _)| name(n)).chain([name(e.to)]).collect();
                    return Err(Error::new(format!(
                        "cyclic package dependency: package `{}` depends on itself ({}); remove one of these dependencies, or make it a dev-dependency",
                        name(e.to),
                        cycle.join(" -> ")
                    )));
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// Cargo resolves the workspace with every feature of every member on, so a member's feature
/// that includes itself is refused even when no build asks for it.
fn check_member_features(nodes: &[Node]) -> Result<()> {
    for node in nodes.iter().filter(|n| n.is_member) {
        let package = &node.package;
        if let Some(feature) = package.feature_map.keys().find(|f| features::includes_itself(&package.feature_map, f)) {
            let at = match &node.location {
                Location::Path(dir) => format!("{}: ", dir.join("Cargo.toml").display()),
                _ => String::new(),
            };
            return Err(Error::new(format!("{at}package `{}`: {}", package.name, features::cyclic_feature_error(feature))));
        }
    }
    Ok(())
}
