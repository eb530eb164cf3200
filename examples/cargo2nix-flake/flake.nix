# cargo2nix's README "bare minimum flake.nix", moved to crateplan: the inputs name crateplan
# (and rust-overlay, which cargo2nix's overlay bundled, for `rustVersion`) instead of cargo2nix,
# and `packageFun = import ./Cargo.nix;` became `plan = ./Cargo.plan.json;`, made with
#   crateplan generate --target x86_64-unknown-linux-gnu --target aarch64-unknown-linux-gnu \
#     --target x86_64-apple-darwin --target aarch64-apple-darwin --release -o Cargo.plan.json
# (one target per system of eachDefaultSystem). devShells is the README's "Development
# environment": workspaceShell called with mkShell's arguments.
{
  inputs = {
    crateplan.url = "github:crateplan/crateplan";
    rust-overlay.url = "github:oxalica/rust-overlay";
    flake-utils.url = "github:numtide/flake-utils";
    nixpkgs.follows = "crateplan/nixpkgs";
  };

  outputs = inputs: with inputs;
    flake-utils.lib.eachDefaultSystem (system:
      let
        pkgs = import nixpkgs {
          inherit system;
          overlays = [ rust-overlay.overlays.default crateplan.overlays.default ];
        };

        rustPkgs = pkgs.rustBuilder.makePackageSet {
          rustVersion = "1.95.0";
          plan = ./Cargo.plan.json;
        };

      in rec {
        packages = {
          # replace hello-world with your package name
          hello-world = (rustPkgs.workspace.hello-world {});
          default = packages.hello-world;
        };

        devShells.default = rustPkgs.workspaceShell {
          packages = [ pkgs.pkg-config ];
          shellHook = ''
            export HELLO_WORLD_SHELL=1
          '';
        };
      }
    );
}
