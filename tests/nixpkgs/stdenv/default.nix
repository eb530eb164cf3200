# stdenv of the stand-in set: `stdenv.mkDerivation` with the nixpkgs features the overlay uses
# (phases and hooks are in ./setup.sh), `stdenv.cc`, and the platform attributes.
{ lib, system, hostDerivation, initialPath, cc, platform }:
let
  # The stdenv itself is a store path holding `setup`, so `nix-shell` can source it as usual.
  stdenvOut = hostDerivation {
    name = "stdenv-host";
    setup = ./setup.sh;
    script = ''
      /usr/bin/mkdir -p "$out"
      /usr/bin/cp "$setup" "$out/setup"
    '';
  };

  # Attributes that configure mkDerivation but are not passed to the builder.
  notForBuilder = [ "passthru" "meta" ];

  toEnvValue = value:
    if builtins.isList value then builtins.concatStringsSep " " (map toString value)
    else if builtins.isBool value then (if value then "1" else "")
    else if value == null then ""
    else value;

  # The builder: with `__structuredAttrs = true` Nix passes no attribute in the environment but
  # writes them to .attrs.sh in the build directory, sourced first (then `$stdenv` is known).
  builderScript = structured:
    (if structured then "source .attrs.sh; " else "") + ''source "$stdenv/setup"; genericBuild'';

  mkDerivation = attrs:
    let
      name = attrs.name or "${attrs.pname}-${attrs.version}";
      outputs = attrs.outputs or [ "out" ];
      passthru = attrs.passthru or { };
      structured = attrs.__structuredAttrs or false;
      # `env`: environment variables. Structured attributes keep it as one attribute (setup.sh
      # exports its entries); otherwise its entries are attributes of their own, as in nixpkgs.
      env = attrs.env or { };
      clashes = builtins.filter (n: attrs ? ${n}) (builtins.attrNames env);
      builderAttrs =
        if structured then builtins.removeAttrs attrs notForBuilder
        else if clashes != [ ] then throw "mkDerivation ${name}: `env` and the derivation both set ${builtins.concatStringsSep ", " clashes}; set each in one place"
        else builtins.mapAttrs (_: toEnvValue) (builtins.removeAttrs attrs (notForBuilder ++ [ "env" ]) // env);
      # Lists stay lists with structured attributes (bash arrays in .attrs.sh).
      inputList = value: if structured then value else toEnvValue value;
      drv = builtins.derivation (builderAttrs // {
        inherit name system outputs;
        builder = "/bin/bash";
        args = [ "-c" (builderScript structured) ];
        stdenv = stdenvOut;
        initialPath = inputList initialPath;
        nativeBuildInputs = inputList ([ cc ] ++ attrs.nativeBuildInputs or [ ]);
        buildInputs = inputList (attrs.buildInputs or [ ]);
      });
      # Every output gets the passthru attributes and overrideAttrs, like nixpkgs' outputs do.
      decorate = d: d // passthru // {
        inherit passthru;
        # overrideAttrs (old: { … }) — the new attributes are merged over the old ones.
        overrideAttrs = f: mkDerivation (attrs // f attrs);
        meta = attrs.meta or { };
        nativeBuildInputs = attrs.nativeBuildInputs or [ ];
        buildInputs = attrs.buildInputs or [ ];
      };
      outputAttrs = builtins.listToAttrs (map (o: { name = o; value = decorate drv.${o}; }) outputs);
    in
    decorate drv // outputAttrs;
in
{
  inherit mkDerivation cc;
  hostPlatform = platform;
  buildPlatform = platform;
  outPath = stdenvOut.outPath;
  drvPath = stdenvOut.drvPath;
  type = "derivation";
  name = "stdenv-host";
}
