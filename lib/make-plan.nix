# makePlan :: { crateplan, src, lockfile, fetchCrate, targets, hostTriple, features, profile, … } -> attrset
#
# Runs `crateplan generate` in a derivation and imports its output (import-from-derivation), for
# the workspace at `src` (or at `src + "/${workspaceDir}"`, `src` holding path dependencies
# outside it). The derivation sees only the manifests, the file names target discovery asks
# about (workspaceFiles), the fetched dependency sources and the generator, so editing a `.rs`
# file, or adding one discovery does not look at, leaves it — and the plan — unchanged. Result: `{ derivation; value; }`, the derivation and the parsed plan.
{ stdenv, workspaceFiles, fetchSources }:
{ crateplan
, src
, workspaceDir ? ""
, lockfile
, fetchCrate
, targets
, hostTriple
, features ? [ ]
, allFeatures ? false
, noDefaultFeatures ? false
, packages ? null
, profile ? "release"
}:
let
  workspace = workspaceFiles { inherit src workspaceDir; };
  manifest = if workspaceDir == "" then "Cargo.toml" else "${workspaceDir}/Cargo.toml";
  sources = fetchSources { inherit lockfile fetchCrate; };
  flags =
    map (t: "--target=${t}") targets
    ++ [ "--host=${hostTriple}" ]
    ++ (if features == [ ] then [ ] else [ "--features=${builtins.concatStringsSep "," features}" ])
    ++ (if allFeatures then [ "--all-features" ] else [ ])
    ++ (if noDefaultFeatures then [ "--no-default-features" ] else [ ])
    ++ (if packages == null then [ ] else map (p: "--package=${p}") packages)
    # The profile the set will build: each unit's profile is in the plan.
    ++ import ./profile-flags.nix profile;
  plan = stdenv.mkDerivation {
    name = "crateplan-plan.json";
    dontUnpack = true;
    dontFixup = true;
    nativeBuildInputs = [ crateplan ];
    inherit flags;
    manifests = workspace.manifests;
    fileList = workspace.fileList;
    inherit sources manifest;
    buildPhase = ''
      runHook preBuild
      crateplan generate --manifest-path "$manifests/$manifest" --file-list "$fileList" \
        --sources "$sources" $flags -o plan.json
      runHook postBuild
    '';
    installPhase = ''
      cp plan.json "$out"
    '';
  };
in
{
  derivation = plan;
  value = builtins.fromJSON (builtins.readFile plan);
}
