//! The feature resolver: which features, and which optional dependencies, are active for each
//! package — once for the target side and, with resolver 2 and 3, once more for the host side.
//! It follows cargo's `FeatureResolver` concept by concept; no I/O.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;
use std::sync::Arc;

use rustc_hash::{FxHashMap as FastMap, FxHashSet as FastSet};

use crate::error::{Error, Result};
use crate::load::workspace::ResolveBehavior;
use crate::manifest::features::{self, FeatureValue};
use crate::manifest::{DepKind, Dependency};
use crate::resolve::graph::Graph;
use crate::resolve::platform::TargetInfo;

/// Which side of the graph features are resolved for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum FeaturesFor {
    /// Normal and dev dependencies, built for the target.
    NormalOrDev,
    /// Build dependencies, proc-macros and everything under them, built for the host.
    HostDep,
}

/// Features asked for on the command line, as they apply to one member.
#[derive(Debug, Clone, Default)]
pub struct CliFeatures {
    pub(crate) features: BTreeSet<FeatureValue>,
    pub(crate) all_features: bool,
    pub(crate) uses_default_features: bool,
}

/// What the resolver decouples (cargo's `FeatureOpts`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct FeatureOpts {
    pub(crate) decouple_host_deps: bool,
    pub(crate) ignore_inactive_targets: bool,
    pub(crate) decouple_dev_deps: bool,
}

impl FeatureOpts {
    pub(crate) fn new(behavior: ResolveBehavior, has_dev_units: bool) -> FeatureOpts {
        let v2 = behavior != ResolveBehavior::V1;
        FeatureOpts { decouple_host_deps: v2, ignore_inactive_targets: v2, decouple_dev_deps: v2 && !has_dev_units }
    }

    fn apply(&self, fk: FeaturesFor) -> FeaturesFor {
        if self.decouple_host_deps { fk } else { FeaturesFor::NormalOrDev }
    }
}

/// The result: activated features and optional dependencies per (package, side).
#[derive(Debug, Default)]
pub struct ResolvedFeatures {
    /// Each built package's features, sorted; shared by every unit that has them.
    features: FastMap<(usize, FeaturesFor), Arc<[String]>>,
    /// The empty list, for packages with none (one allocation, not one per unit).
    none: Arc<[String]>,
    deps: FastMap<(usize, FeaturesFor), BTreeSet<String>>,
    decouple_host_deps: bool,
    /// The resolve's roots: the packages whose dev-dependencies are part of the graph.
    roots: BTreeSet<usize>,
}

impl ResolvedFeatures {
    pub(crate) fn features(&self, node: usize, fk: FeaturesFor) -> Arc<[String]> {
        let fk = if self.decouple_host_deps { fk } else { FeaturesFor::NormalOrDev };
        self.features.get(&(node, fk)).unwrap_or(&self.none).clone()
    }

    /// Whether `node`'s dev-dependencies are in the resolve (only its roots' are).
    pub(crate) fn has_dev_deps(&self, node: usize) -> bool {
        self.roots.contains(&node)
    }

    pub(crate) fn is_dep_activated(&self, node: usize, fk: FeaturesFor, name_in_toml: &str) -> bool {
        let fk = if self.decouple_host_deps { fk } else { FeaturesFor::NormalOrDev };
        self.deps.get(&(node, fk)).is_some_and(|s| s.contains(name_in_toml))
    }
}

/// The platforms dependencies are checked against.
pub struct Platforms<'a> {
    pub target: &'a TargetInfo,
    pub host: &'a TargetInfo,
}

impl Platforms<'_> {
    /// Is a declaration active for this side? Build dependencies and anything for the host are
    /// checked against the host; the rest against the requested target.
    pub(crate) fn dep_activated(&self, dep: &Dependency, host: bool) -> bool {
        match &dep.platform {
            None => true,
            Some(p) => (if host || dep.kind == DepKind::Build { self.host } else { self.target }).matches(p),
        }
    }
}

/// The dependencies of one package on one side: (package, its declarations with their side).
type DepsOf<'a> = Vec<(usize, Vec<(&'a Dependency, FeaturesFor)>)>;

struct Resolver<'a> {
    graph: &'a Graph,
    opts: FeatureOpts,
    platforms: &'a Platforms<'a>,
    out: ResolvedFeatures,
    /// The features enabled so far (`out.features` once resolved).
    enabled: FastMap<(usize, FeaturesFor), BTreeSet<String>>,
    processed: FastSet<(usize, FeaturesFor)>,
    deferred_weak: FastMap<(usize, FeaturesFor, String), BTreeSet<String>>,
    /// `deps` answers, computed once per (package, side).
    deps_cache: FastMap<(usize, FeaturesFor), Rc<DepsOf<'a>>>,
}

