# crateplan's nixpkgs overlay: `pkgs.rustBuilder`.
#
#   import <nixpkgs> { overlays = [ (import ./overlay) ]; }
#
# Only the nixpkgs surface listed in docs/nixpkgs-surface.md is used.
final: prev:
let
  makeOverride = import ./make-override.nix { };
  mkcrate = import ./mkcrate.nix { inherit (final) lib stdenv; };
  mkcrateTests = import ./mkcrate-tests.nix { inherit (final) lib stdenv; };
  mkcrateClippy = import ./mkcrate-clippy.nix { inherit (final) lib stdenv; };
  fetchCrate = import ./fetch-crate.nix { inherit (final) fetchurl; };
  # The Nix library (lib/): buildRustWorkspace, the front door over makePackageSet.
  crateplanLib = import ../lib { pkgs = final; };
in
{
  rustBuilder = {
    makePackageSet = import ./make-package-set.nix { pkgs = final; inherit mkcrate mkcrateTests mkcrateClippy; fetchCrateWith = fetchCrate; };
    inherit (crateplanLib) buildRustWorkspace;
    # crateplan itself, built crate by crate from the plan committed in this repository.
    crateplan = (crateplanLib.buildRustWorkspace { src = ../.; plan = ../Cargo.plan.json; }).crateplan;
    rustLib = {
      inherit makeOverride mkcrate mkcrateTests mkcrateClippy fetchCrate;
    };
    overrides = import ./overrides.nix { pkgs = final; inherit makeOverride; };
  };
}
