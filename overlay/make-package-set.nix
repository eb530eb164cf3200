# rustBuilder.makePackageSet: every unit of a crateplan plan (docs/plan-schema.md) as Nix
# derivations, one per package instance (package × host/target × feature set).
#
#   pkgs.rustBuilder.makePackageSet {
#     plan = ./Cargo.plan.json;          # path to the plan JSON, or the parsed attrset
#     workspaceSrc = ./.;                # the workspace root (path packages are read from here)
#     rustToolchain ? pkgs.rustc;        # provides rustc (and rustdoc)
#     rustVersion ? null;                # cargo2nix compatibility: needs pkgs.rust-bin
#     packageOverrides ? (pkgs: rustBuilder.overrides.all);
#     release ? true;                    # cargo's release profile, else dev
#     rootFeatures ? null;               # checked against the plan (features are fixed there)
#     target ? null;                     # target triple; default: hostPlatform.rust.rustcTarget
#     crateUrl ? null;                   # registry crates' download URL; null: fetchCrate's default
#     compileMode ? "build";             # "test": workspace/instances from the plan's test view
#     clippyToolchain ? null;            # bin/clippy-driver; default: rustToolchain or rustVersion's
#                                        # toolchain when given, else pkgs.clippy
#     clippyDenyWarnings ? true;         # `-D warnings`: a lint warning fails the clippy check
#     clippyArgs ? [ ];                  # more lint arguments, e.g. [ "-W" "clippy::pedantic" ]
#     clippyAllTargets ? true;           # also tests, benches, examples (cargo clippy --all-targets)
#     extraSources ? { };                # { <path package name> = [ "NOTE.txt" "proto/" ]; }: files
#                                        # outside a package that rustc reads (relative to the root)
#   }
#
# Result: `workspace.<member>` (the member's lib and bins; `.tests` when it has tests, `.clippy`),
# `tests.<member>` (the member's `cargo test`: unit, integration and doc tests compiled and run in
# one derivation that fails when a test fails; `testResults` is the same), `clippy.<member>` (the
# member's `cargo clippy`, a derivation that fails on a lint error), `<registry>.<name>.<version>`
# (e.g. crates-io.serde."1.0.1"), `workspaceShell`, `instances` (every derivation by instance key).
#
# The work is done by other members of the scope, each replaceable with `overrideScope`:
# checkPlan, crateSource, makeInstances (per view, with planUnits and cargoProfile), makeTests,
# makeClippyChecks and groupByRegistry. They share one `context`:
#   plan, packages, selected          the checked plan, its packages, the selected members' ids
#   units                             planUnits of the packages
#   targetTriple, hostTriple          the set's target, and the build machine's triple
#   release, rustc                    the profile (true: release) and the toolchain
#   sourceOf                          crateSource: a package's { src; sourceRoot; … }
#   applyOverrides                    a derivation through every package override, in order
#   perMember                         f -> { <member name> = f <id>; } for the selected members
#                                     where f gives a derivation (not null)
{ lib
, pkgs
, stdenv
, mkShell
, rustc
, cargo
, clippy
, rust-bin ? null
, overrides
, fetchCrate
, checkPlan
, planUnits
, crateSource
, makeInstances
, makeTests
, makeClippyChecks
, groupByRegistry
}:
{ plan
, workspaceSrc
, rustToolchain ? null
, rustVersion ? null
, packageOverrides ? (_: overrides.all)
, release ? true
, rootFeatures ? null
, target ? null
, crateUrl ? null
, compileMode ? "build"
, clippyToolchain ? null
, clippyDenyWarnings ? true
, clippyArgs ? [ ]
, clippyAllTargets ? true
, extraSources ? { }
}:
let
  toolchain =
    if rustToolchain != null then rustToolchain
    else if rustVersion == null then rustc
    else if rust-bin != null then rust-bin.stable.${rustVersion}.default
    else throw ("makePackageSet: rustVersion = \"${rustVersion}\" needs a toolchain provider "
      + "(pkgs.rust-bin, from rust-overlay), and this nixpkgs has none. Add that overlay, or pass "
      + "rustToolchain = <a derivation with bin/rustc> instead.");

  # clippy-driver must be of the same Rust release as the rustc that compiled the dependencies.
  clippyDriver =
    if clippyToolchain != null then clippyToolchain
    else if rustToolchain != null || rustVersion != null then toolchain
    else clippy;

  targetTriple = if target != null then target else stdenv.hostPlatform.rust.rustcTarget;

  checkedPlan = checkPlan {
    plan = if builtins.isAttrs plan then plan else builtins.fromJSON (builtins.readFile plan);
    target = targetTriple;
    inherit compileMode release rootFeatures;
  };
  inherit (checkedPlan) packages;
  selected = checkedPlan.workspace.selected;

  userOverrides = packageOverrides pkgs;

  context = {
    plan = checkedPlan;
    inherit packages selected targetTriple release;
    hostTriple = stdenv.buildPlatform.rust.rustcTarget;
    rustc = toolchain;
    units = planUnits packages;
    sourceOf = crateSource {
      inherit workspaceSrc packages extraSources;
      fetchCrate = fetchCrate (if crateUrl == null then { } else { inherit crateUrl; });
    };
    applyOverrides = drv: builtins.foldl' (d: override: override d) drv userOverrides;
    perMember = f: builtins.listToAttrs (builtins.concatMap
      (id: let d = f id; in if d == null then [ ] else [{ name = packages.${id}.name; value = d; }])
      selected);
  };

  buildView = makeInstances context compileMode;
  hasTestView = checkedPlan.platforms.${targetTriple} ? test;
  testView =
    if compileMode == "test" then buildView
    else if hasTestView then makeInstances context "test"
    # A plan without a test view (hand-written, or cut down) has no tests.
    else { instances = { }; instancesOf = _: [ ]; memberTestsOf = _: { crate = null; harnessed = [ ]; }; };
  inherit (buildView) instances instancesOf;
  tests = if compileMode == "test" || hasTestView then makeTests context testView else { };

  clippyChecks = makeClippyChecks context {
    buildView = if compileMode == "build" then buildView else makeInstances context "build";
    inherit testView;
    clippy = clippyDriver;
    lintArgs = (if clippyDenyWarnings then [ "-D" "warnings" ] else [ ]) ++ clippyArgs;
    allTargets = clippyAllTargets;
  };

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
    checkedPlan.workspace.members);

  # For `cargo build` / `cargo test` by hand: the toolchain, cargo, and the inputs every crate of
  # both views gets from packageOverrides (pkg-config, C libraries of -sys crates).
  workspaceShell = mkShell {
    name = "crateplan-workspace-shell";
    nativeBuildInputs = [ toolchain cargo ];
    inputsFrom = builtins.attrValues instances
      ++ (if compileMode != "test" then builtins.attrValues testView.instances else [ ]);
  };
in
groupByRegistry { inherit packages instancesOf; } // {
  inherit workspace workspaceShell instances tests;
  # `cargo test`, per member: see makeTests. `testResults` is the name of older versions.
  testResults = tests;
  clippy = clippyChecks;
}
