# mkcrate: one derivation that compiles one package instance of a plan — one package, for one
# platform (host or target), with one feature set — by running rustc directly, as cargo would:
# build script (compiled for the host, run with cargo's environment, directives applied), lib,
# then bins. The build steps live in ./builder/crate.sh (and build-script.sh, lib.sh).
#
# Inputs (all from make-package-set.nix):
#   pname, version, src, sourceRoot ? null — the package and its unpacked source
#   packageMetadata — the plan's `metadata` (CARGO_PKG_* values)
#   links — `links` value or null
#   features — activated features, sorted
#   targetTriple, hostTriple — the triple this instance is compiled for, and the build machine's
#   profile — the profile object of the instance's lib and bins (docs/plan-schema.md); profileRoot
#     — "release" or "debug" (the build script's PROFILE); lib, bins and buildScript carry their
#     own `profileArgs` (LTO, the build script's build-override): ./profile-args.nix
#   rustflags, hostRustflags — .cargo/config.toml's rustflags for the instance's platform and the
#     host; configEnv — its `[env]`; ignoreRustVersion — build even if rustc is older than the
#     package's rust-version; buildScriptRunProfile — the profile of the build script's run unit
#     (OPT_LEVEL, DEBUG)
#   metadataHash — `-C metadata`, unique per instance
#   primary — bool, CARGO_PRIMARY_PACKAGE; capLints — "allow" for non-workspace crates, or null
#   lints — the package's `[lints]` as rustc arguments (the plan's `lints`)
#   checkCfg — its `--check-cfg` values (the plan's `checkCfg`), or null (any feature)
#   lib — null or { crateName, crateTypes, path, edition, externs, profileArgs }
#   bins — [ { name, crateName, path, edition, profileArgs } ]; binExterns
#   defaultRun — the package's `default-run` or null (meta.mainProgram when it builds several bins)
#   buildScript — null or { path, edition, externs, profileArgs }
#   linksDependencies — [ { links (normalised), crate } ]: direct deps whose metadata we read
#   dependencies — every crate derivation this one reads
#   rustc — the toolchain
# An extern is { name, crate }: `--extern name=<crate's linkable file>`.
#
# A normal nixpkgs package: `pname`, `version` and `meta` (crateMeta: description, homepage,
# license, mainProgram), so `nix run` and `lib.getExe` find its binary.
#
# Outputs: `out` with bin/<bins>; `lib` with lib/<linkable file> (and cdylib/staticlib), and
# lib/crateplan/{closure,link-search,metadata,out} for dependents (see builder/crate.sh).
{ lib, stdenv, crateMeta }:
let
  # The crate's own `lib` argument below shadows nixpkgs' lib.
  nixLib = lib;
  inherit (import ./builder.nix) packageAttrs phases targetAttrs targetTable;
in
{ pname
, version
, src
, sourceRoot ? null
, packageMetadata
, links
, features
, targetTriple
, hostTriple
, profile
, profileRoot ? "release"
, rustflags ? [ ]
, hostRustflags ? [ ]
, configEnv ? { }
, ignoreRustVersion ? false
, buildScriptRunProfile ? profile
, metadataHash
, primary
, capLints
, lints ? [ ]
, checkCfg ? null
, lib ? null
, bins ? [ ]
, defaultRun ? null
, binExterns ? [ ]
, buildScript ? null
, linksDependencies ? [ ]
, dependencies
, rustc
}@args:
let
  crateLib = args.lib;
  inherit (nixLib) unique optionalAttrs;

  # The file dependents pass to `--extern`: the rlib, or the proc-macro's shared object.
  libExternFile =
    if crateLib == null then null
    else if builtins.elem "proc-macro" crateLib.crateTypes then "lib${crateLib.crateName}-${metadataHash}.so"
    else if builtins.elem "lib" crateLib.crateTypes || builtins.elem "rlib" crateLib.crateTypes
    then "lib${crateLib.crateName}-${metadataHash}.rlib"
    else if builtins.elem "dylib" crateLib.crateTypes then "lib${crateLib.crateName}-${metadataHash}.so"
    else null;

  libTarget = if crateLib == null then null
    else crateLib // { kind = "lib"; name = crateLib.crateName; asTest = false; };
  libAttrs = targetAttrs "crateplanLib" libTarget;
  binTargets = map (b: b // { kind = "bin"; asTest = false; externs = binExterns; }) bins;
  buildScriptTarget = if buildScript == null then null else buildScript // {
    kind = "custom-build"; name = "build-script-build"; crateName = "build_script_build"; asTest = false;
  };
in
stdenv.mkDerivation (optionalAttrs (sourceRoot != null) { inherit sourceRoot; }
// packageAttrs {
  inherit pname version packageMetadata features targetTriple hostTriple profile profileRoot
    rustflags hostRustflags configEnv ignoreRustVersion buildScriptRunProfile metadataHash primary lints
    checkCfg capLints links;
}
// phases "crate"
// libAttrs
// targetTable "crateplanBins" binTargets
// targetAttrs "crateplanBuildScript" buildScriptTarget
// {
  name = "${pname}-${version}";
  inherit pname version src;
  meta = crateMeta { inherit packageMetadata defaultRun; bins = map (b: b.name) bins; };
  outputs = [ "out" "lib" ];
  nativeBuildInputs = [ rustc ];

  crateplanLib = libAttrs.crateplanLib // optionalAttrs (libExternFile != null) { externFile = libExternFile; };
  crateplanDependencies = unique (map (d: d.lib) dependencies);
  # LINKS (normalised) -> the lib output whose metadata gives DEP_<LINKS>_<KEY>.
  crateplanLinksDependencies = builtins.listToAttrs
    (map (d: { name = d.links; value = d.crate.lib; }) linksDependencies);

  passthru.crateplan = {
    inherit pname version features metadataHash libExternFile;
    # What this derivation was made from (its tests and clippy derivations compile its targets).
    inherit args;
    bins = map (b: b.name) bins;
    hasBuildScript = buildScript != null;
    tests = false;
  };
})
