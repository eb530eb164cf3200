# rustBuilder.makePackageSet: every unit of a crateplan plan (docs/plan-schema.md) as Nix
# derivations, one per package instance (package × host/target × feature set).
#
#   pkgs.rustBuilder.makePackageSet {
#     plan = ./Cargo.plan.json;          # path to the plan JSON, or the parsed attrset
#     workspaceSrc = ./.;                # the workspace root (path packages are read from here)
#     rustToolchain ? pkgs.rustc;        # provides rustc (and rustdoc)
#     rustVersion ? null;                # cargo2nix compatibility: needs pkgs.rust-bin
#     packageOverrides ? (pkgs: pkgs.rustBuilder.overrides.all);
#     release ? true;                    # cargo's release profile, else dev
#     rootFeatures ? null;               # checked against the plan (features are fixed there)
#     target ? null;                     # target triple; default: hostPlatform.rust.rustcTarget
#     crateUrl ? "https://static.crates.io/crates/{name}/{name}-{version}.crate";
#     compileMode ? "build";             # "test": workspace/instances from the plan's test view
#     clippyToolchain ? null;            # bin/clippy-driver; default: rustToolchain or rustVersion's
#                                        # toolchain when given, else pkgs.clippy
#     clippyDenyWarnings ? true;         # `-D warnings`: a lint warning fails the clippy check
#     clippyArgs ? [ ];                  # more lint arguments, e.g. [ "-W" "clippy::pedantic" ]
#     clippyAllTargets ? true;           # also tests, benches, examples (cargo clippy --all-targets)
#   }
#
# Result: `workspace.<member>` (the member's lib and bins; `.tests` when it has tests, `.clippy`),
# `tests.<member>` (the member's `cargo test`: unit, integration and doc tests compiled and run in
# one derivation that fails when a test fails; `testResults` is the same), `clippy.<member>` (the
# member's `cargo clippy`, a derivation that fails on a lint error), `<registry>.<name>.<version>`
# (e.g. crates-io.serde."1.0.1"), `workspaceShell`, `instances` (every derivation by instance key).
{ pkgs, mkcrate, mkcrateTests, mkcrateClippy, fetchCrateWith }:
{ plan
, workspaceSrc
, rustToolchain ? null
, rustVersion ? null
, packageOverrides ? (p: p.rustBuilder.overrides.all)
, release ? true
, rootFeatures ? null
, target ? null
, crateUrl ? "https://static.crates.io/crates/{name}/{name}-{version}.crate"
, compileMode ? "build"
, clippyToolchain ? null
, clippyDenyWarnings ? true
, clippyArgs ? [ ]
, clippyAllTargets ? true
}:
let
  inherit (pkgs) lib;
  inherit (lib) concatStringsSep hasPrefix removePrefix toUpper unique;

  planData = if builtins.isAttrs plan then plan else builtins.fromJSON (builtins.readFile plan);

  rustc =
    if rustToolchain != null then rustToolchain
    else if rustVersion == null then pkgs.rustc
    else if pkgs ? rust-bin then pkgs.rust-bin.stable.${rustVersion}.default
    else throw ("makePackageSet: rustVersion = \"${rustVersion}\" needs a toolchain provider "
      + "(pkgs.rust-bin, from rust-overlay), and this nixpkgs has none. Add that overlay, or pass "
      + "rustToolchain = <a derivation with bin/rustc> instead.");

  # clippy-driver must be of the same Rust release as the rustc that compiled the dependencies.
  clippy =
    if clippyToolchain != null then clippyToolchain
    else if rustToolchain != null || rustVersion != null then rustc
    else pkgs.clippy;

  planProfile = planData.inputs.profile or "dev";
  profileName = if release then "release" else "dev";

  targetTriple = if target != null then target else pkgs.stdenv.hostPlatform.rust.rustcTarget;
  hostTriple = pkgs.stdenv.buildPlatform.rust.rustcTarget;

  checkedPlan =
    if (planData.version or null) != 2
    then throw "makePackageSet: plan schema version ${toString (planData.version or "missing")} is not supported (this overlay reads version 2); regenerate the plan with a matching crateplan"
    else if !(planData.platforms ? ${targetTriple})
    then throw "makePackageSet: the plan has no units for target ${targetTriple} (it has: ${concatStringsSep ", " (builtins.attrNames planData.platforms)}); regenerate it with --target ${targetTriple}"
    else if compileMode != "build" && compileMode != "test"
    then throw "makePackageSet: compileMode must be \"build\" or \"test\", not \"${compileMode}\""
    else if !(planData.platforms.${targetTriple} ? ${compileMode})
    then throw "makePackageSet: the plan has no ${compileMode} units for ${targetTriple}; regenerate it with a crateplan that writes them"
    # The plan's units are those of one cargo profile; they hold for the other too unless the two
    # differ in `panic = "abort"`.
    else if (planData.inputs ? panicAbort) && planData.inputs.panicAbort.${planProfile} != planData.inputs.panicAbort.${profileName}
    then throw ("makePackageSet: the plan was made for cargo's ${planProfile} profile, and its `panic` setting differs from the ${profileName} profile's; "
      + "regenerate the plan ${if release then "with --release" else "without --release"}, or pass release = ${if release then "false" else "true"}")
    else if rootFeatures != null && rootFeatures != planData.inputs.features.features
    then throw "makePackageSet: rootFeatures ${builtins.toJSON rootFeatures} differ from the features the plan was generated with (${builtins.toJSON planData.inputs.features.features}); regenerate the plan with those --features"
    else planData;

  inherit (checkedPlan) packages;
  workspaceMembers = checkedPlan.workspace.members;
  selected = checkedPlan.workspace.selected;

  targetOf = unit: packages.${unit.package}.targets.${unit.target};
  isLibUnit = unit: unit.mode == "build" && (targetOf unit).kind == "lib";
  isBinUnit = unit: unit.mode == "build" && (targetOf unit).kind == "bin";
  isBuildScriptCompile = unit: unit.mode == "build" && (targetOf unit).kind == "custom-build";
  isBuildScriptRun = unit: unit.mode == "run-custom-build";
  # Test harnesses (and harness = false tests/benches) of `cargo test --no-run`, and examples.
  isTestUnit = unit: unit.mode == "test";
  isExampleUnit = unit: unit.mode == "build" && (targetOf unit).kind == "example";
  # Doctests: run by the member's tests derivation (rustdoc --test).
  isDoctest = unit: unit.mode == "doctest";

  # A package instance: everything cargo builds for one package on one platform with one
  # feature set (its build script run, lib and bins) is one derivation. Test harnesses,
  # examples and doctests of members are compiled and run by the member's tests derivation.
  # (With `panic = "abort"`, cargo builds a package once aborting for binaries and once unwinding
  # for test harnesses: two instances.)
  instanceKey = unit: "${unit.package} ${unit.platform} [${concatStringsSep "," unit.features}]"
    + (if (unit.panic or null) == "abort" then " panic=abort" else "");
  isTestOnly = unit: isTestUnit unit || isExampleUnit unit || isDoctest unit;

  # cargo's profiles, as `cargo build --target T` applies them (the plan is made per --target):
  # release: host units (build scripts, proc-macros and their dependencies) get the
  # build-override opt-level 0, unless they are roots (a selected proc-macro member). (cargo then
  # also builds a root proc-macro a second time at opt-level 0 for its dependents; the plan has
  # one unit, built once.) dev: opt-level 0 and debuginfo 2 for every unit — with --target,
  # cargo's deferred build-override debuginfo resolves to the profile's.
  profileFor = platform: isRoot:
    if release then {
      name = "release";
      optLevel = if platform == "host" && !isRoot then "0" else "3";
      debugInfo = 0;
      debugAssertions = false;
    } else {
      name = "debug";
      optLevel = "0";
      debugInfo = 2;
      debugAssertions = true;
    };


  crateIoRegistries = [
    "registry+https://github.com/rust-lang/crates.io-index"
    "sparse+https://index.crates.io/"
  ];

  fetchCrate = fetchCrateWith { inherit crateUrl; };

  # Directories of the path packages, relative to the workspace root ("" for the root itself).
  normaliseDir = dir: if dir == "." || dir == "./" then "" else removePrefix "./" dir;
  pathPackageDirs = map (p: normaliseDir p.source.path)
    (builtins.filter (p: p.source.type == "path") (builtins.attrValues packages));

  # A path package's source: the workspace tree holding what the package may read — its own
  # directory, and every file that belongs to no other package (a shared README, .proto files …),
  # so `include_str!("../../README.md")` works as under cargo. Left out: the directories of other
  # path packages (editing them does not rebuild this one), the code of enclosing packages (their
  # src/, tests/, examples/, benches/, build.rs), `target/` and `.git` at the workspace or a
  # package root, and `result*` links.
  pathSource = pkg:
    let
      dir = normaliseDir pkg.source.path;
      # workspaceSrc: a path (./.), or a store path such as a flake's `self` or a fetched source.
      base = if builtins.isPath workspaceSrc then workspaceSrc else "${workspaceSrc}";
      baseString = toString base;
      inside = d: rel: d == "" || rel == d || hasPrefix "${d}/" rel;
      enclosing = d: d != dir && inside d dir;
      others = builtins.filter (d: d != dir && !(enclosing d)) pathPackageDirs;
      codeOf = d: map (sub: if d == "" then sub else "${d}/${sub}") [ "src" "tests" "examples" "benches" "build.rs" ];
      excluded = builtins.concatMap codeOf (builtins.filter enclosing pathPackageDirs)
        ++ builtins.concatMap (d: map (sub: if d == "" then sub else "${d}/${sub}") [ "target" ".git" ])
          ([ "" ] ++ pathPackageDirs);
      keep = path: type:
        let rel = removePrefix "${baseString}/" (toString path); in
        !(builtins.elem rel excluded)
        && !(builtins.any (d: inside d rel) others)
        && !(type == "symlink" && hasPrefix "result" (baseNameOf rel));
      name = "${pkg.name}-${pkg.version}-source";
    in
    {
      src = builtins.path { path = base; inherit name; filter = keep; };
      sourceRoot = if dir == "" then name else "${name}/${dir}";
    };

  sourceOf = pkg:
    if pkg.source.type == "registry" then {
      src = fetchCrate { inherit (pkg) name version; inherit (pkg.source) registry checksum; };
      sourceRoot = "${pkg.name}-${pkg.version}";
    }
    else if pkg.source.type == "git" then
      let
        # Shown by Nix 2.8 with --show-trace only; its own message names the url and rev.
        checkout = builtins.addErrorContext
          "while fetching git dependency ${pkg.name} ${pkg.version} (${pkg.source.url} at ${pkg.source.rev})"
          (builtins.fetchGit ({ inherit (pkg.source) url rev; allRefs = true; submodules = true; }
            // lib.optionalAttrs (pkg.source.reference ? branch) { ref = pkg.source.reference.branch; }));
      in
      {
        src = if pkg.source.subdir == "" then checkout else "${checkout}/${pkg.source.subdir}";
        sourceRoot = null;
      }
    else if pkg.source.type == "path" then pathSource pkg
    else throw "makePackageSet: unknown source type ${pkg.source.type} for ${pkg.name}";

  normaliseLinks = links: toUpper (builtins.replaceStrings [ "-" ] [ "_" ] links);

  linkableTypes = [ "lib" "rlib" "dylib" "proc-macro" ];

  # The derivations of one unit set of the plan ("build" or "test"). Instances of the test view
  # that equal the build view's (same package, platform, features, dependencies) are the same
  # derivations, so testing a workspace rebuilds only what dev-dependencies change.
  makeView = mode:
    let
      planView = checkedPlan.platforms.${targetTriple}.${mode};
      inherit (planView) units;
      # A proc-macro member is a root of the build even when only its tests are roots of the test
      # view: both views then build it with the same profile (one derivation).
      rootKeys = planView.roots ++ (if mode == "test" then checkedPlan.platforms.${targetTriple}.build.roots else [ ]);
      instanceUnitKeys = builtins.groupBy (key: instanceKey units.${key})
        (builtins.filter (key: !(isBuildScriptCompile units.${key}) && !(isTestOnly units.${key}))
          (builtins.attrNames units));

    # `--extern` entries for the lib dependencies of one unit, skipping `skipInstance` (own lib).
    externsOf = unit: skipInstance:
      map (dep: { name = dep.externCrateName; crate = instances.${instanceKey units.${dep.unit}}; })
        (builtins.filter
          (dep:
            let depUnit = units.${dep.unit}; in
            isLibUnit depUnit
            && instanceKey depUnit != skipInstance
            && builtins.any (t: builtins.elem t linkableTypes) (targetOf depUnit).crateTypes)
          unit.dependencies);

    makeInstance = key: unitKeys:
      let
        members = map (k: units.${k}) unitKeys;
        first = builtins.head members;
        pkg = packages.${first.package};
        libUnits = builtins.filter isLibUnit members;
        binUnits = builtins.filter isBinUnit members;
        runUnits = builtins.filter isBuildScriptRun members;
        libUnit = if libUnits == [ ] then null else builtins.head libUnits;
        runUnit = if runUnits == [ ] then null else builtins.head runUnits;
        compileUnit =
          if runUnit == null then null
          else units.${(builtins.head (builtins.filter (d: isBuildScriptCompile units.${d.unit}) runUnit.dependencies)).unit};
        libTarget = targetOf libUnit;
        buildTarget = targetOf compileUnit;
        libExterns = if libUnit == null then [ ] else externsOf libUnit key;
        binExterns = unique (builtins.concatLists (map (u: externsOf u key) binUnits));
        buildScriptExterns = if compileUnit == null then [ ] else externsOf compileUnit key;
        linksDependencies = if runUnit == null then [ ] else
          map
            (dep: {
              links = normaliseLinks packages.${units.${dep.unit}.package}.links;
              crate = instances.${instanceKey units.${dep.unit}};
            })
            (builtins.filter
              (dep: isBuildScriptRun units.${dep.unit} && packages.${units.${dep.unit}.package}.links != null)
              runUnit.dependencies);
        source = sourceOf pkg;
        profile = profileFor first.platform (builtins.any (k: builtins.elem k rootKeys) unitKeys);
        crate = mkcrate {
          pname = pkg.name;
          inherit (pkg) version links;
          inherit (source) src sourceRoot;
          packageMetadata = pkg.metadata;
          inherit (first) features;
          targetTriple = if first.platform == "host" then hostTriple else targetTriple;
          inherit hostTriple profile linksDependencies binExterns;
          # The triple the instance is compiled for, so that host instances are the same
          # derivations whatever the target of the package set.
          metadataHash = builtins.substring 0 16
            (builtins.hashString "sha256" "${key} ${if first.platform == "host" then hostTriple else targetTriple} ${profile.name}");
          primary = builtins.elem first.package selected;
          capLints = if pkg.source.type == "path" then null else "allow";
          panic = first.panic or "unwind";
          lints = pkg.lints or [ ];
          checkCfg = pkg.checkCfg or null;
          lib = if libUnit == null then null else {
            inherit (libTarget) crateName crateTypes path edition;
            externs = libExterns;
          };
          bins = map
            (u: { inherit (targetOf u) name crateName path edition; })
            binUnits;
          buildScript = if compileUnit == null then null else {
            inherit (buildTarget) path edition;
            externs = buildScriptExterns;
          };
          dependencies = map (e: e.crate) (libExterns ++ binExterns ++ buildScriptExterns ++ linksDependencies);
          inherit rustc;
        };
      in
      applyOverrides crate;

      instances = builtins.mapAttrs makeInstance instanceUnitKeys;

      # Instance keys by package id, computed once (not a scan of every key per package).
      # The view's units by package id, grouped once (not a scan of every unit per member).
      unitsByPackage = builtins.groupBy (u: u.package) (builtins.attrValues units);

      keysByPackage = builtins.groupBy (k: units.${builtins.head instanceUnitKeys.${k}}.package)
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
          # (the same triple unless cross-compiling, which this derivation does not yet handle).
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

      # One tests derivation per selected member that has test units: it compiles the member's
      # unit tests, bin tests, integration tests, benches (as tests) and examples, runs the tests
      # and the doctests from the package root, and fails when one fails.
      testsOf = packageId:
        let
          m = memberTestsOf packageId;
          inherit (m) pkg first key crate binCrate harnessed doctest;
          source = sourceOf pkg;
          profile = profileFor "target" true;
          tests = mkcrateTests {
            pname = pkg.name;
            inherit (pkg) version;
            inherit (source) src sourceRoot;
            packageDir = normaliseDir pkg.source.path;
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
    {
      inherit instances instancesOf memberTestsOf;
      tests = perMember testsOf;
    };

  applyOverrides = drv: builtins.foldl' (d: override: override d) drv overrides;

  # { <member name> = f <member id>; } for the selected members where f gives a derivation.
  perMember = f: builtins.listToAttrs (builtins.concatMap
    (id: let d = f id; in if d == null then [ ] else [{ name = packages.${id}.name; value = d; }])
    selected);

  overrides = packageOverrides pkgs;

  buildView = makeView compileMode;
  hasTestView = checkedPlan.platforms.${targetTriple} ? test;
  testView =
    if compileMode == "test" then buildView
    else if hasTestView then makeView "test"
    # A plan without a test view (hand-written, or cut down) has no tests.
    else { instances = { }; tests = { }; instancesOf = _: [ ]; memberTestsOf = _: { crate = null; harnessed = [ ]; }; };
  inherit (buildView) instances instancesOf;
  inherit (testView) tests;
  plainBuildView = if compileMode == "build" then buildView else makeView "build";

  # One clippy derivation per selected path member: clippy-driver checks its lib, bins and build
  # script (those of the build view's instance) and, as `cargo clippy --all-targets` does, its
  # test targets of the test view.
  clippyChecks = perMember (packageId:
    let
      found = plainBuildView.instancesOf packageId ++ testView.instancesOf packageId;
      crate = builtins.head found;
    in
    if found == [ ] || packages.${packageId}.source.type != "path" then null
    else applyOverrides (mkcrateClippy {
      inherit crate clippy;
      procMacro = builtins.any (t: t.kind == "lib" && builtins.elem "proc-macro" t.crateTypes)
        (builtins.attrValues packages.${packageId}.targets);
      tests = if clippyAllTargets then (testView.memberTestsOf packageId).harnessed else [ ];
      lintArgs = (if clippyDenyWarnings then [ "-D" "warnings" ] else [ ]) ++ clippyArgs;
    }));

  registryName = source:
    if source.type == "registry" && builtins.elem source.registry crateIoRegistries then "crates-io"
    else if source.type == "registry" then source.registry
    else if source.type == "git" then "git"
    else "path";

  # `<registry>.<name>.<version>`, built by grouping (not by a fold that copies the set each step).
  builtPackageIds = builtins.filter (id: instancesOf id != [ ]) (builtins.attrNames packages);
  packagesByRegistry = builtins.mapAttrs
    (_: ids: builtins.mapAttrs
      (_: sameName: builtins.listToAttrs (map
        (id: { name = packages.${id}.version; value = builtins.head (instancesOf id); })
        sameName))
      (builtins.groupBy (id: packages.${id}.name) ids))
    (builtins.groupBy (id: registryName packages.${id}.source) builtPackageIds);

  # Each member's derivation, with `tests` (its tests derivation) when it has tests, and `clippy`.
  workspace = builtins.listToAttrs (builtins.concatMap
    (id:
      let
        found = instancesOf id;
        name = packages.${id}.name;
      in
      if found == [ ] then [ ] else [{
        inherit name;
        value = builtins.head found
          // lib.optionalAttrs (tests ? ${name}) { tests = tests.${name}; }
          // lib.optionalAttrs (clippyChecks ? ${name}) { clippy = clippyChecks.${name}; };
      }])
    workspaceMembers);

  # `cargo test`, per member: see testsOf. `testResults` is the name of older versions.
  testResults = tests;

  # For `cargo build` / `cargo test` by hand: the toolchain, cargo, and the inputs every crate of
  # both views gets from packageOverrides (pkg-config, C libraries of -sys crates).
  workspaceShell = pkgs.mkShell {
    name = "crateplan-workspace-shell";
    nativeBuildInputs = [ rustc pkgs.cargo ];
    inputsFrom = builtins.attrValues instances
      ++ (if compileMode != "test" then builtins.attrValues testView.instances else [ ]);
  };
in
packagesByRegistry // {
  inherit workspace workspaceShell instances tests testResults;
  clippy = clippyChecks;
}
