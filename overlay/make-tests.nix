# makeTests :: context -> view -> { <member> = derivation; }
#
# `cargo test` of each selected path member that has test targets in `view` (makeInstances'
# result for the plan's test view), as one derivation made by `mkcrateTests`: it compiles the
# member's unit tests, bin tests, integration tests, benches (as tests) and examples against the
# member's crate derivation, runs the tests and the doctests from the package root, and fails when
# one fails. Tests use the set's profile, for the target platform, as roots. `context` is
# makePackageSet's (see there). The `[env]` table of the workspace's `.cargo/config.toml` (or
# `.cargo/config`), read at evaluation, applies to the tests as `cargo test` run from the
# workspace root applies it.
{ mkcrateTests, cargoProfile }:
{ packages, selected, targetTriple, hostTriple, release, rustc, sourceOf, applyOverrides, perMember, ... }:
view:
let
  # cargo's `[env]` entries as { NAME = { value; relative; force; }; } (a plain string is a value).
  configEnvOf = src:
    let
      files = builtins.filter builtins.pathExists [ "${src}/.cargo/config.toml" "${src}/.cargo/config" ];
      table = if files == [ ] then { } else (builtins.fromTOML (builtins.readFile (builtins.head files))).env or { };
    in
    builtins.mapAttrs (_: entry: if builtins.isAttrs entry then entry else { value = entry; }) table;

  testsOf = packageId:
    let
      m = view.memberTestsOf packageId;
      inherit (m) pkg first key crate binCrate harnessed doctest;
      source = sourceOf pkg;
      profile = cargoProfile { inherit release; platform = "target"; isRoot = true; };
      tests = mkcrateTests {
        pname = pkg.name;
        inherit (pkg) version;
        inherit (source) src sourceRoot packageDir;
        packageMetadata = pkg.metadata;
        inherit (first) features;
        targetTriple = if first.platform == "host" then hostTriple else targetTriple;
        inherit hostTriple profile crate binCrate rustc doctest;
        inherit (m) procMacro hasLib;
        lints = pkg.lints or [ ];
        checkCfg = pkg.checkCfg or null;
        metadataHash = builtins.substring 0 16
          (builtins.hashString "sha256" "${key} ${targetTriple} ${profile.name} tests");
        primary = builtins.elem packageId selected;
        configEnv = configEnvOf source.src;
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
