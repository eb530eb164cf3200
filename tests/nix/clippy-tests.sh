# clippy per member (issue 5): `clippy.<member>` (also `workspace.<member>.clippy`) checked against
# `cargo clippy`. Sourced by tests/nix/run.sh (which provides REPO, WORK, log, fail, plan_once):
#
#   tests/nix/run.sh clippy-lints clippy-deny
#
# The fixture tests/nix/fixtures/linted: linty has a lint in its lib (one behind a default feature,
# one behind cfg(debug_assertions): cargo clippy checks with the dev profile), lib unit tests, bin,
# build script, integration test and example; tidy has none.

LINTED="$REPO/tests/nix/fixtures/linted"

# lint_locations PREFIX < report: one `LOCATION MESSAGE` line per diagnostic of a human-readable
# compiler report (its `warning:`/`error:` line and the `-->` line under it), sorted and unique;
# PREFIX is put before each path (the Nix report's paths are relative to the package, cargo's to
# the workspace). cargo's own summary lines (`warning: `linty` (lib) generated …`) have no location.
lint_locations() {
  awk -v prefix="$1" '
    /^(warning|error)(\[[A-Za-z0-9]+\])?: / { message = $0; sub(/^(warning|error)(\[[A-Za-z0-9]+\])?: /, "", message); next }
    /^ *--> / && message != "" { location = $2; print prefix location " " message; message = "" }
  ' | sort -u
}

# member_lints WS PLAN ALL_TARGETS: what `clippy.<member>` of every member reported (clippyDenyWarnings
# false), as lint_locations lines with paths from the workspace root, as cargo prints them.
member_lints() {
  local ws="$1" plan="$2" all_targets="$3" name dir out
  cargo metadata -q --offline --no-deps --format-version 1 --manifest-path "$ws/Cargo.toml" \
    | python3 -c 'import json, os, sys; m = json.load(sys.stdin); [print(p["name"], os.path.relpath(os.path.dirname(p["manifest_path"]), m["workspace_root"])) for p in m["packages"]]' \
    | while read -r name dir; do
        out="$(nix-build --no-out-link tests/nix/build.nix --arg plan "$plan" --arg src "$ws" \
          --arg clippyDenyWarnings false --arg clippyAllTargets "$all_targets" -A "clippy.$name" \
          2>"$WORK/clippy-$name.log")" || { tail -n 30 "$WORK/clippy-$name.log" >&2; echo "nix-build -A clippy.$name failed"; continue; }
        if [[ "$dir" == . ]]; then dir=""; else dir="$dir/"; fi
        lint_locations "$dir" < "$out/clippy.log"
      done | sort -u
}

