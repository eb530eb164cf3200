# Path packages' sources by cargo's packaging rules (overlay/crate-source.nix): an edit changes
# the derivations of the edited package and its dependents, and nothing else. Sourced by
# tests/nix/run.sh (which provides REPO, WORK, TRIPLE, log, fail, fresh_copy, make_plan,
# compare_with_cargo):
#
#   tests/nix/run.sh sources-rooted sources-virtual sources-shared-file sources-outside sources-ifd
#
# Fixtures (tests/nix/fixtures/sources): `rooted`, a root package with its bin in crates/core/
# and members below it; `virtual`, a virtual workspace whose members use `include`/`exclude`
# (`c`: each kind of gitignore pattern);
# `shared-file`, a member whose lib lies outside its directory and reads a file at the root
# (extraSources); `outside`, a workspace in app/ with a path dependency in ../shared. Oracles:
# `cargo package --list` for each package's files (tests/nix/compare-package-files.py), and
# `cargo build -v` after each edit for what must be rebuilt (its `Compiling` lines).

SOURCES_FIXTURES="$REPO/tests/nix/fixtures/sources"

# sources_json WS PLAN EXTRA OUT: each path package's source ({ src; sourceRoot; readme;
# licenseFile; }, by name) as crateSource makes it for WS (extraSources = EXTRA), into OUT.
sources_json() {
  nix-instantiate --read-write-mode --eval --strict --json --expr "let
      pkgs = import $REPO/tests/nixpkgs { overlays = [ (import $REPO/overlay) ]; };
      plan = builtins.fromJSON (builtins.readFile $2);
      sourceOf = pkgs.rustBuilder.crateSource {
        workspaceSrc = $1; packages = plan.packages; fetchCrate = _: null; extraSources = $3; };
      paths = builtins.filter (p: p.source.type == \"path\") (builtins.attrValues plan.packages);
    in builtins.listToAttrs (map (p: { name = p.name; value = let s = sourceOf p; in {
      src = \"\${s.src}\"; inherit (s) sourceRoot; inherit (p.metadata) readme licenseFile; }; }) paths)" > "$4"
}

# instance_drvs WS PLAN EXTRA: "<instance key>\t<drv path>" for every instance of the set.
instance_drvs() {
  nix-instantiate --eval --strict --json --expr "let set = import $REPO/tests/nix/build.nix {
      plan = $2; src = $1; extraSources = $3; };
    in builtins.mapAttrs (_: d: d.drvPath) set.instances" \
    | python3 -c 'import json,sys; [print(k + "\t" + v) for k, v in sorted(json.load(sys.stdin).items())]'
}

# changed_packages BEFORE AFTER: the names of the packages with an instance whose derivation
# differs (or that is new or gone), sorted, space-separated.
changed_packages() {
  python3 - "$1" "$2" <<'EOF'
import sys
def read(f):
    return dict(line.rstrip("\n").split("\t") for line in open(f) if line.strip())
a, b = read(sys.argv[1]), read(sys.argv[2])
names = {k.split(" ")[0].rsplit("@", 1)[0] for k in set(a) | set(b) if a.get(k) != b.get(k)}
print(" ".join(sorted(names)))
EOF
}

# cargo_compiles WS: the packages `cargo build -v` compiles now (its `Compiling` lines), sorted.
cargo_compiles() {
  cargo build -v --offline --manifest-path "$1/Cargo.toml" --target-dir "$1/target" 2>&1 \
    | sed -n 's/^ *Compiling \([^ ]*\) v.*/\1/p' | sort -u | tr '\n' ' ' | sed 's/ $//'
}

# expect_rebuilds NAME WS EXTRA WHAT EXPECTED COMMAND…: runs COMMAND (an edit of WS), makes the
# plan again, and checks that the packages whose derivations changed are EXPECTED and are those
# `cargo build -v` compiles after the same edit.
expect_rebuilds() {
  local name="$1" ws="$2" extra="$3" what="$4" expected="$5"
  shift 5
  local plan="$WORK/$name.plan.json"
  instance_drvs "$ws" "$plan" "$extra" > "$WORK/$name.before" || { fail "$name: instantiate"; return 0; }
  "$@"
  make_plan "$ws" "$plan" >/dev/null || { fail "$name: plan after $what"; return 0; }
  instance_drvs "$ws" "$plan" "$extra" > "$WORK/$name.after" || { fail "$name: instantiate after $what"; return 0; }
  local ours theirs
  ours="$(changed_packages "$WORK/$name.before" "$WORK/$name.after")"
  theirs="$(cargo_compiles "$ws")"
  if [[ "$ours" == "$expected" && "$theirs" == "$expected" ]]; then
    echo "ok: $name: $what changes the derivations of [$ours], cargo compiles [$theirs]"
  else
    fail "$name: $what changes the derivations of [$ours], cargo compiles [$theirs], expected [$expected]"
  fi
}

# sources_setup NAME FIXTURE [WORKSPACE_SUBDIR]: a fresh copy of the fixture in $WORK/NAME (outside
# any git repository, so cargo walks it as the Nix side does), its plan, and a first cargo build
# (so that later `cargo build -v` runs show what an edit rebuilds). Prints the workspace root.
sources_setup() {
  local copy="$WORK/$1" ws="$WORK/$1${3:+/$3}"
  fresh_copy "$SOURCES_FIXTURES/$2" "$copy"
  make_plan "$ws" "$WORK/$1.plan.json" >&2 || return 1
  cargo build -q --offline --manifest-path "$ws/Cargo.toml" --target-dir "$ws/target" >&2 || return 1
  echo "$ws"
}

# check_package_files NAME WS TREE_ROOT EXTRA [PKG=PATH…]: every path package's source holds
# exactly what `cargo package --list` gives (plus PKG=PATH, relative to TREE_ROOT).
check_package_files() {
  local name="$1" ws="$2" tree="$3" extra="$4"
  shift 4
  sources_json "$ws" "$WORK/$name.plan.json" "$extra" "$WORK/$name.sources.json" \
    || { fail "$name: crateSource"; return 0; }
  python3 "$REPO/tests/nix/compare-package-files.py" "$tree" "$WORK/$name.sources.json" "$@" \
    || fail "$name: sources differ from cargo package --list"
}

test_sources_rooted() {
  log "sources: a root package with its bin in crates/core and members below it"
  local ws
  ws="$(sources_setup src-rooted rooted)" || { fail "sources-rooted: setup"; return 0; }
  check_package_files src-rooted "$ws" "$ws" "{ }"
  expect_rebuilds src-rooted "$ws" "{ }" "the bin's main.rs (crates/core)" "rooted" \
    sh -c "echo '// edited' >> '$ws/crates/core/main.rs'"
  expect_rebuilds src-rooted "$ws" "{ }" "a module of the bin (crates/core/cli.rs)" "rooted" \
    sh -c "echo '// edited' >> '$ws/crates/core/cli.rs'"
  expect_rebuilds src-rooted "$ws" "{ }" "alpha's lib.rs" "alpha beta rooted" \
    sh -c "echo '// edited' >> '$ws/crates/alpha/src/lib.rs'"
  expect_rebuilds src-rooted "$ws" "{ }" "beta's lib.rs" "beta rooted" \
    sh -c "echo '// edited' >> '$ws/crates/beta/src/lib.rs'"
  expect_rebuilds src-rooted "$ws" "{ }" "CHANGELOG.md (excluded)" "" \
    sh -c "echo '- a change' >> '$ws/CHANGELOG.md'"
  expect_rebuilds src-rooted "$ws" "{ }" "docs/ (excluded) and a new CI file" "" \
    sh -c "echo more >> '$ws/docs/guide.md' && echo 'on: tag' > '$ws/.github/workflows/release.yml'"
  expect_rebuilds src-rooted "$ws" "{ }" "Cargo.lock: itoa 1.0.19 -> 1.0.9" "beta itoa rooted" \
    cargo update -q --offline --manifest-path "$ws/Cargo.toml" -p itoa --precise 1.0.9
}

test_sources_virtual() {
  log "sources: a virtual workspace, members with include and exclude"
  local ws
  ws="$(sources_setup src-virtual virtual)" || { fail "sources-virtual: setup"; return 0; }
  check_package_files src-virtual "$ws" "$ws" "{ }"
  expect_rebuilds src-virtual "$ws" "{ }" "a's lib.rs" "a b" \
    sh -c "echo '// edited' >> '$ws/crates/a/src/lib.rs'"
  expect_rebuilds src-virtual "$ws" "{ }" "b's main.rs" "b" \
    sh -c "echo '// edited' >> '$ws/crates/b/src/main.rs'"
  expect_rebuilds src-virtual "$ws" "{ }" "the root's README.md and tools/" "" \
    sh -c "echo more >> '$ws/README.md' && echo 'echo more' >> '$ws/tools/lint.sh'"
  expect_rebuilds src-virtual "$ws" "{ }" "a's notes/ (exclude) and b's CHANGES.md (not in include)" "" \
    sh -c "echo more >> '$ws/crates/a/notes/todo.md' && echo more >> '$ws/crates/b/CHANGES.md'"
  expect_rebuilds src-virtual "$ws" "{ }" "files c's exclude patterns match" "" \
    sh -c "cd '$ws/crates/c' && for f in src/build.log data/tmp-1.txt gen/x/out/o.rs ack.txt src/deep/kept.rs; do echo y >> \$f; done"
  expect_rebuilds src-virtual "$ws" "{ }" "c's lib.rs" "c" \
    sh -c "echo '// edited' >> '$ws/crates/c/src/lib.rs'"
}

test_sources_shared_file() {
  log "sources: a member whose lib lies outside its directory and reads a file at the root"
  local ws extra='{ reader = [ "data/greeting.txt" ]; }'
  ws="$(sources_setup src-shared shared-file)" || { fail "sources-shared-file: setup"; return 0; }
  check_package_files src-shared "$ws" "$ws" "$extra" \
    reader=common/lib.rs reader=common/util.rs reader=data/greeting.txt
  # Without extraSources the build fails, naming the file and the fix.
  if nix-build --no-out-link "$REPO/tests/nix/build.nix" --arg plan "$WORK/src-shared.plan.json" \
      --arg src "$ws" -A workspace.reader > "$WORK/src-shared-missing.log" 2>&1; then
    fail "sources-shared-file: reader built without data/greeting.txt"
  else
    local message='reader reads data/greeting.txt, which is not in its source'
    if grep -qF "$message" "$WORK/src-shared-missing.log" && grep -qF 'extraSources = { reader = [' "$WORK/src-shared-missing.log"; then
      echo "ok: sources-shared-file: without extraSources the build says: $message … extraSources"
    else
      fail "sources-shared-file: the failed build does not name the file and extraSources: $(grep crateplan: "$WORK/src-shared-missing.log" | tail -n 3)"
    fi
  fi
  local out
  out="$(nix-build --no-out-link "$REPO/tests/nix/build.nix" --arg plan "$WORK/src-shared.plan.json" \
    --arg src "$ws" --arg extraSources "$extra" -A workspace.app 2>"$WORK/src-shared-build.log")" \
    || { tail -n 20 "$WORK/src-shared-build.log"; fail "sources-shared-file: build with extraSources"; return 0; }
  compare_with_cargo src-shared "$ws" app app "$out"
  expect_rebuilds src-shared "$ws" "$extra" "the lib's module common/util.rs" "app reader" \
    sh -c "echo '// edited' >> '$ws/common/util.rs'"
  expect_rebuilds src-shared "$ws" "$extra" "data/greeting.txt (extraSources)" "app reader" \
    sh -c "echo 'and more' >> '$ws/data/greeting.txt'"
  expect_rebuilds src-shared "$ws" "$extra" "data/other.txt (no package's)" "" \
    sh -c "echo 'more' >> '$ws/data/other.txt'"
}

test_sources_outside() {
  log "sources: a path dependency outside the workspace root (../shared)"
  local ws
  ws="$(sources_setup src-outside outside app)" || { fail "sources-outside: setup"; return 0; }
  check_package_files src-outside "$ws" "$WORK/src-outside" "{ }"
  local out
  out="$(nix-build --no-out-link "$REPO/tests/nix/build.nix" --arg plan "$WORK/src-outside.plan.json" \
    --arg src "$ws" -A workspace.app 2>"$WORK/src-outside-build.log")" \
    || { tail -n 20 "$WORK/src-outside-build.log"; fail "sources-outside: build"; return 0; }
  compare_with_cargo src-outside "$ws" app app "$out"
  expect_rebuilds src-outside "$ws" "{ }" "../shared/src/lib.rs" "app shared" \
    sh -c "echo '// edited' >> '$WORK/src-outside/shared/src/lib.rs'"
  expect_rebuilds src-outside "$ws" "{ }" "../NOTES.md (no package's)" "" \
    sh -c "echo more >> '$WORK/src-outside/NOTES.md'"
}

# IFD mode: the generator's inputs hold only what discovery reads — adding a CI file, docs or a
# module leaves the plan derivation as it was, a new bin does not — and a workspace whose path
# dependency lies outside it builds from `{ src; workspaceDir; }`, in IFD and committed mode.
test_sources_ifd() {
  log "sources: the IFD view and committed mode"
  local copy="$WORK/src-ifd"
  fresh_copy "$SOURCES_FIXTURES/rooted" "$copy"
  local brw="let pkgs = import $REPO/tests/nixpkgs { overlays = [ (import $REPO/overlay) ]; }; in pkgs.rustBuilder.buildRustWorkspace"
  local url='crateUrl = "file:///crates-mirror/{name}-{version}.crate";'
  plan_drv() { nix-instantiate --read-write-mode --eval --expr "($brw { src = $copy; $url }).planDerivation.drvPath" 2>"$WORK/src-ifd.log"; }
  local before after
  before="$(plan_drv)" || { tail -n 5 "$WORK/src-ifd.log"; fail "sources-ifd: evaluate"; return 0; }
  echo 'on: tag' > "$copy/.github/workflows/release.yml"
  echo more >> "$copy/docs/guide.md"
  echo '- note' >> "$copy/CHANGELOG.md"
  echo 'pub fn unused() {}' > "$copy/crates/core/extra.rs"
  echo 'pub fn more() {}' > "$copy/crates/alpha/src/more.rs"
  mkdir -p "$copy/scripts" && echo 'echo hi' > "$copy/scripts/release.sh"
  after="$(plan_drv)"
  if [[ "$before" == "$after" ]]; then
    echo "ok: sources-ifd: a CI file, docs, a changelog entry, modules and a script leave the plan derivation as it was"
  else
    fail "sources-ifd: adding files discovery does not read changed the plan derivation"
  fi
  mkdir -p "$copy/crates/alpha/src/bin" && echo 'fn main() {}' > "$copy/crates/alpha/src/bin/tool.rs"
  after="$(plan_drv)"
  if [[ "$before" != "$after" ]]; then
    echo "ok: sources-ifd: a new src/bin/tool.rs changes the plan derivation"
  else
    fail "sources-ifd: a new bin left the plan derivation as it was"
  fi

  # The plan made from the names alone is the plan made from the disk (inputs aside).
  nix-instantiate --read-write-mode --eval --strict --json --expr "($brw { src = $copy; $url }).plan" \
    > "$WORK/src-ifd.ifd.json" 2>"$WORK/src-ifd.log" || { fail "sources-ifd: the IFD plan"; return 0; }
  make_plan "$copy" "$WORK/src-ifd.disk.json" --release || { fail "sources-ifd: the disk plan"; return 0; }
  if python3 -c 'import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
sys.exit(0 if all(a[k] == b[k] for k in ("packages", "platforms", "workspace")) else 1)' "$WORK/src-ifd.ifd.json" "$WORK/src-ifd.disk.json"; then
    echo "ok: sources-ifd: the plan made from the IFD view's names equals the one made from the disk"
  else
    fail "sources-ifd: the IFD plan differs from the disk plan"
  fi

  local out ws="$WORK/src-ifd-outside"
  fresh_copy "$SOURCES_FIXTURES/outside" "$ws"
  out="$(nix-build --no-out-link --expr "($brw { src = $ws; workspaceDir = \"app\"; $url }).workspace.app" \
    2>"$WORK/src-ifd-outside.log")" || { tail -n 20 "$WORK/src-ifd-outside.log"; fail "sources-ifd: outside, IFD build"; return 0; }
  compare_with_cargo src-ifd-outside "$ws/app" app app "$out"
  make_plan "$ws/app" "$ws/app/Cargo.plan.json" || { fail "sources-ifd: outside, plan"; return 0; }
  local committed="($brw { src = $ws/app; plan = $ws/app/Cargo.plan.json; $url }).workspace.app.drvPath"
  if nix-instantiate --read-write-mode --eval --expr "$committed" >/dev/null 2>"$WORK/src-committed.log"; then
    echo "ok: sources-ifd: outside, the committed plan is current"
  else
    fail "sources-ifd: outside, committed plan refused: $(tail -n 2 "$WORK/src-committed.log")"
  fi
  mkdir -p "$ws/shared/src/bin" && echo 'fn main() {}' > "$ws/shared/src/bin/extra.rs"
  if nix-instantiate --read-write-mode --eval --expr "$committed" >/dev/null 2>"$WORK/src-committed.log"; then
    fail "sources-ifd: outside, a new bin in ../shared left the committed plan current"
  else
    expect_message "sources-ifd: outside, committed plan" "../shared/src/bin/extra.rs is new" "$WORK/src-committed.log"
  fi
}

ALL_TESTS+=(test_sources_rooted test_sources_virtual test_sources_shared_file test_sources_outside test_sources_ifd)
