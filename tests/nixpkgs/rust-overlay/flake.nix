{
  description = "Stand-in for rust-overlay (rust-bin of its shape) for crateplan's offline tests";

  outputs = { self }: {
    overlays.default = import ./default.nix;
  };
}
