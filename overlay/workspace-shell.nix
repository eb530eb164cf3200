# makeWorkspaceShell :: { toolchain, cargo, inputsFrom, env } -> shell
#   (cargo: [ ] when the toolchain has its own, else [ pkgs.cargo ])
#
# A package set's `workspaceShell`: `mkShell` with the toolchain, cargo (when not the
# toolchain's own), and the inputs of every crate (`inputsFrom`: pkg-config and the C libraries
# the overrides give -sys crates), so plain `cargo build --offline` works in it; `env`: more
# variables (RUST_SRC_PATH for rust-overlay's toolchains). As in cargo2nix, it is a derivation
# and also a function taking mkShell's arguments, which add to its own:
#
#   workspaceShell                                   the shell
#   workspaceShell { packages = [ pkgs.jq ]; shellHook = "…"; FOO = "1"; }
#                                                    the shell with those: nativeBuildInputs
#                                                    and inputsFrom after its own, the rest set
#   workspaceShell.override { … }, .overrideAttrs (old: { … })
#                                                    the same, and mkDerivation's overrideAttrs
#
# Being a function with `...`, `nix-build -A workspaceShell` passes it every `--arg` given (as it
# passes them to any function it ends on), and those become variables of the shell: use
# `--expr`, or a flake's `nix develop`, to give the set its arguments instead.
{ lib, mkShell }:
{ toolchain, cargo, inputsFrom, env ? { } }:
let
  make = args:
    mkShell (env // args // {
      name = args.name or "crateplan-workspace-shell";
      packages = args.packages or [ ];
      nativeBuildInputs = [ toolchain ] ++ cargo ++ args.nativeBuildInputs or [ ];
      buildInputs = args.buildInputs or [ ];
      inputsFrom = inputsFrom ++ args.inputsFrom or [ ];
    }) // {
      __functor = self: { ... }@more: self.override more;
    };
in
lib.makeOverridable make { }
