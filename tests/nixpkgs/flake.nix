{
  description = "Offline nixpkgs-shaped package set for crateplan's end-to-end tests";

  outputs = { self }: {
    lib = import ./lib.nix;
    legacyPackages.x86_64-linux = import ./default.nix { system = "x86_64-linux"; };
  };
}
