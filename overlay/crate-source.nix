# crateSource :: { workspaceSrc, packages, fetchCrate } -> package -> { src, sourceRoot, … }
#
# Where a package of the plan (docs/plan-schema.md) is unpacked from, for stdenv's unpackPhase:
# - registry: its `.crate`, downloaded by `fetchCrate` (already given its `crateUrl`) and checked
#   against the lock's checksum; sourceRoot `<name>-<version>`;
# - git: the checkout of its revision (fetchGitCheckout), or the subdirectory holding the package;
# - path: the workspace tree holding what the package may read — its own directory, and every file
#   that belongs to no other package (a shared README, .proto files …), so
#   `include_str!("../../README.md")` works as under cargo. Left out: the directories of other
#   path packages (editing them does not rebuild this one), the code of enclosing packages (their
#   src/, tests/, examples/, benches/, build.rs), `target/` and `.git` at the workspace or a
#   package root, and `result*` links. `packageDir` is the package's directory in that tree
#   ("" for the workspace root).
{ lib, fetchGitCheckout }:
{ workspaceSrc, packages, fetchCrate }:
let
  inherit (lib) hasPrefix removePrefix;

  # Directories of the path packages, relative to the workspace root ("" for the root itself).
  normaliseDir = dir: if dir == "." || dir == "./" then "" else removePrefix "./" dir;
  pathPackageDirs = map (p: normaliseDir p.source.path)
    (builtins.filter (p: p.source.type == "path") (builtins.attrValues packages));

  pathSource = pkg:
    let
      dir = normaliseDir pkg.source.path;
      # workspaceSrc: a path (./.), or a store path such as a flake's `self` or a fetched source.
      base = if builtins.isPath workspaceSrc then workspaceSrc else "${workspaceSrc}";
      baseString = toString base;
      inside = d: rel: d == "" || rel == d || hasPrefix "${d}/" rel;
      enclosing = d: d != dir && inside d dir;
      others = builtins.filter (d: d != dir && !(enclosing d)) pathPackageDirs;
      codeOf = d: map (sub: if d == "" then sub else "${d}/${sub}") [ "src" "tests" "examples" "benches" "build.rs" ];
      excluded = builtins.concatMap codeOf (builtins.filter enclosing pathPackageDirs)
        ++ builtins.concatMap (d: map (sub: if d == "" then sub else "${d}/${sub}") [ "target" ".git" ])
          ([ "" ] ++ pathPackageDirs);
      keep = path: type:
        let rel = removePrefix "${baseString}/" (toString path); in
        !(builtins.elem rel excluded)
        && !(builtins.any (d: inside d rel) others)
        && !(type == "symlink" && hasPrefix "result" (baseNameOf rel));
      name = "${pkg.name}-${pkg.version}-source";
    in
    {
      src = builtins.path { path = base; inherit name; filter = keep; };
      sourceRoot = if dir == "" then name else "${name}/${dir}";
      packageDir = dir;
    };

  gitSource = pkg:
    let
      checkout = fetchGitCheckout {
        inherit (pkg) name version;
        inherit (pkg.source) url rev;
        branch = pkg.source.reference.branch or null;
      };
    in
    {
      src = if pkg.source.subdir == "" then checkout else "${checkout}/${pkg.source.subdir}";
      sourceRoot = null;
    };
in
pkg:
if pkg.source.type == "registry" then {
  src = fetchCrate { inherit (pkg) name version; inherit (pkg.source) registry checksum; };
  sourceRoot = "${pkg.name}-${pkg.version}";
}
else if pkg.source.type == "git" then gitSource pkg
else if pkg.source.type == "path" then pathSource pkg
else throw "makePackageSet: unknown source type ${pkg.source.type} for ${pkg.name}"
