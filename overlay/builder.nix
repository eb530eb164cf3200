# The interface of mkcrate-builder.sh, shared by a crate's derivation (mkcrate.nix) and its tests'
# (mkcrate-tests.nix):
#
#   packageEnv { pname; version; packageMetadata; features; targetTriple; hostTriple; profile;
#                metadataHash; primary; panic ? "unwind"; lints ? [ ]; checkCfg ? null; }
#     what the builder reads about the package: the values of CARGO_PKG_*, the features, the
#     platforms, the profile, the panic strategy of the lib and bins, and the `[lints]` rustc
#     and `--check-cfg` values (null: any feature) every compiler run of the package gets;
#   phases STEP
#     the derivation's phases, each running one function of the script (configure_STEP,
#     build_STEP, install_STEP), with nothing of stdenv's fixup;
#   externArgs [ { name; crate; } ]
#     `--extern NAME=PATH` values for dependencies built by mkcrate;
#   targetTable [ { kind; name; crateName; path; edition; asTest; externs; crateTypes ? [ "bin" ];
#                   panic ? "unwind"; } ]
#     the targets a tests or clippy derivation compiles, one row each: kind, name, crate name,
#     path, edition, "test" or "build", crate types, panic strategy, externs — tab-separated
#     (crate types and externs space-separated). Only the last column may be empty: bash's
#     `read` merges adjacent tabs.
let
  externArgs = externs: map (e: "${e.name}=${e.crate.lib}/lib/${e.crate.crateplan.libExternFile}") externs;
in
{
  packageEnv =
    { pname, version, packageMetadata, features, targetTriple, hostTriple, profile, metadataHash, primary, panic ? "unwind", lints ? [ ], checkCfg ? null }:
    {
      crateplanPackageName = pname;
      crateplanPackageVersion = version;
      crateplanAuthors = packageMetadata.authors;
      crateplanDescription = packageMetadata.description;
      crateplanHomepage = packageMetadata.homepage;
      crateplanRepository = packageMetadata.repository;
      crateplanLicense = packageMetadata.license;
      crateplanLicenseFile = packageMetadata.licenseFile;
      crateplanRustVersion = packageMetadata.rustVersion;
      crateplanReadme = packageMetadata.readme;
      crateplanFeatures = features;
      crateplanTargetTriple = targetTriple;
      crateplanHostTriple = hostTriple;
      crateplanProfile = profile.name;
      crateplanOptLevel = profile.optLevel;
      crateplanDebugInfo = toString profile.debugInfo;
      crateplanDebugAssertions = if profile.debugAssertions then "on" else "off";
      crateplanMetadata = metadataHash;
      crateplanPrimary = primary;
      crateplanPanic = panic;
      crateplanLints = lints;
      # One a line: values hold spaces (`cfg(feature, values("a", "b"))`).
      crateplanCheckCfg = if checkCfg == null then "" else builtins.concatStringsSep "\n" checkCfg;
    };

  phases = step: {
    crateplanBuilder = ./mkcrate-builder.sh;
    dontPatch = true;
    dontFixup = true;
    dontStrip = true;
    configurePhase = ''
      runHook preConfigure
      source "$crateplanBuilder"
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

  inherit externArgs;

  targetTable = targets: builtins.concatStringsSep "\n" (map
    (t: builtins.concatStringsSep "\t" [
      t.kind t.name t.crateName t.path t.edition (if t.asTest then "test" else "build")
      (builtins.concatStringsSep " " (t.crateTypes or [ "bin" ]))
      (t.panic or "unwind")
      (builtins.concatStringsSep " " (externArgs t.externs))
    ])
    targets);
}
