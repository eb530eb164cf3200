# workspaceFiles :: path | { src; workspaceDir ? ""; } -> { manifests; fileList; }
#
# What the plan derivation may see of a workspace, so that only what the generator reads can
# re-run it. `src` is the workspace root, or a directory above it that also holds path
# dependencies outside it (`path = "../shared"`), the workspace being `src + "/${workspaceDir}"`.
# - `manifests`: a store path with the Cargo.toml and Cargo.lock files below `src`, and the
#   directories leading to them, and the cargo configuration of the workspace root
#   (`.cargo/config.toml`, or the older `.cargo/config`), whose profiles, rustflags and `[env]` the
#   plan holds;
# - `fileList`: a store file holding the JSON list of the file *names* target auto-discovery asks
#   about in each directory holding a Cargo.toml — `build.rs`, `src/lib.rs`, `src/main.rs`, a
#   README, the other `src/*.rs` of a package whose edition may be 2015 (its bins' and lib's old
#   default paths), the entries of `src/bin`, `examples`, `tests` and `benches` (a directory as
#   `NAME/`, with its `main.rs` when there is one) — relative to the workspace root (`../` first
#   outside it), names only, never contents, dotfiles left out as discovery leaves them out.
# So editing a source file, or adding a file discovery does not look at (a module, CI
# configuration, docs), changes neither. `target/`, `.git/` and `result*` links are left out.
args:
let
  src = args.src or args;
  workspaceDir = args.workspaceDir or "";
  # A path relative to `src` made relative to the workspace root.
  fromWorkspace = rel:
    let
      parts = p: builtins.filter (x: builtins.isString x && x != "") (builtins.split "/" p);
      ws = parts workspaceDir;
      to = parts rel;
      common = n: if n < builtins.length ws && n < builtins.length to && builtins.elemAt ws n == builtins.elemAt to n then common (n + 1) else n;
      c = common 0;
      drop = l: builtins.genList (i: builtins.elemAt l (i + c)) (builtins.length l - c);
      trailing = builtins.substring (builtins.stringLength rel - 1) 1 rel == "/";
      joined = builtins.concatStringsSep "/" (builtins.genList (_: "..") (builtins.length ws - c) ++ drop to);
    in
    if workspaceDir == "" then rel else joined + (if trailing then "/" else "");
  skipped = name: type:
    (type == "directory" && (name == "target" || name == ".git"))
    || (type == "symlink" && builtins.substring 0 6 name == "result");
  dotfile = name: builtins.substring 0 1 name == ".";
  under = prefix: name: if prefix == "" then name else "${prefix}/${name}";
  at = rel: if rel == "" then src else src + "/${rel}";

  # The directories holding a Cargo.toml, relative to the root ("" for the root).
  packageDirs = dir: rel:
    let entries = builtins.readDir dir; in
    (if entries ? "Cargo.toml" then [ rel ] else [ ])
    ++ builtins.concatLists (map
      (name: let type = entries.${name}; in
        if type == "directory" && !(skipped name type) then packageDirs (dir + "/${name}") (under rel name) else [ ])
      (builtins.attrNames entries));
  dirs = packageDirs src "";

  # The non-dot entries of the existing directory `rel`, { name = type; }.
  entriesOf = rel:
    let all = builtins.readDir (at rel); in
    builtins.removeAttrs all (builtins.filter dotfile (builtins.attrNames all));

  # A package's manifest says its edition is 2018 or later (so no 2015 default paths apply).
  edition2018 = pkgDir:
    let edition = (builtins.fromTOML (builtins.readFile (at (under pkgDir "Cargo.toml")))).package.edition or "2015"; in
    builtins.isString edition && edition != "2015";

  discoveryNames = pkgDir:
    let
      top = entriesOf pkgDir;
      srcEntries = if (top.src or null) == "directory" then entriesOf (under pkgDir "src") else { };
      files = entries: builtins.filter (n: entries.${n} != "directory") (builtins.attrNames entries);
      topFiles = builtins.filter
        (n: builtins.elem n [ "build.rs" "README.md" "README.txt" "README" ])
        (files top);
      srcFiles = builtins.filter
        (n: n == "lib.rs" || n == "main.rs" || (!(edition2018 pkgDir) && builtins.match ".*\\.rs" n != null))
        (files srcEntries);
      # A target directory's entries: files by name, directories as `NAME/` and their main.rs.
      targetDir = rel:
        let
          entries = entriesOf rel;
          names = builtins.attrNames entries;
          one = n:
            if entries.${n} == "directory"
            then [ (under rel "${n}/") ] ++ (if (entriesOf (under rel n)) ? "main.rs" then [ (under rel "${n}/main.rs") ] else [ ])
            else [ (under rel n) ];
        in
        builtins.concatMap one names;
      targetDirs = (if (srcEntries.bin or null) == "directory" then [ "src/bin" ] else [ ])
        ++ builtins.filter (d: (top.${d} or null) == "directory") [ "examples" "tests" "benches" ];
    in
    map (under pkgDir) topFiles
    ++ map (n: under pkgDir "src/${n}") srcFiles
    ++ builtins.concatMap (d: targetDir (under pkgDir d)) targetDirs;

  # Directories leading to a manifest (the manifests view keeps no other), as a set.
  ancestors = rel: if rel == "" || rel == "." then [ ] else [ rel ] ++ ancestors (dirOf rel);
  leading = builtins.listToAttrs (map (d: { name = d; value = true; }) (builtins.concatMap ancestors dirs));
  leadsToManifest = rel: leading ? ${rel};
  # The workspace root's cargo configuration directory, relative to `src`.
  configDir = (if workspaceDir == "" then "" else "${workspaceDir}/") + ".cargo";
in
{
  manifests = builtins.path {
    path = src;
    name = "workspace-manifests";
    filter = path: type:
      let
        name = baseNameOf path;
        rel = builtins.substring (builtins.stringLength (toString src) + 1) (-1) (toString path);
      in
      !(skipped name type)
      && (if type == "directory" then leadsToManifest rel || rel == configDir
        else name == "Cargo.toml" || name == "Cargo.lock" || rel == "${configDir}/config.toml" || rel == "${configDir}/config");
  };
  fileList = builtins.toFile "workspace-files.json"
    (builtins.toJSON (map fromWorkspace (builtins.concatMap discoveryNames dirs)));
}
