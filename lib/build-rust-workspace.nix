# buildRustWorkspace :: path | attrset -> package set
#
#   pkgs.rustBuilder.buildRustWorkspace ./.
#   pkgs.rustBuilder.buildRustWorkspace { src = ./.; plan = ./Cargo.plan.json; }
#
# Arguments (all but `src` optional):
#   src                 the workspace root (holding Cargo.toml and Cargo.lock)
#   workspaceDir ? ""   the workspace root's directory inside `src`, when path dependencies lie
#                       outside it (`path = "../shared"`): `{ src = ./..; workspaceDir = "app"; }`
#                       (`src` a path, ./., also works in committed mode and for makePackageSet)
#   plan ? null         null: the plan is made by `crateplan generate` inside Nix (import from
#                       derivation); a path: a committed plan, checked for staleness, no IFD
#   features ? [ ], allFeatures ? false, noDefaultFeatures ? false, packages ? null
#                       cargo's --features, --all-features, --no-default-features, -p (IFD mode;
#                       a committed plan carries its own)
#   target ? null       the target triple; default: the host platform's
#   profile ? "release" the cargo profile (`--profile`): "release", "dev" or one of the
#                       workspace's `[profile.NAME]`; the IFD plan is made for it, a committed
#                       one must have been (else an error names `--profile`)
#   release ? true      when `profile` is not given: true "release", false "dev"
#   ignoreRustVersion ? false, packageOverrides ?, rustToolchain ?, crateUrl ?, clippyToolchain ?,
#   clippyDenyWarnings ? true, clippyArgs ? [ ], clippyAllTargets ? true, and cargo2nix's
#   rustVersion ?, rustChannel ?, rustProfile ?, extraRustComponents ?, rootFeatures ?,
#   extraSources ? { }
#                       passed to rustBuilder.makePackageSet (the toolchain arguments choose
#                       the toolchain of the workspace's crates; the generator is built with
#                       rustToolchain, or nixpkgs' rustc)
#
# Returns makePackageSet's result (`workspace.<crate>`, `tests.<member>` — each member's `cargo test`
# run in a derivation —, `clippy.<member>` — its `cargo clippy` —, `workspaceShell`,
# `<registry>.<crate>.<version>`) plus `checks` (for a flake: `<member>` its tests, `<member>-clippy`
# its clippy check), `plan` (the plan used), `planDerivation` (IFD mode: the derivation running `crateplan
# generate`; null in committed mode), `crateplan` (the generator), `getMember NAME` (like
# `workspace.NAME`, with an error listing the members when there is none of that name) and, when
# the selected members have exactly one binary between them, `default`.
{ lib, stdenv, makePackageSet, fetchCrate, makePlan, readLockfile, loadPlan }:
args:
let
  # This repository: the generator is built from its committed plan.
  crateplanRoot = ../.;
  a = if builtins.isAttrs args then args else { src = args; };
  srcRoot = a.src or (throw "buildRustWorkspace: pass the workspace root, e.g. `buildRustWorkspace ./.`");
  workspaceDir = a.workspaceDir or "";
  # The workspace root.
  src = if workspaceDir == "" then srcRoot
    else if builtins.isPath srcRoot then srcRoot + "/${workspaceDir}"
    else "${srcRoot}/${workspaceDir}";
  crateUrl = a.crateUrl or null;
  withCrateUrl = attrs: attrs // (if crateUrl == null then { } else { inherit crateUrl; });
  rustToolchainArgs = if a ? rustToolchain then { inherit (a) rustToolchain; } else { };

  profile = a.profile or (if a.release or true then "release" else "dev");

  targetTriple = if (a.target or null) != null then a.target else stdenv.hostPlatform.rust.rustcTarget;
  hostTriple = stdenv.buildPlatform.rust.rustcTarget;

  fetchCrateWithUrl = fetchCrate (withCrateUrl { });

  # The generator itself, built by the overlay from the plan committed in this repository.
  crateplan = (makePackageSet (withCrateUrl ({
    plan = crateplanRoot + "/Cargo.plan.json";
    workspaceSrc = builtins.path {
      path = crateplanRoot;
      name = "crateplan-source";
      filter = path: type:
        let rel = lib.removePrefix "${toString crateplanRoot}/" (toString path); in
        builtins.elem rel [ "Cargo.toml" "Cargo.lock" "Cargo.plan.json" "build.rs" "src" ]
        || lib.hasPrefix "src/" rel;
    };
  } // rustToolchainArgs))).workspace.crateplan;

  committed = (a.plan or null) != null;

  madePlan = makePlan {
      inherit crateplan hostTriple workspaceDir;
      src = srcRoot;
      fetchCrate = fetchCrateWithUrl;
      lockfile = readLockfile src;
      targets = [ targetTriple ];
      features = a.features or [ ];
      allFeatures = a.allFeatures or false;
      noDefaultFeatures = a.noDefaultFeatures or false;
      packages = a.packages or null;
      inherit profile;
    };

  planValue =
    if committed then loadPlan { inherit src; inherit (a) plan; target = targetTriple; }
    else madePlan.value;

  set = makePackageSet (withCrateUrl ({
    plan = planValue;
    workspaceSrc = src;
    target = targetTriple;
    inherit profile;
  } // rustToolchainArgs
    // builtins.intersectAttrs
      {
        packageOverrides = null; extraSources = null; ignoreRustVersion = null; clippyToolchain = null; clippyDenyWarnings = null; clippyArgs = null; clippyAllTargets = null;
        rustVersion = null; rustChannel = null; rustProfile = null; extraRustComponents = null; rootFeatures = null;
      }
      a));

  # Members with binaries, among those the plan was made for.
  withBins = builtins.filter
    (id: builtins.any (t: t.kind == "bin") (builtins.attrValues planValue.packages.${id}.targets))
    planValue.workspace.selected;
  memberNames = map (id: planValue.packages.${id}.name) planValue.workspace.members;
  getMember = name:
    if set.workspace ? ${name} then set.workspace.${name}
    else if builtins.elem name memberNames
    then throw "buildRustWorkspace: `${name}` is a member of the workspace, but the plan was made for other packages (${builtins.concatStringsSep ", " (builtins.attrNames set.workspace)}); add it to `packages`"
    else throw "buildRustWorkspace: the workspace has no member named `${name}`; its members are: ${builtins.concatStringsSep ", " memberNames}";
in
set // {
  plan = planValue;
  planDerivation = if committed then null else madePlan.derivation;
  inherit crateplan getMember;
  checks =
    let
      clippyChecks = builtins.listToAttrs
        (map (name: { name = "${name}-clippy"; value = set.clippy.${name}; }) (builtins.attrNames set.clippy));
      clash = builtins.filter (name: set.tests ? ${name}) (builtins.attrNames clippyChecks);
    in
    if clash != [ ]
    then throw "buildRustWorkspace: `checks.${builtins.head clash}` would be both a member's tests and another member's clippy check; use `tests` and `clippy` instead of `checks`"
    else set.tests // clippyChecks;
}
// (if builtins.length withBins == 1
    then { default = set.workspace.${planValue.packages.${builtins.head withBins}.name}; }
    else { })
