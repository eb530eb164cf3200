{
  description = "crateplan: build Rust workspaces with Nix, one derivation per crate, nothing generated in git";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ];
      forAllSystems = f: builtins.listToAttrs (map (system: { name = system; value = f system; }) systems);

      # `pkgs` with the overlay applied (`pkgs.extend`), unless it already has it.
      withOverlay = pkgs: if pkgs ? rustBuilder then pkgs else pkgs.extend self.overlays.default;

      pkgsFor = system: withOverlay nixpkgs.legacyPackages.${system};

      # This repository, from its committed plan.
      ownWorkspace = system: (pkgsFor system).rustBuilder.buildRustWorkspace {
        src = ./.;
        plan = ./Cargo.plan.json;
      };
    in
    {
      overlays.default = import ./overlay;

      lib = {
        # buildRustWorkspace { pkgs; src; plan ? null; … } — see lib/build-rust-workspace.nix.
        buildRustWorkspace = { pkgs, ... }@args:
          (withOverlay pkgs).rustBuilder.buildRustWorkspace (builtins.removeAttrs args [ "pkgs" ]);
      };

      # crateplan itself, built crate by crate from the plan committed in this repository.
      packages = forAllSystems (system: {
        default = (pkgsFor system).rustBuilder.crateplan;
        crateplan = (pkgsFor system).rustBuilder.crateplan;
      });

      templates.default = {
        path = ./templates/default;
        description = "A Rust workspace built crate by crate with crateplan's buildRustWorkspace";
      };

      checks = forAllSystems (system: {
        crateplan = (pkgsFor system).rustBuilder.crateplan;
        # The committed plan of this repository is current (evaluating it checks).
        plan = (ownWorkspace system).workspace.crateplan;
        # `cargo clippy --all-targets -- -D warnings` on crateplan's own code.
        clippy = (ownWorkspace system).clippy.crateplan;
      });

      devShells = forAllSystems (system:
        let pkgs = pkgsFor system; in
        {
          default = pkgs.mkShell {
            name = "crateplan-dev";
            nativeBuildInputs = [ pkgs.rustc pkgs.cargo ];
          };
        });
    };
}
