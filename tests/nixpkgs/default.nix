# A small nixpkgs-shaped package set built from host tools, for offline end-to-end tests.
#
#   import ./tests/nixpkgs { overlays = [ (import ./overlay) ]; }
#
# Host tools are not copied into the store: each package is a derivation of symlinks (or thin
# wrappers) to /usr and /opt/rust, which the test harness binds into the build sandbox
# (tests/nix/env.sh). What it offers, and nothing more, is listed in docs/nixpkgs-surface.md.
{ overlays ? [ ]
, system ? "x86_64-linux"
, config ? { }
, ...
}@args:
let
  lib = import ./lib.nix;

  base = final: import ./packages.nix { inherit lib system final; };

  # What nixpkgs' top level gives every package set, before the user's overlays (which may
  # replace it): `pkgs` (the set itself, for `callPackage`), `newScope`/`callPackage` (arguments
  # from the set), and `appendOverlays`/`extend` (the same set made again with more overlays).
  topLevel = final: prev: {
    pkgs = final;
    newScope = extra: lib.callPackageWith (final // extra);
    callPackage = final.newScope { };
    appendOverlays = extraOverlays:
      if extraOverlays == [ ] then final
      else import ./default.nix (args // { overlays = overlays ++ extraOverlays; });
    extend = overlay: final.appendOverlays [ overlay ];
  };

  packageSet = lib.fix (builtins.foldl' (f: overlay: lib.extends overlay f) base ([ topLevel ] ++ overlays));
in
if !(builtins.elem system [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ])
then throw "tests/nixpkgs: ${system} is not offered (x86_64-linux builds; aarch64-linux, x86_64-darwin and aarch64-darwin only evaluate)"
else packageSet
