//! `crateplan generate`: load → match lock entries → resolve features → select units → write.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::error::{Error, Result};
use crate::load::digest;
use crate::load::lockfile::Lockfile;
use crate::load::remote;
use crate::load::sources::Sources;
use crate::load::workspace::{FileNames, ResolveBehavior, Workspace};
use crate::manifest::features::FeatureValue;
use crate::output::plan;
use crate::output::unit_graph;
use crate::resolve::features::{self, CliFeatures, Platforms};
use crate::resolve::graph::Graph;
use crate::resolve::platform::TargetInfo;
use crate::resolve::profiles::Profiles;
use crate::resolve::rustflags;
use crate::resolve::spec::PackageIdSpec;
use crate::resolve::units::{self, Intent, UnitGraph};

/// Which packages to build, as cargo's `-p` / `--workspace`.
#[derive(Debug, Clone, Default)]
pub enum PackageSelection {
    #[default]
    Default,
    /// `--workspace`, less the `--exclude`d members.
    Workspace { exclude: Vec<String> },
    Packages(Vec<String>),
}

/// Everything `generate` needs.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub manifest_path: PathBuf,
    pub targets: Vec<String>,
    /// The build machine's triple; defaults to the one crateplan was built for.
    pub host: Option<String>,
    pub features: Vec<String>,
    pub all_features: bool,
    pub no_default_features: bool,
    pub packages: PackageSelection,
    pub sources: Vec<PathBuf>,
    /// A JSON array of the workspace's file names, used instead of the disk for target discovery.
    pub file_list: Option<PathBuf>,
    /// The cargo profile (`--profile`; `--release` is `release`); `None` is cargo's default:
    /// `dev` for `cargo build`, `test` for `cargo test`.
    pub profile: Option<String>,
    /// The lockfile to read instead of the workspace root's Cargo.lock (`crateplan diff
    /// --old-lockfile`: the workspace as it resolved at another revision).
    pub lockfile: Option<PathBuf>,
}

/// The triple crateplan was built for.
pub fn default_host() -> &'static str {
    env!("CRATEPLAN_BUILD_TARGET")
}

/// A loaded workspace with its package graph: the part of generation shared by all targets.
pub struct Loaded {
    pub ws: Workspace,
    pub graph: Graph,
    pub(crate) lock_path: PathBuf,
    /// sha256 of Cargo.lock as read.
    pub(crate) lock_sha256: String,
    pub selected: Vec<usize>,
    pub member_features: Vec<(usize, CliFeatures)>,
    pub(crate) host: TargetInfo,
    /// The profile of `cargo build`'s units.
    pub(crate) build_profiles: Profiles,
    /// The profile of `cargo test`'s units: `test` when no profile was asked for, else the same.
    pub(crate) test_profiles: Profiles,
    /// What crateplan read but does not apply, one line each.
    pub warnings: Vec<String>,
}

