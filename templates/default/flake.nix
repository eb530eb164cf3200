{
  description = "A Rust workspace built crate by crate with crateplan";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    crateplan.url = "github:crateplan/crateplan";
    crateplan.inputs.nixpkgs.follows = "nixpkgs";
  };

  outputs = { self, nixpkgs, crateplan }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ];
      forAllSystems = f: builtins.listToAttrs (map (system: { name = system; value = f system; }) systems);
      # The plan is made inside Nix from Cargo.lock and the manifests. For Hydra or nixpkgs
      # (no import-from-derivation), commit one instead:
      #   crateplan generate --target x86_64-unknown-linux-gnu --release -o Cargo.plan.json
      # and add `plan = ./Cargo.plan.json;` below.
      workspace = system: crateplan.lib.buildRustWorkspace {
        pkgs = nixpkgs.legacyPackages.${system};
        src = ./.;
      };
    in
    {
      packages = forAllSystems (system: {
        default = (workspace system).default;
      });
      # `nix flake check`: `.#checks.<system>.<member>` runs each member's `cargo test` (unit,
      # integration and doc tests) in the sandbox, a failing test fails it; `<member>-clippy` is its
      # `cargo clippy --all-targets -- -D warnings` (clippyDenyWarnings = false to allow warnings).
      checks = forAllSystems (system: (workspace system).checks);
      # `nix develop`: cargo, rustc and the native inputs (pkg-config, C libraries) of the crates.
      devShells = forAllSystems (system: {
        default = (workspace system).workspaceShell;
      });
    };
}
