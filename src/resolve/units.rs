//! Unit selection: the units cargo builds (one target, in one mode, for one platform, with one
//! feature set) and the edges between them, as `cargo build|test --unit-graph` lists them.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use rustc_hash::FxHashMap as FastMap;

use crate::error::{Error, Result};
use crate::manifest::DepKind;
use crate::manifest::targets::{Target, TargetKind};
use crate::resolve::features::{FeaturesFor, Platforms, ResolvedFeatures};
use crate::resolve::graph::{Edge, Graph};
use crate::resolve::profiles::{DebugLevel, Panic, Profile, ProfilePackage, Profiles};
use crate::source_id::SourceKind;

/// Cargo's `CompileMode`, as far as `build` and `test --no-run` use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Mode {
    Build,
    Test,
    /// `rustdoc --test` of a lib's documentation examples.
    Doctest,
    RunCustomBuild,
}

impl Mode {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Mode::Build => "build",
            Mode::Test => "test",
            Mode::Doctest => "doctest",
            Mode::RunCustomBuild => "run-custom-build",
        }
    }
}

/// Where a unit is built for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Kind {
    Host,
    Target,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Unit {
    pub(crate) node: usize,
    /// Index into the package's targets.
    pub(crate) target: usize,
    pub(crate) mode: Mode,
    pub(crate) kind: Kind,
    /// Sorted; shared with the other units of the package on the same side.
    pub(crate) features: Arc<[String]>,
    /// Index into the graph's `profiles`: the settings the unit is compiled with.
    pub(crate) profile: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct UnitDep {
    pub(crate) unit: usize,
    pub(crate) extern_crate_name: String,
}

/// Of the feature list only the length and the first name are hashed: cheap, and equal lists
/// hash alike (`==` on the shared `Arc` lists compares addresses first, then contents).
impl std::hash::Hash for Unit {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (self.node, self.target, self.mode, self.kind, self.profile).hash(state);
        (self.features.len(), self.features.first()).hash(state);
    }
}

/// The unit graph of one build.
#[derive(Debug, Default)]
pub struct UnitGraph {
    pub(crate) units: Vec<Unit>,
    pub(crate) deps: Vec<Vec<UnitDep>>,
    pub(crate) roots: Vec<usize>,
    /// The distinct profiles of the units.
    pub(crate) profiles: Vec<Profile>,
}

impl Unit {
    pub(crate) fn profile_of<'p>(&self, profiles: &'p [Profile]) -> &'p Profile {
        &profiles[self.profile as usize]
    }

    /// Built with `-C panic=abort`.
    pub(crate) fn panic_abort(&self, profiles: &[Profile]) -> bool {
        self.profile_of(profiles).panic == Panic::Abort
    }
}

/// Cargo's `UnitFor`: whether a unit is for the host, and which side its features come from.
#[derive(Debug, Clone, Copy)]
struct UnitFor {
    host: bool,
    host_features: bool,
    /// Tests, build scripts, proc-macros and everything under them unwind, whatever the profile.
    always_unwind: bool,
}

impl UnitFor {
    fn features_for(self) -> FeaturesFor {
        if self.host_features { FeaturesFor::HostDep } else { FeaturesFor::NormalOrDev }
    }
    fn for_custom_build(self) -> UnitFor {
        UnitFor { host: true, host_features: self.host_features, always_unwind: true }
    }
    fn with_dependency(self, parent: &Target, dep: &Target) -> UnitFor {
        UnitFor {
            host: self.host || dep.for_host(),
            host_features: self.host_features || parent.is_custom_build() || dep.is_proc_macro(),
            always_unwind: self.always_unwind || dep.for_host(),
        }
    }
    /// `UnitFor::new_normal`: a root built as the profile says.
    fn normal() -> UnitFor {
        UnitFor { host: false, host_features: false, always_unwind: false }
    }
}

/// What to build: `cargo build` or `cargo test --no-run`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    Build,
    Test,
}

struct Builder<'a> {
    graph: &'a Graph,
    features: &'a ResolvedFeatures,
    platforms: &'a Platforms<'a>,
    index: FastMap<Unit, usize>,
    profiles: &'a Profiles,
    /// The target triple (units for the host use the host's).
    triple: &'a str,
    /// Profiles by package, then by (for host, must unwind, for the host's triple) as 3 bits;
    /// `u32::MAX` where not yet made.
    profile_cache: Vec<[u32; 8]>,
    profile_index: FastMap<Profile, u32>,
    out: UnitGraph,
    computed: Vec<bool>,
    /// (parent unit, dep unit) pairs that exist only through dev-dependencies.
    dev_edges: BTreeSet<(usize, usize)>,
}

