# mkcrate: one derivation that compiles one package instance of a plan — one package, for one
# platform (host or target), with one feature set — by running rustc directly, as cargo would:
# build script (compiled for the host, run with cargo's environment, directives applied), lib,
# then bins. The build steps live in ./mkcrate-builder.sh.
#
# Inputs (all from make-package-set.nix):
#   pname, version, src, sourceRoot ? null — the package and its unpacked source
#   packageMetadata — the plan's `metadata` (CARGO_PKG_* values)
#   links — `links` value or null
#   features — activated features, sorted
#   targetTriple, hostTriple — the triple this instance is compiled for, and the build machine's
#   profile — { name, optLevel, debugInfo, debugAssertions } (see make-package-set.nix)
#   metadataHash — `-C metadata`, unique per instance
#   primary — bool, CARGO_PRIMARY_PACKAGE; capLints — "allow" for non-workspace crates, or null
#   panic — "unwind" or "abort" (`-C panic=abort` for the lib and bins, as the plan's units say)
#   lints — the package's `[lints]` as rustc arguments (the plan's `lints`)
#   checkCfg — its `--check-cfg` values (the plan's `checkCfg`), or null (any feature)
#   lib — null or { crateName, crateTypes, path, edition, externs }
#   bins — [ { name, crateName, path, edition } ]; binExterns
#   buildScript — null or { path, edition, externs }
#   linksDependencies — [ { links (normalised), crate } ]: direct deps whose metadata we read
#   dependencies — every crate derivation this one reads
#   rustc — the toolchain
# An extern is { name, crate }: `--extern name=<crate's linkable file>`.
#
# Outputs: `out` with bin/<bins>; `lib` with lib/<linkable file> (and cdylib/staticlib), and
# lib/crateplan/{closure,link-search,metadata,out} for dependents (see mkcrate-builder.sh).
{ lib, stdenv }:
let
  # The crate's own `lib` argument below shadows nixpkgs' lib.
  nixLib = lib;
  inherit (import ./builder.nix) packageEnv phases externArgs;
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
, metadataHash
, primary
, capLints
, panic ? "unwind"
, lints ? [ ]
, checkCfg ? null
, lib ? null
, bins ? [ ]
, binExterns ? [ ]
, buildScript ? null
, linksDependencies ? [ ]
, dependencies
, rustc
}@args:
let
  crateLib = args.lib;
  inherit (nixLib) concatMapStringsSep concatStringsSep unique optionalAttrs;

  # The file dependents pass to `--extern`: the rlib, or the proc-macro's shared object.
  libExternFile =
    if crateLib == null then null
    else if builtins.elem "proc-macro" crateLib.crateTypes then "lib${crateLib.crateName}-${metadataHash}.so"
    else if builtins.elem "lib" crateLib.crateTypes || builtins.elem "rlib" crateLib.crateTypes
    then "lib${crateLib.crateName}-${metadataHash}.rlib"
    else if builtins.elem "dylib" crateLib.crateTypes then "lib${crateLib.crateName}-${metadataHash}.so"
    else null;

  binTable = concatMapStringsSep "\n"
    (b: concatStringsSep "\t" [ b.name b.crateName b.path b.edition ])
    bins;
in
stdenv.mkDerivation (optionalAttrs (sourceRoot != null) { inherit sourceRoot; }
// packageEnv { inherit pname version packageMetadata features targetTriple hostTriple profile metadataHash primary panic lints checkCfg; }
// phases "crate"
// {
  name = "${pname}-${version}";
  inherit src;
  outputs = [ "out" "lib" ];
  nativeBuildInputs = [ rustc ];

  crateplanLinks = if links == null then "" else links;
  crateplanDebug = if profile.debugInfo == 0 then "false" else "true";
  crateplanCapLints = if capLints == null then "" else capLints;
  crateplanDependencies = unique (map (d: d.lib) dependencies);

  crateplanLibPath = if crateLib == null then "" else crateLib.path;
  crateplanLibCrateName = if crateLib == null then "" else crateLib.crateName;
  crateplanLibCrateTypes = if crateLib == null then [ ] else crateLib.crateTypes;
  crateplanLibEdition = if crateLib == null then "" else crateLib.edition;
  crateplanLibExterns = if crateLib == null then [ ] else externArgs crateLib.externs;
  crateplanLibExternFile = if libExternFile == null then "" else libExternFile;

  crateplanBins = binTable;
  crateplanBinExterns = externArgs binExterns;

  crateplanBuildScript = if buildScript == null then "" else buildScript.path;
  crateplanBuildScriptEdition = if buildScript == null then "" else buildScript.edition;
  crateplanBuildScriptExterns = if buildScript == null then [ ] else externArgs buildScript.externs;
  crateplanLinksDependencies = map (d: "${d.links}=${d.crate.lib}") linksDependencies;

  passthru.crateplan = {
    inherit pname version features metadataHash libExternFile;
    # What this derivation was made from (its tests and clippy derivations compile its targets).
    inherit args;
    bins = map (b: b.name) bins;
    hasBuildScript = buildScript != null;
    tests = false;
  };
})
