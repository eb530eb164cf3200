# workspace.many-crates of a plan with every crate derivation made new (a `benchNonce` added by an
# override), downloads kept: a clean build, for bench/nix-build.sh and bench/lto-build.sh.
#   nix-build bench/clean-build.nix --argstr nonce N --arg plan /abs/plan.json --arg src /abs/ws [--argstr profile P]
{ nonce, plan, src, profile ? null }:
let
  pkgs = import ../tests/nixpkgs { overlays = [ (import ../overlay) ]; };
in
(pkgs.rustBuilder.makePackageSet {
  inherit plan profile;
  workspaceSrc = src;
  crateUrl = "file:///crates-mirror/{name}-{version}.crate";
  packageOverrides = p: p.rustBuilder.overrides.all ++ [ (crate: crate.overrideAttrs (_: { benchNonce = nonce; })) ];
}).workspace.many-crates
