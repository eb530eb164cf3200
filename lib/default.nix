# `rustBuilder`: crateplan's Nix side as one package scope, made the nixpkgs way — a
# `lib.makeScope newScope` of `callPackage` entries, one public function per file, each documented
# in its file. Members take what they need from the scope (the other members) and then from the
# package set, so `rustBuilder.overrideScope (final: prev: { … })` replaces any member and every
# other one sees the replacement (docs/overlay.md).
#
#   rustBuilder = import ./lib { inherit (pkgs) lib newScope; };   (what overlay/default.nix does)
{ lib, newScope }:
lib.makeScope newScope (self:
  let inherit (self) callPackage; in
  {
    # The front door: the plan made inside Nix (import from derivation) or a committed one, then
    # makePackageSet.
    buildRustWorkspace = callPackage ./build-rust-workspace.nix { };
    makePlan = callPackage ./make-plan.nix { };
    fetchSources = callPackage ./fetch-sources.nix { };
    # Pure functions of a workspace, needing nothing from the package set.
    readLockfile = import ./read-lockfile.nix;
    workspaceFiles = import ./workspace-files.nix;
    loadPlan = import ./load-plan.nix;

    # Where sources come from: crates.io, a registry crate's download, a git checkout.
    isCratesIo = callPackage ../overlay/is-crates-io.nix { };
    fetchCrate = callPackage ../overlay/fetch-crate.nix { };
    fetchGitCheckout = callPackage ../overlay/fetch-git-checkout.nix { };

    # A plan's package set, and its parts in the order makePackageSet uses them.
    makePackageSet = callPackage ../overlay/make-package-set.nix { };
    selectRustToolchain = callPackage ../overlay/rust-toolchain.nix { };
    checkPlan = callPackage ../overlay/check-plan.nix { };
    checkRootFeatures = callPackage ../overlay/root-features.nix { };
    planUnits = callPackage ../overlay/plan-units.nix { };
    profileArgs = import ../overlay/profile-args.nix;
    crateSource = callPackage ../overlay/crate-source.nix { };
    makeInstances = callPackage ../overlay/make-instances.nix { };
    makeTests = callPackage ../overlay/make-tests.nix { };
    makeClippyChecks = callPackage ../overlay/make-clippy-checks.nix { };
    groupByRegistry = callPackage ../overlay/group-by-registry.nix { };
    # cargo2nix's call forms: crates as functions, workspaceShell taking mkShell's arguments.
    crateFunction = callPackage ../overlay/crate-function.nix { };
    makeWorkspaceShell = callPackage ../overlay/workspace-shell.nix { };

    # One derivation: a crate instance, a member's tests, a member's clippy check.
    mkcrate = callPackage ../overlay/mkcrate.nix { };
    crateMeta = callPackage ../overlay/crate-meta.nix { };
    mkcrateTests = callPackage ../overlay/mkcrate-tests.nix { };
    mkcrateClippy = callPackage ../overlay/mkcrate-clippy.nix { };

    # Package overrides: makeOverride, and those of the common -sys crates (`overrides.all`).
    makeOverride = callPackage ../overlay/make-override.nix { };
    overrides = callPackage ../overlay/overrides.nix { };

    # cargo2nix's names for some of the members above.
    rustLib = { inherit (self) makeOverride mkcrate mkcrateTests mkcrateClippy fetchCrate; };

    # crateplan itself, built crate by crate from the plan committed in this repository.
    crateplan = (self.buildRustWorkspace { src = ../.; plan = ../Cargo.plan.json; }).crateplan;
  })