/// Resolves features for `members` (each with its command-line features).
pub fn resolve(
    graph: &Graph,
    members: &[(usize, CliFeatures)],
    behavior: ResolveBehavior,
    has_dev_units: bool,
    platforms: &Platforms<'_>,
) -> Result<ResolvedFeatures> {
    let opts = FeatureOpts::new(behavior, has_dev_units);
    let mut r = Resolver {
        graph,
        opts,
        platforms,
        out: ResolvedFeatures {
            decouple_host_deps: opts.decouple_host_deps,
            roots: members.iter().map(|(m, _)| *m).collect(),
            ..Default::default()
        },
        enabled: FastMap::default(),
        processed: FastSet::default(),
        deferred_weak: FastMap::default(),
        deps_cache: FastMap::default(),
    };
    for (member, cli) in members {
        check_requested(graph.package(*member), &graph.package(*member).feature_map, cli)?;
        let fvs = r.fvs_from_requested(*member, cli);
        let fk = if opts.decouple_host_deps && graph.package(*member).is_proc_macro() {
            // A proc-macro member is also activated for normal dependencies (its tests and bins).
            r.activate_pkg(*member, FeaturesFor::NormalOrDev, &fvs, false)?;
            FeaturesFor::HostDep
        } else {
            FeaturesFor::NormalOrDev
        };
        r.activate_pkg(*member, fk, &fvs, false)?;
    }
    let none = r.out.none.clone();
    r.out.features = r.enabled.into_iter().map(|(key, set)| (key, if set.is_empty() { none.clone() } else { set.into_iter().collect() })).collect();
    Ok(r.out)
}

/// Command-line features must name a feature of the member, or `dep/feat` one of its
/// dependencies.
fn check_requested(pkg: &crate::manifest::Package, map: &BTreeMap<String, Vec<FeatureValue>>, cli: &CliFeatures) -> Result<()> {
    if cli.all_features {
        return Ok(());
    }
    for fv in &cli.features {
        match fv {
            FeatureValue::Feature(f) if !map.contains_key(f) => {
                let enabling: Vec<&str> = map
                    .iter()
                    .filter(|(_, vs)| vs.iter().any(|v| matches!(v, FeatureValue::Dep(d) if d == f)))
                    .map(|(k, _)| k.as_str())
                    .collect();
                let hint = if enabling.is_empty() {
                    String::new()
                } else {
                    format!(" (its optional dependency `{f}` is enabled with `dep:` by: {})", enabling.join(", "))
                };
                return Err(Error::new(format!("package `{} {}` has no feature `{f}`{hint}; check `--features`", pkg.name, pkg.version)));
            }
            FeatureValue::DepFeature { dep_name, .. } if !pkg.dependencies.iter().any(|d| d.name_in_toml == *dep_name) => {
                return Err(Error::new(format!(
                    "package `{} {}` has no dependency named `{dep_name}`; in `--features {dep_name}/…` use the name it is declared under",
                    pkg.name, pkg.version
                )));
            }
            _ => {}
        }
    }
    Ok(())
}

impl<'a> Resolver<'a> {
    /// Activates `fvs` of `node`, then its `default` feature if `default`, then (the first time)
    /// its non-optional dependencies.
    fn activate_pkg(&mut self, node: usize, fk: FeaturesFor, fvs: &[FeatureValue], default: bool) -> Result<()> {
        // Every package that is built has an entry, even with no features.
        self.enabled.entry((node, self.opts.apply(fk))).or_default();
        for fv in fvs {
            self.activate_fv(node, fk, fv)?;
        }
        if default {
            self.activate_rec(node, fk, "default")?;
        }
        if !self.processed.insert((node, fk)) {
            return Ok(());
        }
        let deps = self.deps(node, fk);
        for (dep_node, decls) in deps.iter() {
            let dep_node = *dep_node;
            for &(decl, dep_fk) in decls {
                if decl.optional {
                    continue;
                }
                self.activate_declared(node, dep_node, dep_fk, decl)?;
            }
        }
        Ok(())
    }

    fn activate_fv(&mut self, node: usize, fk: FeaturesFor, fv: &FeatureValue) -> Result<()> {
        match fv {
            FeatureValue::Feature(f) => self.activate_rec(node, fk, f),
            FeatureValue::Dep(name) => self.activate_dependency(node, fk, name),
            FeatureValue::DepFeature { dep_name, dep_feature, weak } => self.activate_dep_feature(node, fk, dep_name, dep_feature, *weak),
        }
    }

