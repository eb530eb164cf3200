//! A package's `[features]` table as written: each entry parsed ([`FeatureValue`]), the implicit
//! feature of each optional dependency added, and the table checked as cargo checks it when it
//! reads a manifest. Resolving which features are on is `resolve::features`.

use std::collections::BTreeMap;

use rustc_hash::FxHashSet as FastSet;


/// A dependency declaration as the feature table sees it: its key and whether it is optional.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DeclaredDep<'a> {
    /// The key in its dependency table: the name features use.
    pub(crate) name_in_toml: &'a str,
    pub(crate) optional: bool,
}

/// One entry of a `[features]` list or of `--features`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum FeatureValue {
    /// A feature of this package.
    Feature(String),
    /// `dep:NAME`: activates the optional dependency only.
    Dep(String),
    /// `NAME/FEAT` or, weak, `NAME?/FEAT`.
    DepFeature { dep_name: String, dep_feature: String, weak: bool },
}

impl FeatureValue {
    pub(crate) fn new(s: &str) -> FeatureValue {
        if let Some((dep, feat)) = s.split_once('/') {
            let (dep_name, weak) = match dep.strip_suffix('?') {
                Some(d) => (d, true),
                None => (dep, false),
            };
            FeatureValue::DepFeature { dep_name: dep_name.to_string(), dep_feature: feat.to_string(), weak }
        } else if let Some(dep) = s.strip_prefix("dep:") {
            FeatureValue::Dep(dep.to_string())
        } else {
            FeatureValue::Feature(s.to_string())
        }
    }
}

/// A package's feature map: `[features]` plus an implicit feature per optional dependency that
/// no `dep:` names.
pub(crate) fn feature_map(features: &BTreeMap<String, Vec<String>>, dependencies: &[DeclaredDep<'_>]) -> BTreeMap<String, Vec<FeatureValue>> {
    let mut map: BTreeMap<String, Vec<FeatureValue>> =
        features.iter().map(|(k, v)| (k.clone(), v.iter().map(|s| FeatureValue::new(s)).collect())).collect();
    let explicit_dep: FastSet<&str> = features.values().flatten().filter_map(|s| s.strip_prefix("dep:")).collect();
    for dep in dependencies.iter().filter(|d| d.optional) {
        let name = dep.name_in_toml;
        if !explicit_dep.contains(name) && !map.contains_key(name) {
            map.insert(name.to_string(), vec![FeatureValue::Dep(name.to_string())]);
        }
    }
    map
}

/// Checks a package's `[features]` table as cargo does when it reads a manifest (`map` is its
/// `feature_map`, which holds each list parsed, in order); the error says which feature is wrong
/// and how.
pub(crate) fn validate_feature_table(features: &BTreeMap<String, Vec<String>>, map: &BTreeMap<String, Vec<FeatureValue>>, dependencies: &[DeclaredDep<'_>]) -> std::result::Result<(), String> {
    fn named<'d>(dependencies: &'d [DeclaredDep<'d>], name: &'d str) -> impl Iterator<Item = &'d DeclaredDep<'d>> {
        dependencies.iter().filter(move |d| d.name_in_toml == name)
    }
    for (feature, raws) in features {
        for (raw, value) in raws.iter().zip(&map[feature]) {
            match value {
                FeatureValue::Feature(f) => {
                    if !map.contains_key(f) {
                        return Err(match named(dependencies, f).next() {
                            None => format!("feature `{feature}` includes `{f}`, which is neither a dependency nor another feature"),
                            Some(d) if d.optional => format!("feature `{feature}` includes `{f}`, an optional dependency without an implicit feature; write `dep:{f}`"),
                            Some(_) => format!("feature `{feature}` includes `{f}`, but `{f}` is not an optional dependency; add `optional = true` to it"),
                        });
                    }
                }
                FeatureValue::Dep(d) => {
                    if named(dependencies, d).next().is_none() {
                        return Err(format!("feature `{feature}` includes `{raw}`, but `{d}` is not a dependency"));
                    }
                    if !named(dependencies, d).any(|x| x.optional) {
                        return Err(format!("feature `{feature}` includes `{raw}`, but `{d}` is not an optional dependency; add `optional = true` to it"));
                    }
                }
                FeatureValue::DepFeature { dep_name, dep_feature, weak } => {
                    if dep_feature.contains('/') {
                        return Err(format!("feature `{feature}` includes `{raw}`, which has more than one `/`"));
                    }
                    if dep_name.starts_with("dep:") {
                        return Err(format!("feature `{feature}` includes `{raw}`, with both `dep:` and `/`; remove the `dep:`"));
                    }
                    if named(dependencies, dep_name).next().is_none() {
                        return Err(format!("feature `{feature}` includes `{raw}`, but `{dep_name}` is not a dependency"));
                    }
                    if *weak && !named(dependencies, dep_name).any(|x| x.optional) {
                        return Err(format!("feature `{feature}` includes `{raw}` with a `?`, but `{dep_name}` is not an optional dependency; remove the `?`"));
                    }
                }
            }
        }
    }
    // Every optional dependency must be reachable: through `dep:NAME`, a strong `NAME/FEAT`, a
    // feature list naming it, or a feature of its name (its implicit one included).
    let reaches: FastSet<&str> = features
        .keys()
        .flat_map(|f| &map[f])
        .filter_map(|value| match value {
            FeatureValue::Dep(name) | FeatureValue::DepFeature { dep_name: name, weak: false, .. } | FeatureValue::Feature(name) => Some(name.as_str()),
            FeatureValue::DepFeature { weak: true, .. } => None,
        })
        .collect();
    if let Some(d) = dependencies.iter().find(|d| d.optional && !reaches.contains(d.name_in_toml) && !map.contains_key(d.name_in_toml)) {
        return Err(format!("optional dependency `{}` is not included in any feature; add `dep:{}` to one in [features]", d.name_in_toml, d.name_in_toml));
    }
    Ok(())
}

/// Whether the list of `feature` in `map` names `feature` itself (`default = ["default"]`): cargo
/// refuses to activate such a feature ("cyclic feature dependency"). A longer loop (`a = ["b"]`,
/// `b = ["a"]`) is accepted, as by cargo.
pub(crate) fn includes_itself(map: &BTreeMap<String, Vec<FeatureValue>>, feature: &str) -> bool {
    map.get(feature).is_some_and(|fvs| fvs.iter().any(|fv| matches!(fv, FeatureValue::Feature(f) if f == feature)))
}

/// The error for a feature that `includes_itself`.
pub(crate) fn cyclic_feature_error(feature: &str) -> String {
    format!("cyclic feature dependency: feature `{feature}` includes itself; remove `{feature}` from its own list in [features]")
}
