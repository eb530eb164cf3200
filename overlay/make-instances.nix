# makeInstances :: context -> mode -> view
#
# The crate derivations of one unit set of the plan (`mode`: "build" or "test", the plan's
# `platforms.<target>.<mode>`), one per package instance (planUnits), each made by `mkcrate` and
# passed through the package overrides. `context` is makePackageSet's (see there).
#
# The view: `instances` (derivations by instance key), `instancesOf` (a package id's instances,
# target platform first) and `memberTestsOf` (a member's test targets in this view, for its tests
# and clippy derivations). Instances of the test view that equal the build view's
# (same package, platform, features, dependencies) are the same derivations, so testing a
# workspace rebuilds only what dev-dependencies change.
{ lib, mkcrate, profileArgs }:
{ plan, packages, units, selected, targetTriple, hostTriple, rustc, sourceOf, applyOverrides
, profileRoot, rustflags, configEnv, ignoreRustVersion, ... }:
mode:
let
  inherit (lib) hasPrefix toUpper unique;
  inherit (units) targetOf isLibUnit isBinUnit isBuildScriptCompile isBuildScriptRun isTestUnit
    isExampleUnit isDoctest isTestOnly instanceKey;

  planView = plan.platforms.${targetTriple}.${mode};
  viewUnits = planView.units;
  # A build script's run unit belongs to the instance of the lib and bins that use its results,
  # even where its profile differs from theirs (with `panic = "abort"` it unwinds).
  compiledKeys = builtins.filter
    (key: let u = viewUnits.${key}; in !(isBuildScriptCompile u) && !(isTestOnly u) && !(isBuildScriptRun u))
    (builtins.attrNames viewUnits);
  runOwner = builtins.listToAttrs (builtins.concatMap
    (key: map (dep: { name = dep.unit; value = instanceKey viewUnits.${key}; })
      (builtins.filter (dep: isBuildScriptRun viewUnits.${dep.unit}) viewUnits.${key}.dependencies))
    compiledKeys);
  # The instance key of any unit of an instance.
  unitInstance = key: runOwner.${key} or (instanceKey viewUnits.${key});
  instanceUnitKeys = builtins.groupBy unitInstance
    (compiledKeys ++ builtins.filter (key: isBuildScriptRun viewUnits.${key}) (builtins.attrNames viewUnits));

  normaliseLinks = links: toUpper (builtins.replaceStrings [ "-" ] [ "_" ] links);
  linkableTypes = [ "lib" "rlib" "dylib" "proc-macro" ];

  # `--extern` entries for the lib dependencies of one unit, skipping `skipInstance` (own lib).
  externsOf = unit: skipInstance:
    map (dep: { name = dep.externCrateName; crate = instances.${unitInstance dep.unit}; })
      (builtins.filter
        (dep:
          let depUnit = viewUnits.${dep.unit}; in
          isLibUnit depUnit
          && instanceKey depUnit != skipInstance
          && builtins.any (t: builtins.elem t linkableTypes) (targetOf depUnit).crateTypes)
        unit.dependencies);

  makeInstance = key: unitKeys:
    let
      members = map (k: viewUnits.${k}) unitKeys;
      first = builtins.head members;
      pkg = packages.${first.package};
      libUnits = builtins.filter isLibUnit members;
      binUnits = builtins.filter isBinUnit members;
      runUnits = builtins.filter isBuildScriptRun members;
      libUnit = if libUnits == [ ] then null else builtins.head libUnits;
      runUnit = if runUnits == [ ] then null else builtins.head runUnits;
      compileUnit =
        if runUnit == null then null
        else viewUnits.${(builtins.head (builtins.filter (d: isBuildScriptCompile viewUnits.${d.unit}) runUnit.dependencies)).unit};
      libTarget = targetOf libUnit;
      buildTarget = targetOf compileUnit;
      libExterns = if libUnit == null then [ ] else externsOf libUnit key;
      binExterns = unique (builtins.concatLists (map (u: externsOf u key) binUnits));
      buildScriptExterns = if compileUnit == null then [ ] else externsOf compileUnit key;
      linksDependencies = if runUnit == null then [ ] else
        map
          (dep: {
            links = normaliseLinks packages.${viewUnits.${dep.unit}.package}.links;
            crate = instances.${unitInstance dep.unit};
          })
          (builtins.filter
            (dep: isBuildScriptRun viewUnits.${dep.unit} && packages.${viewUnits.${dep.unit}.package}.links != null)
            runUnit.dependencies);
      source = sourceOf pkg;
      # The lib's and bins' profile (cargo gives them one: it is the package's); each target's LTO.
      inherit (builtins.head (libUnits ++ binUnits ++ runUnits)) profile;
      targetProfileArgs = unit: profileArgs { lto = unit.lto or "only-object"; };
      platformRustflags = rustflags.${first.platform};
      # Overridable with mkcrate's arguments (`crate.override { … }`), as cargo2nix's crates are.
      crate = lib.makeOverridable mkcrate {
        pname = pkg.name;
        inherit (pkg) version links;
        inherit (source) src sourceRoot;
        packageMetadata = pkg.metadata;
        inherit (first) features;
        targetTriple = if first.platform == "host" then hostTriple else targetTriple;
        inherit hostTriple profile profileRoot configEnv ignoreRustVersion linksDependencies binExterns;
        rustflags = platformRustflags;
        hostRustflags = rustflags.host;
        buildScriptRunProfile = if runUnit == null then profile else runUnit.profile;
        # The triple the instance is compiled for, so that host instances are the same
        # derivations whatever the target of the package set; its profile and rustflags, so that
        # one compiled another way is another crate.
        metadataHash = builtins.substring 0 16 (builtins.hashString "sha256"
          "${key} ${if first.platform == "host" then hostTriple else targetTriple} ${builtins.toJSON {
            inherit profile; rustflags = platformRustflags; lto = map (u: u.lto or null) members; }}");
        primary = builtins.elem first.package selected;
        capLints = if pkg.source.type == "path" then null else "allow";
        lints = pkg.lints or [ ];
        checkCfg = pkg.checkCfg or null;
        lib = if libUnit == null then null else {
          inherit (libTarget) crateName crateTypes path edition;
          externs = libExterns;
          profileArgs = targetProfileArgs libUnit;
        };
        bins = map
          (u: { inherit (targetOf u) name crateName path edition; profileArgs = targetProfileArgs u; })
          binUnits;
        defaultRun = pkg.defaultRun or null;
        buildScript = if compileUnit == null then null else {
          inherit (buildTarget) path edition;
          externs = buildScriptExterns;
          profileArgs = profileArgs { inherit (compileUnit) profile; lto = compileUnit.lto or "only-object"; };
        };
        dependencies = map (e: e.crate) (libExterns ++ binExterns ++ buildScriptExterns ++ linksDependencies);
        inherit rustc;
      };
    in
    applyOverrides crate;

  instances = builtins.mapAttrs makeInstance instanceUnitKeys;

  # The view's units by package id, and instance keys by package id, grouped once (not a scan of
  # every unit or key per package).
  unitsByPackage = builtins.groupBy (u: u.package) (builtins.attrValues viewUnits);
  keysByPackage = builtins.groupBy (k: viewUnits.${builtins.head instanceUnitKeys.${k}}.package)
    (builtins.attrNames instanceUnitKeys);

  # The instances of one package, target platform first.
  instancesOf = packageId:
    let
      keys = keysByPackage.${packageId} or [ ];
      targetKeys = builtins.filter (k: hasPrefix "${packageId} target " k) keys;
    in
    map (k: instances.${k}) (targetKeys ++ builtins.filter (k: !(builtins.elem k targetKeys)) keys);

  # A member's test targets in this view: unit tests of the lib and bins, integration tests,
  # benches (as tests) and examples, with their externs; its doctest; the crate they test.
  memberTestsOf = packageId:
    let
      pkg = packages.${packageId};
      ofPackage = unitsByPackage.${packageId} or [ ];
      own = builtins.filter isTestOnly ofPackage;
      # A proc-macro's lib tests and doctests are host units; its other tests are target units
      # (the same triple unless cross-compiling, which the tests derivation does not yet handle).
      first = builtins.head (builtins.filter (u: (targetOf u).kind == "lib") own ++ own);
      libTargets = builtins.filter (t: t.kind == "lib") (builtins.attrValues pkg.targets);
      withExterns = u: (targetOf u) // {
        externs = externsOf u "";
        asTest = isTestUnit u && (targetOf u).harness;
        panic = u.panic or "unwind";
      };
      doctests = builtins.filter isDoctest own;
      # Integration tests run the package's bins: built in another instance than the lib
      # the tests link when they abort on panic (test harnesses unwind).
      binUnits = builtins.filter isBinUnit ofPackage;
      crate = if own == [ ] then null else instances.${instanceKey first} or null;
    in
    {
      inherit pkg own first crate;
      key = instanceKey first;
      binCrate = if binUnits == [ ] then crate else instances.${instanceKey (builtins.head binUnits)};
      harnessed = map withExterns (builtins.filter (u: isTestUnit u || isExampleUnit u) own);
      doctest = if doctests == [ ] then null else
        let u = builtins.head doctests; in (targetOf u) // { externs = externsOf u ""; };
      procMacro = builtins.any (t: builtins.elem "proc-macro" t.crateTypes) libTargets;
      hasLib = libTargets != [ ];
    };
in
{
  inherit instances instancesOf memberTestsOf;
}
