# Sourced by tests/nix/run.sh. Bad inputs on the Nix side, each refused with one line that names
# the fix: a plan whose schema version the overlay does not read (makePackageSet, and
# buildRustWorkspace's committed mode), a plan without the requested target, and a fetched
# archive that lacks the manifest the plan expects.

# one_line_error WHAT MESSAGE LOG: LOG holds MESSAGE on one line ("error: " and Nix's own
# "(use '--show-trace' …)" line aside, nothing else of ours).
one_line_error() {
  local what="$1" message="$2" log="$3" line
  line="$(grep -F -- "$message" "$log" || true)"
  if [[ -n "$line" && "$(wc -l <<< "$line")" == 1 ]]; then
    echo "ok: $what: ${line#error: }"
  else
    fail "$what: no one-line error saying \"$message\": $(tail -n 5 "$log")"
  fi
}

# plan_with PLAN OUT PYTHON: OUT is PLAN changed by the Python statements PYTHON (on `plan`).
plan_with() {
  python3 - "$1" "$2" "$3" <<'PY'
import json, sys
plan = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(plan, open(sys.argv[2], "w"))
PY
}

test_bad_plan_inputs() {
  log "bad inputs: plan schema version, target, archive without its manifest"
  local dir="$REPO/examples/proc-macro-build-script" plan="$WORK/bad-inputs.plan.json"
  make_plan "$dir" "$plan" || { fail "plan for $dir"; return 0; }

  # A schema version from a newer crateplan.
  plan_with "$plan" "$WORK/future.plan.json" 'plan["version"] = 99'
  nix-instantiate tests/nix/build.nix -A workspace.app --arg plan "$WORK/future.plan.json" --arg src "$dir" \
    >"$WORK/future.log" 2>&1 && fail "schema version 99: evaluation succeeded"
  one_line_error "makePackageSet, schema version 99" \
    "plan schema version 99 is not supported (this overlay reads version $(grep -v '^#' lib/plan-schema-version.nix)); regenerate the plan with a matching crateplan" \
    "$WORK/future.log"
  local ws="$WORK/bad-inputs-ws"
  fresh_copy "$dir" "$ws"
  plan_with "$plan" "$ws/Cargo.plan.json" 'plan["version"] = 99'
  nix-instantiate --expr "let pkgs = import $REPO/tests/nixpkgs { overlays = [ (import $REPO/overlay) ]; };
      in (pkgs.rustBuilder.buildRustWorkspace { src = $ws; plan = $ws/Cargo.plan.json; }).workspace.app" \
    >"$WORK/future-committed.log" 2>&1 && fail "committed plan with schema version 99: evaluation succeeded"
  one_line_error "buildRustWorkspace, committed plan of schema version 99" \
    "Cargo.plan.json has plan schema version 99, this crateplan reads version" "$WORK/future-committed.log"
  one_line_error "buildRustWorkspace, committed plan of schema version 99: the fix" \
    "run \`crateplan generate --target $TRIPLE --release -o Cargo.plan.json\`" "$WORK/future-committed.log"

  # A plan made for another target than the one asked for.
  nix-instantiate tests/nix/build.nix -A workspace.app --arg plan "$plan" --arg src "$dir" \
    --argstr target wasm32-unknown-unknown >"$WORK/other-target.log" 2>&1 && fail "another target: evaluation succeeded"
  one_line_error "makePackageSet, a plan for $TRIPLE asked for wasm32-unknown-unknown" \
    "the plan has no units for target wasm32-unknown-unknown (it has: $TRIPLE); regenerate it with --target wasm32-unknown-unknown" \
    "$WORK/other-target.log"

  # A download that is not the crate the plan was made from, under the plan's checksum: an
  # archive with the package's top directory and sources, but no Cargo.toml.
  local fake="$CRATES_MIRROR/crateplan-bad-inputs" name version
  name=itoa
  version="$(python3 -c 'import json,sys; print(next(p["version"] for p in json.load(open(sys.argv[1]))["packages"].values() if p["name"] == "itoa"))' "$plan")"
  rm -rf "$fake" && mkdir -p "$fake/src/$name-$version/src"
  echo 'pub fn nothing() {}' > "$fake/src/$name-$version/src/lib.rs"
  tar -C "$fake/src" --owner=0 --group=0 --mtime=@0 -czf "$fake/$name-$version.crate" "$name-$version"
  local sum
  sum="$(sha256sum "$fake/$name-$version.crate" | cut -d' ' -f1)"
  plan_with "$plan" "$WORK/no-manifest.plan.json" \
    "plan['packages']['$name@$version']['source']['checksum'] = '$sum'"
  nix-build --no-out-link --expr "let
      pkgs = import $REPO/tests/nixpkgs { overlays = [ (import $REPO/overlay) ]; };
    in (pkgs.rustBuilder.makePackageSet {
      plan = $WORK/no-manifest.plan.json; workspaceSrc = $dir;
      crateUrl = { registry, name, version }: if name == \"$name\"
        then \"file:///crates-mirror/crateplan-bad-inputs/$name-$version.crate\"
        else \"file:///crates-mirror/\${name}-\${version}.crate\";
    }).workspace.app" >"$WORK/no-manifest.log" 2>&1 && fail "archive without Cargo.toml: the build succeeded"
  one_line_error "a fetched archive without the manifest the plan expects" \
    "error: package $name $version: its source /nix/store/" "$WORK/no-manifest.log"
  one_line_error "a fetched archive without the manifest: the fix" \
    "has no Cargo.toml in $name-$version/, where the plan expects the package; fetch the crate the plan was made from (check crateUrl or the mirror)" \
    "$WORK/no-manifest.log"
  rm -rf "$fake"
}

ALL_TESTS+=(test_bad_plan_inputs)
