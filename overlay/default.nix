# crateplan's nixpkgs overlay: `pkgs.rustBuilder`.
#
#   import <nixpkgs> { overlays = [ (import ./overlay) ]; }
#
# Only the nixpkgs surface listed in docs/nixpkgs-surface.md is used.
final: prev:
let
  makeOverride = import ./make-override.nix { };
  mkcrate = import ./mkcrate.nix { inherit (final) lib stdenv; };
in
{
  rustBuilder = {
    makePackageSet = import ./make-package-set.nix { pkgs = final; inherit mkcrate; };
    rustLib = {
      inherit makeOverride mkcrate;
    };
    overrides = import ./overrides.nix { pkgs = final; inherit makeOverride; };
  };
}
