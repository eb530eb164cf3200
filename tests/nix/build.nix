# Builds one workspace from a plan with the overlay, on the offline package set (tests/nixpkgs).
#   nix-build tests/nix/build.nix --arg plan /abs/plan.json --arg src /abs/workspace -A workspace.NAME
{ plan
, src
, crateUrl ? "file:///crates-mirror/{name}-{version}.crate"
, release ? true
, profile ? null
, ignoreRustVersion ? false
, useOverrides ? true
, rustVersion ? null
, target ? null
, compileMode ? "build"
, clippyDenyWarnings ? true
, clippyAllTargets ? true
, extraSources ? { }
}:
let
  pkgs = import ../nixpkgs { overlays = [ (import ../../overlay) ]; };
in
pkgs.rustBuilder.makePackageSet ({
  inherit plan crateUrl release profile ignoreRustVersion rustVersion target compileMode clippyDenyWarnings clippyAllTargets extraSources;
  workspaceSrc = src;
} // pkgs.lib.optionalAttrs (!useOverrides) {
  packageOverrides = _: [ ];
})
