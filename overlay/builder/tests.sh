# The tests derivation of a workspace member (overlay/mkcrate-tests.nix): `cargo test`. The
# member's crate derivation holds its lib, bins and build-script results; here the test targets
# are compiled against them and run, then the doctests.
#
# Inputs: crateplanCrate { lib; out; hasBuildScript; hasLib; procMacro; packageDir; } (the crate
# derivation's outputs, and what the member has) with crateplanCrateBins (its bin names), the
# tables crateplanTests (compiled and run) and crateplanExamples (compiled only), the target
# crateplanDoctest (empty: none), checkFlags (arguments of every test binary) and the
# instance's attributes (lib.sh, whose CONFIG_ENV the test binaries run with).
declare -g TARGET_TMPDIR="" TARGET_PROFILE_DIR=""
declare -ga TEST_FAILURES=()
declare -ga TEST_BINARIES=()  # "<log name>=<path>" of each test binary to run, in order

configure_tests() {
  prepare_dependencies
  # A second -C metadata: the test targets differ from the lib they test (a dev-dependency may
  # link that lib too).
  RUSTC_COMMON+=(-C "metadata=tests")
  use_crate_build_script_results
  lay_out_target_dir
}

# cargo's target directory as tests find their way around it: target/<profile>/ holds the
# package's bins (links to the crate derivation's), deps/ the test binaries, examples/ the
# examples; target/tmp is CARGO_TARGET_TMPDIR, writable and there when the tests run.
lay_out_target_dir() {
  TARGET_PROFILE_DIR="$BUILD_DIR/target/${crateplanInstance[profile]}"
  TARGET_TMPDIR="$BUILD_DIR/target/tmp"
  mkdir -p "$TARGET_PROFILE_DIR/deps" "$TARGET_PROFILE_DIR/examples" "$TARGET_TMPDIR"
  local bin_name
  for bin_name in "${crateplanCrateBins[@]}"; do
    ln -s "${crateplanCrate[out]}/bin/$bin_name" "$TARGET_PROFILE_DIR/$bin_name"
  done
}

# The member's crate derivation ran its build script: its OUT_DIR and directives (cfgs,
# rustc-env, link libraries and arguments) apply to the targets compiled here as well.
use_crate_build_script_results() {
  local info="${crateplanCrate[lib]}/lib/crateplan"
  if [[ -n "${crateplanCrate[hasBuildScript]}" ]]; then
    OUT_DIR_PATH="$info/out"
    if [[ -f "$info/build-script-output" ]]; then
      parse_build_script_output "$info/build-script-output"
    fi
  fi
  # The crate's own search paths are in its link-search already: drop repeats, keep the order.
  local -A seen=()
  local -a unique_search=()
  local s
  for s in "${LINK_SEARCH[@]}"; do
    [[ -n "${seen[$s]+x}" ]] && continue
    seen[$s]=1
    unique_search+=("$s")
  done
  LINK_SEARCH=("${unique_search[@]}")
}

# target_args: the rustc arguments of the selected target (select_target) that follow from its
# mode and kind, one a line: --test or its crate types, its panic strategy, the lib's proc_macro.
target_args() {
  if [[ "${TARGET[mode]}" == test ]]; then
    printf '%s\n' --test
  else
    local type
    for type in "${TARGET_CRATE_TYPES[@]}"; do printf '%s\n' --crate-type "$type"; done
  fi
  if [[ "${TARGET[panic]}" == abort ]]; then printf '%s\n' -C panic=abort; fi
  if [[ "${TARGET[kind]}" == lib && -n "${crateplanCrate[procMacro]}" ]]; then
    printf '%s\n' --extern proc_macro
  fi
  return 0
}

# bin_exe_env KIND: CARGO_BIN_EXE_<bin> (absolute paths) of the package's bins for an
# integration test or bench, one NAME=VALUE a line: cargo sets them when compiling the target
# and again when running it.
bin_exe_env() {
  [[ "$1" == test || "$1" == bench ]] || return 0
  local bin_name
  for bin_name in "${crateplanCrateBins[@]}"; do
    printf '%s\n' "CARGO_BIN_EXE_$bin_name=${crateplanCrate[out]}/bin/$bin_name"
  done
}

