# Cross-compilation at evaluation level, and the -sys crate overrides (issue 5, points 4 and 6).
# Sourced by tests/nix/run.sh (which provides REPO, WORK, TRIPLE, log, fail, example, BUILT,
# refresh_crates_mirror, CRATEPLAN_BIN, PLAN_FROM):
#
#   tests/nix/run.sh cross-targets cross-host-units overrides-eval openssl-sys sqlite-sys zstd-sys bzip2-sys
#
# Cross: examples/cross-units (a build script with a build-dependency that is also a normal
# dependency, a proc-macro with dependencies, per-target-family dependencies), planned for
# aarch64-unknown-linux-gnu and wasm32-unknown-unknown with host x86_64-unknown-linux-gnu. Their
# standard libraries are not installed here, so target units are checked on the derivations
# (tests/nix/cross-check.py against cargo's unit graph), and only host units are built.
# Overrides: examples/{openssl,sqlite,zstd,bzip2}-sys-pkg-config build against the system library.

CROSS_TARGETS=(aarch64-unknown-linux-gnu wasm32-unknown-unknown)
CROSS_DIR="$REPO/examples/cross-units"
CROSS_PLAN="$WORK/cross-units.plan.json"

# cross_plan: the plan for both cross targets (once per run); fails without the generator.
cross_plan() {
  [[ -s "$CROSS_PLAN" ]] && return 0
  [[ "$PLAN_FROM" == generator ]] || { echo "cross: needs \`crateplan generate\` (multi-target plans)" >&2; return 1; }
  cargo fetch -q --locked --manifest-path "$CROSS_DIR/Cargo.toml" && refresh_crates_mirror || return 1
  "$CRATEPLAN_BIN" generate --manifest-path "$CROSS_DIR/Cargo.toml" \
    --target "${CROSS_TARGETS[0]}" --target "${CROSS_TARGETS[1]}" --host "$TRIPLE" --release -o "$CROSS_PLAN"
}

# cross_drvs TARGET: instantiates workspace.app for TARGET; writes `nix show-derivation -r` of it
# to $WORK/cross-TARGET.drvs.json and prints the .drv path.
cross_drvs() {
  local drv
  drv="$(nix-instantiate tests/nix/build.nix --arg plan "$CROSS_PLAN" --arg src "$CROSS_DIR" \
    --argstr target "$1" -A workspace.app 2>"$WORK/cross-$1.instantiate.log")" \
    || { tail -n 20 "$WORK/cross-$1.instantiate.log" >&2; return 1; }
  nix show-derivation -r "$drv" > "$WORK/cross-$1.drvs.json" || return 1
  echo "$drv"
}

# report CHECK_OUTPUT_FILE: echoes the checker's ok: lines, records its FAIL: lines.
report() {
  local line
  while IFS= read -r line; do
    case "$line" in
      FAIL:*) fail "${line#FAIL: }" ;;
      *) echo "$line" ;;
    esac
  done < "$1"
}