/// Loads and matches everything (the I/O stage).
pub fn load(opts: &Options) -> Result<Loaded> {
    let file_names = FileNames::read(opts.file_list.as_deref())?;
    // Indexing the source directories needs nothing from the workspace: it runs beside loading the
    // workspace and reading its lockfile. (Errors in that order: workspace, lockfile, sources.)
    let (ws, lock_path, (lock, lock_sha256), sources) = std::thread::scope(|scope| -> Result<_> {
        let sources = scope.spawn(|| {
            crate::parallel::threads(); // asked here, off the main thread's path
            Sources::new(&opts.sources)
        });
        let loaded = Workspace::load(&opts.manifest_path, &file_names).and_then(|ws| {
            let lock_path = opts.lockfile.clone().unwrap_or_else(|| ws.root_dir.join("Cargo.lock"));
            let text = Lockfile::read(&lock_path)?;
            let lock = (Lockfile::parse(&text, &lock_path)?, digest::sha256_hex(text.as_bytes()));
            Ok((ws, lock_path, lock))
        });
        let sources = sources.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
        let (ws, lock_path, lock) = loaded?;
        Ok((ws, lock_path, lock, sources?))
    })?;
    let remote = remote::load_all(&lock, &sources);
    let graph = Graph::build(&ws, &lock, &lock_path, remote)?;
    let host = TargetInfo::builtin(opts.host.as_deref().unwrap_or(default_host()))?;

    let member_node = |dir: &Path| graph.members.iter().copied().find(|&m| matches!(&graph.nodes[m].location, crate::load::remote::Location::Path(d) if d == dir));
    let selected: Vec<usize> = match &opts.packages {
        PackageSelection::Default => ws.default_members.iter().filter_map(|d| member_node(d)).collect(),
        PackageSelection::Workspace { exclude } => {
            let specs: Vec<PackageIdSpec> = exclude.iter().map(|e| PackageIdSpec::parse(e)).collect();
            graph
                .members
                .iter()
                .copied()
                .filter(|&m| !specs.iter().any(|s| s.matches(&graph.package(m).name, &graph.package(m).version, true)))
                .collect()
        }
        PackageSelection::Packages(specs) => select(&graph, specs)?,
    };
    let cli = CliFeatures {
        features: opts
            .features
            .iter()
            .flat_map(|f| f.split([',', ' ']))
            .filter(|f| !f.is_empty())
            .map(FeatureValue::new)
            .collect(),
        all_features: opts.all_features,
        uses_default_features: !opts.no_default_features,
    };
    if let Some(FeatureValue::Dep(d)) = cli.features.iter().find(|f| matches!(f, FeatureValue::Dep(_))) {
        return Err(Error::new(format!("feature `dep:{d}` is not allowed on the command line; name a feature instead")));
    }
    let current = ws.current.as_deref().and_then(member_node);
    let new_behavior = current.is_none() || ws.resolver != ResolveBehavior::V1;
    let selected_members: Vec<usize> = selected.iter().copied().filter(|s| graph.members.contains(s)).collect();
    let member_features = if selected_members.is_empty() && new_behavior {
        // Only packages outside the workspace: every member, as it is, puts them in the graph.
        if !cli.features.is_empty() || cli.all_features || !cli.uses_default_features {
            return Err(Error::new("cannot set features for packages outside the workspace; select a member with -p"));
        }
        graph.members.iter().map(|&m| (m, CliFeatures { uses_default_features: true, ..Default::default() })).collect()
    } else {
        features::members_with_features(&graph, &selected_members, current, &cli, new_behavior)?
    };
    let root_manifest = ws.root_dir.join("Cargo.toml");
    let requested = opts.profile.as_deref().unwrap_or("dev");
    let config_path = ws.config.path(&ws.root_dir);
    let make = |name: &str| Profiles::new(&ws.profiles, &ws.config.profiles, name, &root_manifest, config_path.as_deref(), &host.triple);
    let build_profiles = make(requested)?;
    let test_profiles = if requested == "dev" { make("test")? } else { build_profiles.clone() };
    let warnings = warnings(&ws, &graph, &[&build_profiles, &test_profiles])?;
    Ok(Loaded { ws, graph, lock_path, lock_sha256, selected, member_features, host, build_profiles, test_profiles, warnings })
}

/// What is not applied, and `[profile.P.package.<spec>]` tables that match no package (cargo's
/// warnings); an error where two tables match one package, as in cargo.
fn warnings(ws: &Workspace, graph: &Graph, profiles: &[&Profiles]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let config_path = ws.config.path(&ws.root_dir).map(|p| ws.relative(&p)).unwrap_or_default();
    for key in &ws.config.unapplied {
        out.push(format!("{config_path}: `{key}` is not applied by crateplan; the Nix build ignores it"));
    }
    // rustc's cfg depends on these flags too; crateplan evaluates cfg from `--cfg` only.
    let lists = ws.config.build_rustflags.iter().map(|f| ("build.rustflags".to_string(), f)).chain(ws.config.target_rustflags.iter().map(|(k, f)| (format!("target.{k}.rustflags"), f)));
    for (key, flags) in lists {
        let joined = flags.join(" ").replace("-C ", "-C");
        for option in ["-Ctarget-feature", "-Ctarget-cpu", "-Cpanic"] {
            if joined.contains(option) {
                out.push(format!("{config_path}: `{key}` has `{option}`, which changes rustc's cfg; crateplan evaluates `[target.'cfg(…)']` tables without it"));
            }
        }
    }
    let mut manifest_keys = Vec::new();
    for (name, p) in &ws.profiles {
        p.unknown_keys(&format!("profile.{name}"), &mut manifest_keys);
    }
    for key in manifest_keys {
        out.push(format!("Cargo.toml: `{key}` is not applied by crateplan; the Nix build ignores it"));
    }
    let mut seen = std::collections::BTreeSet::new();
    for p in profiles {
        if !seen.insert(p.name().to_string()) {
            continue;
        }
        let specs: Vec<(&str, &PackageIdSpec)> = p.package_specs().collect();
        let mut used = vec![false; specs.len()];
        for n in &graph.nodes {
            let matching: Vec<usize> = (0..specs.len()).filter(|&i| specs[i].1.matches(&n.package.name, &n.package.version, false)).collect();
            if matching.len() > 1 {
                let names: Vec<&str> = matching.iter().map(|&i| specs[i].0).collect();
                return Err(Error::new(format!(
                    "multiple package overrides in profile `{}` match package `{} {}`: {}; keep one",
                    p.name(),
                    n.package.name,
                    n.package.version,
                    names.join(", ")
                )));
            }
            for i in matching {
                used[i] = true;
            }
        }
        for (i, (spec, _)) in specs.iter().enumerate() {
            if !used[i] {
                out.push(format!("profile package spec `{spec}` in profile `{}` did not match any packages", p.name()));
            }
        }
    }
    Ok(out)
}

