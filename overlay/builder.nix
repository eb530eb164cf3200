# The interface of the builder scripts (./builder/*.sh), shared by a crate's derivation
# (mkcrate.nix), its tests' (mkcrate-tests.nix) and its clippy check's (mkcrate-clippy.nix).
#
# Every derivation has structured attributes (`__structuredAttrs = true`): Nix writes them to
# .attrs.sh, which stdenv's builder sources, so the scripts read bash values — strings,
# arrays, and associative arrays for attribute sets of strings. Environment variables for the
# build (an override's OPENSSL_NO_VENDOR …) belong in `env`.
#
#   packageAttrs { pname; version; packageMetadata; features; targetTriple; hostTriple; profile;
#                  profileRoot ? "release"; lto ? null; rustflags ? [ ]; hostRustflags ? [ ];
#                  configEnv ? { }; ignoreRustVersion ? false; metadataHash; primary;
#                  lints ? [ ]; checkCfg ? null; capLints ? null; links ? null;
#                  buildScriptRunProfile ? profile; }
#     what the builder reads about the package instance (`profile` a profile object of the plan,
#     `lto` null when each target gives its own):
#       crateplanPackageEnv   CARGO_PKG_* name → value, exported for rustc and build scripts
#       crateplanInstance     targetTriple, hostTriple, profile (the build scripts' PROFILE:
#                             profileRoot), optLevel, debug ("true" or "false") (the build
#                             scripts' OPT_LEVEL, DEBUG: of buildScriptRunProfile, the profile of
#                             the run unit), debugAssertions ("on"/"off"), metadata (`-C metadata`),
#                             primary, capLints, links, ignoreRustVersion ("1" or "")
#       crateplanProfileArgs  the profile's rustc arguments (./profile-args.nix)
#       crateplanRustflags, crateplanHostRustflags
#                             .cargo/config.toml's rustflags of the instance's platform (last on
#                             every compiler run, and CARGO_ENCODED_RUSTFLAGS of its build
#                             script), and of the host (its build script's compilation)
#       crateplanConfigEnv    .cargo/config.toml's `[env]`, NAME → value, and
#                             crateplanConfigEnvForce the names that replace a value already set
#       crateplanFeatures, crateplanLints (rustc arguments of `[lints]`), crateplanCheckCfg
#       (`--check-cfg` values; null or none: any feature)
#   phases STEP
#     the derivation's phases: each sources the scripts of STEP and runs one of their functions
#     (configure_STEP, build_STEP, install_STEP), with nothing of stdenv's fixup;
#   crateAttrs { crate; binCrate ? crate; hasLib; procMacro; packageDir ? ""; }
#     for the tests and clippy derivations of a member, its crate derivation (mkcrate; null when
#     the member has no lib, bin or build script): crateplanCrate { lib; out (binCrate's: the
#     bins for CARGO_BIN_EXE_*); hasBuildScript; hasLib; procMacro; packageDir; } and
#     crateplanCrateBins (binCrate's bin names);
#   targetAttrs NAME target
#     one target: NAME { kind; name; crateName; path; edition; mode ("test" or "build");
#     panic; } with the arrays NAMECrateTypes, NAMEExterns (NAME=PATH for `--extern`) and
#     NAMEProfileArgs (its own profile arguments, when the instance's do not apply: LTO, a build
#     script's); an empty NAME for a null target. A target is { kind; name; crateName; path;
#     edition; asTest; externs; crateTypes ? [ "bin" ]; panic ? "unwind"; profileArgs ? [ ]; },
#     an extern { name; crate; };
#   targetTable PREFIX targets
#     PREFIXCount and the targets as PREFIX0, PREFIX1 … (targetAttrs each).
let
  inherit (builtins) genList length elemAt match;
  profileArgs = import ./profile-args.nix;

  externArgs = externs: map (e: "${e.name}=${e.crate.lib}/lib/${e.crate.crateplan.libExternFile}") externs;

  # CARGO_PKG_VERSION_MAJOR … from a semver version.
  versionEnv = pname: version:
    let parts = match "([0-9]+)\\.([0-9]+)\\.([0-9]+)(-([^+]*))?(\\+.*)?" version; in
    if parts == null then throw "crateplan: package ${pname}: version \"${version}\" is not semver (MAJOR.MINOR.PATCH); fix the plan or Cargo.toml"
    else {
      CARGO_PKG_VERSION_MAJOR = elemAt parts 0;
      CARGO_PKG_VERSION_MINOR = elemAt parts 1;
      CARGO_PKG_VERSION_PATCH = elemAt parts 2;
      CARGO_PKG_VERSION_PRE = if elemAt parts 4 == null then "" else elemAt parts 4;
    };

  # cargo's expected cfgs when the plan has none: any feature.
  defaultCheckCfg = [ "cfg(docsrs,test)" "cfg(feature, values(any()))" ];

  targetAttrs = name: target:
    if target == null then { ${name} = { }; "${name}CrateTypes" = [ ]; "${name}Externs" = [ ]; "${name}ProfileArgs" = [ ]; }
    else {
      ${name} = {
        inherit (target) kind name crateName path edition;
        mode = if target.asTest then "test" else "build";
        panic = target.panic or "unwind";
      };
      "${name}CrateTypes" = target.crateTypes or [ "bin" ];
      "${name}Externs" = externArgs target.externs;
      "${name}ProfileArgs" = target.profileArgs or [ ];
    };
