# mkcrateClippy: `cargo clippy` for one workspace member, as one derivation. clippy-driver, in
# place of rustc, checks the member's lib, bins and build script — and, given its test targets,
# its unit tests, integration tests, benches and examples, as `cargo clippy --all-targets` does —
# against the member's crate derivation (the dependencies' rlibs, the build script's OUT_DIR and
# directives), so nothing is compiled twice. It fails when clippy reports an error; with
# `-D warnings` among the lint arguments, every warning is one. `$out/clippy.log` holds the
# report.
#
# Inputs (from make-package-set.nix):
#   crate — the member's crate derivation (mkcrate); its `crateplan.args` give the package,
#     platform, features, profile and the lib, bins and build script with their externs
#   tests — [ { kind, name, crateName, path, edition, asTest, externs } ] (as for mkcrateTests),
#     or [ ] for `cargo clippy` without --all-targets
#   procMacro — the lib is a proc-macro
#   lintArgs — rustc arguments given to every check after the package's `[lints]` (so they win, as
#     `cargo clippy -- ARGS` does), e.g. [ "-D" "warnings" "-W" "clippy::pedantic" ]
#   clippy — a derivation with bin/clippy-driver, of the same Rust release as the crate's rustc
{ lib, stdenv }:
{ crate
, tests ? [ ]
, procMacro ? false
, lintArgs ? [ ]
, clippy
}:
let
  inherit (lib) unique optionalAttrs;
  optional = cond: x: if cond then [ x ] else [ ];
  inherit (import ./builder.nix) packageAttrs phases crateAttrs targetTable;
  a = crate.crateplan.args;
  crateLib = a.lib or null;
  # Bins, and the member's other targets, read the member's own lib as cargo links it.
  ownLib = optional (crateLib != null && crate.crateplan.libExternFile != "")
    { name = crateLib.crateName; inherit crate; };
  targets =
    optional (crateLib != null) {
      kind = "lib";
      name = crateLib.crateName;
      inherit (crateLib) crateName path edition externs crateTypes;
      asTest = false;
      panic = a.panic or "unwind";
    }
    ++ map
      (b: {
        kind = "bin";
        inherit (b) name crateName path edition;
        asTest = false;
        externs = (a.binExterns or [ ]) ++ ownLib;
        crateTypes = [ "bin" ];
        panic = a.panic or "unwind";
      })
      (a.bins or [ ])
    ++ optional ((a.buildScript or null) != null) {
      kind = "custom-build";
      name = "build-script-build";
      crateName = "build_script_build";
      inherit (a.buildScript) path edition externs;
      asTest = false;
    }
    ++ tests;
in
stdenv.mkDerivation (optionalAttrs ((a.sourceRoot or null) != null) { inherit (a) sourceRoot; }
// packageAttrs {
  inherit (a) pname version packageMetadata features targetTriple hostTriple metadataHash primary;
  lints = a.lints or [ ];
  checkCfg = a.checkCfg or null;
  # `cargo clippy` checks with the dev profile: cfg(debug_assertions) code is linted.
  profile = {
    name = "dev"; optLevel = "0"; lto = "false"; codegenUnits = null; debuginfo = 0;
    splitDebuginfo = null; debugAssertions = true; overflowChecks = true; rpath = false;
    panic = "unwind"; strip = "none";
  };
  profileRoot = "debug";
  rustflags = a.rustflags or [ ];
  hostRustflags = a.hostRustflags or [ ];
  configEnv = a.configEnv or { };
}
// phases "clippy"
// crateAttrs { inherit crate procMacro; hasLib = crateLib != null; }
// targetTable "crateplanTargets" targets
// {
  name = "${a.pname}-${a.version}-clippy";
  inherit (a) src;
  nativeBuildInputs = [ clippy ];
  crateplanDependencies = unique (map (d: d.lib) ([ crate ] ++ map (e: e.crate) (builtins.concatMap (t: t.externs) targets)));
  crateplanClippyArgs = lintArgs;

  passthru.crateplan = {
    inherit (a) pname version features metadataHash;
    clippy = true;
    tests = false;
    bins = [ ];
    libExternFile = "";
  };
})