# Compile-time variables of the selected target beyond lib.sh's, one NAME=VALUE a line: the
# `[env]` variables, and for integration tests and benches the bins and CARGO_TARGET_TMPDIR.
test_target_env() {
  (( ${#CONFIG_ENV[@]} )) && printf '%s\n' "${CONFIG_ENV[@]}"
  [[ "${TARGET[kind]}" == test || "${TARGET[kind]}" == bench ]] || return 0
  bin_exe_env "${TARGET[kind]}"
  printf '%s\n' "CARGO_TARGET_TMPDIR=$TARGET_TMPDIR"
}

# link_args_of KIND: the build script's link arguments for a target of that kind, one a line.
link_args_of() {
  local -a args=("${LINK_ARGS_ALL[@]}")
  case "$1" in
    test) args+=("${LINK_ARGS_TESTS[@]}") ;;
    bench) args+=("${LINK_ARGS_BENCHES[@]}") ;;
    example) args+=("${LINK_ARGS_EXAMPLES[@]}") ;;
    bin) args+=("${LINK_ARGS_BINS[@]}") ;;
  esac
  (( ${#args[@]} )) && printf '%s\n' "${args[@]}"
  return 0
}

# compile_test_target MODE OUT_DIR: compiles the selected target (select_target) into OUT_DIR
# with the environment and arguments of its kind. MODE "link": a binary, with the build script's
# link libraries (the lib's, or every target's when the package has none) and link arguments;
# "check": metadata only, as clippy checks.
compile_test_target() {
  local mode="$1" out_dir="$2"
  local kind="${TARGET[kind]}"
  local -a output=(--out-dir "$out_dir") externs args linking=()
  [[ "$mode" == check ]] && output=(--emit=metadata "${output[@]}")
  mapfile -t externs < <(extern_args "${TARGET_EXTERNS[@]}")
  mapfile -t args < <(target_args)
  if [[ "$mode" == link ]]; then
    if [[ "$kind" == lib || -z "${crateplanCrate[hasLib]}" ]]; then linking+=("${OWN_LINK_LIBS[@]}"); fi
    mapfile -t -O "${#linking[@]}" linking < <(link_args_of "$kind")
  fi
  mapfile -t EXTRA_RUSTC_ENV < <(test_target_env)
  local bin_env=""
  [[ "$kind" == bin ]] && bin_env="${TARGET[name]}"
  (( ${#EXTRA_RUSTC_ENV[@]} )) && log "with ${EXTRA_RUSTC_ENV[*]}"
  local status=0
  compile_target "${TARGET[crateName]}" "$bin_env" --crate-name "${TARGET[crateName]}" \
    --edition "${TARGET[edition]}" "${TARGET[path]}" "${output[@]}" \
    -C "metadata=$kind-${TARGET[name]}" "${externs[@]}" "${args[@]}" "${linking[@]}" || status=$?
  EXTRA_RUSTC_ENV=()
  return "$status"
}

# compile_tests TABLE: every target of TABLE (builder.nix targetTable), where cargo puts it: a
# test binary (or a test or bench without harness) in deps/ as <crate name>-<hash>
# (TEST_BINARIES: to run, logged as <kind>-<name>), an example built as a bin in examples/<name>.
compile_tests() {
  local table="$1" i
  local -n count="${table}Count"
  for (( i = 0; i < count; i++ )); do
    select_target "$table$i"
    local kind="${TARGET[kind]}" name="${TARGET[name]}" crate_name="${TARGET[crateName]}"
    log "compiling $kind $name (as ${TARGET[mode]})"
    local out_dir="$BUILD_DIR/tests/$kind-$name"
    mkdir -p "$out_dir"
    compile_test_target link "$out_dir"
    local built="$out_dir/$crate_name-${crateplanInstance[metadata]}"
    # A test or bench with `harness = false` is a plain bin, run as well.
    if [[ "${TARGET[mode]}" == test || ( "$kind" != example && " ${TARGET_CRATE_TYPES[*]} " == *" bin "* ) ]]; then
      local hash
      hash="$(printf '%s' "$kind-$name" | sha256sum)"
      mv "$built" "$TARGET_PROFILE_DIR/deps/$crate_name-${hash:0:16}"
      TEST_BINARIES+=("$kind-$name=$TARGET_PROFILE_DIR/deps/$crate_name-${hash:0:16}")
    elif [[ " ${TARGET_CRATE_TYPES[*]} " == *" bin "* ]]; then
      # An example may be a library (`crate-type = ["cdylib"]`): compiled, nothing to place.
      mv "$built" "$TARGET_PROFILE_DIR/examples/$name"
    fi
  done
}

# library_path DIRS...: the LD_LIBRARY_PATH cargo gives a test binary or rustdoc: the native
# search paths (e.g. a shared library a build script made in OUT_DIR), DIRS (where cargo has its
# target directories and the toolchain's libraries), then the inherited value.
library_path() {
  local s dirs=""
  for s in "${LINK_SEARCH[@]}"; do
    s="${s#*=}"
    [[ -d "$s" ]] && dirs="${dirs:+$dirs:}$s"
  done
  for s in "$@"; do dirs="${dirs:+$dirs:}$s"; done
  printf '%s\n' "$dirs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
}

# run_env KIND: the variables cargo adds to a test binary's environment beyond the package's
# (CARGO_PKG_*, CARGO_MANIFEST_*, CARGO: exported already), one NAME=VALUE a line: the build
# script's OUT_DIR and rustc-env, CARGO_BIN_EXE_<bin> for integration tests and benches, the
# `[env]` variables and the library path.
run_env() {
  [[ -n "$OUT_DIR_PATH" ]] && printf '%s\n' "OUT_DIR=$OUT_DIR_PATH"
  (( ${#OWN_ENV[@]} )) && printf '%s\n' "${OWN_ENV[@]}"
  bin_exe_env "$1"
  (( ${#CONFIG_ENV[@]} )) && printf '%s\n' "${CONFIG_ENV[@]}"
  printf '%s\n' "LD_LIBRARY_PATH=$(library_path "$TARGET_PROFILE_DIR" "$TARGET_PROFILE_DIR/deps" \
    "$(rustc --print target-libdir --target "${crateplanInstance[targetTriple]}")")"
}

# run_test NAME DIR COMMAND...: runs in DIR, logs to $out/NAME.log; a failure is recorded.
run_test() {
  local name="$1" dir="$2"
  shift 2
  log "running $name"
  if (cd "$dir" && "$@") > "$out/$name.log" 2>&1; then
    cat "$out/$name.log"
  else
    cat "$out/$name.log"
    log "FAILED: $name"
    TEST_FAILURES+=("$name")
  fi
}

# Doctests: rustdoc --test from the workspace root, with the lib and its (dev-)dependencies, as
# `cargo test` runs them, with the environment cargo gives rustdoc (rustdoc_process).
run_doctests() {
  [[ -n "${crateplanDoctest[path]:-}" ]] || return 0
  select_target crateplanDoctest
  local crate_name="${TARGET[crateName]}" path="${TARGET[path]}" package_dir="${crateplanCrate[packageDir]}"
  local -a args=() externs features search=() test_args=() env_args=("CARGO_CRATE_NAME=$crate_name")
  mapfile -t externs < <(extern_args "${TARGET_EXTERNS[@]}")
  mapfile -t features < <(feature_cfgs)
  local type s
  for type in "${TARGET_CRATE_TYPES[@]}"; do args+=(--crate-type "$type"); done
  [[ -n "${crateplanCrate[procMacro]}" ]] && args+=(--extern proc_macro)
  for s in "${LINK_SEARCH[@]}"; do search+=(-L "$s"); done
  args+=("${features[@]}")
  # Unlike rustc, rustdoc gets no CARGO_PRIMARY_PACKAGE from cargo.
  [[ -n "$OUT_DIR_PATH" ]] && env_args+=("OUT_DIR=$OUT_DIR_PATH")
  env_args+=("${OWN_ENV[@]}" "${CONFIG_ENV[@]}" "LD_LIBRARY_PATH=$(library_path "$DEPS_DIR")")
  local flag
  for flag in "${checkFlags[@]}"; do test_args+=(--test-args "$flag"); done
  # The path as cargo gives it: relative to the workspace root (doctest names show it).
  local ws_root="$CRATE_ROOT" rel="$path"
  if [[ -n "$package_dir" ]]; then
    ws_root="${CRATE_ROOT%/"$package_dir"}"
    rel="$package_dir/$path"
  fi
  args=(--edition "${TARGET[edition]}" "${args[@]}" --crate-name "$crate_name" --test "$rel"
    --test-run-directory "$CRATE_ROOT" "${externs[@]}" -L "dependency=$DEPS_DIR" "${search[@]}"
    --target "${crateplanInstance[targetTriple]}" -C embed-bitcode=no
    "${CHECK_CFG[@]}" "${OWN_CFGS[@]}" "${crateplanLints[@]}" "${test_args[@]}")
  log_compiler rustdoc "${args[@]}"
  run_test doctests "$ws_root" env "${env_args[@]}" rustdoc "${args[@]}"
}

# run_test_binaries: every test binary, from the package root, with cargo's run-time environment
# and the checkFlags.
run_test_binaries() {
  local entry name env_args
  for entry in "${TEST_BINARIES[@]}"; do
    name="${entry%%=*}"
    mapfile -t env_args < <(run_env "${name%%-*}")
    run_test "$name" "$CRATE_ROOT" env "${env_args[@]}" "${entry#*=}" "${checkFlags[@]}"
  done
}

build_tests() {
  mkdir -p "$out"
  compile_tests crateplanTests
  compile_tests crateplanExamples
  run_test_binaries
  run_doctests
  if (( ${#TEST_FAILURES[@]} )); then
    log "${#TEST_FAILURES[@]} test target(s) of ${crateplanPackageEnv[CARGO_PKG_NAME]} failed: ${TEST_FAILURES[*]}"
    return 1
  fi
  log "all tests of ${crateplanPackageEnv[CARGO_PKG_NAME]} passed"
}

install_tests() {
  rm -rf "$BUILD_DIR"
}
