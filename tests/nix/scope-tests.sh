# `rustBuilder` is a nixpkgs scope: a member replaced with `overrideScope` is what every other
# member uses. Sourced by tests/nix/run.sh (which provides REPO, WORK, log, fail, make_plan,
# compare_with_cargo):
#
#   tests/nix/run.sh override-scope
#
# The member replaced is `fetchCrate`, given another default `crateUrl` (here the offline crate
# mirror the tests download from), as docs/overlay.md shows for a company mirror.

# scoped_expr ATTR: ATTR of an expression with `pkgs` (the stand-in nixpkgs with the overlay, and
# an overlay that overrides the scope's fetchCrate), `plan` and `src` of examples/proc-macro-build-script.
scoped_expr() {
  printf '%s' "let
    pkgs = import $REPO/tests/nixpkgs { overlays = [ (import $REPO/overlay) (final: prev: {
      rustBuilder = prev.rustBuilder.overrideScope (scopeFinal: scopePrev: {
        fetchCrate = { crateUrl ? \"file:///crates-mirror/{name}-{version}.crate\" }:
          scopePrev.fetchCrate { inherit crateUrl; };
      });
    }) ]; };
    plan = $WORK/override-scope.plan.json;
    src = $REPO/examples/proc-macro-build-script;
  in $1"
}

test_override_scope() {
  log "overrideScope: a replaced member is used by every other one"
  local dir="$REPO/examples/proc-macro-build-script"
  make_plan "$dir" "$WORK/override-scope.plan.json" || { fail "override-scope: plan for $dir"; return 0; }
  # The crates' derivations with the replaced fetchCrate and no crateUrl, against those of the
  # same set given crateUrl (the same) and of the set without the override (others: crates.io).
  local drvs
  drvs="$(nix-instantiate --eval --strict --json --expr "$(scoped_expr "let
      plain = import $REPO/tests/nixpkgs { overlays = [ (import $REPO/overlay) ]; };
      app = set: set.workspace.app.drvPath;
    in [
      (app (pkgs.rustBuilder.makePackageSet { inherit plan; workspaceSrc = src; }))
      (app (plain.rustBuilder.makePackageSet { inherit plan; workspaceSrc = src; crateUrl = \"file:///crates-mirror/{name}-{version}.crate\"; }))
      (app (plain.rustBuilder.makePackageSet { inherit plan; workspaceSrc = src; }))
      (app (pkgs.rustBuilder.buildRustWorkspace { inherit src plan; }))
      (app ((plain.rustBuilder.overrideScope (f: p: { inherit (pkgs.rustBuilder) fetchCrate; })).makePackageSet { inherit plan; workspaceSrc = src; }))
    ]")" 2>"$WORK/override-scope.log")" || { fail "override-scope: $(tail -n 3 "$WORK/override-scope.log")"; return 0; }
  local scoped given plain brw direct
  read -r scoped given plain brw direct < <(python3 -c 'import json,sys; print(*json.load(sys.stdin))' <<< "$drvs")
  if [[ -n "$scoped" && "$scoped" == "$given" && "$scoped" != "$plain" ]]; then
    echo "ok: override-scope: makePackageSet uses the replaced fetchCrate (the crates come from its crateUrl)"
  else
    fail "override-scope: makePackageSet gives $scoped, with crateUrl $given, without the override $plain"
  fi
  if [[ "$brw" == "$scoped" && "$direct" == "$scoped" ]]; then
    echo "ok: override-scope: so do buildRustWorkspace, and a scope overridden outside an overlay"
  else
    fail "override-scope: buildRustWorkspace gives $brw, rustBuilder.overrideScope alone $direct; expected $scoped"
  fi
  # Built: the crates are fetched from the mirror (no crateUrl given), and the binary runs.
  local out
  out="$(nix-build --no-out-link --expr "$(scoped_expr "(pkgs.rustBuilder.makePackageSet { inherit plan; workspaceSrc = src; }).workspace.app")" \
    2>"$WORK/override-scope-build.log")" || { tail -n 20 "$WORK/override-scope-build.log"; fail "override-scope: nix-build"; return 0; }
  compare_with_cargo override-scope "$dir" app app "$out"
}

ALL_TESTS+=(test_override_scope)
