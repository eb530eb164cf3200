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
      #   crateplan generate --target x86_64-unknown-linux-gnu -o Cargo.plan.json
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
      devShells = forAllSystems (system: {
        default = (workspace system).workspaceShell;
      });
    };
}