    fn activate_rec(&mut self, node: usize, fk: FeaturesFor, feature: &str) -> Result<()> {
        let enabled = self.enabled.entry((node, self.opts.apply(fk))).or_default();
        if enabled.contains(feature) {
            return Ok(());
        }
        enabled.insert(feature.to_string());
        let graph = self.graph;
        let package = graph.package(node);
        let Some(fvs) = package.feature_map.get(feature) else {
            return Ok(());
        };
        if features::includes_itself(&package.feature_map, feature) {
            return Err(Error::new(format!("package `{} {}`: {}", package.name, package.version, features::cyclic_feature_error(feature))));
        }
        for fv in fvs {
            self.activate_fv(node, fk, fv)?;
        }
        Ok(())
    }

    fn activate_dependency(&mut self, node: usize, fk: FeaturesFor, dep_name: &str) -> Result<()> {
        let active = self.out.deps.entry((node, self.opts.apply(fk))).or_default();
        if !active.contains(dep_name) {
            active.insert(dep_name.to_string());
        }
        let to_enable = if self.deferred_weak.is_empty() { None } else { self.deferred_weak.remove(&(node, fk, dep_name.to_string())) };
        let deps = self.deps(node, fk);
        for (dep_node, decls) in deps.iter() {
            let dep_node = *dep_node;
            for &(decl, dep_fk) in decls {
                if decl.name_in_toml != dep_name {
                    continue;
                }
                if let Some(to_enable) = &to_enable {
                    for f in to_enable {
                        self.activate_fv(dep_node, dep_fk, &FeatureValue::new(f))?;
                    }
                }
                self.activate_declared(node, dep_node, dep_fk, decl)?;
            }
        }
        Ok(())
    }

    fn activate_dep_feature(&mut self, node: usize, fk: FeaturesFor, dep_name: &str, dep_feature: &str, weak: bool) -> Result<()> {
        let deps = self.deps(node, fk);
        for (dep_node, decls) in deps.iter() {
            let dep_node = *dep_node;
            for &(decl, dep_fk) in decls {
                if decl.name_in_toml != dep_name {
                    continue;
                }
                if decl.optional {
                    let active = self.out.deps.get(&(node, self.opts.apply(fk))).is_some_and(|d| d.contains(dep_name));
                    if weak && !active {
                        // Weak: remember it, in case the dependency is activated later.
                        self.deferred_weak.entry((node, fk, dep_name.to_string())).or_default().insert(dep_feature.to_string());
                        continue;
                    }
                    self.activate_dependency(node, fk, dep_name)?;
                    if !weak && self.graph.package(node).feature_map.contains_key(dep_name) {
                        self.activate_rec(node, fk, dep_name)?;
                    }
                }
                let fv = FeatureValue::new(dep_feature);
                if let FeatureValue::Feature(f) = &fv {
                    self.require_feature(node, dep_node, f)?;
                }
                self.activate_fv(dep_node, dep_fk, &fv)?;
            }
        }
        Ok(())
    }

    /// Activates what declaration `decl` of `node` asks of `dep_node`: its features (each must
    /// exist), and `default` unless `default-features = false`.
    fn activate_declared(&mut self, node: usize, dep_node: usize, dep_fk: FeaturesFor, decl: &Dependency) -> Result<()> {
        for fv in &decl.features {
            if let FeatureValue::Feature(f) = fv {
                self.require_feature(node, dep_node, f)?;
            }
        }
        let default = decl.default_features && self.graph.package(dep_node).feature_map.contains_key("default");
        self.activate_pkg(dep_node, dep_fk, &decl.features, default)
    }

    /// `node` asks for feature `f` of `dep_node`: it must exist.
    fn require_feature(&self, node: usize, dep_node: usize, f: &str) -> Result<()> {
        if self.graph.package(dep_node).feature_map.contains_key(f) {
            return Ok(());
        }
        let (from, dep) = (self.graph.package(node), self.graph.package(dep_node));
        Err(Error::new(format!(
            "package `{} {}` asks for feature `{f}` of `{}`, but `{} {}` has no such feature; remove `{f}` from what `{}` asks of it",
            from.name, from.version, dep.name, dep.name, dep.version, from.name
        )))
    }

    fn fvs_from_requested(&self, node: usize, cli: &CliFeatures) -> Vec<FeatureValue> {
        if cli.all_features {
            return self.graph.package(node).feature_map.keys().map(|k| FeatureValue::Feature(k.clone())).collect();
        }
        let mut out: Vec<FeatureValue> = cli.features.iter().cloned().collect();
        if cli.uses_default_features && self.graph.package(node).feature_map.contains_key("default") {
            out.push(FeatureValue::Feature("default".into()));
        }
        out
    }

