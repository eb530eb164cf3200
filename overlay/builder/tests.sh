# The tests derivation of a workspace member (overlay/mkcrate-tests.nix): `cargo test`. The
# member's crate derivation holds its lib, bins and build-script results; here the test targets
# are compiled against them and run, then the doctests.
#
# Inputs: crateplanCrate { lib; out; hasBuildScript; hasLib; procMacro; packageDir; } (the crate
# derivation's outputs, and what the member has) with crateplanCrateBins (its bin names), the
# tables crateplanTests (compiled and run) and crateplanExamples (compiled only), the target
# crateplanDoctest (empty: none), and the instance's attributes (lib.sh).
declare -g TARGET_TMPDIR=""
declare -ga TEST_FAILURES=()

configure_tests() {
  prepare_dependencies
  # A second -C metadata: the test targets differ from the lib they test (a dev-dependency may
  # link that lib too).
  RUSTC_COMMON+=(-C "metadata=tests")
  use_crate_build_script_results
  # cargo's CARGO_TARGET_TMPDIR (target/tmp): writable, and there when the tests run.
  TARGET_TMPDIR="$TMPDIR/crateplan-target-tmp"
  mkdir -p "$TARGET_TMPDIR"
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

# Compile-time variables of integration tests and benches, one NAME=VALUE a line: the package's
# bins (absolute paths) and a scratch directory.
test_target_env() {
  [[ "${TARGET[kind]}" == test || "${TARGET[kind]}" == bench ]] || return 0
  local bin_name
  for bin_name in "${crateplanCrateBins[@]}"; do
    printf '%s\n' "CARGO_BIN_EXE_$bin_name=${crateplanCrate[out]}/bin/$bin_name"
  done
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

# compile_tests TABLE DEST: every target of TABLE (builder.nix targetTable); DEST/<kind>-<name>
# is the binary of each that runs.
compile_tests() {
  local table="$1" dest="$2" i
  local -n count="${table}Count"
  mkdir -p "$dest"
  for (( i = 0; i < count; i++ )); do
    select_target "$table$i"
    local kind="${TARGET[kind]}" name="${TARGET[name]}" crate_name="${TARGET[crateName]}"
    log "compiling $kind $name (as ${TARGET[mode]})"
    local out_dir="$BUILD_DIR/tests/$kind-$name"
    mkdir -p "$out_dir"
    compile_test_target link "$out_dir"
    # An example may be a library (`crate-type = ["cdylib"]`): compiled, nothing to run.
    if [[ "${TARGET[mode]}" == test || " ${TARGET_CRATE_TYPES[*]} " == *" bin "* ]]; then
      mv "$out_dir/$crate_name-${crateplanInstance[metadata]}" "$dest/$kind-$name"
    fi
  done
}

# The library search path for running tests: the native search paths (e.g. a shared library
# a build script made in OUT_DIR), as cargo adds them.
export_test_library_path() {
  local s dirs=""
  for s in "${LINK_SEARCH[@]}"; do
    s="${s#*=}"
    [[ -d "$s" ]] && dirs="${dirs:+$dirs:}$s"
  done
  [[ -n "$dirs" ]] && export LD_LIBRARY_PATH="$dirs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  return 0
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
# `cargo test` runs them.
run_doctests() {
  [[ -n "${crateplanDoctest[path]:-}" ]] || return 0
  select_target crateplanDoctest
  local crate_name="${TARGET[crateName]}" path="${TARGET[path]}" package_dir="${crateplanCrate[packageDir]}"
  local -a args=() externs features search=() env_args=("CARGO_CRATE_NAME=$crate_name")
  mapfile -t externs < <(extern_args "${TARGET_EXTERNS[@]}")
  mapfile -t features < <(feature_cfgs)
  local type s
  for type in "${TARGET_CRATE_TYPES[@]}"; do args+=(--crate-type "$type"); done
  [[ -n "${crateplanCrate[procMacro]}" ]] && args+=(--extern proc_macro)
  for s in "${LINK_SEARCH[@]}"; do search+=(-L "$s"); done
  args+=("${features[@]}")
  [[ -n "${crateplanInstance[primary]}" ]] && env_args+=(CARGO_PRIMARY_PACKAGE=1)
  [[ -n "$OUT_DIR_PATH" ]] && env_args+=("OUT_DIR=$OUT_DIR_PATH")
  env_args+=("${OWN_ENV[@]}")
  # The path as cargo gives it: relative to the workspace root (doctest names show it).
  local ws_root="$CRATE_ROOT" rel="$path"
  if [[ -n "$package_dir" ]]; then
    ws_root="${CRATE_ROOT%/"$package_dir"}"
    rel="$package_dir/$path"
  fi
  args=(--edition "${TARGET[edition]}" "${args[@]}" --crate-name "$crate_name" --test "$rel"
    --test-run-directory "$CRATE_ROOT" "${externs[@]}" -L "dependency=$DEPS_DIR" "${search[@]}"
    --target "${crateplanInstance[targetTriple]}" -C embed-bitcode=no
    "${CHECK_CFG[@]}" "${OWN_CFGS[@]}" "${crateplanLints[@]}")
  log_compiler rustdoc "${args[@]}"
  run_test doctests "$ws_root" env "${env_args[@]}" rustdoc "${args[@]}"
}

build_tests() {
  mkdir -p "$out"
  compile_tests crateplanTests "$BUILD_DIR/run"
  compile_tests crateplanExamples "$BUILD_DIR/examples"
  export_test_library_path
  local t
  for t in "$BUILD_DIR/run"/*; do
    [[ -e "$t" ]] || continue
    run_test "$(basename "$t")" "$CRATE_ROOT" "$t"
  done
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
