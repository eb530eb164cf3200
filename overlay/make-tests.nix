# makeTests :: context -> view -> { <member> = derivation; }
#
# `cargo test` of each selected path member that has test targets in `view` (makeInstances'
# result for the plan's test view), as one derivation made by `mkcrateTests`: it compiles the
# member's unit tests, bin tests, integration tests, benches (as tests) and examples against the
# member's crate derivation, runs the tests and the doctests from the package root, and fails when
# one fails. Tests use the set's profile, for the target platform, as roots. `context` is
# makePackageSet's (see there).
{ mkcrateTests }:
{ packages, selected, targetTriple, hostTriple, rustc, sourceOf, applyOverrides, perMember
, profileRoot, rustflags, configEnv, ... }:
view:
let
  testsOf = packageId:
    let
      m = view.memberTestsOf packageId;
      inherit (m) pkg first key crate binCrate harnessed doctest;
      source = sourceOf pkg;
      inherit (first) profile;
      tests = mkcrateTests {
        pname = pkg.name;
        inherit (pkg) version;
        inherit (source) src sourceRoot packageDir;
        packageMetadata = pkg.metadata;
        inherit (first) features;
        targetTriple = if first.platform == "host" then hostTriple else targetTriple;
        inherit hostTriple profile profileRoot configEnv crate binCrate rustc doctest;
        lto = first.lto or "only-object";
        rustflags = rustflags.${first.platform};
        hostRustflags = rustflags.host;
        inherit (m) procMacro hasLib;
        lints = pkg.lints or [ ];
        checkCfg = pkg.checkCfg or null;
        metadataHash = builtins.substring 0 16
          (builtins.hashString "sha256" "${key} ${targetTriple} ${builtins.toJSON profile} tests");
        primary = builtins.elem packageId selected;
        tests = builtins.filter (t: t.kind != "example") harnessed;
        examples = builtins.filter (t: t.kind == "example") harnessed;
        dependencies = (if crate == null then [ ] else [ crate ]) ++ (if binCrate == null then [ ] else [ binCrate ])
          ++ map (e: e.crate) (builtins.concatMap (t: t.externs) harnessed
            ++ (if doctest == null then [ ] else doctest.externs));
      };
    in
    if m.own == [ ] || pkg.source.type != "path" then null
    else applyOverrides tests;
in
perMember testsOf