/// The packages `-p` names: members (globs match members only) or any package of the graph.
fn select(graph: &Graph, specs: &[String]) -> Result<Vec<usize>> {
    let mut out = Vec::new();
    for raw in specs {
        let spec = PackageIdSpec::parse(raw);
        let found: Vec<usize> = (0..graph.nodes.len())
            .filter(|&n| spec.matches(&graph.package(n).name, &graph.package(n).version, graph.members.contains(&n)))
            .collect();
        let mut versions: Vec<String> = found.iter().map(|&n| graph.package(n).version.to_string()).collect();
        versions.sort();
        versions.dedup();
        if found.is_empty() {
            let mut all: Vec<&str> = graph.members.iter().map(|&m| graph.package(m).name.as_str()).collect();
            all.sort();
            return Err(Error::new(format!(
                "package `{raw}` is not a member of the workspace nor one of its dependencies; members are: {}",
                all.join(", ")
            )));
        }
        if !matches!(spec, PackageIdSpec::Glob(_)) && versions.len() > 1 {
            return Err(Error::new(format!("`-p {raw}` is ambiguous: it matches versions {}; add one, e.g. `-p {raw}@{}`", versions.join(", "), versions[0])));
        }
        for n in found {
            if !out.contains(&n) {
                out.push(n);
            }
        }
    }
    Ok(out)
}

impl Loaded {
    /// The profile of the units of `cargo build` or `cargo test`.
    pub fn profiles(&self, intent: Intent) -> &Profiles {
        match intent {
            Intent::Build => &self.build_profiles,
            Intent::Test => &self.test_profiles,
        }
    }

    /// The unit graph for one triple and intent.
    pub(crate) fn units(&self, triple: &str, intent: Intent) -> Result<UnitGraph> {
        self.resolve(&self.target_info(triple)?, intent).map(|(_, units)| units)
    }

    /// The facts of a target triple, its cfgs with the configuration's `--cfg` added.
    pub(crate) fn target_info(&self, triple: &str) -> Result<TargetInfo> {
        Ok(rustflags::for_target(&self.ws.config, &TargetInfo::builtin(triple)?).1)
    }

    /// The resolved features and the unit graph for one target and intent.
    pub(crate) fn resolve(&self, target: &TargetInfo, intent: Intent) -> Result<(features::ResolvedFeatures, UnitGraph)> {
        let triple = target.triple.as_str();
        let platforms = Platforms { target, host: &self.host };
        let has_dev_units = intent == Intent::Test;
        let resolved = features::resolve(&self.graph, &self.member_features, self.ws.resolver, has_dev_units, &platforms)?;
        let units = units::build(&self.graph, &self.selected, &resolved, &platforms, intent, self.profiles(intent), triple)?;
        Ok((resolved, units))
    }