in
{
  packageAttrs =
    { pname, version, packageMetadata, features, targetTriple, hostTriple, profile
    , profileRoot ? "release", lto ? null, rustflags ? [ ], hostRustflags ? [ ], configEnv ? { }
    , ignoreRustVersion ? false, metadataHash, primary, lints ? [ ], checkCfg ? null
    , capLints ? null, links ? null, buildScriptRunProfile ? profile }:
    {
      __structuredAttrs = true;
      crateplanPackageEnv = {
        CARGO_PKG_NAME = pname;
        CARGO_PKG_VERSION = version;
        CARGO_PKG_AUTHORS = packageMetadata.authors;
        CARGO_PKG_DESCRIPTION = packageMetadata.description;
        CARGO_PKG_HOMEPAGE = packageMetadata.homepage;
        CARGO_PKG_REPOSITORY = packageMetadata.repository;
        CARGO_PKG_LICENSE = packageMetadata.license;
        CARGO_PKG_LICENSE_FILE = packageMetadata.licenseFile;
        CARGO_PKG_RUST_VERSION = packageMetadata.rustVersion;
        CARGO_PKG_README = packageMetadata.readme;
      } // versionEnv pname version;
      crateplanInstance = {
        inherit targetTriple hostTriple primary;
        profile = profileRoot;
        optLevel = buildScriptRunProfile.optLevel;
        debug = if toString buildScriptRunProfile.debuginfo == "0" then "false" else "true";
        debugAssertions = if profile.debugAssertions then "on" else "off";
        metadata = metadataHash;
        capLints = if capLints == null then "" else capLints;
        links = if links == null then "" else links;
        ignoreRustVersion = if ignoreRustVersion then "1" else "";
      };
      crateplanProfileArgs = profileArgs { inherit profile lto; };
      crateplanRustflags = rustflags;
      crateplanHostRustflags = hostRustflags;
      crateplanConfigEnv = builtins.mapAttrs (_: e: e.value) configEnv;
      crateplanConfigEnvForce = builtins.filter (n: configEnv.${n}.force) (builtins.attrNames configEnv);
      crateplanFeatures = features;
      crateplanLints = lints;
      crateplanCheckCfg = if checkCfg == null || checkCfg == [ ] then defaultCheckCfg else checkCfg;
    };

  phases = step:
    let
      scripts = {
        crate = [ ./builder/lib.sh ./builder/build-script.sh ./builder/crate.sh ];
        tests = [ ./builder/lib.sh ./builder/build-script.sh ./builder/tests.sh ];
        clippy = [ ./builder/lib.sh ./builder/build-script.sh ./builder/tests.sh ./builder/clippy.sh ];
      };
    in
    {
      crateplanBuilder = scripts.${step};
      dontPatch = true;
      dontFixup = true;
      dontStrip = true;
      configurePhase = ''
        runHook preConfigure
        for script in "''${crateplanBuilder[@]}"; do source "$script"; done
        configure_${step}
        runHook postConfigure
      '';
      buildPhase = ''
        runHook preBuild
        build_${step}
        runHook postBuild
      '';
      installPhase = ''
        runHook preInstall
        install_${step}
        runHook postInstall
      '';
    };

  crateAttrs = { crate, binCrate ? crate, hasLib, procMacro, packageDir ? "" }: {
    crateplanCrate = {
      lib = if crate == null then "" else crate.lib;
      out = if binCrate == null then "" else binCrate.out;
      hasBuildScript = crate != null && crate.crateplan.hasBuildScript;
      inherit hasLib procMacro packageDir;
    };
    crateplanCrateBins = if binCrate == null then [ ] else binCrate.crateplan.bins;
  };

  inherit targetAttrs profileArgs;

  targetTable = prefix: targets:
    { "${prefix}Count" = length targets; }
    // builtins.foldl' (acc: i: acc // targetAttrs "${prefix}${toString i}" (elemAt targets i)) { } (genList (i: i) (length targets));
}