/// Builds the unit graph for `selected` members.
pub fn build(
    graph: &Graph,
    selected: &[usize],
    features: &ResolvedFeatures,
    platforms: &Platforms<'_>,
    intent: Intent,
    profiles: &Profiles,
    triple: &str,
) -> Result<UnitGraph> {
    let mut b = Builder {
        profiles,
        triple,
        profile_cache: vec![[u32::MAX; 8]; graph.nodes.len()],
        profile_index: FastMap::default(),
        graph,
        features,
        platforms,
        index: FastMap::default(),
        out: UnitGraph::default(),
        computed: Vec::new(),
        dev_edges: BTreeSet::new(),
    };
    let mut roots = Vec::new();
    for &node in selected {
        let pkg = graph.package(node);
        if intent == Intent::Test && !graph.members.contains(&node) && pkg.dependencies.iter().any(|d| d.kind == DepKind::Development) {
            return Err(Error::new(format!(
                "package `{}` cannot be tested: it has dev-dependencies and is not a member of the workspace",
                pkg.name
            )));
        }
        let all_features = b.all_features(node);
        for (ti, t) in pkg.targets.iter().enumerate() {
            let mode = match intent {
                Intent::Build if t.is_lib() || t.is_bin() => Mode::Build,
                Intent::Build => continue,
                Intent::Test if t.tested => Mode::Test,
                Intent::Test if t.kind == TargetKind::Example => Mode::Build,
                Intent::Test => continue,
            };
            let available = t.required_features.as_ref().is_none_or(|rf| rf.iter().all(|f| all_features.contains(f)));
            if !t.is_lib() && !available {
                continue;
            }
            let kind = if t.is_proc_macro() { Kind::Host } else { Kind::Target };
            let fk = if t.is_proc_macro() { FeaturesFor::HostDep } else { FeaturesFor::NormalOrDev };
            let unit_for = if t.is_proc_macro() {
                UnitFor { host: true, host_features: true, always_unwind: true }
            } else {
                UnitFor { host: false, host_features: false, always_unwind: mode == Mode::Test }
            };
            // A root's own profile is never the host's, whatever it is (cargo's
            // `UnitFor::new_compiler` / `new_test`): only what it depends on is built for the host.
            let profile = b.profile(node, false, unit_for.always_unwind, false);
            let unit = Unit { node, target: ti, mode, kind, features: features.features(node, fk), profile };
            let id = b.intern(unit);
            if !roots.contains(&id) {
                roots.push(id);
            }
            b.deps_of(id, unit_for)?;
        }
        // `cargo test` also tests the lib's documentation.
        if intent == Intent::Test
            && let Some(li) = pkg.targets.iter().position(|t| t.doctested && t.is_doctestable()) {
                let pm = pkg.targets[li].is_proc_macro();
                let (kind, fk) = if pm { (Kind::Host, FeaturesFor::HostDep) } else { (Kind::Target, FeaturesFor::NormalOrDev) };
                let unit_for = UnitFor { host: pm, host_features: pm, always_unwind: true };
                let profile = b.profile(node, false, true, false);
                let unit = Unit { node, target: li, mode: Mode::Doctest, kind, features: features.features(node, fk), profile };
                let id = b.intern(unit);
                roots.push(id);
                b.deps_of(id, unit_for)?;
            }
    }
    b.connect_run_custom_build_deps();
    b.resolve_strip();
    roots.sort();
    b.out.roots = roots;
    Ok(b.out)
}

