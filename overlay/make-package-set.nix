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
#     compileMode ? "build";             # "test": the plan's test view (cargo test --no-run)
#   }
#
# Result: `workspace.<member>` (the member's lib and bins), `<registry>.<name>.<version>` (e.g.
# crates-io.serde."1.0.1"), `workspaceShell`, `instances` (every derivation by instance key); with
# compileMode = "test" also `testResults.<member>` (the member's tests, run).
{ pkgs, mkcrate, fetchCrateWith }:
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

  targetTriple = if target != null then target else pkgs.stdenv.hostPlatform.rust.rustcTarget;
  hostTriple = pkgs.stdenv.buildPlatform.rust.rustcTarget;

  checkedPlan =
    if (planData.version or null) != 1
    then throw "makePackageSet: plan schema version ${toString (planData.version or "missing")} is not supported (this overlay reads version 1); regenerate the plan with a matching crateplan"
    else if !(planData.platforms ? ${targetTriple})
    then throw "makePackageSet: the plan has no units for target ${targetTriple} (it has: ${concatStringsSep ", " (builtins.attrNames planData.platforms)}); regenerate it with --target ${targetTriple}"
    else if compileMode != "build" && compileMode != "test"
    then throw "makePackageSet: compileMode must be \"build\" or \"test\", not \"${compileMode}\""
    else if !(planData.platforms.${targetTriple} ? ${compileMode})
    then throw "makePackageSet: the plan has no ${compileMode} units for ${targetTriple}; regenerate it with a crateplan that writes them"
    else if rootFeatures != null && rootFeatures != planData.inputs.features.features
    then throw "makePackageSet: rootFeatures ${builtins.toJSON rootFeatures} differ from the features the plan was generated with (${builtins.toJSON planData.inputs.features.features}); regenerate the plan with those --features"
    else planData;

  inherit (checkedPlan) packages;
  units = checkedPlan.platforms.${targetTriple}.${compileMode}.units;
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
  # Doctests need rustdoc at test time and are not built (docs/overlay.md).
  isDoctest = unit: unit.mode == "doctest";

  # A package instance: everything cargo builds for one package on one platform with one
  # feature set (its build script run, lib and bins) is one derivation.
  instanceKey = unit: "${unit.package} ${unit.platform} [${concatStringsSep "," unit.features}]";

  instanceUnitKeys = builtins.groupBy (key: instanceKey units.${key})
    (builtins.filter (key: !(isBuildScriptCompile units.${key}) && !(isDoctest units.${key}))
      (builtins.attrNames units));

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

  rootKeys = checkedPlan.platforms.${targetTriple}.${compileMode}.roots;

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
      testUnits = builtins.filter isTestUnit members;
      exampleUnits = builtins.filter isExampleUnit members;
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
      withExterns = u: (targetOf u) // { externs = externsOf u key; };
      tests = map withExterns testUnits;
      examples = map withExterns exampleUnits;
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
        metadataHash = builtins.substring 0 16
          (builtins.hashString "sha256" "${key} ${targetTriple} ${profile.name}");
        primary = builtins.elem first.package selected;
        capLints = if pkg.source.type == "path" then null else "allow";
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
        inherit tests examples;
        dependencies = map (e: e.crate) (libExterns ++ binExterns ++ buildScriptExterns ++ linksDependencies
          ++ builtins.concatMap (t: t.externs) (tests ++ examples));
        inherit rustc;
      };
    in
    builtins.foldl' (drv: override: override drv) crate overrides // {
      # The package's source as the crate was built from it, for running its tests.
      crateplanSource = source;
    };

  overrides = packageOverrides pkgs;

  instances = builtins.mapAttrs makeInstance instanceUnitKeys;

  # The instances of one package, target platform first.
  instancesOf = packageId:
    let
      keys = builtins.filter (k: hasPrefix "${packageId} " k) (builtins.attrNames instances);
      targetKeys = builtins.filter (k: hasPrefix "${packageId} target " k) keys;
    in
    map (k: instances.${k}) (targetKeys ++ builtins.filter (k: !(builtins.elem k targetKeys)) keys);

  registryName = source:
    if source.type == "registry" && builtins.elem source.registry crateIoRegistries then "crates-io"
    else if source.type == "registry" then source.registry
    else if source.type == "git" then "git"
    else "path";

  packagesByRegistry = builtins.foldl'
    (acc: id:
      let
        pkg = packages.${id};
        found = instancesOf id;
        registry = registryName pkg.source;
      in
      if found == [ ] then acc
      else lib.recursiveUpdate acc { ${registry}.${pkg.name}.${pkg.version} = builtins.head found; })
    { }
    (builtins.attrNames packages);

  workspace = builtins.listToAttrs (builtins.concatMap
    (id:
      let found = instancesOf id; in
      if found == [ ] then [ ] else [{ name = packages.${id}.name; value = builtins.head found; }])
    workspaceMembers);

  # Runs every test binary of a member from its package root, as `cargo test` does; the
  # derivation fails when a test fails, and keeps the logs.
  runTests = crate: pkgs.stdenv.mkDerivation ({
    name = "${crate.crateplan.pname}-${crate.crateplan.version}-test-results";
    inherit (crate.crateplanSource) src;
    crateTests = crate;
    dontPatch = true;
    dontConfigure = true;
    dontFixup = true;
    buildPhase = ''
      runHook preBuild
      mkdir -p "$TMPDIR/crateplan-target-tmp" logs
      for test in "$crateTests"/tests/*; do
        echo "running $(basename "$test")"
        "$test" 2>&1 | tee "logs/$(basename "$test").log"
      done
      runHook postBuild
    '';
    installPhase = ''
      runHook preInstall
      cp -r logs "$out"
      runHook postInstall
    '';
  } // lib.optionalAttrs (crate.crateplanSource.sourceRoot != null) {
    inherit (crate.crateplanSource) sourceRoot;
  });

  testResults = builtins.mapAttrs (_: runTests)
    (lib.optionalAttrs (compileMode == "test") workspace);

  workspaceShell = pkgs.mkShell {
    name = "crateplan-workspace-shell";
    nativeBuildInputs = [ rustc pkgs.cargo ];
    inputsFrom = builtins.attrValues instances;
  };
in
packagesByRegistry // {
  inherit workspace workspaceShell instances testResults;
}
