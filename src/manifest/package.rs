//! A manifest normalized into a [`Package`]: workspace inheritance applied, dependency
//! declarations resolved to their sources, targets discovered, the feature table and lints
//! checked.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use semver::VersionReq;

use crate::error::{Error, Result};
use crate::manifest::features::{self, DeclaredDep, FeatureValue};
use crate::manifest::{lints, names};
use crate::manifest::platform::Platform;
use crate::manifest::schema::{Inheritable, RawDependency, RawDetailedDependency, RawManifest, RawPackage, StringOrBool};
use crate::manifest::targets::{self, PackageFiles, Target};
use crate::source_id::GitReference;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum DepKind {
    Normal,
    Development,
    Build,
}

/// Where a dependency declaration points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DepSource {
    /// A registry: `None` is crates.io or a `registry = "name"` whose index is in cargo's config;
    /// `Some` is a published manifest's `registry-index`.
    Registry(Option<String>),
    Git { url: String, reference: GitReference },
    /// Absolute (joined to the declaring manifest's directory), normalized.
    Path(PathBuf),
}

/// One dependency declaration (one key in one dependency table).
#[derive(Debug, Clone)]
pub(crate) struct Dependency {
    /// The package name depended on (`package = …`, else the key).
    pub(crate) package_name: String,
    /// The key in the table: the name used in features and, with `-` → `_`, the extern name.
    pub(crate) name_in_toml: String,
    pub(crate) explicit_rename: bool,
    pub(crate) req: Option<VersionReq>,
    pub(crate) kind: DepKind,
    pub(crate) optional: bool,
    /// The `features` it asks for, parsed.
    pub(crate) features: Vec<FeatureValue>,
    pub(crate) default_features: bool,
    pub(crate) platform: Option<Platform>,
    pub(crate) source: DepSource,
}

impl Dependency {
    /// A dev-dependency is not transitive: it only applies to tests, examples and benches.
    pub(crate) fn is_transitive(&self) -> bool {
        self.kind != DepKind::Development
    }
}

/// The values of `CARGO_PKG_*`.
#[derive(Debug, Clone, Default)]
pub(crate) struct PackageMetadata {
    pub(crate) authors: Vec<String>,
    pub(crate) description: Option<String>,
    pub(crate) homepage: Option<String>,
    pub(crate) repository: Option<String>,
    pub(crate) license: Option<String>,
    pub(crate) license_file: Option<String>,
    pub(crate) rust_version: Option<String>,
    pub(crate) readme: Option<String>,
}

/// The package's `include` and `exclude` lists: gitignore-style patterns, relative to the
/// package root, that decide which of its files belong to it (what `cargo package` packs).
#[derive(Debug, Clone, Default)]
pub(crate) struct PackageFileRules {
    pub(crate) include: Vec<String>,
    pub(crate) exclude: Vec<String>,
}

/// A package manifest, normalized: inheritance applied, targets discovered.
#[derive(Debug, Clone)]
pub(crate) struct Package {
    pub(crate) name: String,
    pub(crate) version: semver::Version,
    pub(crate) edition: String,
    pub(crate) links: Option<String>,
    /// `default-run`: the bin `cargo run` runs when the package has several.
    pub(crate) default_run: Option<String>,
    pub(crate) metadata: PackageMetadata,
    pub(crate) dependencies: Vec<Dependency>,
    /// `[features]` as the resolver reads them, with the implicit feature of each optional
    /// dependency no `dep:` names (`features::feature_map`).
    pub(crate) feature_map: BTreeMap<String, Vec<FeatureValue>>,
    pub(crate) targets: Vec<Target>,
    /// What its `[lints]` add to every compiler run (`lints::rustc_args`).
    pub(crate) lint_args: lints::LintArgs,
    /// Which files of its directory belong to it (`include`, `exclude`).
    pub(crate) file_rules: PackageFileRules,
}

impl Package {
    pub(crate) fn lib(&self) -> Option<&Target> {
        self.targets.iter().find(|t| t.is_lib())
    }

    pub(crate) fn is_proc_macro(&self) -> bool {
        self.lib().is_some_and(|t| t.is_proc_macro())
    }

    pub(crate) fn build_script(&self) -> Option<&Target> {
        self.targets.iter().find(|t| t.is_custom_build())
    }
}

