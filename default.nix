# For users without flakes:
#
#   let crateplan = import ./path/to/crateplan { inherit pkgs; };
#   in crateplan.buildRustWorkspace ./.
#
# `pkgs` is any nixpkgs; crateplan's overlay is applied to it here (`pkgs.extend`), unless it
# already has it.
{ pkgs ? import <nixpkgs> { } }:
let
  final = if pkgs ? rustBuilder then pkgs else pkgs.extend (import ./overlay);
in
{
  inherit (final.rustBuilder) buildRustWorkspace makePackageSet crateplan;
  overlay = import ./overlay;
  pkgs = final;
}