# 1. clippy.<member> reports what cargo clippy reports, with --all-targets (the default) and
# without: the fixture with a lint in every kind of target, a proc-macro workspace, and the tests
# fixture (a build script reading OUT_DIR, integration tests with CARGO_BIN_EXE, dev-dependencies).
test_clippy_lints() {
  log "clippy.<member>: the lints of cargo clippy"
  local ws all_targets flag plan n
  for ws in "$LINTED" "$REPO/examples/proc-macro-build-script" "$REPO/tests/nix/fixtures/tested"; do
    n="$(basename "$ws")"
    plan="$(plan_once "$ws")" || { fail "clippy-lints: plan for $ws"; continue; }
    for all_targets in true false; do
      flag=""
      [[ "$all_targets" == true ]] && flag="--all-targets"
      member_lints "$ws" "$plan" "$all_targets" > "$WORK/clippy.nix"
      cargo clippy --locked --workspace $flag --manifest-path "$ws/Cargo.toml" --target-dir "$WORK/clippy-cargo-target" \
        2>&1 >/dev/null | lint_locations "" > "$WORK/clippy.cargo"
      if diff -u "$WORK/clippy.cargo" "$WORK/clippy.nix"; then
        echo "ok: clippy-lints: $n, clippyAllTargets = $all_targets: the $(wc -l < "$WORK/clippy.nix") lints of cargo clippy --workspace $flag" \
          $(cut -d' ' -f1 "$WORK/clippy.nix")
      else
        fail "clippy-lints: $n, clippyAllTargets = $all_targets: clippy.<member> differs from cargo clippy --workspace $flag"
      fi
      rm -rf "$WORK/clippy-cargo-target"
    done
  done
  # The fixture made for it has a lint to find in every kind of target.
  local file missing=()
  member_lints "$LINTED" "$(plan_once "$LINTED")" true > "$WORK/clippy.linted"
  for file in build.rs src/lib.rs src/main.rs tests/cli.rs examples/show.rs; do
    grep -q "^crates/linty/$file:" "$WORK/clippy.linted" || missing+=("$file")
  done
  (( ${#missing[@]} == 0 )) && echo "ok: clippy-lints: lints found in each of linty's targets" \
    || fail "clippy-lints: no lint found in ${missing[*]} of $LINTED"
}

# 2. By default warnings are errors: clippy.linty fails and names its lints, clippy.tidy passes
# (as `cargo clippy -- -D warnings` does for each); workspace.<member>.clippy is clippy.<member>.
test_clippy_deny() {
  log "clippy.<member>: warnings denied by default"
  local plan
  plan="$(plan_once "$LINTED")" || { fail "clippy-deny: plan for $LINTED"; return 0; }
  local cargo_linty=0 cargo_tidy=0 units
  # The units cargo reports lints for (`linty` (lib test) generated …), as many as fail in Nix.
  units="$(cargo clippy --locked --manifest-path "$LINTED/Cargo.toml" --target-dir "$WORK/linted-cargo-target" \
    -p linty --all-targets 2>&1 >/dev/null | grep -c '^warning: `linty` (.*) generated')"
  cargo clippy -q --locked --manifest-path "$LINTED/Cargo.toml" --target-dir "$WORK/linted-cargo-target" \
    -p linty --all-targets -- -D warnings >/dev/null 2>&1 || cargo_linty=$?
  cargo clippy -q --locked --manifest-path "$LINTED/Cargo.toml" --target-dir "$WORK/linted-cargo-target" \
    -p tidy --all-targets -- -D warnings >/dev/null 2>&1 || cargo_tidy=$?
  rm -rf "$WORK/linted-cargo-target"
  if nix-build --no-out-link tests/nix/build.nix --arg plan "$plan" --arg src "$LINTED" -A clippy.linty \
    >/dev/null 2>"$WORK/clippy-deny.log"; then
    fail "clippy-deny: clippy.linty built although it has lint warnings"
  elif (( cargo_linty != 0 )) && grep -q '^error: unneeded `return` statement' "$WORK/clippy-deny.log" \
    && grep -q "clippy: errors in $units target(s) of linty" "$WORK/clippy-deny.log"; then
    echo "ok: clippy-deny: clippy.linty fails like cargo clippy -- -D warnings (exit $cargo_linty):" \
      "$(grep -o 'clippy: errors in .*' "$WORK/clippy-deny.log")"
  else
    tail -n 20 "$WORK/clippy-deny.log"
    fail "clippy-deny: clippy.linty failed without naming its lints and $units targets (cargo: exit $cargo_linty)"
  fi
  local tidy
  if (( cargo_tidy == 0 )) && tidy="$(nix-build --no-out-link tests/nix/build.nix --arg plan "$plan" \
    --arg src "$LINTED" -A clippy.tidy 2>"$WORK/clippy-tidy.log")" && [[ -f "$tidy/clippy.log" ]]; then
    echo "ok: clippy-deny: clippy.tidy passes, as cargo clippy -p tidy -- -D warnings does"
    # Its bin was checked as a bin, not only as a test harness.
    grep -q '^crateplan: clippy-driver --crate-name tidy .*src/main.rs .*--crate-type bin' "$tidy/clippy.log" \
      && echo "ok: clippy-deny: tidy's bin was checked with --crate-type bin" \
      || fail "clippy-deny: tidy's bin was not checked as a bin"
  else
    tail -n 20 "$WORK/clippy-tidy.log"
    fail "clippy-deny: clippy.tidy (cargo clippy: exit $cargo_tidy)"
  fi
  local a b
  a="$(nix-instantiate tests/nix/build.nix --arg plan "$plan" --arg src "$LINTED" -A clippy.tidy 2>/dev/null)"
  b="$(nix-instantiate tests/nix/build.nix --arg plan "$plan" --arg src "$LINTED" -A workspace.tidy.clippy 2>/dev/null)"
  [[ -n "$a" && "$a" == "$b" ]] && echo "ok: clippy-deny: workspace.tidy.clippy is clippy.tidy" \
    || fail "clippy-deny: workspace.tidy.clippy ($b) is not clippy.tidy ($a)"
}

ALL_TESTS+=(test_clippy_lints test_clippy_deny)