impl Builder<'_> {
    /// The profile of a unit of package `node`: cargo's `Profiles::get_profile` for a unit that
    /// is `for_host` (build-override) or not, that must `unwind` or not, for the host's triple
    /// or the target's.
    fn profile(&mut self, node: usize, for_host: bool, unwind: bool, host_triple: bool) -> u32 {
        let slot = usize::from(for_host) | usize::from(unwind) << 1 | usize::from(host_triple) << 2;
        if self.profile_cache[node][slot] != u32::MAX {
            return self.profile_cache[node][slot];
        }
        let n = &self.graph.nodes[node];
        let pkg = ProfilePackage {
            name: &n.package.name,
            version: &n.package.version,
            is_member: self.graph.members.contains(&node),
            is_local: matches!(n.source.kind, SourceKind::Path),
        };
        let triple = if host_triple { self.profiles.host_triple() } else { self.triple };
        let profile = self.profiles.get(&pkg, for_host, unwind, triple);
        let id = self.intern_profile(profile);
        self.profile_cache[node][slot] = id;
        id
    }

    /// The profile of a unit that unit_for says how to build.
    fn dep_profile(&mut self, node: usize, unit_for: UnitFor, kind: Kind) -> u32 {
        self.profile(node, unit_for.host, unit_for.always_unwind, kind == Kind::Host)
    }

    fn intern_profile(&mut self, profile: Profile) -> u32 {
        if let Some(&id) = self.profile_index.get(&profile) {
            return id;
        }
        let id = self.out.profiles.len() as u32;
        self.profile_index.insert(profile.clone(), id);
        self.out.profiles.push(profile);
        id
    }

    /// Cargo strips debug information from a unit whose profile leaves `strip` unset when
    /// neither it nor any of its dependencies has any.
    fn resolve_strip(&mut self) {
        let has_debuginfo = |u: &Unit, profiles: &[Profile]| u.profile_of(profiles).debuginfo != DebugLevel::None;
        // The profile each profile becomes, with and without debug information in the deps.
        let mut resolved: FastMap<(u32, bool), u32> = FastMap::default();
        for i in 0..self.out.units.len() {
            let profiles = &self.out.profiles;
            let id = self.out.units[i].profile;
            let p = &profiles[id as usize];
            if !p.strip_deferred || p.debuginfo != DebugLevel::None {
                continue;
            }
            let deps_have = self.out.deps[i].iter().any(|d| has_debuginfo(&self.out.units[d.unit], profiles));
            let new = match resolved.get(&(id, deps_have)) {
                Some(&new) => new,
                None => {
                    let mut p = p.clone();
                    p.resolve_strip(deps_have);
                    let new = self.intern_profile(p);
                    resolved.insert((id, deps_have), new);
                    new
                }
            };
            self.out.units[i].profile = new;
        }
    }

    fn intern(&mut self, unit: Unit) -> usize {
        if let Some(&i) = self.index.get(&unit) {
            return i;
        }
        let i = self.out.units.len();
        self.index.insert(unit.clone(), i);
        self.out.units.push(unit);
        self.out.deps.push(Vec::new());
        self.computed.push(false);
        i
    }

    fn target(&self, unit: usize) -> &Target {
        let u = &self.out.units[unit];
        &self.graph.package(u.node).targets[u.target]
    }

    fn deps_of(&mut self, unit: usize, unit_for: UnitFor) -> Result<()> {
        // Iterative, first visit wins (cargo keys computed dependencies by unit alone).
        let mut stack = vec![(unit, unit_for)];
        while let Some((unit, unit_for)) = stack.pop() {
            if self.computed[unit] {
                continue;
            }
            self.computed[unit] = true;
            let deps = self.compute_deps(unit, unit_for)?;
            let mut children = Vec::new();
            for (dep, dep_for, dev_only) in deps {
                if dev_only {
                    self.dev_edges.insert((unit, dep.unit));
                }
                children.push((dep.unit, dep_for));
                self.out.deps[unit].push(dep);
            }
            for child in children.into_iter().rev() {
                stack.push(child);
            }
        }
        Ok(())
    }

    fn compute_deps(&mut self, unit: usize, unit_for: UnitFor) -> Result<Vec<(UnitDep, UnitFor, bool)>> {
        let u = self.out.units[unit].clone();
        let graph = self.graph;
        let node = &graph.nodes[u.node];
        let pkg = &node.package;
        let target = &pkg.targets[u.target];
        let mut ret = Vec::new();

        if u.mode == Mode::RunCustomBuild {
            let script_for = unit_for.for_custom_build();
            let compile = Unit {
                node: u.node,
                target: u.target,
                mode: Mode::Build,
                kind: Kind::Host,
                features: self.features.features(u.node, script_for.features_for()),
                profile: self.profile(u.node, true, true, true),
            };
            let id = self.intern(compile);
            ret.push((UnitDep { unit: id, extern_crate_name: target.crate_name() }, script_for, false));
            return Ok(ret);
        }

        let is_test_like = matches!(target.kind, TargetKind::Test | TargetKind::Example | TargetKind::Bench) || matches!(u.mode, Mode::Test | Mode::Doctest);
        for edge in &node.deps {
            // The declarations that apply here: whether any does, and whether all are dev-only.
            let (mut any, mut dev_only) = (false, true);
            for d in edge
                .decls
                .iter()
                .map(|&i| &pkg.dependencies[i])
                .filter(|d| target.is_custom_build() == (d.kind == DepKind::Build))
                .filter(|d| d.is_transitive() || is_test_like)
                .filter(|d| d.kind != DepKind::Development || self.features.has_dev_deps(u.node))
                .filter(|d| self.platforms.dep_activated(d, u.kind == Kind::Host))
                .filter(|d| !d.optional || self.features.is_dep_activated(u.node, unit_for.features_for(), &d.name_in_toml))
            {
                any = true;
                dev_only &= !d.is_transitive();
            }
            if !any {
                continue;
            }
            let dep_pkg = graph.package(edge.to);
            let Some(lib_index) = dep_pkg.targets.iter().position(|t| t.is_lib()) else { continue };
            let extern_crate_name = self.extern_crate_name(u.node, edge, &dep_pkg.targets[lib_index])?;
            let (id, dep_for) = self.lib_dependency(&u, target, unit_for, edge.to, lib_index);
            ret.push((UnitDep { unit: id, extern_crate_name }, dep_for, dev_only));
        }
        if target.is_custom_build() {
            return Ok(ret);
        }
        // The package's own build script run.
        if let Some(bs) = pkg.targets.iter().position(|t| t.is_custom_build()) {
            let script_for = unit_for.for_custom_build();
            // The run's profile holds only what the script sees of the unit's (one run serves
            // every panic strategy of the package's units).
            let run_profile = self.profiles.run_custom_build(u.profile_of(&self.out.profiles));
            let run = Unit {
                node: u.node,
                target: bs,
                mode: Mode::RunCustomBuild,
                kind: u.kind,
                features: self.features.features(u.node, script_for.features_for()),
                profile: self.intern_profile(run_profile),
            };
            let id = self.intern(run);
            ret.push((UnitDep { unit: id, extern_crate_name: pkg.targets[bs].crate_name() }, script_for, false));
        }
        if target.is_lib() && u.mode != Mode::Doctest {
            return Ok(ret);
        }
        // Bins, tests, examples and benches depend on their own package's lib.
        if let Some(li) = pkg.targets.iter().position(|t| t.is_linkable()) {
            let (id, dep_for) = self.lib_dependency(&u, target, unit_for, u.node, li);
            ret.push((UnitDep { unit: id, extern_crate_name: pkg.targets[li].crate_name() }, dep_for, false));
        }
        // Integration tests and benches need the package's binaries.
        if u.mode == Mode::Test && matches!(target.kind, TargetKind::Test | TargetKind::Bench) {
            let all = self.all_features(u.node);
            for (bi, bin) in pkg.targets.iter().enumerate() {
                if !bin.is_bin() || !bin.required_features.as_ref().is_none_or(|rf| rf.iter().all(|f| all.contains(f))) {
                    continue;
                }
                let normal = UnitFor::normal();
                let bin_unit = Unit {
                    node: u.node,
                    target: bi,
                    mode: Mode::Build,
                    kind: u.kind,
                    features: self.features.features(u.node, FeaturesFor::NormalOrDev),
                    profile: self.dep_profile(u.node, normal, u.kind),
                };
                let id = self.intern(bin_unit);
                ret.push((UnitDep { unit: id, extern_crate_name: bin.crate_name() }, normal, false));
            }
        }
        Ok(ret)
    }

    /// The unit of the lib `lib_index` of `node` that `parent` (target `parent_target`, built
    /// `unit_for`) depends on: built for the host if it is a proc-macro, with the features of the
    /// side it lands on.
    fn lib_dependency(&mut self, parent: &Unit, parent_target: &Target, unit_for: UnitFor, node: usize, lib_index: usize) -> (usize, UnitFor) {
        let lib = &self.graph.package(node).targets[lib_index];
        let dep_for = unit_for.with_dependency(parent_target, lib);
        let kind = if lib.is_proc_macro() { Kind::Host } else { parent.kind };
        let unit = Unit {
            node,
            target: lib_index,
            mode: Mode::Build,
            kind,
            features: self.features.features(node, dep_for.features_for()),
            profile: self.dep_profile(node, dep_for, kind),
        };
        (self.intern(unit), dep_for)
    }

    /// The name a package uses for a dependency: its rename (`-` → `_`) or the lib's crate name.
    /// Every declaration between the two packages must agree.
    fn extern_crate_name(&self, from: usize, edge: &Edge, lib: &Target) -> Result<String> {
        let node = &self.graph.nodes[from];
        // The declarations in cargo's resolve: optional ones only when activated, dev ones only
        // for the resolve's roots; every platform counts.
        let lib_name = lib.crate_name();
        let mut name: Option<String> = None;
        // Any other names than the first: an error.
        let mut others: BTreeSet<String> = BTreeSet::new();
        let decls = edge
            .decls
            .iter()
            .map(|&i| &node.package.dependencies[i])
            .filter(|d| d.kind != DepKind::Development || self.features.has_dev_deps(from))
            .filter(|d| {
                !d.optional
                    || [FeaturesFor::NormalOrDev, FeaturesFor::HostDep].iter().any(|&fk| self.features.is_dep_activated(from, fk, &d.name_in_toml))
            });
        for d in decls {
            let this = if d.explicit_rename { std::borrow::Cow::Owned(d.name_in_toml.replace('-', "_")) } else { std::borrow::Cow::Borrowed(&lib_name) };
            match &name {
                None => name = Some(this.into_owned()),
                Some(first) if *first == *this => {}
                Some(_) => {
                    others.insert(this.into_owned());
                }
            }
        }
        if !others.is_empty() {
            others.extend(name);
            let names: Vec<String> = others.into_iter().collect();
            return Err(Error::new(format!(
                "package `{} {}` depends on `{}` under different names ({}); use one name in all its dependency tables",
                node.package.name,
                node.package.version,
                self.graph.package(edge.to).name,
                names.join(", ")
            )));
        }
        Ok(name.unwrap_or(lib_name))
    }

    /// Features a target's `required-features` may name: the package's own and `dep/feat` of its
    /// dependencies (cargo's `resolve_all_features`).
    fn all_features(&self, node: usize) -> BTreeSet<String> {
        let mut out: BTreeSet<String> = self.features.features(node, FeaturesFor::NormalOrDev).iter().cloned().collect();
        let n = &self.graph.nodes[node];
        for edge in &n.deps {
            let is_proc_macro = self.graph.package(edge.to).is_proc_macro();
            for &i in &edge.decls {
                let d = &n.package.dependencies[i];
                if d.kind == DepKind::Development && !self.features.has_dev_deps(node) {
                    continue;
                }
                let fk = if is_proc_macro || d.kind == DepKind::Build { FeaturesFor::HostDep } else { FeaturesFor::NormalOrDev };
                for f in self.features.features(edge.to, fk).iter() {
                    out.insert(format!("{}/{f}", d.name_in_toml));
                }
            }
        }
        out
    }

    /// A build script run depends on the runs of the build scripts of the packages with `links`
    /// that its package depends on (not through dev-dependencies).
    fn connect_run_custom_build_deps(&mut self) {
        let mut reverse: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
        for (parent, deps) in self.out.deps.iter().enumerate() {
            for d in deps {
                if self.out.units[d.unit].mode == Mode::RunCustomBuild {
                    reverse.entry(d.unit).or_default().insert(parent);
                }
            }
        }
        let mut additions: Vec<(usize, UnitDep)> = Vec::new();
        for (&run, parents) in &reverse {
            let run_node = self.out.units[run].node;
            let mut to_add = BTreeSet::new();
            for &parent in parents {
                for sibling in &self.out.deps[parent] {
                    let su = &self.out.units[sibling.unit];
                    if su.node == run_node || !self.target(sibling.unit).is_linkable() || self.graph.package(su.node).links.is_none() {
                        continue;
                    }
                    if self.dev_edges.contains(&(parent, sibling.unit)) {
                        continue;
                    }
                    if let Some(other_run) = self.out.deps[sibling.unit].iter().find(|d| self.out.units[d.unit].mode == Mode::RunCustomBuild) {
                        to_add.insert(other_run.clone());
                    }
                }
            }
            for d in to_add {
                additions.push((run, d));
            }
        }
        for (run, d) in additions {
            if !self.out.deps[run].contains(&d) {
                self.out.deps[run].push(d);
            }
        }
    }
}
