# rustBuilder.makePackageSet: every unit of a crateplan plan (docs/plan-schema.md) as Nix
# derivations, one per package instance (package × host/target × feature set).
#
#   pkgs.rustBuilder.makePackageSet {
#     plan = ./Cargo.plan.json;          # path to the plan JSON, or the parsed attrset
#     workspaceSrc ? dirOf plan;         # the workspace root (path packages are read from here);
#                                        # by default the plan file's directory, and then the
#                                        # plan is checked against it first (loadPlan)
#     rustToolchain ? null;              # a toolchain with bin/rustc (and rustdoc); null: pkgs.rustc,
#                                        # or rust-overlay's when one of the next four is given
#     rustVersion ? null;                # cargo2nix's: "1.85.0", a nightly's date, "latest"
#     rustChannel ? null;                # cargo2nix's: "stable", "beta", "nightly"
#     rustProfile ? "minimal";           # cargo2nix's: rust-overlay's profile, "minimal" or "default"
#     extraRustComponents ? [ ];         # cargo2nix's: e.g. [ "clippy" "rustfmt" ]
#                                        # (selectRustToolchain: rust-bin.<channel>.<version>.<profile>)
#     packageOverrides ? (pkgs: rustBuilder.overrides.all);
#     profile ? null;                    # the cargo profile the plan was made for (--profile):
#                                        # "release", "dev", a custom one; null: by `release`
#     release ? true;                    # profile = null: true "release", false "dev"
#     ignoreRustVersion ? false;         # build packages whose rust-version is newer than rustc
#     rootFeatures ? null;               # checked against the plan (features are fixed there)
#     target ? null;                     # target triple; default: hostPlatform.rust.rustcTarget
#     crateUrl ? null;                   # registry crates' download URL; null: fetchCrate's default
#     compileMode ? "build";             # "test": workspace/instances from the plan's test view
#     clippyToolchain ? null;            # bin/clippy-driver; default: rustToolchain, or rust-overlay's
#                                        # toolchain with clippy, else pkgs.clippy
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
# (e.g. crates-io.serde."1.0.1", also under cargo2nix's registry names: groupByRegistry),
# `workspaceShell` (makeWorkspaceShell), `instances` (every derivation by instance key),
# `rustToolchain` (the toolchain used). `workspace.<member>` and the registry crates are also
# cargo2nix's crate functions (`rustPkgs.workspace.foo { }`: crateFunction), `workspaceShell` is
# also a function taking mkShell's arguments.
#
# The work is done by other members of the scope, each replaceable with `overrideScope`:
# selectRustToolchain, checkPlan, crateSource, makeInstances (per view, with planUnits and
# profileArgs), makeTests, makeClippyChecks, groupByRegistry, crateFunction and
# makeWorkspaceShell. They share one `context`:
#   plan, packages, selected          the checked plan, its packages, the selected members' ids
#   units                             planUnits of the packages
#   targetTriple, hostTriple          the set's target, and the build machine's triple
#   profileName, rustc                the cargo profile's name, and the toolchain
#   profileRoot                       "release" or "debug": what build scripts see as PROFILE
#   rustflags                         { target; host; }: .cargo/config.toml's rustflags
#   configEnv                         .cargo/config.toml's `[env]`, relative paths made absolute
#   ignoreRustVersion                 as given
#   sourceOf                          crateSource: a package's { src; sourceRoot; … }
#   applyOverrides                    a derivation through every package override, in order
#   perMember                         f -> { <member name> = f <id>; } for the selected members
#                                     where f gives a derivation (not null)
{ lib
, pkgs
, stdenv
, mkShell
, cargo
, clippy
, overrides
, fetchCrate
, checkPlan
, planUnits
, crateSource
, makeInstances
, makeTests
, makeClippyChecks
, groupByRegistry
, selectRustToolchain
, crateFunction
, makeWorkspaceShell
, loadPlan
}:
{ plan ? null
, packageFun ? null
, workspaceSrc ? null
, rustToolchain ? null
, rustVersion ? null
, rustChannel ? null
, rustProfile ? "minimal"
, extraRustComponents ? [ ]
, packageOverrides ? (_: overrides.all)
, profile ? null
, release ? true
, ignoreRustVersion ? false
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
  targetTriple = if target != null then target else stdenv.hostPlatform.rust.rustcTarget;

  chosen = selectRustToolchain {
    inherit rustToolchain rustVersion rustChannel rustProfile extraRustComponents;
    target = targetTriple;
  };
  inherit (chosen) toolchain;

  # clippy-driver must be of the same Rust release as the rustc that compiled the dependencies.
  clippyDriver =
    if clippyToolchain != null then clippyToolchain
    else if chosen.clippy != null then chosen.clippy
    else clippy;

  # cargo2nix's Cargo.nix read the workspace from its own directory: so does a plan file.
  source =
    if workspaceSrc != null then workspaceSrc
    else if plan != null && !(builtins.isAttrs plan) then dirOf plan
    else throw "makePackageSet: pass workspaceSrc (the workspace root): the plan was given as a value, not as a file in the workspace";

  profileName = if profile != null then profile else if release then "release" else "dev";

  checkedPlan = checkPlan {
    plan =
      if plan == null then throw ("makePackageSet: no plan. crateplan builds from a plan instead of cargo2nix's Cargo.nix: "
        + "replace `packageFun = import ./Cargo.nix;` with `plan = ./Cargo.plan.json;` (made by `crateplan generate --target <triple> -o Cargo.plan.json`), "
        + "or use `rustBuilder.buildRustWorkspace ./.`, which makes the plan itself")
      else if builtins.isAttrs plan then plan
      # A plan file in the workspace (cargo2nix's form, Cargo.nix's place): checked against
      # Cargo.lock and the manifests first, as cargo2nix checked Cargo.nix's lock hash.
      else if workspaceSrc == null then loadPlan { src = source; inherit plan; caller = "makePackageSet"; }
      else builtins.fromJSON (builtins.readFile plan);
    target = targetTriple;
    profile = profileName;
    inherit compileMode rootFeatures;
  };

  inherit (checkedPlan) packages;
  selected = checkedPlan.workspace.selected;

  userOverrides = packageOverrides pkgs;

  context = {
    plan = checkedPlan;
    inherit packages selected targetTriple profileName ignoreRustVersion;
    # cargo's ProfileRoot: "release" or "debug", by where the profile's `inherits` chain starts.
    inherit (checkedPlan.inputs) profileRoot;
    rustflags = checkedPlan.platforms.${targetTriple}.rustflags or { target = [ ]; host = [ ]; };
    configEnv = builtins.mapAttrs
      (_: e: e // lib.optionalAttrs e.relative { value = "${source}/${e.value}"; })
      (checkedPlan.env or { });
    hostTriple = stdenv.buildPlatform.rust.rustcTarget;
    rustc = toolchain;
    units = planUnits packages;
    sourceOf = crateSource {
      inherit packages extraSources;
      workspaceSrc = source;
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

  # Each member's derivation, with `tests` (its tests derivation) when it has tests, and `clippy`;
  # also cargo2nix's crate function.
  workspace = builtins.listToAttrs (builtins.concatMap
    (id:
      let
        found = instancesOf id;
        name = packages.${id}.name;
      in
      if found == [ ] then [ ] else [{
        inherit name;
        value = crateFunction {
          crate = builtins.head found
            // lib.optionalAttrs (tests ? ${name}) { tests = tests.${name}; }
            // lib.optionalAttrs (clippyChecks ? ${name}) { clippy = clippyChecks.${name}; };
        };
      }])
    checkedPlan.workspace.members);

  # For `cargo build` / `cargo test` by hand: the toolchain, cargo, and the inputs every crate of
  # both views gets from packageOverrides (pkg-config, C libraries of -sys crates).
  workspaceShell = makeWorkspaceShell {
    inherit toolchain;
    cargo = if chosen.fromRustBin then [ ] else [ cargo ];
    inputsFrom = builtins.attrValues instances
      ++ (if compileMode != "test" then builtins.attrValues testView.instances else [ ]);
    env = lib.optionalAttrs chosen.fromRustBin { RUST_SRC_PATH = "${toolchain}/lib/rustlib/src/rust/library"; };
  };
in
groupByRegistry { inherit packages instancesOf crateFunction; } // {
  inherit workspace workspaceShell instances tests;
  # `cargo test`, per member: see makeTests. `testResults` is the name of older versions.
  testResults = tests;
  clippy = clippyChecks;
  rustToolchain = toolchain;
}
