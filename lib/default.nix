# crateplan's Nix library. Each function lives in its own file, documented there; this file only
# wires them together. `pkgs` must carry the overlay (`rustBuilder`).
{ pkgs }:
{
  buildRustWorkspace = import ./build-rust-workspace.nix { inherit pkgs; crateplanRoot = ../.; };
  readLockfile = import ./read-lockfile.nix;
  workspaceFiles = import ./workspace-files.nix;
  loadPlan = import ./load-plan.nix;
}
