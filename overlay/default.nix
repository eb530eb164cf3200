# crateplan's nixpkgs overlay: `pkgs.rustBuilder`, the scope of lib/default.nix.
#
#   import <nixpkgs> { overlays = [ (import ./overlay) ]; }
#   pkgs.extend (import ./overlay)
#
# Only the nixpkgs surface listed in docs/nixpkgs-surface.md is used.
final: prev: {
  rustBuilder = import ../lib { inherit (final) lib newScope; };
}
