# selectRustToolchain :: { rustToolchain, rustVersion, rustChannel, rustProfile, extraRustComponents,
#                          target } -> { toolchain, clippy, fromRustBin }
#
# The Rust toolchain of a package set, chosen by cargo2nix's makePackageSet arguments:
#
#   rustToolchain         given: that derivation (with bin/rustc), as it is
#   rustVersion           "1.85.0", a nightly's date "2025-01-31", or "latest" (the default
#                         when only rustChannel is given)
#   rustChannel           "stable" (default), "beta" or "nightly"; a version given here alone
#                         (cargo2nix's older spelling) means that stable version
#   rustProfile           rust-overlay's component profile: "minimal" (default) or "default"
#   extraRustComponents   more components, e.g. [ "clippy" "rustfmt" ]
#   target                the package set's target triple
#
# With rustVersion or rustChannel, the toolchain is rust-overlay's (`buildPackages.rust-bin`: it
# runs on the build machine) `rust-bin.<channel>.<version>.<profile>`, or for the latest nightly
# `rust-bin.selectLatestNightlyWith (t: t.<profile>)`, overridden with
# `extensions = [ "rust-src" ] ++ extraRustComponents` and `targets = [ <build machine> <target> ]`,
# as cargo2nix does; without rust-bin, an error naming rust-overlay. With none of the three,
# nixpkgs' `rustc`.
#
# `clippy` is the toolchain for `clippy-driver`: of the same Rust release as `toolchain` (clippy
# reads the crates' rlibs) — rust-bin's with the "clippy" component added, or `rustToolchain`
# itself; null for nixpkgs' `rustc` (makePackageSet then uses nixpkgs' `clippy`). `fromRustBin`
# says the toolchain has rust-overlay's components (rust-src and cargo among them).
#
# Example: selectRustToolchain { rustVersion = "1.85.0"; target = "x86_64-unknown-linux-gnu"; … }
#   => { toolchain = rust-bin.stable."1.85.0".minimal.override { extensions = [ "rust-src" ];
#        targets = [ "x86_64-unknown-linux-gnu" ]; }; … }
{ lib, stdenv, buildPackages, rustc }:
{ rustToolchain ? null
, rustVersion ? null
, rustChannel ? null
, rustProfile ? "minimal"
, extraRustComponents ? [ ]
, target
}:
let
  isVersion = s: builtins.match "[0-9]+\\.[0-9]+(\\.[0-9]+)?" s != null;
  legacyVersion = rustChannel != null && isVersion rustChannel;
  channel =
    if legacyVersion then "stable"
    else if rustChannel == null then "stable"
    else if builtins.elem rustChannel [ "stable" "beta" "nightly" ] then rustChannel
    else throw "makePackageSet: rustChannel must be \"stable\", \"beta\" or \"nightly\" (or a version), not \"${rustChannel}\"";
  version =
    if legacyVersion && rustVersion != null
    then throw "makePackageSet: rustChannel = \"${rustChannel}\" is a version and rustVersion = \"${rustVersion}\" is another; pass the version as rustVersion only"
    else if legacyVersion then rustChannel
    else if rustVersion == null then "latest"
    else rustVersion;

  rustBin = buildPackages.rust-bin or (throw ("makePackageSet: rustVersion/rustChannel need a toolchain provider "
    + "(pkgs.rust-bin, from rust-overlay: add its overlay to your nixpkgs, as cargo2nix's overlay did), "
    + "and this nixpkgs has none. Add it, or pass rustToolchain = <a derivation with bin/rustc> instead."));

  # The toolchain of the chosen channel, version and profile, before `override`.
  base =
    if channel == "nightly" && version == "latest" then rustBin.selectLatestNightlyWith (t: profileOf "nightly" t)
    else profileOf "${channel}.${version}"
      (rustBin.${channel}.${version} or (throw "makePackageSet: rust-bin.${channel} has no version \"${version}\"; update the rust-overlay input (or pick another rustVersion)"));
  profileOf = what: toolchains: toolchains.${rustProfile}
    or (throw "makePackageSet: rust-bin.${what} has no profile \"${rustProfile}\" (rustProfile): it has ${lib.concatStringsSep ", " (builtins.attrNames toolchains)}");

  extensions = lib.unique ([ "rust-src" ] ++ extraRustComponents);
  targets = lib.unique [ stdenv.buildPlatform.rust.rustcTarget target ];
  withComponents = exts: base.override { extensions = exts; inherit targets; };
  selected = withComponents extensions;
in
if rustToolchain != null then { toolchain = rustToolchain; clippy = rustToolchain; fromRustBin = false; }
else if rustVersion == null && rustChannel == null then { toolchain = rustc; clippy = null; fromRustBin = false; }
else {
  toolchain = selected;
  clippy = if builtins.elem "clippy" extensions then selected else withComponents (extensions ++ [ "clippy" ]);
  fromRustBin = true;
}
