# mkcrateTests: `cargo test` for one workspace member, as one derivation. It compiles the member's
# test targets of the plan's test view — the lib's unit tests, bin tests, integration tests,
# benches with `test = true` (`--test`, or plain bins when `harness = false`) and examples (compiled
# only) — against the member's crate derivation (its lib, bins and build-script results), runs
# every test binary from the package root, then the doctests (`rustdoc --test`), and fails when
# any of them fails. `$out` holds one log per test binary (`<kind>-<name>.log`, `doctests.log`).
#
# Compile-time environment as cargo's: CARGO_PKG_*, CARGO_MANIFEST_DIR, CARGO_CRATE_NAME,
# OUT_DIR, the build script's rustc-env/cfgs and the `[env]` of .cargo/config.toml; for
# integration tests and benches also CARGO_BIN_EXE_<bin> (the absolute path of the bin in the
# crate derivation's `out`) and CARGO_TARGET_TMPDIR (a writable directory of this build, there
# when the tests run). Run-time environment as `cargo test`'s: the test binaries run from the
# package root in a target/<profile>/deps/ directory beside links to the package's bins, with
# CARGO_PKG_*, CARGO_MANIFEST_*, CARGO, OUT_DIR and rustc-env, CARGO_BIN_EXE_<bin> (integration
# tests and benches), the `[env]` variables and LD_LIBRARY_PATH, and `checkFlags` as arguments.
#
# Inputs (from make-package-set.nix):
#   crate — the member's crate derivation (mkcrate), or null when it has no lib, bin or build script
#   binCrate — the instance holding its bins (CARGO_BIN_EXE_*): `crate`, unless the bins abort on
#     panic and so are built apart from the unwinding lib the tests link
#   pname, version, src, sourceRoot, packageDir (relative to the workspace root), packageMetadata,
#   features, targetTriple, hostTriple, profile, profileRoot, rustflags, hostRustflags, configEnv,
#   metadataHash, primary, hasLib — as for mkcrate; lto — the test targets' LTO decision;
#   procMacro — the lib is a proc-macro (its unit tests get `--extern proc_macro`)
#   lints, checkCfg — the package's `[lints]` as rustc arguments, its `--check-cfg` values
#   tests, examples — [ { kind, name, crateName, path, edition, asTest, externs } ]
#   doctest — null or { crateName, crateTypes, path, edition, externs } (externs include the lib)
#   dependencies — every crate derivation these targets read; rustc — the toolchain
#   checkFlags — arguments of every test binary (and `--test-args` of the doctests), as
#     `cargo test -- ARGS`: `[ "--skip" "needs_network" ]`
{ lib, stdenv }:
{ pname
, version
, src
, sourceRoot ? null
, packageDir
, packageMetadata
, features
, targetTriple
, hostTriple
, profile
, profileRoot ? "release"
, lto ? "only-object"
, rustflags ? [ ]
, hostRustflags ? [ ]
, configEnv ? { }
, metadataHash
, primary
, hasLib
, procMacro ? false
, lints ? [ ]
, checkCfg ? null
, crate
, binCrate ? crate
, tests
, examples
, doctest
, dependencies
, rustc
, checkFlags ? [ ]
}:
let
  inherit (lib) unique optionalAttrs;
  inherit (import ./builder.nix) packageAttrs phases crateAttrs targetAttrs targetTable;
in
stdenv.mkDerivation (optionalAttrs (sourceRoot != null) { inherit sourceRoot; }
// packageAttrs {
  inherit pname version packageMetadata features targetTriple hostTriple profile profileRoot lto
    rustflags hostRustflags configEnv metadataHash primary lints checkCfg;
}
// phases "tests"
// crateAttrs { inherit crate binCrate hasLib procMacro packageDir; }
// targetTable "crateplanTests" tests
// targetTable "crateplanExamples" examples
// targetAttrs "crateplanDoctest" (if doctest == null then null
  else doctest // { kind = "lib"; name = doctest.crateName; asTest = true; })
// {
  name = "${pname}-${version}-tests";
  inherit src;
  nativeBuildInputs = [ rustc ];
  inherit checkFlags;
  crateplanDependencies = unique (map (d: d.lib) dependencies);

  passthru.crateplan = {
    inherit pname version features metadataHash;
    tests = true;
    bins = [ ];
    libExternFile = "";
  };
})
