{
  description = "Stand-in for flake-utils (lib.eachDefaultSystem, lib.eachSystem) for crateplan's offline tests";

  outputs = { self }:
    let
      # flake-utils' default systems.
      defaultSystems = [ "aarch64-linux" "aarch64-darwin" "x86_64-darwin" "x86_64-linux" ];
      # eachSystem systems f: the outputs `f system` gives, each attribute taken per system:
      # { packages.default = …; } for every system → { packages.<system>.default = …; }.
      eachSystem = systems: f: builtins.foldl'
        (acc: system:
          let outputs = f system; in
          acc // builtins.mapAttrs (name: value: (acc.${name} or { }) // { ${system} = value; }) outputs)
        { }
        systems;
    in
    {
      lib = {
        inherit defaultSystems eachSystem;
        eachDefaultSystem = eachSystem defaultSystems;
      };
    };
}
