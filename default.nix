# For users without flakes:
#
#   let crateplan = import ./path/to/crateplan { inherit pkgs; };
#   in crateplan.buildRustWorkspace ./.
#
# `pkgs` is any nixpkgs; crateplan's overlay is applied to it here.
{ pkgs ? import <nixpkgs> { } }:
let
  final = if pkgs ? rustBuilder then pkgs else pkgs // import ./overlay final pkgs;
in
{
  inherit (final.rustBuilder) buildRustWorkspace makePackageSet crateplan;
  overlay = import ./overlay;
  pkgs = final;
}
