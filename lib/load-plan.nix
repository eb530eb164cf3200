# loadPlan :: { src, plan, target ? null } -> attrset
#
# A plan committed to the workspace (committed mode: no import-from-derivation), checked against
# the workspace first: when Cargo.lock or a manifest changed after the plan was made, or a target
# file (src/main.rs, tests/NAME.rs …) was added or removed, evaluation
# stops with a message naming what changed and the command that regenerates the plan (the same
# answer `crateplan check` gives). With `target`, the plan must also hold units for that triple.
{ src, plan, target ? null }:
let
  value = builtins.fromJSON (builtins.readFile plan);
  planName = baseNameOf (toString plan);

  current = rel: sha256:
    let path = src + "/${rel}"; in
    if !(builtins.pathExists path) then [ "${rel} is gone" ]
    else if builtins.hashFile "sha256" path != sha256 then [ "${rel} changed" ]
    else [ ];

  # The files target discovery looks at in one package directory, as `crateplan generate` lists
  # them (src/targets.rs, FileSet::discovery_files): build.rs, src/lib.rs, src/main.rs, and
  # NAME.rs or NAME/main.rs in src/bin, examples, tests and benches, dotfiles left out.
  # Directories are read only when their parent's listing says they are ones (symlinks followed).
  discoveryFiles = dir:
    let
      base = if dir == "." then src else src + "/${dir}";
      root = if builtins.pathExists base then builtins.readDir base else { };
      isDir = entries: n: builtins.elem (entries.${n} or null) [ "directory" "symlink" ];
      isFile = entries: n: builtins.elem (entries.${n} or null) [ "regular" "symlink" ];
      listIn = entries: name: path: if isDir entries name then builtins.readDir path else { };
      srcEntries = listIn root "src" (base + "/src");
      inferIn = rel: entries:
        builtins.concatMap
          (n:
            if builtins.substring 0 1 n == "." then [ ]
            else if builtins.match ".*\\.rs" n != null && isFile entries n then [ "${rel}/${n}" ]
            else if isDir entries n && builtins.pathExists (base + "/${rel}/${n}/main.rs") then [ "${rel}/${n}/main.rs" ]
            else [ ])
          (builtins.attrNames entries);
    in
    builtins.filter (isFile root) [ "build.rs" ]
    ++ map (n: "src/${n}") (builtins.filter (isFile srcEntries) [ "lib.rs" "main.rs" ])
    ++ inferIn "src/bin" (listIn srcEntries "bin" (base + "/src/bin"))
    ++ builtins.concatMap (d: inferIn d (listIn root d (base + "/${d}"))) [ "examples" "tests" "benches" ];

  # Target files added or removed since the plan was made (older plans record none).
  targetFileChanges = builtins.concatLists (builtins.attrValues (builtins.mapAttrs
    (dir: recorded:
      let
        now = discoveryFiles dir;
        path = f: if dir == "." then f else "${dir}/${f}";
      in
      map (f: "${path f} is new") (builtins.filter (f: !(builtins.elem f recorded)) now)
      ++ map (f: "${path f} is gone (or not in `src`: untracked by git, or filtered out)") (builtins.filter (f: !(builtins.elem f now)) recorded))
    (value.inputs.targetFiles or { })));

  # Members that a glob of `workspace.members` brings in now but whose manifest the plan lacks (a
  # crate added under `crates/*`), expanded as the generator expands them (src/workspace.rs:
  # `*` any run and `?` one character within a path segment; `exclude` drops what a glob found
  # unless a member named by its path holds it).
  memberPatterns = value.inputs.members or { patterns = [ ]; exclude = [ ]; };
  segmentsOf = pattern: builtins.filter (s: builtins.isString s && s != "" && s != ".") (builtins.split "/" pattern);
  isGlob = pattern: builtins.match ".*[*?].*" pattern != null;
  segmentRegex = builtins.replaceStrings
    [ "*" "?" "." "+" "(" ")" "[" "]" "{" "}" "^" "$" "|" "\\" ]
    [ "[^/]*" "[^/]" "\\." "\\+" "\\(" "\\)" "\\[" "\\]" "\\{" "\\}" "\\^" "\\$" "\\|" "\\\\" ];
  dirAt = rel: if rel == "" then src else src + "/${rel}";
  below = rel: name: if rel == "" then name else "${rel}/${name}";
  # Each step keeps directories only (a symlink only at the last segment, where nothing more is
  # read from it), so that readDir never meets a file.
  expand = pattern:
    let
      segments = segmentsOf pattern;
      last = builtins.length segments - 1;
      step = acc: segment: {
        i = acc.i + 1;
        dirs = builtins.concatMap
          (rel:
            let
              entries = builtins.readDir (dirAt rel);
              usable = n: entries.${n} == "directory" || (entries.${n} == "symlink" && acc.i == last);
            in
            if isGlob segment
            then map (below rel) (builtins.filter (n: usable n && builtins.match (segmentRegex segment) n != null) (builtins.attrNames entries))
            else if entries ? ${segment} && usable segment then [ (below rel segment) ]
            else [ ])
          acc.dirs;
      };
    in
    if builtins.elem ".." segments then [ ]
    else builtins.filter (rel: builtins.pathExists (dirAt rel + "/Cargo.toml"))
      (builtins.foldl' step { i = 0; dirs = [ "" ]; } segments).dirs;
  within = dir: rel: dir == "" || rel == dir || builtins.substring 0 (builtins.stringLength dir + 1) rel == "${dir}/";
  literalMembers = map (p: builtins.concatStringsSep "/" (segmentsOf p)) (builtins.filter (p: !(isGlob p)) memberPatterns.patterns);
  excluded = map (p: builtins.concatStringsSep "/" (segmentsOf p)) memberPatterns.exclude;
  recordedManifests = map (m: m.path) value.inputs.manifests;
  newMembers = builtins.filter
    (rel:
      !(builtins.elem (below rel "Cargo.toml") recordedManifests)
      && (builtins.any (m: within m rel) literalMembers || !(builtins.any (e: within e rel) excluded)))
    (builtins.concatMap expand (builtins.filter isGlob memberPatterns.patterns));

  changes =
    current value.inputs.lockfile.path value.inputs.lockfile.sha256
    ++ builtins.concatMap (m: current m.path m.sha256) value.inputs.manifests
    ++ targetFileChanges
    ++ map (rel: "${below rel "Cargo.toml"} is new") newMembers;

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
    ++ (if (value.inputs.profile or "dev") == "release" then [ "--release" ] else [ ])
    ++ [ "-o ${planName}" ]);
  regenerate = regenerateFor triples;
in
if (value.version or null) != 1
then throw "buildRustWorkspace: ${planName} has plan schema version ${toString (value.version or "?")}, this crateplan reads version 1; run `${regenerate}`"
else if changes != [ ]
then throw "buildRustWorkspace: ${planName} is stale: ${builtins.concatStringsSep ", " changes}; run `${regenerate}` and commit ${planName}"
else if target != null && !(value.platforms ? ${target})
then throw "buildRustWorkspace: ${planName} has no units for target ${target}; it has: ${builtins.concatStringsSep ", " triples}. Add the target with `${regenerateFor (triples ++ [ target ])}` and commit ${planName}"
else value
