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
}:
let
  lib = import ./lib.nix;

  base = final: import ./packages.nix { inherit lib system final; };

  packageSet = lib.fix (builtins.foldl' (f: overlay: lib.extends overlay f) base overlays);
in
if system != "x86_64-linux"
then throw "tests/nixpkgs: only x86_64-linux is available, not ${system}"
else packageSet