    /// The dependencies of `node` on side `fk` that the resolver considers, each declaration
    /// with the side its package lands on.
    fn deps(&mut self, node: usize, fk: FeaturesFor) -> Rc<DepsOf<'a>> {
        if let Some(d) = self.deps_cache.get(&(node, fk)) {
            return d.clone();
        }
        let d = Rc::new(self.compute_deps(node, fk));
        self.deps_cache.insert((node, fk), d.clone());
        d
    }

    fn compute_deps(&self, node: usize, fk: FeaturesFor) -> DepsOf<'a> {
        let graph: &'a Graph = self.graph;
        let n = &graph.nodes[node];
        let mut out = Vec::new();
        for edge in &n.deps {
            let dep_is_proc_macro = graph.package(edge.to).is_proc_macro();
            let decls: Vec<(&'a Dependency, FeaturesFor)> = edge
                .decls
                .iter()
                .map(|&i| &n.package.dependencies[i])
                .filter(|d| d.kind != DepKind::Development || self.out.has_dev_deps(node))
                .filter(|d| {
                    !(d.platform.is_some() && self.opts.ignore_inactive_targets && !self.platforms.dep_activated(d, fk == FeaturesFor::HostDep))
                })
                .filter(|d| !(self.opts.decouple_dev_deps && d.kind == DepKind::Development))
                .map(|d| {
                    let dep_fk = if self.opts.decouple_host_deps && (d.kind == DepKind::Build || dep_is_proc_macro) { FeaturesFor::HostDep } else { fk };
                    (d, dep_fk)
                })
                .collect();
            if !decls.is_empty() {
                out.push((edge.to, decls));
            }
        }
        out
    }
}

/// Applies `--features`/`--all-features`/`--no-default-features` to the selected members as
/// cargo does: per member (resolver 2 and 3, or a virtual workspace), or, with resolver 1 in a
/// package workspace, to the current package only.
pub(crate) fn members_with_features(
    graph: &Graph,
    selected: &[usize],
    current: Option<usize>,
    cli: &CliFeatures,
    new_behavior: bool,
) -> Result<Vec<(usize, CliFeatures)>> {
    if !new_behavior {
        let mut member_specific: BTreeMap<String, BTreeSet<FeatureValue>> = BTreeMap::new();
        let mut cwd = BTreeSet::new();
        for fv in &cli.features {
            match fv {
                FeatureValue::DepFeature { dep_name, dep_feature, .. }
                    if graph.members.iter().any(|&m| Some(m) != current && graph.package(m).name == *dep_name)
                        && selected.iter().any(|&s| graph.package(s).name == *dep_name) =>
                {
                    member_specific.entry(dep_name.clone()).or_default().insert(FeatureValue::Feature(dep_feature.clone()));
                }
                _ => {
                    cwd.insert(fv.clone());
                }
            }
        }
        let mut out = Vec::new();
        for &m in &graph.members {
            if Some(m) == current {
                out.push((m, CliFeatures { features: cwd.clone(), ..cli.clone() }));
            } else if selected.contains(&m) {
                let features = member_specific.remove(&graph.package(m).name).unwrap_or_default();
                out.push((m, CliFeatures { features, all_features: cli.all_features, uses_default_features: true }));
            }
        }
        return Ok(out);
    }
    let mut found: BTreeSet<FeatureValue> = BTreeSet::new();
    let mut out = Vec::new();
    for &m in &graph.members {
        if !selected.contains(&m) {
            continue;
        }
        let pkg = graph.package(m);
        let map = &pkg.feature_map;
        let deps: BTreeMap<&str, &Dependency> = pkg.dependencies.iter().map(|d| (d.name_in_toml.as_str(), d)).collect();
        let defines = |f: &str| map.contains_key(f) || deps.get(f).is_some_and(|d| d.optional);
        let mut features = BTreeSet::new();
        for fv in &cli.features {
            match fv {
                FeatureValue::Feature(f) if defines(f) => {
                    features.insert(fv.clone());
                    found.insert(fv.clone());
                }
                FeatureValue::DepFeature { dep_name, dep_feature, .. } => {
                    if deps.contains_key(dep_name.as_str()) {
                        features.insert(fv.clone());
                        found.insert(fv.clone());
                    } else if *dep_name == pkg.name && defines(dep_feature) {
                        features.insert(FeatureValue::Feature(dep_feature.clone()));
                        found.insert(fv.clone());
                    }
                }
                _ => {}
            }
        }
        out.push((m, CliFeatures { features, ..cli.clone() }));
    }
    if let Some(missing) = cli.features.iter().find(|f| !found.contains(f)) {
        let names: Vec<&str> = selected.iter().map(|&s| graph.package(s).name.as_str()).collect();
        let shown = match missing {
            FeatureValue::Feature(f) | FeatureValue::Dep(f) => f.clone(),
            FeatureValue::DepFeature { dep_name, dep_feature, weak } => format!("{dep_name}{}/{dep_feature}", if *weak { "?" } else { "" }),
        };
        return Err(Error::new(format!(
            "none of the selected packages ({}) has the feature `{shown}`; check `--features`",
            names.join(", ")
        )));
    }
    Ok(out)
}
