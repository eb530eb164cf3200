# fetchSources :: { lockfile, fetchCrate } -> derivation
#
# One directory with every locked dependency's sources, laid out the way `crateplan generate
# --sources` reads them: `NAME-VERSION.crate` for registry crates (fetched by checksum with
# `fetchCrate`), and the checkout of each git revision under the revision's name.
{ stdenv, fetchGitCheckout }:
{ lockfile, fetchCrate }:
let
  isRegistry = p: (p ? source) && (builtins.match "(registry|sparse)\\+.*" p.source) != null;
  isGit = p: (p ? source) && (builtins.match "git\\+.*" p.source) != null;

  # git+URL[?branch=B|?tag=T|?rev=R]#REV
  gitCheckout = p:
    let
      parts = builtins.match "git\\+([^?#]*)(\\?([a-z]+)=([^#]*))?#(.*)" p.source;
      kind = builtins.elemAt parts 2;
      rev = builtins.elemAt parts 4;
    in
    {
      inherit rev;
      path = fetchGitCheckout {
        inherit (p) name version;
        inherit rev;
        url = builtins.elemAt parts 0;
        branch = if kind == "branch" then builtins.elemAt parts 3 else null;
      };
    };

  registryCrates = builtins.filter isRegistry lockfile.packages;
  checksumOf = p:
    p.checksum or (lockfile.metadata."checksum ${p.name} ${p.version} (${p.source})" or
      (throw "buildRustWorkspace: Cargo.lock has no checksum for ${p.name} ${p.version}; run `cargo generate-lockfile`"));

  links =
    map (p: "${p.name}-${p.version}.crate=${fetchCrate { inherit (p) name version; registry = p.source; checksum = checksumOf p; }}") registryCrates
    ++ map (c: "${c.rev}=${c.path}") (map gitCheckout (builtins.filter isGit lockfile.packages));
in
stdenv.mkDerivation {
  name = "crateplan-sources";
  dontUnpack = true;
  dontFixup = true;
  inherit links;
  installPhase = ''
    mkdir -p "$out"
    for link in $links; do
      ln -s "''${link#*=}" "$out/''${link%%=*}"
    done
  '';
}
