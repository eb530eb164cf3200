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
    /// The `release` profile instead of `dev` (it matters only through `panic = "abort"`).
    pub release: bool,
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
    /// Plan cargo's `release` profile (`--release`) instead of `dev`.
    pub(crate) release: bool,
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
            let lock_path = ws.root_dir.join("Cargo.lock");
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
    Ok(Loaded { ws, graph, lock_path, lock_sha256, selected, member_features, host, release: opts.release })
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
    /// The unit graph for one triple and intent.
    pub(crate) fn units(&self, triple: &str, intent: Intent) -> Result<UnitGraph> {
        let target = TargetInfo::builtin(triple)?;
        self.resolve(&target, intent).map(|(_, units)| units)
    }

    /// The resolved features and the unit graph for one target platform and intent.
    pub(crate) fn resolve(&self, target: &TargetInfo, intent: Intent) -> Result<(features::ResolvedFeatures, UnitGraph)> {
        let platforms = Platforms { target, host: &self.host };
        let has_dev_units = intent == Intent::Test;
        let resolved = features::resolve(&self.graph, &self.member_features, self.ws.resolver, has_dev_units, &platforms)?;
        let abort = if self.release { self.ws.panic_abort.release } else { self.ws.panic_abort.dev };
        let units = units::build(&self.graph, &self.selected, &resolved, &platforms, intent, abort)?;
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
            platforms.insert(triple.clone(), plan::Views { build, test });
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
                panic_abort: self.ws.panic_abort,
                probes: self.ws.lookups.probes.clone(),
                profile: if self.release { "release" } else { "dev" },
                resolver: self.ws.resolver.as_str().to_string(),
            },
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

