{
  description = "Offline nixpkgs-shaped package set for crateplan's end-to-end tests";

  outputs = { self }: {
    lib = import ./lib.nix;
    # x86_64-linux builds; the other systems only evaluate (see packages.nix).
    legacyPackages = builtins.listToAttrs (map
      (system: { name = system; value = import ./default.nix { inherit system; }; })
      [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ]);
  };
}
