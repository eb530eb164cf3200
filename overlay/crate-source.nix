# crateSource :: { workspaceSrc, packages, fetchCrate, extraSources ? { } } -> package -> { src, sourceRoot, … }
#
# Where a package of the plan (docs/plan-schema.md) is unpacked from, for stdenv's unpackPhase:
# - registry: its `.crate`, downloaded by `fetchCrate` (already given its `crateUrl`) and checked
#   against the lock's checksum; sourceRoot `<name>-<version>`;
# - git: the checkout of its revision (fetchGitCheckout), or the subdirectory holding the package;
# - path: the files that belong to the package by cargo's packaging rules (what `cargo package
#   --list` lists), and nothing else, so that editing any other file rebuilds nothing of it:
#   * its directory, without directories holding a Cargo.toml of their own (nested packages, such
#     as members below a root package), dotfiles, and `target/` and `Cargo.lock` at its root;
#   * with `include`: only the files it matches (and Cargo.toml); else without what `exclude`
#     matches (lib/file-patterns.nix);
#   * its `readme` and `license-file`, and the targets whose `path` lies outside its directory —
#     the file and its module directory (the file's directory for `lib.rs`, `main.rs`, `mod.rs`);
#   * what `extraSources.<package name>` lists (paths relative to the workspace root): files that
#     rustc reads outside the package (`include_str!("../../NOTE.txt")`, `#[path]` modules).
#   `result*` symlinks (nix-build's) are left out everywhere. The tree is rooted at the workspace
#   root, or above it when a package or one of its files lies outside (`path = "../shared"`):
#   `workspaceSrc` may then be a path, or a subdirectory of a store path that holds them.
#   `packageDir` is the package's directory relative to the workspace root ("" for the root).
{ lib, fetchGitCheckout }:
{ workspaceSrc, packages, fetchCrate, extraSources ? { } }:
let
  inherit (lib) hasPrefix removePrefix;
  inherit (import ../lib/file-patterns.nix) matches;

  # A `/`-separated relative path with `.` and `dir/..` folded away ("" for the directory itself;
  # leading `..` kept).
  normalise = path:
    let
      parts = builtins.filter (p: builtins.isString p && p != "" && p != ".") (builtins.split "/" path);
      n = acc: builtins.length acc;
      step = acc: p:
        if p == ".." && acc != [ ] && builtins.elemAt acc (n acc - 1) != ".."
        then builtins.genList (builtins.elemAt acc) (n acc - 1)
        else acc ++ [ p ];
    in
    builtins.concatStringsSep "/" (builtins.foldl' step [ ] parts);
  join = dir: rel: normalise (if dir == "" then rel else "${dir}/${rel}");
  # How many directories above the workspace root a normalised path starts.
  ups = path: let m = builtins.match "((\\.\\./)*\\.\\.)(/.*)?" path; in
    if m == null then 0 else (builtins.stringLength (builtins.head m) + 1) / 3;

  pathPackages = builtins.filter (p: p.source.type == "path") (builtins.attrValues packages);

  # What a path package owns besides its directory, relative to the workspace root: its readme,
  # license file, targets outside its directory, and the user's extraSources.
  claimsOf = pkg:
    let
      dir = normalise pkg.source.path;
      inside = rel: dir == "" && ups rel == 0 || rel == dir || hasPrefix "${dir}/" rel;
      targetClaims = path:
        let
          file = join dir path;
          base = baseNameOf file;
        in
        if builtins.elem base [ "lib.rs" "main.rs" "mod.rs" ] then [ (dirOf file) ]
        else [ file ] ++ moduleDir file;
      # `foo.rs`'s submodules live in `foo/`.
      moduleDir = file: let m = builtins.match "(.*)\\.rs" file; in if m == null then [ ] else m;
      outside = builtins.filter (rel: !(inside rel)) (builtins.concatLists (
        map (f: if f == "" then [ ] else [ (join dir f) ]) [ pkg.metadata.readme pkg.metadata.licenseFile ]
        ++ map (t: targetClaims t.path) (builtins.attrValues pkg.targets)));
    in
    outside ++ map normalise (extraSources.${pkg.name} or [ ]);

  # The tree all path packages are cut from: the workspace root, or the directory enough levels
  # above it to hold every package and claim.
  max = a: b: if a > b then a else b;
  levels = builtins.foldl' (m: p: max m (builtins.foldl' (a: r: max a (ups r)) 0
    ([ (normalise p.source.path) ] ++ claimsOf p))) 0 pathPackages;
  base = if builtins.isPath workspaceSrc then workspaceSrc else "${workspaceSrc}";
  upFrom = n: dir: if n == 0 then dir else upFrom (n - 1) (dirOf dir);
  root =
    let r = upFrom levels base; in
    if !(builtins.isPath r) && (r == builtins.storeDir || !(hasPrefix "${builtins.storeDir}/" (toString r)))
    then throw "makePackageSet: a path package or file lies ${toString levels} directories above the workspace root, outside workspaceSrc (${toString base}); pass workspaceSrc as a path (./.) or as a subdirectory of a source that holds them (`src + \"/app\"`)"
    else r;
  rootString = toString root;
  # The workspace root relative to `root` ("" when they are the same).
  workspaceDir = if levels == 0 then "" else removePrefix "${rootString}/" (toString base);
  fromRoot = rel: join workspaceDir rel;

  isUnder = dir: rel: dir == "" || rel == dir || hasPrefix "${dir}/" rel;
  dotfile = name: builtins.substring 0 1 name == ".";

  pathSource = pkg:
    let
      dir = fromRoot pkg.source.path;
      claims = map fromRoot (claimsOf pkg);
      include = pkg.source.include or [ ];
      exclude = pkg.source.exclude or [ ];
      included = matches include;
      excluded = matches exclude;
      # A path below the package directory (`sub` relative to it): does it belong to the package?
      inPackage = path: sub: type:
        let isDir = type == "directory"; in
        !(dotfile (baseNameOf sub))
        && !(isDir && sub == "target")
        # cargo packs a Cargo.lock it writes itself; rustc never reads the workspace's.
        && sub != "Cargo.lock"
        && !(isDir && builtins.pathExists "${path}/Cargo.toml")
        && (if include != [ ] then isDir || sub == "Cargo.toml" || included sub false
            else exclude == [ ] || !(excluded sub isDir));
      keep = path: type:
        let rel = removePrefix "${rootString}/" (toString path); in
        if type == "symlink" && hasPrefix "result" (baseNameOf rel) then false
        else if isUnder dir rel then rel == dir || inPackage path (if dir == "" then rel else removePrefix "${dir}/" rel) type
        # In a claimed directory too, another package's directory is not this one's.
        else if builtins.any (c: isUnder c rel) claims
        then !(dotfile (baseNameOf rel)) && !(type == "directory" && !(builtins.elem rel claims) && builtins.pathExists "${path}/Cargo.toml")
        # A directory on the way to the package or to one of its claims.
        else type == "directory" && builtins.any (w: hasPrefix "${rel}/" w) ([ dir ] ++ claims);
      name = "${pkg.name}-${pkg.version}-source";
    in
    {
      src = builtins.path { path = root; inherit name; filter = keep; };
      sourceRoot = if dir == "" then name else "${name}/${dir}";
      packageDir = normalise pkg.source.path;
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