/// What a member manifest may inherit: the root's `[workspace.package]` and
/// `[workspace.dependencies]`, with the root's directory for relative paths.
pub(crate) struct Inheritance<'a> {
    pub(crate) root_dir: &'a Path,
    pub(crate) root_manifest: &'a Path,
    pub(crate) package: Option<&'a RawPackage>,
    pub(crate) dependencies: &'a BTreeMap<String, RawDependency>,
    pub(crate) lints: Option<&'a lints::LintTables>,
}

/// Normalizes a raw `[package]` manifest found at `manifest_path`, whose package directory's
/// files are `files`.
pub(crate) fn normalize(
    raw: &RawManifest,
    manifest_path: &Path,
    files: &dyn PackageFiles,
    inheritance: Option<&Inheritance<'_>>,
) -> Result<Package> {
    let err = |msg: String| Error::in_file(manifest_path, msg);
    let pkg = raw.package.as_ref().ok_or_else(|| err("no [package] section".into()))?;
    let name = pkg.name.clone().ok_or_else(|| err("[package] has no `name`".into()))?;
    names::check_package_name(&name).map_err(err)?;
    if let Some(bad) = raw.features.keys().find_map(|f| names::check_feature_name(f).err()) {
        return Err(err(format!("package `{name}`: {bad}")));
    }
    let inherited_package = || {
        inheritance.and_then(|i| i.package).ok_or_else(|| {
            err(format!("package `{name}` inherits a field with `workspace = true` but no [workspace.package] defines it; add it to the workspace root's Cargo.toml"))
        })
    };
    macro_rules! field {
        ($field:ident) => {
            match &pkg.$field {
                None => None,
                Some(Inheritable::Value(v)) => Some(v.clone()),
                Some(Inheritable::Workspace) => match inherited_package()?.$field.clone() {
                    Some(Inheritable::Value(v)) => Some(v),
                    _ => {
                        return Err(err(format!(
                            "package `{name}` inherits `{}` from the workspace, but [workspace.package] does not set it",
                            stringify!($field)
                        )))
                    }
                },
            }
        };
    }
    let version_text = field!(version).unwrap_or_else(|| "0.0.0".to_string());
    let version = semver::Version::parse(&version_text)
        .map_err(|e| err(format!("package `{name}` has an invalid version `{version_text}` ({e})")))?;
    let edition = field!(edition).unwrap_or_else(|| "2015".to_string());
    if !matches!(edition.as_str(), "2015" | "2018" | "2021" | "2024") {
        return Err(err(format!("package `{name}` has an unknown edition `{edition}`")));
    }
    // `readme` and `license-file` inherited from [workspace.package] are relative to the
    // workspace root; cargo makes them relative to the package (`../../README.md`).
    let package_dir = manifest_path.parent().unwrap_or(Path::new("."));
    let rebase = |inherited: bool, path: String| match inheritance {
        Some(i) if inherited => relative_outside(package_dir, &normalize_path(&i.root_dir.join(&path))),
        _ => path,
    };
    let readme_inherited = matches!(pkg.readme, Some(Inheritable::Workspace));
    let license_file_inherited = matches!(pkg.license_file, Some(Inheritable::Workspace));
    let readme = match field!(readme) {
        // Cargo defaults `readme` to a README file next to the manifest.
        None => ["README.md", "README.txt", "README"].iter().find(|f| files.contains(f)).map(|f| f.to_string()),
        Some(StringOrBool::Bool(false)) => None,
        Some(StringOrBool::Bool(true)) => Some("README.md".to_string()),
        Some(StringOrBool::String(s)) => Some(rebase(readme_inherited, s)),
    };
    let metadata = PackageMetadata {
        authors: field!(authors).unwrap_or_default(),
        description: field!(description),
        homepage: field!(homepage),
        repository: field!(repository),
        license: field!(license),
        license_file: field!(license_file).map(|f| rebase(license_file_inherited, f)),
        rust_version: field!(rust_version),
        readme,
    };

    let mut dependencies = Vec::new();
    let mut add_table = |table: &BTreeMap<String, RawDependency>, kind: DepKind, platform: Option<&String>| -> Result<()> {
        let platform = match platform {
            Some(p) => Some(Platform::parse(p).map_err(|e| err(format!("invalid `[target.{p}]`: {e}")))?),
            None => None,
        };
        for (key, raw_dep) in table {
            dependencies.push(normalize_dependency(key, raw_dep, kind, platform.clone(), package_dir, inheritance, manifest_path, &name)?);
        }
        Ok(())
    };
    add_table(&raw.dependencies, DepKind::Normal, None)?;
    add_table(&raw.dev_dependencies, DepKind::Development, None)?;
    add_table(&raw.build_dependencies, DepKind::Build, None)?;
    for (platform, tables) in &raw.target {
        add_table(&tables.dependencies, DepKind::Normal, Some(platform))?;
        add_table(&tables.dev_dependencies, DepKind::Development, Some(platform))?;
        add_table(&tables.build_dependencies, DepKind::Build, Some(platform))?;
    }

    same_source_for_each_name(&dependencies).map_err(|m| err(format!("package `{name}`: {m}")))?;

    let targets = targets::discover(raw, pkg, &name, &edition, files).map_err(|m| err(format!("package `{name}`: {m}")))?;
    // The README and targets came from the file names: a `.crate` may have failed to give them.
    if let Some(e) = files.error() {
        return Err(Error::new(e.to_string()));
    }
    let lint_args = lints::rustc_args(raw.lints.as_ref(), inheritance.and_then(|i| i.lints)).map_err(|m| err(format!("package `{name}`: {m}")))?;
    let declared: Vec<DeclaredDep<'_>> = dependencies.iter().map(|d| DeclaredDep { name_in_toml: &d.name_in_toml, optional: d.optional }).collect();
    let feature_map = features::feature_map(&raw.features, &declared);
    features::validate_feature_table(&raw.features, &feature_map, &declared).map_err(|m| err(format!("package `{name}`: {m}")))?;
    let file_rules = PackageFileRules { include: field!(include).unwrap_or_default(), exclude: field!(exclude).unwrap_or_default() };
    let package = Package { name, version, edition, links: pkg.links.clone(), default_run: pkg.default_run.clone(), metadata, dependencies, feature_map, targets, lint_args, file_rules };
    if package.links.is_some() && package.build_script().is_none() {
        return Err(err(format!(
            "package `{}` specifies `links = \"{}\"` but has no build script; add a build.rs or remove `links`",
            package.name,
            package.links.as_deref().unwrap_or_default()
        )));
    }
    Ok(package)
}

