//! `crateplan explain`: why a package, or one of its features, is in the build of one target —
//! for each of its units the shortest chain from a workspace member, each step the dependency
//! declaration (or feature activation) that makes it; and, for a package that is not built, why
//! each declaration of it is inactive. It reads the workspace and resolves exactly as `generate`.

use std::collections::{BTreeSet, VecDeque};

use serde_json::{json, Value};

use crate::error::{Error, Result};
use crate::generate::Loaded;
use crate::load::remote::Location;
use crate::manifest::features::FeatureValue;
use crate::manifest::platform::Platform;
use crate::manifest::{DepKind, Dependency};
use crate::resolve::features::{FeaturesFor, Platforms, ResolvedFeatures};
use crate::resolve::spec::PackageIdSpec;
use crate::resolve::units::{Intent, Kind, Mode, Unit, UnitGraph};

/// What to explain.
pub struct Question<'a> {
    /// A package spec as `-p` takes it.
    pub spec: &'a str,
    /// A feature of that package, to explain instead of the package.
    pub feature: Option<&'a str>,
    pub triple: &'a str,
    pub intent: Intent,
}

/// The answer, as JSON (`--format json`); [`to_text`] prints it for people.
pub fn explain(loaded: &Loaded, q: &Question<'_>) -> Result<Value> {
    let graph = &loaded.graph;
    let spec = PackageIdSpec::parse(q.spec);
    let nodes: Vec<usize> = (0..graph.nodes.len())
        .filter(|&n| spec.matches(&graph.package(n).name, &graph.package(n).version, graph.nodes[n].is_member))
        .collect();
    if nodes.is_empty() {
        return Err(Error::new(format!(
            "package `{}` is not in {}; name a package of the lockfile (`name`, `name@version`)",
            q.spec,
            loaded.ws.relative(&loaded.lock_path)
        )));
    }
    let target = loaded.target_info(q.triple)?;
    let platforms = Platforms { target: &target, host: &loaded.host };
    let (resolved, units) = loaded.resolve(&target, q.intent)?;
    let cx = Cx { loaded, resolved: &resolved, units: &units, platforms: &platforms };
    let parents = cx.shortest_paths();
    let mut out = Vec::new();
    for &node in &nodes {
        let mut found = Vec::new();
        for (u, unit) in units.units.iter().enumerate() {
            if unit.node != node || parents[u].is_none() {
                continue;
            }
            let entry = match q.feature {
                None => json!({ "unit": cx.unit_label(u), "features": &*unit.features, "chain": cx.package_chain(&parents, u) }),
                Some(f) if unit.features.iter().any(|x| x == f) => {
                    json!({ "unit": cx.unit_label(u), "feature": f, "chain": cx.feature_chain(&parents, u, f) })
                }
                Some(_) => continue,
            };
            found.push(entry);
        }
        let id = cx.package_id(node);
        let mut answer = json!({ "package": id, "target": q.triple, "tests": q.intent == Intent::Test, "units": found });
        if found_is_empty(&answer) {
            answer["inactive"] = json!(match q.feature {
                None => cx.why_not_built(node),
                Some(f) => cx.why_feature_off(node, f),
            });
        }
        out.push(answer);
    }
    Ok(json!(out))
}

fn found_is_empty(answer: &Value) -> bool {
    answer["units"].as_array().is_none_or(|a| a.is_empty())
}

/// The answer as text: one block per package, one chain per unit.
pub fn to_text(answer: &Value) -> String {
    let mut s = String::new();
    for pkg in answer.as_array().into_iter().flatten() {
        let units = pkg["units"].as_array().cloned().unwrap_or_default();
        if units.is_empty() {
            s += &format!("{} is not built for {}:\n", pkg["package"].as_str().unwrap_or(""), pkg["target"].as_str().unwrap_or(""));
            for why in pkg["inactive"].as_array().into_iter().flatten() {
                s += &format!("  {}\n", why.as_str().unwrap_or(""));
            }
            continue;
        }
        for u in units {
            match u["feature"].as_str() {
                Some(f) => s += &format!("feature `{f}` of {}\n", u["unit"].as_str().unwrap_or("")),
                None => s += &format!("{}\n", u["unit"].as_str().unwrap_or("")),
            }
            for step in u["chain"].as_array().into_iter().flatten() {
                s += &format!("  {}\n", step.as_str().unwrap_or(""));
            }
        }
    }
    s
}

