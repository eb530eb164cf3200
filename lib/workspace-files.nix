# workspaceFiles :: path -> { manifests; fileList; }
#
# What the plan derivation may see of a workspace, so that editing a source file does not re-run
# the generator:
# - `manifests`: a store path with the workspace's directories and only its Cargo.toml and
#   Cargo.lock files, and the cargo configuration of its root (`.cargo/config.toml`, or the older
#   `.cargo/config`), whose profiles, rustflags and `[env]` the plan holds;
# - `fileList`: a store file holding the JSON list of every file *name* (relative to the root),
#   which target auto-discovery needs — names only, never contents.
# `target/`, `.git/` and `result*` links are left out of both.
src:
let
  root = toString src;
  # pathRelative :: path -> string, the path relative to the workspace root.
  pathRelative = path: builtins.substring (builtins.stringLength root + 1) (-1) (toString path);

  skipped = name: type:
    (type == "directory" && (name == "target" || name == ".git"))
    || (type == "symlink" && builtins.substring 0 6 name == "result");

  # files :: path -> string -> [string], relative paths below `dir`.
  files = dir: prefix:
    let entries = builtins.readDir dir; in
    builtins.concatLists (map
      (name:
        let
          type = entries.${name};
          rel = if prefix == "" then name else "${prefix}/${name}";
        in
        if skipped name type then [ ]
        else if type == "directory" then files (dir + "/${name}") rel
        else [ rel ])
      (builtins.attrNames entries));
in
{
  manifests = builtins.path {
    path = src;
    name = "workspace-manifests";
    filter = path: type:
      let
        name = baseNameOf path;
        rel = pathRelative path;
      in
      !(skipped name type)
      && (type == "directory" || name == "Cargo.toml" || name == "Cargo.lock"
        || rel == ".cargo/config.toml" || rel == ".cargo/config");
  };
  fileList = builtins.toFile "workspace-files.json" (builtins.toJSON (files src ""));
}