/// Cargo requires every declaration of one dependency name (in any table, for any platform) to
/// have the same source; git URLs are compared in their canonical form, as cargo does.
fn same_source_for_each_name(dependencies: &[Dependency]) -> std::result::Result<(), String> {
    let same = |a: &DepSource, b: &DepSource| match (a, b) {
        (DepSource::Git { url: u, reference: r }, DepSource::Git { url: v, reference: s }) => {
            r == s && (u == v || crate::source_id::canonical_url(u) == crate::source_id::canonical_url(v))
        }
        _ => a == b,
    };
    // A package declares a handful of dependencies: the earlier ones are searched.
    for (i, d) in dependencies.iter().enumerate() {
        if let Some(first) = dependencies[..i].iter().find(|e| e.name_in_toml == d.name_in_toml && !same(&e.source, &d.source)) {
            return Err(format!(
                "dependency `{}` has different sources in different tables or platforms ({} and {}); give every declaration of it the same source",
                d.name_in_toml,
                describe(&first.source),
                describe(&d.source)
            ));
        }
    }
    Ok(())
}

/// A dependency source in words, for errors.
fn describe(source: &DepSource) -> String {
    match source {
        DepSource::Registry(None) => "a registry".to_string(),
        DepSource::Registry(Some(index)) => format!("registry {index}"),
        DepSource::Git { url, .. } => format!("git {url}"),
        DepSource::Path(p) => format!("path {}", p.display()),
    }
}

