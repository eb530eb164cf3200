# cargo2nix's call forms on a package set of examples/cargo2nix-flake, by evaluation: expected
# and actual pairs. Returns { checked = [ names ]; failed = [ { name; actual; expected; } ]; }. Used by tests/nix/cargo2nix-tests.sh:
#
#   nix-instantiate --eval --strict --json tests/nix/cargo2nix-checks.nix \
#     --arg plan PLAN --arg src WORKSPACE --arg expected JSON_FILE
#
# `expected` is what cargo says (`cargo metadata`, `rustc --version`): { hostRust; packages.<name>
# = { description; homepage; licenseIds; bins; defaultRun; version; }; }, written by the test script.
{ plan, src, expected }:
let
  want = builtins.fromJSON (builtins.readFile expected);
  withRustOverlay = import ../nixpkgs { overlays = [ (import ../nixpkgs/rust-overlay) (import ../../overlay) ]; };
  plain = import ../nixpkgs { overlays = [ (import ../../overlay) ]; };
  inherit (withRustOverlay) lib;
  crateUrl = "file:///crates-mirror/{name}-{version}.crate";
  setWith = pkgs: args: pkgs.rustBuilder.makePackageSet ({ inherit plan crateUrl; workspaceSrc = src; } // args);
  set = setWith withRustOverlay { rustVersion = want.hostRust; };
  cratesIo = set."registry+https://github.com/rust-lang/crates.io-index";
  itoaVersion = builtins.head (builtins.attrNames set.crates-io.itoa);
  itoa = set.crates-io.itoa.${itoaVersion};

  # What rust-bin was asked for: channel, version, profile, extensions, targets.
  asked = args: (setWith withRustOverlay args).rustToolchain.rustBin;
  # The error message of evaluating `value` (a throw's text is not catchable in Nix: the test
  # script checks messages; here only that it fails).
  fails = value: !(builtins.tryEval (builtins.deepSeq value value)).success;
  drv = d: d.drvPath;

  # The licenses of meta.license, as SPDX identifiers (a lib.licenses entry's spdxId, or the string).
  licenseIds = license: map (l: if builtins.isAttrs l then l.spdxId else l)
    (if builtins.isList license then license else [ license ]);
  metaOf = name: crate: {
    description = crate.meta.description or "";
    homepage = crate.meta.homepage or "";
    licenseIds = licenseIds (crate.meta.license or [ ]);
    mainProgram = crate.meta.mainProgram or null;
    pname = crate.pname;
    version = crate.version;
  };
  metaWanted = name: p: {
    inherit (p) description homepage licenseIds version;
    # `cargo run`'s choice: the only bin, else default-run.
    mainProgram = if builtins.length p.bins == 1 then builtins.head p.bins else p.defaultRun;
    pname = name;
  };

  checks = {
    # makePackageSet's toolchain arguments, as cargo2nix gives them to rust-overlay.
    toolchainVersion = {
      actual = asked { rustVersion = want.hostRust; };
      expected = { channel = "stable"; version = want.hostRust; profile = "minimal"; extensions = [ "rust-src" ]; targets = [ "x86_64-unknown-linux-gnu" ]; targetExtensions = [ ]; };
    };
    toolchainNightlyDate = {
      actual = asked { rustChannel = "nightly"; rustVersion = "2025-01-31"; rustProfile = "default"; extraRustComponents = [ "clippy" "miri" ]; };
      expected = { channel = "nightly"; version = "2025-01-31"; profile = "default"; extensions = [ "rust-src" "clippy" "miri" ]; targets = [ "x86_64-unknown-linux-gnu" ]; targetExtensions = [ ]; };
    };
    # selectLatestNightlyWith, and "latest" for the other channels.
    toolchainLatest = {
      actual = map (args: (asked args).version + "/" + (asked args).channel) [ { rustChannel = "nightly"; } { rustChannel = "beta"; } { rustChannel = "stable"; } ];
      expected = [ "latest/nightly" "latest/beta" "latest/stable" ];
    };
    toolchainLegacyChannelVersion = {
      actual = (asked { rustChannel = want.hostRust; }).version;
      expected = want.hostRust;
    };
    toolchainTargets = {
      actual = (asked { rustVersion = want.hostRust; target = "aarch64-apple-darwin"; }).targets;
      expected = [ "x86_64-unknown-linux-gnu" "aarch64-apple-darwin" ];
    };
    # The crates are compiled with it, and the shell has it (and RUST_SRC_PATH into it).
    toolchainUsed = {
      actual = [
        (builtins.elem set.rustToolchain.outPath (map toString set.workspace.hello-world.nativeBuildInputs))
        (builtins.elem set.rustToolchain.outPath (map toString set.workspaceShell.nativeBuildInputs))
        set.workspaceShell.RUST_SRC_PATH
      ];
      expected = [ true true "${set.rustToolchain}/lib/rustlib/src/rust/library" ];
    };
    # clippy-driver from the same release, with the clippy component.
    clippyToolchain = {
      actual = builtins.filter (b: b != null) (map (d: d.rustBin or null) set.clippy.hello-world.nativeBuildInputs);
      expected = [ ((asked { rustVersion = want.hostRust; }) // { extensions = [ "rust-src" "clippy" ]; }) ];
    };
    toolchainErrors = {
      actual = map fails [
        (setWith plain { rustVersion = want.hostRust; }).workspace.hello-world.drvPath
        (setWith withRustOverlay { rustChannel = "unstable"; }).workspace.hello-world.drvPath
        (setWith withRustOverlay { rustChannel = want.hostRust; rustVersion = want.hostRust; }).workspace.hello-world.drvPath
        (setWith withRustOverlay { rustVersion = want.hostRust; rustProfile = "everything"; }).workspace.hello-world.drvPath
      ];
      expected = [ true true true true ];
    };

    # rootFeatures as cargo2nix spells them: the plan (made with --workspace, default features)
    # is every member's "<member>/default", and the plan's own --features ([ ]) still work.
    rootFeatures = {
      actual = map (rootFeatures: !(fails (setWith withRustOverlay { inherit rootFeatures; }).workspace.hello-world.drvPath)) [
        [ "hello-world/default" "greeting/default" ]
        [ ]
        [ "hello-world/default" ]
        [ "hello-world" "greeting" ]
        [ "hello-world/default" "greeting/default" "greeting/extra" ]
      ];
      expected = [ true true false false false ];
    };

    # Crates are derivations and cargo2nix's crate functions, under both registry spellings.
    crateCalled = {
      actual = map drv [ (set.workspace.hello-world { }) (set.workspace.hello-world { compileMode = "build"; })
        (cratesIo.itoa.${itoaVersion} { }) (set.unknown.greeting."0.2.0" { }) set.path.greeting."0.2.0" ];
      expected = map drv [ set.workspace.hello-world set.workspace.hello-world itoa set.workspace.greeting set.workspace.greeting ];
    };
    crateTests = {
      actual = drv (set.workspace.greeting { compileMode = "test"; });
      expected = drv set.tests.greeting;
    };
    crateCallErrors = {
      actual = map fails [ (set.workspace.hello-world { compileMode = "bench"; }) (set.workspace.hello-world { profileName = "dev"; })
        (itoa { compileMode = "test"; }) ];
      expected = [ true true true ];
    };
    crateOverride = {
      actual =
        let
          overridden = itoa.override { features = [ "overridden" ]; };
          attrs = itoa.overrideAttrs (old: { OVERRIDE_MARK = "1"; });
        in
        [ (overridden.drvPath != itoa.drvPath) overridden.name (builtins.elem "overridden" overridden.crateplanFeatures)
          (attrs.drvPath != itoa.drvPath) attrs.OVERRIDE_MARK (set.workspace.hello-world.override { }).drvPath ];
      expected = [ true "itoa-${itoaVersion}" true true "1" set.workspace.hello-world.drvPath ];
    };

    # workspaceShell: a derivation, and a function of mkShell's arguments.
    shellCalled = {
      actual =
        let shell = set.workspaceShell { packages = [ withRustOverlay.pkg-config ]; shellHook = "echo hi"; FOO = "bar"; }; in
        [ (set.workspaceShell { }).drvPath (builtins.elem withRustOverlay.pkg-config.outPath (map toString shell.nativeBuildInputs))
          shell.shellHook shell.FOO (shell.override { shellHook = "echo bye"; }).shellHook
          (shell.overrideAttrs (old: { shellHook = old.shellHook + "!"; })).shellHook
          (builtins.length shell.nativeBuildInputs > builtins.length set.workspaceShell.nativeBuildInputs) ];
      expected = [ set.workspaceShell.drvPath true "echo hi" "bar" "echo bye" "echo hi!" true ];
    };

    # Normal packages: pname, version and meta as cargo describes the package.
    metaHello = { actual = metaOf "hello-world" set.workspace.hello-world; expected = metaWanted "hello-world" want.packages.hello-world; };
    metaGreeting = { actual = metaOf "greeting" set.workspace.greeting; expected = metaWanted "greeting" want.packages.greeting; };
    metaItoa = { actual = metaOf "itoa" itoa; expected = metaWanted "itoa" want.packages.itoa; };
    licenseEntries = {
      actual = [ set.workspace.hello-world.meta.license set.workspace.greeting.meta.license ];
      expected = [ [ lib.licenses.mit lib.licenses.asl20 ] "Unicode-3.0" ];
    };
    getExe = {
      actual = lib.getExe set.workspace.hello-world;
      expected = "${set.workspace.hello-world.out}/bin/hello";
    };
  };
in
{
  checked = builtins.attrNames checks;
  failed = builtins.concatMap
    (name: let c = checks.${name}; in if c.actual == c.expected then [ ] else [{ inherit name; inherit (c) actual expected; }])
    (builtins.attrNames checks);
}
