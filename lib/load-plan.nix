# loadPlan :: { src, plan, target ? null, caller ? "buildRustWorkspace" } -> attrset
#
# A plan committed to the workspace (committed mode: no import-from-derivation), checked against
# the workspace first: when Cargo.lock, a manifest or `.cargo/config.toml` changed after the plan
# was made, or a file
# was added or removed where target discovery or a `members` glob looked, evaluation
# stops with a message naming what changed and the command that regenerates the plan (the same
# answer `crateplan check` gives). With `target`, the plan must also hold units for that triple.
# `caller` begins the messages.
{ src, plan, target ? null, caller ? "buildRustWorkspace" }:
let
  schemaVersion = import ./plan-schema-version.nix;
  value = builtins.fromJSON (builtins.readFile plan);
  planName = baseNameOf (toString plan);

  current = rel: sha256:
    let path = src + "/${rel}"; in
    if !(builtins.pathExists path) then [ "${rel} is gone" ]
    else if builtins.hashFile "sha256" path != sha256 then [ "${rel} changed" ]
    else [ ];

  # What target discovery and the `members` globs looked at when the plan was made
  # (docs/plan-schema.md, `inputs.probes` and `inputs.listings`), asked again: the same two
  # operations as `crateplan check` (src/load/lookups.rs), so that no discovery rule lives here.
  at = rel: if rel == "." then src else src + "/${rel}";
  # The type `readDir` gives the entry `rel` ("regular", "directory", "symlink" …), or null when
  # it or a directory above it is missing.
  # (`..` leads out of the workspace root, to a path package outside it.)
  isDir = rel: rel == "." || baseNameOf rel == ".." || builtins.elem (typeOf rel) [ "directory" "symlink" ];
  typeOf = rel: if isDir (dirOf rel) then (builtins.readDir (at (dirOf rel))).${baseNameOf rel} or null else null;
  # probe: is something other than a directory at `rel` (a symlink counts, wherever it points)?
  probe = rel: !(builtins.elem (typeOf rel) [ null "directory" ]);
  # listing: the entries of a directory, dotfiles left out, `/` after a directory and `@` after a
  # symlink; none for a missing directory.
  listing = rel:
    let
      entries = if isDir rel then builtins.readDir (at rel) else { };
      mark = n: { directory = "/"; symlink = "@"; }.${entries.${n}} or "";
    in
    map (n: n + mark n) (builtins.filter (n: builtins.substring 0 1 n != ".") (builtins.attrNames entries));
  under = dir: name: if dir == "." then name else "${dir}/${name}";
  lookupChanges =
    builtins.concatLists (builtins.attrValues (builtins.mapAttrs
      (rel: was:
        let now = probe rel; in
        if now == was then [ ]
        else if now then [ "${rel} is new" ]
        else [ "${rel} is gone (or not in `src`: untracked by git, or filtered out)" ])
      (value.inputs.probes or { })))
    ++ builtins.concatLists (builtins.attrValues (builtins.mapAttrs
      (dir: was:
        let now = listing dir; in
        map (n: "${under dir n} is new") (builtins.filter (n: !(builtins.elem n was)) now)
        ++ map (n: "${under dir n} is gone (or not in `src`: untracked by git, or filtered out)")
          (builtins.filter (n: !(builtins.elem n now)) was))
      (value.inputs.listings or { })));

  changes =
    current value.inputs.lockfile.path value.inputs.lockfile.sha256
    ++ builtins.concatMap (m: current m.path m.sha256) value.inputs.manifests
    ++ builtins.concatMap (c: current c.path c.sha256) (value.inputs.config or [ ])
    ++ lookupChanges;

  inherit (value.inputs) features packages;
  triples = builtins.attrNames value.platforms;
  regenerateFor = targets: builtins.concatStringsSep " " ([ "crateplan generate" ]
    ++ map (t: "--target ${t}") targets
    ++ (if features.features == [ ] then [ ] else [ "--features ${builtins.concatStringsSep "," features.features}" ])
    ++ (if features.allFeatures then [ "--all-features" ] else [ ])
    ++ (if features.noDefaultFeatures then [ "--no-default-features" ] else [ ])
    ++ (if packages == "workspace" then [ "--workspace" ]
        else if builtins.isList packages then map (p: "-p ${p}") packages
        else if builtins.isAttrs packages then [ "--workspace" ] ++ map (e: "--exclude ${e}") packages.exclude
        else [ ])
    ++ import ./profile-flags.nix (value.inputs.profile or "dev")
    ++ [ "-o ${planName}" ]);
  regenerate = regenerateFor triples;
in
if (value.version or null) != schemaVersion
then throw "${caller}: ${planName} has plan schema version ${toString (value.version or "?")}, this crateplan reads version ${toString schemaVersion}; run `${regenerate}`"
else if changes != [ ]
then throw "${caller}: ${planName} is stale: ${builtins.concatStringsSep ", " changes}; run `${regenerate}` and commit ${planName}"
else if target != null && !(value.platforms ? ${target})
then throw "${caller}: ${planName} has no units for target ${target}; it has: ${builtins.concatStringsSep ", " triples}. Add the target with `${regenerateFor (triples ++ [ target ])}` and commit ${planName}"
else value