# For each cross target: the plan's units and edges are cargo's (`cargo build --unit-graph
# --target T`), and the derivation graph of workspace.app is cargo's instance graph, each crate
# compiled for the host or the target as cargo's `platform` says.
test_cross_targets() {
  log "cross targets: plan and derivation graph vs cargo's unit graph"
  cross_plan || { fail "cross: plan for $CROSS_DIR"; return 0; }
  local target drv
  for target in "${CROSS_TARGETS[@]}"; do
    RUSTC_BOOTSTRAP=1 cargo build -q --unit-graph -Z unstable-options --release --locked \
      --target "$target" --manifest-path "$CROSS_DIR/Cargo.toml" > "$WORK/cross-$target.unit-graph.json" \
      || { fail "cross $target: cargo --unit-graph"; continue; }
    drv="$(cross_drvs "$target")" || { fail "cross $target: instantiate workspace.app"; continue; }
    python3 tests/nix/cross-check.py "$WORK/cross-$target.unit-graph.json" "$CROSS_PLAN" "$target" \
      "$TRIPLE" "$WORK/cross-$target.drvs.json" > "$WORK/cross-$target.check" 2>&1 || true
    report "$WORK/cross-$target.check"
    grep -q '^ok: .*derivation dependencies between crates' "$WORK/cross-$target.check" \
      || fail "cross $target: the checker did not finish: $(tail -n 3 "$WORK/cross-$target.check")"
    # The checker catches a unit on the wrong platform: the proc-macro's derivation said to compile
    # for the target must fail it.
    python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
for v in d.values():
    a = json.loads(v["env"].get("__json", "{}"))
    if a.get("crateplanPackageEnv", {}).get("CARGO_PKG_NAME") == "hello-derive":
        a["crateplanInstance"]["targetTriple"] = sys.argv[2]
        v["env"]["__json"] = json.dumps(a)
json.dump(d, open(sys.argv[3], "w"))' "$WORK/cross-$target.drvs.json" "$target" "$WORK/cross-$target.broken.json" || true
    if python3 tests/nix/cross-check.py "$WORK/cross-$target.unit-graph.json" "$CROSS_PLAN" "$target" \
        "$TRIPLE" "$WORK/cross-$target.broken.json" > "$WORK/cross-$target.broken.check" 2>&1; then
      fail "cross $target: the checker accepts hello-derive compiled for $target"
    elif grep -q "unexpected ('hello-derive@0.1.0', '$target'" "$WORK/cross-$target.broken.check"; then
      echo "ok: cross $target: the checker rejects hello-derive compiled for $target"
    else
      fail "cross $target: the checker on a wrong platform: $(grep FAIL "$WORK/cross-$target.broken.check" | head -n 3)"
    fi
    # The front door in committed mode (no IFD) with the same plan and target: the same derivation.
    local brw
    brw="$(nix-instantiate --expr "let pkgs = import $REPO/tests/nixpkgs { overlays = [ (import $REPO/overlay) ]; };
      in (pkgs.rustBuilder.buildRustWorkspace { src = $CROSS_DIR; plan = $CROSS_PLAN; target = \"$target\";
        crateUrl = \"file:///crates-mirror/{name}-{version}.crate\"; }).getMember \"app\"" 2>"$WORK/cross-brw.log")" || true
    if [[ -n "$brw" && "$brw" == "$drv" ]]; then
      echo "ok: cross $target: buildRustWorkspace { plan; target = \"$target\"; } gives the same workspace.app derivation"
    else
      fail "cross $target: buildRustWorkspace gives '$brw', makePackageSet '$drv': $(tail -n 3 "$WORK/cross-brw.log")"
    fi
  done
  # The host half (build scripts, proc-macros, their dependencies) is the same derivations in
  # both package sets.
  local shared
  shared="$(python3 -c 'import json,sys
triple = lambda d: json.loads(d["env"].get("__json", "{}")).get("crateplanInstance", {}).get("targetTriple")
host = lambda f: {p for p, d in json.load(open(f)).items() if triple(d) == sys.argv[3]}
a, b = host(sys.argv[1]), host(sys.argv[2])
print(f"{len(a & b)} of {len(a)}")' "$WORK/cross-${CROSS_TARGETS[0]}.drvs.json" "$WORK/cross-${CROSS_TARGETS[1]}.drvs.json" "$TRIPLE" 2>/dev/null)" || true
  # Host instances hash the host triple, not the set's target: every one is shared.
  local count total
  read -r count _ total <<< "$shared"
  if [[ -n "$count" && "$count" == "$total" && "$total" != 0 ]]; then
    echo "ok: cross: host derivations shared by the ${CROSS_TARGETS[0]} and ${CROSS_TARGETS[1]} package sets: $shared"
  else
    fail "cross: host derivations shared by the ${CROSS_TARGETS[0]} and ${CROSS_TARGETS[1]} package sets: ${shared:-none}"
  fi
}

# The host half of a cross package set builds for real (it needs only the host's std): every
# derivation of workspace.app's graph with crateplanInstance.targetTriple = the host builds, and its
# rustc command lines (from `nix log`) all say `--target <host>`. A target derivation without
# dependencies (cfg-if) is tried too: it fails for want of aarch64's core, and its log shows
# `--target aarch64-unknown-linux-gnu`.
test_cross_host_units() {
  log "cross: host units of the aarch64 package set build"
  cross_plan || { fail "cross: plan for $CROSS_DIR"; return 0; }
  local target="${CROSS_TARGETS[0]}" host_drvs leaf
  cross_drvs "$target" >/dev/null || { fail "cross $target: instantiate workspace.app"; return 0; }
  host_drvs="$(python3 -c 'import json,sys
for p, d in sorted(json.load(open(sys.argv[1])).items()):
    a = json.loads(d["env"].get("__json", "{}"))
    if a.get("crateplanInstance", {}).get("targetTriple") == sys.argv[2]: print(p)' "$WORK/cross-$target.drvs.json" "$TRIPLE")" || true
  leaf="$(python3 -c 'import json,sys
for p, d in sorted(json.load(open(sys.argv[1])).items()):
    a = json.loads(d["env"].get("__json", "{}"))
    if a.get("crateplanPackageEnv", {}).get("CARGO_PKG_NAME") == "cfg-if": print(p)' "$WORK/cross-$target.drvs.json")" || true
  [[ -n "$host_drvs" && -n "$leaf" ]] || { fail "cross $target: no host derivations or no cfg-if in the graph"; return 0; }
  # shellcheck disable=SC2086
  if nix-store --realise $host_drvs > /dev/null 2>"$WORK/cross-host.log"; then
    local drv targets count=0 wrong=""
    for drv in $host_drvs; do
      targets="$(drv_log "$drv" | grep '^crateplan: rustc' | grep -o -- "--target [^ ]*" | sort -u)" || true
      [[ "$targets" == "--target $TRIPLE" ]] || wrong+=" ${drv#/nix/store/} ($targets)"
      count=$((count + 1))
    done
    if [[ -z "$wrong" ]]; then
      echo "ok: cross $target: the $count host derivations build; every rustc of theirs has --target $TRIPLE"
    else
      fail "cross $target: host derivations with other rustc targets:$wrong"
    fi
  else
    fail "cross $target: host derivations do not build: $(tail -n 5 "$WORK/cross-host.log")"
  fi
  if nix-store --realise "$leaf" > /dev/null 2>"$WORK/cross-leaf.log"; then
    fail "cross $target: cfg-if built for $target without its standard library?"
  elif grep -q -- "crateplan: rustc .*--target $target" "$WORK/cross-leaf.log" \
      && grep -q "can't find crate for \`core\`" "$WORK/cross-leaf.log"; then
    echo "ok: cross $target: cfg-if is compiled with --target $target (fails here: \"can't find crate for \`core\`\")"
  else
    fail "cross $target: cfg-if's log: $(grep 'rustc\|error' "$WORK/cross-leaf.log" | head -n 5)"
  fi
}

# Every override of overrides.all, evaluated on a stub crate of its name (packages the stand-in
# lacks are stubs here): what it adds, and the environment it sets. prost-build's override applies
# to crates whose build script uses prost_build/tonic_build, and to no other.
test_overrides_eval() {
  log "overrides.all: what each override adds"
  local result expected
  result="$(nix-instantiate --eval --strict --json --expr "let
      stubs = final: prev: builtins.listToAttrs (map (n: { name = n; value = final.stdenv.mkDerivation {
        name = \"\${n}-stub\"; dontUnpack = true; }; })
        [ \"curl\" \"libgit2\" \"postgresql\" \"perl\" \"cmake\" \"go\" \"protobuf\" ]);
      pkgs = import $REPO/tests/nixpkgs { overlays = [ (import $REPO/overlay) stubs ]; };
      stub = name: externs: pkgs.stdenv.mkDerivation {
        name = \"\${name}-1.0.0\"; dontUnpack = true; crateplanBuildScriptExterns = externs;
        passthru.crateplan = { pname = name; version = \"1.0.0\"; };
      };
      names = ds: map (d: builtins.elemAt (builtins.match \"[^-]*-(.*)\" (baseNameOf (toString d))) 0) ds;
      show = crate: let c = builtins.foldl' (d: o: o d) crate pkgs.rustBuilder.overrides.all; in
        builtins.concatStringsSep \" \" (names c.nativeBuildInputs ++ [ \"|\" ] ++ names c.buildInputs
          ++ map (v: \"\${v}=\${c.\${v} or \"\"}\") (builtins.filter (v: c ? \${v})
            [ \"OPENSSL_NO_VENDOR\" \"LIBSQLITE3_SYS_USE_PKG_CONFIG\" \"ZSTD_SYS_USE_PKG_CONFIG\" \"PROTOC\" ]));
    in builtins.mapAttrs (n: e: show (stub n e)) {
      libz-sys = [ ]; openssl-sys = [ ]; libsqlite3-sys = [ ]; zstd-sys = [ ]; bzip2-sys = [ ];
      curl-sys = [ ]; libgit2-sys = [ ]; pq-sys = [ ]; ring = [ ]; aws-lc-sys = [ ]; aws-lc-fips-sys = [ ];
      uses-prost = [ \"prost_build=/x/libprost_build.rlib\" ]; uses-tonic = [ \"tonic_build=/x/l.rlib\" ];
      serde = [ \"serde_derive=/x/l.so\" ];
    }" 2>"$WORK/overrides-eval.log")" || { fail "overrides eval: $(tail -n 5 "$WORK/overrides-eval.log")"; return 0; }
  # name -> "nativeBuildInputs | buildInputs ENV=VALUE…" (store paths without hash and version).
  expected='{"aws-lc-fips-sys":"cmake-stub perl-stub go-stub |","aws-lc-sys":"cmake-stub perl-stub |","bzip2-sys":"pkg-config-host | bzip2-host","curl-sys":"pkg-config-host | curl-stub","libgit2-sys":"pkg-config-host | libgit2-stub openssl-host zlib-host","libsqlite3-sys":"pkg-config-host | sqlite-host LIBSQLITE3_SYS_USE_PKG_CONFIG=1","libz-sys":"pkg-config-host | zlib-host","openssl-sys":"pkg-config-host | openssl-host OPENSSL_NO_VENDOR=1","pq-sys":"pkg-config-host | postgresql-stub","ring":"perl-stub |","serde":"|","uses-prost":"protobuf-stub | PROTOC=protobuf-stub/bin/protoc","uses-tonic":"protobuf-stub | PROTOC=protobuf-stub/bin/protoc","zstd-sys":"pkg-config-host | zstd-host ZSTD_SYS_USE_PKG_CONFIG=1"}'
  result="$(sed 's|/nix/store/[a-z0-9]*-||g' <<< "$result")"
  if [[ "$result" == "$expected" ]]; then
    echo "ok: overrides.all: each of the 11 -sys/tool overrides and prost-build's adds what docs/overrides.md says"
  else
    fail "overrides.all: got $result"
  fi
}

# sys_example NAME PACKAGE SYS_CRATE STORE_LIBRARY SONAME ENV_VAR: the example built in the sandbox,
# its output compared with `cargo run` (with ENV_VAR=1 too, so both link the same library), the
# binary's NEEDED naming SONAME, the -sys crate's link-search pointing at the stand-in's
# STORE_LIBRARY (pkg-config found it through the override), and ENV_VAR=1 in its derivation.
sys_example() {
  local name="$1" package="$2" sys="$3" library="$4" soname="$5" var="$6"
  if [[ -n "$var" ]]; then export "$var=1"; fi
  example "$name" "$package" "$package"
  if [[ -n "$var" ]]; then unset "$var"; fi
  local out="$BUILT"
  [[ -n "$out" ]] || return 0
  local needed
  needed="$(readelf -d "$out/bin/$package" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')" || true
  if grep -qw -- "$soname" <<< "$needed"; then
    echo "ok: $name: $package's NEEDED: $needed"
  else
    fail "$name: $package does not link $soname: NEEDED $needed"
  fi
  local crate
  crate="$(nix-build --no-out-link --expr "(builtins.head (builtins.attrValues (import $REPO/tests/nix/build.nix {
      plan = $WORK/$name.plan.json; src = $REPO/examples/$name; }).crates-io.$sys)).lib" 2>"$WORK/$name-sys.log")" \
    || { fail "$name: $sys crate: $(tail -n 3 "$WORK/$name-sys.log")"; return 0; }
  if grep -q -- "-$library-host/lib\$" "$crate/lib/crateplan/link-search"; then
    echo "ok: $name: $sys's link-search (from pkg-config): $(sed 's|/nix/store/[a-z0-9]*-|…-|' "$crate/lib/crateplan/link-search" | tr '\n' ' ')"
  else
    fail "$name: $sys's link-search is '$(cat "$crate/lib/crateplan/link-search")'"
  fi
  if [[ -n "$var" ]]; then
    local value
    value="$(nix show-derivation "$(nix-store -q --deriver "$crate")" \
      | python3 -c 'import json,sys; d=json.load(sys.stdin); a=json.loads(next(iter(d.values()))["env"]["__json"]); print(a.get("env", {}).get(sys.argv[1], "unset"))' "$var")" || true
    if [[ "$value" == 1 ]]; then
      echo "ok: $name: $sys's derivation sets $var=1"
    else
      fail "$name: $sys's derivation has $var=$value"
    fi
  fi
}

# openssl (the crate) over openssl-sys: libssl and libcrypto from pkgs.openssl.
test_openssl_sys() { sys_example openssl-sys-pkg-config openssl-user openssl-sys openssl libcrypto.so.3 OPENSSL_NO_VENDOR; }
# rusqlite without `bundled` over libsqlite3-sys: libsqlite3 from pkgs.sqlite.
test_sqlite_sys() { sys_example sqlite-sys-pkg-config sqlite-user libsqlite3-sys sqlite libsqlite3.so.0 LIBSQLITE3_SYS_USE_PKG_CONFIG; }
# zstd-sys without its pkg-config feature: ZSTD_SYS_USE_PKG_CONFIG from the override selects pkgs.zstd.
test_zstd_sys() { sys_example zstd-sys-pkg-config zstd-user zstd-sys zstd libzstd.so.1 ZSTD_SYS_USE_PKG_CONFIG; }

# bzip2-sys: pkg-config finds pkgs.bzip2's bzip2.pc (cargo on Debian, with no bzip2.pc, compiles the
# bundled copy instead; the output is the same).
test_bzip2_sys() { sys_example bzip2-sys-pkg-config bzip2-user bzip2-sys bzip2 libbz2.so.1.0 ""; }

ALL_TESTS+=(test_cross_targets test_cross_host_units test_overrides_eval test_openssl_sys test_sqlite_sys test_zstd_sys
  test_bzip2_sys)