struct Cx<'a> {
    loaded: &'a Loaded,
    resolved: &'a ResolvedFeatures,
    units: &'a UnitGraph,
    platforms: &'a Platforms<'a>,
}

impl Cx<'_> {
    /// Breadth-first from the roots: each reached unit's parent on a shortest path (a root is its
    /// own parent). Dependencies are visited in the graph's order, so the answer is deterministic.
    fn shortest_paths(&self) -> Vec<Option<usize>> {
        let mut parent = vec![None; self.units.units.len()];
        let mut queue = VecDeque::new();
        let mut roots = self.units.roots.clone();
        roots.sort_by_key(|&r| &self.units.units[r]);
        for r in roots {
            if parent[r].is_none() {
                parent[r] = Some(r);
                queue.push_back(r);
            }
        }
        while let Some(u) = queue.pop_front() {
            for d in &self.units.deps[u] {
                if parent[d.unit].is_none() {
                    parent[d.unit] = Some(u);
                    queue.push_back(d.unit);
                }
            }
        }
        parent
    }

    fn path(&self, parents: &[Option<usize>], u: usize) -> Vec<usize> {
        let mut path = vec![u];
        let mut at = u;
        while let Some(p) = parents[at].filter(|&p| p != at) {
            path.push(p);
            at = p;
        }
        path.reverse();
        path
    }

    fn package_id(&self, node: usize) -> String {
        let p = self.loaded.graph.package(node);
        format!("{}@{}", p.name, p.version)
    }

    fn side(unit: &Unit) -> &'static str {
        if unit.kind == Kind::Host { "host" } else { "target" }
    }

    fn unit_label(&self, u: usize) -> String {
        let unit = &self.units.units[u];
        let t = &self.loaded.graph.package(unit.node).targets[unit.target];
        format!("{} {} {} ({} side)", self.package_id(unit.node), t.key(), unit.mode.as_str(), Self::side(unit))
    }

    /// The manifest a package's declarations are written in, as a user finds it.
    fn manifest(&self, node: usize) -> String {
        match &self.loaded.graph.nodes[node].location {
            Location::Path(dir) => self.loaded.ws.relative(&dir.join("Cargo.toml")),
            _ => format!("{}'s Cargo.toml", self.package_id(node)),
        }
    }

    /// Which side's features a unit has.
    fn features_for(&self, unit: &Unit) -> FeaturesFor {
        let normal = self.resolved.features(unit.node, FeaturesFor::NormalOrDev);
        if *normal == *unit.features { FeaturesFor::NormalOrDev } else { FeaturesFor::HostDep }
    }

    /// The declarations of `parent`'s package that make its edge to `child`, as cargo selects
    /// them for the parent's target (build script: build-dependencies; tests, examples and
    /// benches: dev-dependencies too).
    fn declarations(&self, parent: &Unit, child: &Unit) -> Vec<&Dependency> {
        let graph = &self.loaded.graph;
        let pnode = &graph.nodes[parent.node];
        let t = &pnode.package.targets[parent.target];
        let fk = self.features_for(parent);
        let kinds: &[DepKind] = if t.is_custom_build() {
            &[DepKind::Build]
        } else if parent.mode == Mode::Test || !(t.is_lib() || t.is_bin()) {
            &[DepKind::Normal, DepKind::Development]
        } else {
            &[DepKind::Normal]
        };
        pnode
            .deps
            .iter()
            .filter(|e| e.to == child.node)
            .flat_map(|e| e.decls.iter().map(|&i| &pnode.package.dependencies[i]))
            .filter(|d| kinds.contains(&d.kind))
            .filter(|d| self.platforms.dep_activated(d, parent.kind == Kind::Host))
            .filter(|d| !d.optional || self.resolved.is_dep_activated(parent.node, fk, &d.name_in_toml))
            .collect()
    }

    /// A declaration as a user finds it in the manifest: table, target key, rename, optional.
    fn declaration(&self, node: usize, d: &Dependency, enabled_by: Option<String>) -> String {
        let table = match d.kind {
            DepKind::Normal => "dependencies",
            DepKind::Development => "dev-dependencies",
            DepKind::Build => "build-dependencies",
        };
        let table = match &d.platform {
            None => format!("[{table}]"),
            Some(Platform::Name(t)) => format!("[target.{t}.{table}]"),
            Some(Platform::Cfg(e)) => format!("[target.'cfg({})'.{table}]", e.original()),
        };
        let mut s = format!("{table} {} in {}", d.name_in_toml, self.manifest(node));
        if d.explicit_rename {
            s += &format!(" (renamed from package `{}`)", d.package_name);
        }
        if d.optional {
            s += &match enabled_by {
                Some(f) => format!(", optional, enabled by {f}"),
                None => ", optional".to_string(),
            };
        }
        s
    }

    /// The feature of `node` (on side `fk`) that turns optional dependency `name` on.
    fn enabling_feature(&self, node: usize, fk: FeaturesFor, name: &str) -> Option<String> {
        let pkg = self.loaded.graph.package(node);
        let on = self.resolved.features(node, fk);
        on.iter()
            .find(|f| {
                pkg.feature_map.get(f.as_str()).is_some_and(|vs| {
                    vs.iter().any(|v| match v {
                        FeatureValue::Dep(d) => d == name,
                        FeatureValue::DepFeature { dep_name, weak, .. } => dep_name == name && !weak,
                        FeatureValue::Feature(_) => false,
                    })
                })
            })
            .map(|f| format!("feature `{f}` of {}", self.package_id(node)))
            .or_else(|| Some("the command line's --features".to_string()).filter(|_| self.loaded.graph.nodes[node].is_member))
    }

    /// One step of a chain: why `parent` depends on `child`.
    fn step(&self, parent: usize, child: usize) -> String {
        let (p, c) = (&self.units.units[parent], &self.units.units[child]);
        let arrow = format!("{} -> {}", self.unit_label(parent), self.unit_label(child));
        if p.node == c.node {
            return format!("{arrow}: the package's own target");
        }
        let decls = self.declarations(p, c);
        let fk = self.features_for(p);
        let why: Vec<String> = decls.iter().map(|d| self.declaration(p.node, d, self.enabling_feature(p.node, fk, &d.name_in_toml))).collect();
        if why.is_empty() {
            // A build script run depends on the runs of its dependencies' `links` build scripts.
            return format!("{arrow}: `links` metadata of a dependency's build script");
        }
        format!("{arrow}: {}", why.join("; "))
    }

    fn package_chain(&self, parents: &[Option<usize>], u: usize) -> Vec<String> {
        let path = self.path(parents, u);
        let mut steps = vec![format!("{} is a root (a selected workspace member)", self.unit_label(path[0]))];
        steps.extend(path.windows(2).map(|w| self.step(w[0], w[1])));
        steps
    }

    /// The features a root unit's member asks for on the command line (and `default`).
    fn requested(&self, node: usize) -> Vec<String> {
        let pkg = self.loaded.graph.package(node);
        let Some((_, cli)) = self.loaded.member_features.iter().find(|(m, _)| *m == node) else { return Vec::new() };
        if cli.all_features {
            return pkg.feature_map.keys().cloned().collect();
        }
        let mut out: Vec<String> = cli.features.iter().filter_map(|f| if let FeatureValue::Feature(f) = f { Some(f.clone()) } else { None }).collect();
        if cli.uses_default_features && pkg.feature_map.contains_key("default") {
            out.push("default".into());
        }
        out
    }

    /// The features a declaration turns on in `dep_node`, each with why: its `features` and,
    /// unless `default-features = false`, `default`.
    fn declared_features(&self, decl: &Dependency, dep_node: usize) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = decl
            .features
            .iter()
            .filter_map(|fv| if let FeatureValue::Feature(f) = fv { Some(f) } else { None })
            .map(|f| (f.clone(), format!("feature `{f}`: asked for in the declaration's `features`")))
            .collect();
        if decl.default_features && self.loaded.graph.package(dep_node).feature_map.contains_key("default") {
            out.push(("default".into(), "feature `default`: the declaration keeps default features".into()));
        }
        out
    }

    /// The shortest chain of feature activations that turns `feature` of unit `u` on: a search
    /// over (unit, feature) pairs that are on, from the roots' requested features, along
    /// `[features]` entries (`f`, `dep/f`, `dep?/f`) and declarations' `features` and defaults.
    fn feature_chain(&self, parents: &[Option<usize>], u: usize, feature: &str) -> Vec<String> {
        let graph = &self.loaded.graph;
        let on = |v: usize, f: &str| self.units.units[v].features.iter().any(|x| x == f);
        let mut seen: BTreeSet<(usize, String)> = BTreeSet::new();
        let mut queue: VecDeque<(usize, String, Vec<String>)> = VecDeque::new();
        for &r in &self.units.roots {
            for f in self.requested(self.units.units[r].node) {
                if on(r, &f) && seen.insert((r, f.clone())) {
                    let why = format!("feature `{f}` of {}: requested (command line or default)", self.unit_label(r));
                    queue.push_back((r, f, vec![why]));
                }
            }
        }
        let push = |seen: &mut BTreeSet<(usize, String)>, queue: &mut VecDeque<_>, v: usize, f: String, chain: &Vec<String>, why: String| {
            if on(v, &f) && seen.insert((v, f.clone())) {
                let mut c = chain.clone();
                c.push(why);
                queue.push_back((v, f, c));
            }
        };
        // Package activation: each declaration's `features` and `default`, along every edge.
        for (p, deps) in self.units.deps.iter().enumerate() {
            if parents[p].is_none() {
                continue;
            }
            for d in deps {
                let (pu, cu) = (&self.units.units[p], &self.units.units[d.unit]);
                if pu.node == cu.node {
                    continue;
                }
                for decl in self.declarations(pu, cu) {
                    let table = self.declaration(pu.node, decl, None);
                    let mut base = self.package_chain(parents, p);
                    base.push(format!("{} -> {}: {table}", self.unit_label(p), self.unit_label(d.unit)));
                    for (f, why) in self.declared_features(decl, cu.node) {
                        push(&mut seen, &mut queue, d.unit, f, &base, why);
                    }
                }
            }
        }
        // A proc-macro member is also resolved for the target side (for its tests and bins):
        // its normal dependencies' target-side features count, though no unit of it is there.
        for &(m, _) in &self.loaded.member_features {
            let pkg = graph.package(m);
            if !pkg.is_proc_macro() || self.loaded.ws.resolver == crate::load::workspace::ResolveBehavior::V1 {
                continue;
            }
            for e in &graph.nodes[m].deps {
                let decls = e.decls.iter().map(|&i| &pkg.dependencies[i]).filter(|d| d.kind == DepKind::Normal && !d.optional && self.platforms.dep_activated(d, false));
                for decl in decls {
                    let Some(v) = self.units.units.iter().position(|x| x.node == e.to && x.kind == Kind::Target && self.features_for(x) == FeaturesFor::NormalOrDev) else { continue };
                    let base = vec![format!(
                        "{} is a proc-macro member: cargo also resolves it for the target side, where it depends on {} through {}",
                        self.package_id(m),
                        self.unit_label(v),
                        self.declaration(m, decl, None)
                    )];
                    for (f, why) in self.declared_features(decl, e.to) {
                        push(&mut seen, &mut queue, v, f, &base, why);
                    }
                }
            }
        }
        while let Some((v, f, chain)) = queue.pop_front() {
            // The units of one package on one side share their features: any of them will do.
            let (reached, wanted) = (&self.units.units[v], &self.units.units[u]);
            if f == feature && reached.node == wanted.node && reached.features == wanted.features {
                return chain;
            }
            let unit = &self.units.units[v];
            let pkg = graph.package(unit.node);
            for fv in pkg.feature_map.get(&f).into_iter().flatten() {
                match fv {
                    FeatureValue::Feature(g) => {
                        push(&mut seen, &mut queue, v, g.clone(), &chain, format!("feature `{g}`: listed by `{f}` in [features] of {}", self.manifest(unit.node)));
                    }
                    FeatureValue::DepFeature { dep_name, dep_feature, weak } => {
                        for d in &self.units.deps[v] {
                            let cu = &self.units.units[d.unit];
                            if cu.node != unit.node && self.declarations(unit, cu).iter().any(|decl| decl.name_in_toml == *dep_name) {
                                let entry = format!("{dep_name}{}/{dep_feature}", if *weak { "?" } else { "" });
                                let why = format!("feature `{dep_feature}` of {}: `{entry}` in `{f}` of [features] of {}", self.unit_label(d.unit), self.manifest(unit.node));
                                push(&mut seen, &mut queue, d.unit, dep_feature.clone(), &chain, why);
                            }
                        }
                    }
                    FeatureValue::Dep(_) => {}
                }
            }
        }
        vec![format!("feature `{feature}` is on, but no activation chain was found (please report)")]
    }

    /// Why no unit of `node` is built: each declaration of it, in a package that is built, and
    /// why it is inactive.
    fn why_not_built(&self, node: usize) -> Vec<String> {
        let graph = &self.loaded.graph;
        let built: BTreeSet<usize> = self.units.units.iter().map(|u| u.node).collect();
        let mut out = Vec::new();
        for (from, n) in graph.nodes.iter().enumerate() {
            for e in n.deps.iter().filter(|e| e.to == node) {
                for &i in &e.decls {
                    let d = &n.package.dependencies[i];
                    let decl = self.declaration(from, d, None);
                    let why = if !built.contains(&from) {
                        format!("{} is not built itself", self.package_id(from))
                    } else if d.kind == DepKind::Development && (!self.resolved.has_dev_deps(from) || !n.is_member) {
                        "dev-dependency: only `--tests` builds it (and only for a selected member)".to_string()
                    } else if !self.platforms.dep_activated(d, false) {
                        format!("inactive target: `{}` does not match it", self.platforms.target.triple)
                    } else if d.optional {
                        "optional, and no active feature enables it".to_string()
                    } else {
                        "not reached from the selected members".to_string()
                    };
                    out.push(format!("{decl}: {why}"));
                }
            }
        }
        if out.is_empty() {
            out.push("nothing in the workspace declares it (it is only in Cargo.lock)".into());
        }
        out
    }

    /// Why `feature` of `node` is on in no unit: undeclared, or declared and not activated.
    fn why_feature_off(&self, node: usize, feature: &str) -> Vec<String> {
        let pkg = self.loaded.graph.package(node);
        if !pkg.feature_map.contains_key(feature) {
            let mut all: Vec<&str> = pkg.feature_map.keys().map(String::as_str).collect();
            all.sort();
            return vec![format!("{} declares no feature `{feature}`; its features are: {}", self.package_id(node), all.join(", "))];
        }
        if !self.units.units.iter().any(|u| u.node == node) {
            return self.why_not_built(node);
        }
        vec![format!("declared, but no built package, [features] entry or command-line flag turns it on for {} (resolver {} keeps host and target features apart)", self.platforms.target.triple, self.loaded.ws.resolver.as_str())]
    }
}
