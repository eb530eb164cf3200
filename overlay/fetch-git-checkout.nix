# fetchGitCheckout :: { name, version, url, rev, branch ? null } -> store path
#
# The checkout of one git dependency at its locked revision, with submodules, as cargo checks it
# out: the commit is fetched whatever ref holds it (`allRefs`), and `branch` (when the dependency
# names one) is the ref to fetch. `name` and `version` only make the error context: which
# dependency, and the command that re-locks it when the revision is gone. (Nix 2.8 shows that
# context with --show-trace; its own message names the url and the revision.)
#
# Example: fetchGitCheckout { name = "gitdep"; version = "0.5.0"; url = "https://…/repo"; rev = "9f…"; }
{ }:
{ name, version, url, rev, branch ? null }:
builtins.addErrorContext
  "while fetching git dependency ${name} ${version} (${url} at ${rev}); if the revision is gone, run `cargo update -p ${name}`"
  (builtins.fetchGit ({ inherit url rev; allRefs = true; submodules = true; }
    // (if branch == null then { } else { ref = branch; })))