#[allow(clippy::too_many_arguments)]
fn normalize_dependency(
    key: &str,
    raw: &RawDependency,
    kind: DepKind,
    platform: Option<Platform>,
    package_dir: &Path,
    inheritance: Option<&Inheritance<'_>>,
    manifest_path: &Path,
    package_name: &str,
) -> Result<Dependency> {
    let err = |msg: String| Error::in_file(manifest_path, format!("package `{package_name}`, dependency `{key}`: {msg}"));
    // The key, and a `package =` rename's value, are package names to cargo.
    let check_name = |name: &str| names::check_package_name(name).map_err(|m| err(m.replace("rename the package", "fix the name")));
    check_name(key)?;
    let mut d = match raw {
        RawDependency::Version(v) => std::borrow::Cow::Owned(RawDetailedDependency { version: Some(v.clone()), ..Default::default() }),
        RawDependency::Detailed(d) => std::borrow::Cow::Borrowed(&**d),
    };
    let mut base_dir = package_dir;
    if d.workspace == Some(false) {
        return Err(err("`workspace` cannot be false; remove it, or set it to true to inherit the dependency from [workspace.dependencies]".into()));
    }
    if kind == DepKind::Development && d.optional == Some(true) {
        return Err(err("dev-dependencies cannot be optional; remove `optional = true`".into()));
    }
    if d.workspace == Some(true) {
        let inh = inheritance.ok_or_else(|| err("`workspace = true` but the package is not in a workspace".into()))?;
        let ws = inh.dependencies.get(key).ok_or_else(|| {
            Error::in_file(
                manifest_path,
                format!("package `{package_name}` inherits dependency `{key}`, but `[workspace.dependencies]` of {} has no `{key}`; add it there", inh.root_manifest.display()),
            )
        })?;
        let mut w = ws.detailed();
        // The member may add features and make it optional; the rest comes from the workspace.
        w.features.extend(d.features.iter().cloned());
        w.optional = d.optional;
        // A member can turn default features back on, never off (cargo ignores that, warning).
        if d.default_features == Some(true) {
            w.default_features = Some(true);
        }
        d = std::borrow::Cow::Owned(w);
        base_dir = inh.root_dir;
    }
    let package_name_dep = d.package.clone().unwrap_or_else(|| key.to_string());
    check_name(&package_name_dep)?;
    let req = match &d.version {
        Some(v) => Some(VersionReq::parse(v).map_err(|e| err(format!("invalid version requirement `{v}` ({e})")))?),
        None => None,
    };
    let source = if let Some(path) = &d.path {
        DepSource::Path(normalize_path(&base_dir.join(path)))
    } else if let Some(url) = &d.git {
        let reference = if let Some(b) = &d.branch {
            GitReference::Branch(b.clone())
        } else if let Some(t) = &d.tag {
            GitReference::Tag(t.clone())
        } else if let Some(r) = &d.rev {
            GitReference::Rev(r.clone())
        } else {
            GitReference::DefaultBranch
        };
        DepSource::Git { url: url.clone(), reference }
    } else {
        DepSource::Registry(d.registry_index.clone())
    };
    Ok(Dependency {
        package_name: package_name_dep,
        name_in_toml: key.to_string(),
        explicit_rename: d.package.is_some(),
        req,
        kind,
        optional: d.optional.unwrap_or(false),
        features: d.features.iter().map(|f| FeatureValue::new(f)).collect(),
        default_features: d.default_features.unwrap_or(true),
        platform,
        source,
    })
}

/// Dependencies declared in `[patch.*]` and `[replace]` tables (path ones matter for finding
/// path packages).
pub(crate) fn override_dependencies(raw: &RawManifest, manifest_path: &Path) -> Result<Vec<Dependency>> {
    let dir = manifest_path.parent().unwrap_or(Path::new("."));
    let mut out = Vec::new();
    let tables = raw.patch.values().flat_map(|t| t.iter()).chain(raw.replace.iter());
    for (key, raw_dep) in tables {
        let key = key.split(':').next().unwrap_or(key);
        out.push(normalize_dependency(key, raw_dep, DepKind::Normal, None, dir, None, manifest_path, "[patch]")?);
    }
    Ok(out)
}

/// Removes `.` and `..` components without touching the filesystem.
pub(crate) fn normalize_path(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// `path` relative to `base` when it lies outside it (`../x`).
pub(crate) fn relative_outside(base: &Path, path: &Path) -> String {
    let base: Vec<_> = base.components().collect();
    let path_c: Vec<_> = path.components().collect();
    let common = base.iter().zip(&path_c).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = std::iter::repeat_n("..".to_string(), base.len() - common).collect();
    parts.extend(path_c[common..].iter().map(|c| c.as_os_str().to_string_lossy().into_owned()));
    parts.join("/")
}

/// `v` as semver writes it (`MAJOR.MINOR.PATCH[-PRE][+BUILD]`), without the formatting machinery.
pub(crate) fn version_string(v: &semver::Version) -> String {
    let mut out = String::with_capacity(16);
    for (i, number) in [v.major, v.minor, v.patch].into_iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        push_decimal(&mut out, number);
    }
    if !v.pre.is_empty() {
        out.push('-');
        out.push_str(v.pre.as_str());
    }
    if !v.build.is_empty() {
        out.push('+');
        out.push_str(v.build.as_str());
    }
    out
}

fn push_decimal(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&digits[at..]).expect("ASCII digits"));
}