    /// The plan for `triples` (docs/plan-schema.md).
    pub fn plan(&self, opts: &Options) -> Result<plan::Plan<'_>> {
        let ids = plan::package_ids(&self.graph, &self.ws);
        // Every (triple, build|test) view is independent: all are worked out on all cores.
        let jobs: Vec<(&str, Intent)> = opts.targets.iter().flat_map(|t| [(t.as_str(), Intent::Build), (t.as_str(), Intent::Test)]).collect();
        let done = crate::parallel::map(&jobs, |&(triple, intent)| -> Result<plan::UnitSet> {
            Ok(plan::UnitSet::new(&self.graph, &ids, self.units(triple, intent)?))
        });
        let mut used = vec![false; self.graph.nodes.len()];
        let mut views = Vec::new();
        for set in done {
            let set = set?;
            for n in set.nodes() {
                used[n] = true;
            }
            views.push(set);
        }
        let mut platforms = BTreeMap::new();
        let mut views = views.into_iter();
        for triple in &opts.targets {
            let (build, test) = (views.next().expect("a build view per triple"), views.next().expect("a test view per triple"));
            let (target, _) = rustflags::for_target(&self.ws.config, &TargetInfo::builtin(triple)?);
            platforms.insert(triple.clone(), plan::Views { build, test, rustflags: plan::Rustflags { host: Vec::new(), target } });
        }
        // The packages some unit uses.
        let mut used_packages: Vec<usize> = (0..used.len()).filter(|&n| used[n]).collect();
        used_packages.sort_by(|&a, &b| ids[a].cmp(&ids[b]));
        let sorted_ids = |nodes: &mut dyn Iterator<Item = usize>| -> Vec<String> {
            let mut v: Vec<String> = nodes.map(|n| ids[n].clone()).collect();
            v.sort();
            v
        };
        let members = sorted_ids(&mut self.graph.members.iter().copied());
        let selected = sorted_ids(&mut self.selected.iter().copied());
        let member_in = |d: &PathBuf| self.graph.members.iter().copied().find(|&m| matches!(&self.graph.nodes[m].location, crate::load::remote::Location::Path(p) if p == d));
        let default_members = sorted_ids(&mut self.ws.default_members.iter().filter_map(member_in));
        let manifests = self.ws.manifests.iter().map(|(m, sha256)| plan::FileHash { path: self.ws.relative(m), sha256: sha256.clone() }).collect();
        let mut features: Vec<String> = opts.features.iter().flat_map(|f| f.split([',', ' '])).filter(|f| !f.is_empty()).map(str::to_string).collect();
        features.sort();
        features.dedup();
        let packages = match &opts.packages {
            PackageSelection::Default => Value::Null,
            PackageSelection::Workspace { exclude } if exclude.is_empty() => json!("workspace"),
            PackageSelection::Workspace { exclude } => {
                let mut e = exclude.clone();
                e.sort();
                json!({ "workspace": true, "exclude": e })
            }
            PackageSelection::Packages(p) => {
                let mut p = p.clone();
                p.sort();
                json!(p)
            }
        };
        Ok(plan::Plan {
            graph: &self.graph,
            ws: &self.ws,
            inputs: plan::Inputs {
                features: plan::FeatureSelection { all_features: opts.all_features, features, no_default_features: opts.no_default_features },
                host: self.host.triple.clone(),
                lockfile: plan::FileHash { path: self.ws.relative(&self.lock_path), sha256: self.lock_sha256.clone() },
                listings: self.ws.lookups.listings.clone(),
                manifests,
                packages,
                config: self.ws.config.file.iter().map(|(path, sha256)| plan::FileHash { path: path.clone(), sha256: sha256.clone() }).collect(),
                probes: self.ws.lookups.probes.clone(),
                profile: self.build_profiles.name().to_string(),
                profile_root: self.build_profiles.root_name(),
                resolver: self.ws.resolver.as_str().to_string(),
            },
            env: self.ws.config.env.clone(),
            packages: used_packages,
            platforms,
            workspace: plan::WorkspaceData { default_members, members, selected },
            ids,
        })
    }

    /// Cargo's `--unit-graph` JSON for one triple.
    pub fn unit_graph(&self, triple: &str, intent: Intent) -> Result<Vec<u8>> {
        let units = self.units(triple, intent)?;
        Ok(unit_graph::to_json(&self.graph, &units, triple))
    }
}

