# readLockfile :: path -> { version; packages; }
#
# Cargo.lock of the workspace at `src`, parsed by Nix (`builtins.fromTOML`), with a message a user
# can act on when there is none.
#
# Example: (readLockfile ./.).packages  =>  [ { name = "serde"; version = "1.0.210"; source = …; checksum = …; } … ]
src:
let
  path = src + "/Cargo.lock";
in
if !(builtins.pathExists path)
then throw "buildRustWorkspace: ${toString src} has no Cargo.lock; run `cargo generate-lockfile` in the workspace and commit Cargo.lock"
else
  let lock = builtins.fromTOML (builtins.readFile path); in
  {
    version = lock.version or 1;
    packages = lock.package or [ ];
    # Lockfile v1 keeps checksums here.
    metadata = lock.metadata or { };
  }
