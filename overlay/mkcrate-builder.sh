# Outputs: `out` holds the bins (so their closure is just the binaries); `lib` holds the linkable
# files, OUT_DIR and lib/crateplan/ (what dependents read).
#
# Builds one crate of a crateplan plan the way cargo would: compile the build script for the
# host, run it with cargo's environment, apply its directives, then compile the lib and the bins
# with rustc. Sourced by the phases of overlay/mkcrate.nix; every input arrives as an environment
# variable set by mkcrate.nix (lists are space-separated, tables one row per line, tab-separated).
set -euo pipefail

# Per-crate state, filled by the steps below. Global (-g): this file is sourced from a phase,
# which runs inside a function.
declare -g CRATE_ROOT="" BUILD_DIR="" DEPS_DIR="" OUT_DIR_PATH=""
declare -ga RUSTC_COMMON=() PROFILE_STRIP=()
declare -ga LINK_SEARCH=()      # `-L KIND=PATH` of this crate and all its dependencies
declare -ga OWN_LINK_LIBS=()    # `-l` from this crate's build script
declare -ga OWN_CFGS=()         # `--cfg` / `--check-cfg` from this crate's build script
declare -ga OWN_ENV=()          # `rustc-env` K=V from this crate's build script
declare -ga LINK_ARGS_ALL=() LINK_ARGS_BINS=() LINK_ARGS_CDYLIB=() LINK_ARGS_BIN_NAMED=()
declare -ga LINK_ARGS_TESTS=() LINK_ARGS_EXAMPLES=() LINK_ARGS_BENCHES=()
declare -ga EXTRA_RUSTC_ENV=()   # per-target compile-time variables (CARGO_BIN_EXE_* …)
declare -ga PACKAGE_LINTS=()     # the package's `[lints]`: --LEVEL=LINT, for every compiler run
declare -ga CHECK_CFG=()         # the package's --check-cfg arguments, for every compiler run
declare -ga TRAILING_ARGS=()     # last on the command line (clippy's lint arguments)
declare -g BUILD_SCRIPT_METADATA=""  # `cargo:KEY=VALUE` metadata lines, for DEP_<LINKS>_<KEY>
declare -g COMPILER=rustc            # clippy-driver in the clippy derivation

log() { printf 'crateplan: %s\n' "$*" >&2; }

# Logs a compiler command line (like `cargo build -v`): one line, shell-quoted.
log_rustc() {
  printf 'crateplan: %s' "$COMPILER" >&2
  printf ' %q' "$@" >&2
  printf '\n' >&2
}

run_rustc() {
  log_rustc "$@"
  rustc "$@"
}

# The CARGO_PKG_* variables cargo sets for both rustc and build scripts.
export_package_env() {
  export CARGO_PKG_NAME="$crateplanPackageName"
  export CARGO_PKG_VERSION="$crateplanPackageVersion"
  local core="${crateplanPackageVersion%%+*}"
  local pre=""
  if [[ "$core" == *-* ]]; then
    pre="${core#*-}"
    core="${core%%-*}"
  fi
  export CARGO_PKG_VERSION_MAJOR="${core%%.*}"
  local rest="${core#*.}"
  export CARGO_PKG_VERSION_MINOR="${rest%%.*}"
  export CARGO_PKG_VERSION_PATCH="${rest#*.}"
  export CARGO_PKG_VERSION_PRE="$pre"
  export CARGO_PKG_AUTHORS="$crateplanAuthors"
  export CARGO_PKG_DESCRIPTION="$crateplanDescription"
  export CARGO_PKG_HOMEPAGE="$crateplanHomepage"
  export CARGO_PKG_REPOSITORY="$crateplanRepository"
  export CARGO_PKG_LICENSE="$crateplanLicense"
  export CARGO_PKG_LICENSE_FILE="$crateplanLicenseFile"
  export CARGO_PKG_RUST_VERSION="$crateplanRustVersion"
  export CARGO_PKG_README="$crateplanReadme"
  export CARGO_MANIFEST_DIR="$CRATE_ROOT"
  export CARGO_MANIFEST_PATH="$CRATE_ROOT/Cargo.toml"
  # Nothing may call cargo from a Nix build; give tools that read $CARGO a clear failure.
  export CARGO="${CARGO:-/crateplan-no-cargo-in-nix-builds}"
}

# Lay out the dependencies: one directory of rlib symlinks for `-L dependency=`, the union of
# the native search paths their build scripts asked for, propagated as cargo propagates them.
prepare_dependencies() {
  CRATE_ROOT="$(pwd)"
  BUILD_DIR="$(mktemp -d "${TMPDIR:-/tmp}/crateplan-build.XXXXXX")"
  DEPS_DIR="$BUILD_DIR/deps"
  mkdir -p "$DEPS_DIR"
  local dep file line
  for dep in $crateplanDependencies; do
    if [[ -f "$dep/lib/crateplan/closure" ]]; then
      while IFS= read -r file; do
        [[ -n "$file" ]] && ln -sf "$file" "$DEPS_DIR/$(basename "$file")"
      done < "$dep/lib/crateplan/closure"
    fi
    if [[ -f "$dep/lib/crateplan/link-search" ]]; then
      while IFS= read -r line; do
        [[ -n "$line" ]] && LINK_SEARCH+=("$line")
      done < "$dep/lib/crateplan/link-search"
    fi
  done
  RUSTC_COMMON=(--target "$crateplanTargetTriple" -C "opt-level=$crateplanOptLevel")
  # The instance's lib and bins; a tests or clippy derivation gives it per target (panic_args).
  if [[ "${crateplanPanic:-unwind}" == abort ]]; then RUSTC_COMMON+=(-C panic=abort); fi
  RUSTC_COMMON+=(-C "debuginfo=$crateplanDebugInfo" -C "debug-assertions=$crateplanDebugAssertions"
    -C "overflow-checks=$crateplanDebugAssertions" -C "metadata=$crateplanMetadata"
    -C "extra-filename=-$crateplanMetadata" -L "dependency=$DEPS_DIR" -C embed-bitcode=no)
  # cargo's release profile resolves `strip` to "debuginfo" when it has no debuginfo.
  PROFILE_STRIP=()
  if [[ "$crateplanProfile" == release ]]; then PROFILE_STRIP=(-C strip=debuginfo); fi
  RUSTC_COMMON+=("${PROFILE_STRIP[@]}")
  # Like cargo: lints of dependencies (non-members) are capped.
  if [[ -n "$crateplanCapLints" ]]; then RUSTC_COMMON+=(--cap-lints "$crateplanCapLints"); fi
  local f
  for f in $crateplanFeatures; do RUSTC_COMMON+=(--cfg "feature=\"$f\""); done
  mapfile -t CHECK_CFG < <(check_cfg_args)
  RUSTC_COMMON+=("${CHECK_CFG[@]}")
  read -r -a PACKAGE_LINTS <<< "${crateplanLints:-}"
  export_package_env
}

# The package's expected cfgs as cargo declares them (the plan's `checkCfg`, one a line: its
# `[lints]` check-cfg, `cfg(docsrs,test)`, its features), as `--check-cfg` arguments one a line;
# for a plan without them, any feature.
check_cfg_args() {
  local value
  if [[ -z "${crateplanCheckCfg:-}" ]]; then
    printf -- '--check-cfg\n%s\n' 'cfg(docsrs,test)' 'cfg(feature, values(any()))'
    return 0
  fi
  while IFS= read -r value; do
    [[ -n "$value" ]] && printf -- '--check-cfg\n%s\n' "$value"
  done <<< "$crateplanCheckCfg"
  return 0
}

# `--extern NAME=PATH` arguments from a space-separated list of NAME=PATH.
extern_args() {
  local e
  for e in $1; do printf -- '--extern\n%s\n' "$e"; done
}

compile_build_script() {
  [[ -n "$crateplanBuildScript" ]] || return 0
  log "compiling build script $crateplanBuildScript"
  local -a externs=()
  mapfile -t externs < <(extern_args "$crateplanBuildScriptExterns")
  mkdir -p "$BUILD_DIR/build-script"
  # Build scripts: compiled for the host at opt-level 0 (cargo's build-override), with the
  # profile's debuginfo and debug assertions; features as for the package.
  local -a features=()
  local f
  for f in $crateplanFeatures; do features+=(--cfg "feature=\"$f\""); done
  CARGO_CRATE_NAME=build_script_build \
    run_rustc --crate-name build_script_build --edition "$crateplanBuildScriptEdition" \
    --crate-type bin "$crateplanBuildScript" -C opt-level=0 -C "debuginfo=$crateplanDebugInfo" \
    -C "debug-assertions=$crateplanDebugAssertions" -C "overflow-checks=$crateplanDebugAssertions" \
    -C embed-bitcode=no "${PROFILE_STRIP[@]}" \
    -C "metadata=$crateplanMetadata-build-script" --target "$crateplanHostTriple" \
    -L "dependency=$DEPS_DIR" "${features[@]}" "${externs[@]}" "${LINK_SEARCH[@]/#/-L}" \
    -o "$BUILD_DIR/build-script/build_script_build" "${CHECK_CFG[@]}" "${PACKAGE_LINTS[@]}" \
    ${crateplanCapLints:+--cap-lints "$crateplanCapLints"}
}

# CARGO_CFG_<KEY> for every cfg rustc reports for the target; multi-values comma-joined.
export_target_cfgs() {
  local line key value name
  declare -A cfgs=()
  while IFS= read -r line; do
    if [[ "$line" == *=* ]]; then
      key="${line%%=*}"
      value="${line#*=}"
      value="${value#\"}"
      value="${value%\"}"
    else
      key="$line"
      value=""
    fi
    # Like cargo, debug_assertions follows the profile, not rustc's default.
    [[ "$key" == debug_assertions ]] && continue
    name="CARGO_CFG_$(printf '%s' "$key" | tr '[:lower:]-' '[:upper:]_')"
    if [[ -n "${cfgs[$name]+set}" && -n "${cfgs[$name]}" ]]; then
      cfgs[$name]="${cfgs[$name]},$value"
    else
      cfgs[$name]="$value"
    fi
  done < <(rustc --print cfg --target "$crateplanTargetTriple")
  local joined="" f
  for f in $crateplanFeatures; do joined="${joined:+$joined,}$f"; done
  cfgs[CARGO_CFG_FEATURE]="$joined"
  [[ "$crateplanDebugAssertions" == on ]] && cfgs[CARGO_CFG_DEBUG_ASSERTIONS]=""
  for name in "${!cfgs[@]}"; do export "$name=${cfgs[$name]}"; done
}

run_build_script() {
  [[ -n "$crateplanBuildScript" ]] || return 0
  log "running build script"
  OUT_DIR_PATH="$lib/lib/crateplan/out"
  mkdir -p "$OUT_DIR_PATH"
  if ! (run_build_script_with_cargo_env > "$BUILD_DIR/build-script/output"); then
    log "build script of $crateplanPackageName $crateplanPackageVersion failed; its output:"
    cat "$BUILD_DIR/build-script/output" >&2 || true
    return 1
  fi
  parse_build_script_output "$BUILD_DIR/build-script/output"
  # Kept for the package's tests derivation, which compiles its test targets with the same
  # directives (cfgs, rustc-env, link libraries and arguments).
  cp "$BUILD_DIR/build-script/output" "$lib/lib/crateplan/build-script-output"
}

# Runs in a subshell: the environment cargo gives a build script, then the script itself.
run_build_script_with_cargo_env() {
    export OUT_DIR="$OUT_DIR_PATH"
    export TARGET="$crateplanTargetTriple" HOST="$crateplanHostTriple"
    export NUM_JOBS="$NIX_BUILD_CORES" PROFILE="$crateplanProfile"
    export OPT_LEVEL="$crateplanOptLevel" DEBUG="$crateplanDebug"
    RUSTC="$(command -v rustc)"
    RUSTDOC="$(command -v rustdoc || true)"
    export RUSTC RUSTDOC
    export CARGO_ENCODED_RUSTFLAGS=""
    unset RUSTFLAGS
    if [[ -n "$crateplanLinks" ]]; then export CARGO_MANIFEST_LINKS="$crateplanLinks"; fi
    local f upper
    for f in $crateplanFeatures; do
      upper="$(printf '%s' "$f" | tr '[:lower:]-' '[:upper:]_')"
      export "CARGO_FEATURE_$upper=1"
    done
    export_target_cfgs
    # DEP_<LINKS>_<KEY> from the build scripts of direct dependencies that declare `links`.
    local dep links key line
    for dep in $crateplanLinksDependencies; do
      links="${dep%%=*}"
      [[ -f "${dep#*=}/lib/crateplan/metadata" ]] || continue
      while IFS= read -r line; do
        [[ "$line" == *=* ]] || continue
        key="$(printf '%s' "${line%%=*}" | tr '[:lower:]-' '[:upper:]_')"
        export "DEP_${links}_${key}=${line#*=}"
      done < "${dep#*=}/lib/crateplan/metadata"
    done
    cd "$CRATE_ROOT"
    "$BUILD_DIR/build-script/build_script_build"
}

# Apply `rustc-link-search`/`rustc-link-lib` values (also used by rustc-flags).
add_link_search() { LINK_SEARCH+=("$1"); }
add_link_lib() { OWN_LINK_LIBS+=(-l "$1"); }

parse_build_script_output() {
  local line directive key value new_syntax
  while IFS= read -r line; do
    if [[ "$line" == cargo::* ]]; then
      directive="${line#cargo::}"
      new_syntax=1
    elif [[ "$line" == cargo:* ]]; then
      directive="${line#cargo:}"
      new_syntax=""
    else
      continue
    fi
    if [[ "$directive" != *=* ]]; then
      [[ -n "$new_syntax" ]] && { log "invalid build script directive: $line"; return 1; }
      continue
    fi
    key="${directive%%=*}"
    value="${directive#*=}"
    case "$key" in
      rustc-link-search) add_link_search "$value" ;;
      rustc-link-lib) add_link_lib "$value" ;;
      rustc-flags) apply_rustc_flags "$value" ;;
      rustc-cfg) OWN_CFGS+=(--cfg "$value") ;;
      rustc-check-cfg) OWN_CFGS+=(--check-cfg "$value") ;;
      rustc-env) OWN_ENV+=("$value") ;;
      rustc-link-arg) LINK_ARGS_ALL+=(-C "link-arg=$value") ;;
      rustc-link-arg-bins) LINK_ARGS_BINS+=(-C "link-arg=$value") ;;
      rustc-link-arg-bin) LINK_ARGS_BIN_NAMED+=("$value") ;;
      rustc-link-arg-cdylib | rustc-cdylib-link-arg) LINK_ARGS_CDYLIB+=(-C "link-arg=$value") ;;
      rustc-link-arg-tests) LINK_ARGS_TESTS+=(-C "link-arg=$value") ;;
      rustc-link-arg-examples) LINK_ARGS_EXAMPLES+=(-C "link-arg=$value") ;;
      rustc-link-arg-benches) LINK_ARGS_BENCHES+=(-C "link-arg=$value") ;;
      warning) log "warning from build script of $crateplanPackageName: $value" ;;
      error) log "error from build script of $crateplanPackageName: $value"; return 1 ;;
      rerun-if-changed | rerun-if-env-changed) ;;
      metadata) BUILD_SCRIPT_METADATA+="$value"$'\n' ;;
      *)
        if [[ -n "$new_syntax" ]]; then
          log "unknown build script directive: $line"
          return 1
        fi
        BUILD_SCRIPT_METADATA+="$key=$value"$'\n'
        ;;
    esac
  done < "$1"
}

# rustc-flags: only -l and -L are allowed, in the `-lfoo`, `-l foo` forms.
apply_rustc_flags() {
  local -a words
  read -r -a words <<< "$1"
  local i=0 flag
  while (( i < ${#words[@]} )); do
    flag="${words[$i]}"
    case "$flag" in
      -l) i=$((i + 1)); add_link_lib "${words[$i]}" ;;
      -L) i=$((i + 1)); add_link_search "${words[$i]}" ;;
      -l*) add_link_lib "${flag#-l}" ;;
      -L*) add_link_search "${flag#-L}" ;;
      *) log "rustc-flags may only contain -l and -L, not $flag"; return 1 ;;
    esac
    i=$((i + 1))
  done
}

# Runs rustc for one of this package's targets with the compile-time environment cargo sets.
# usage: rustc_for_target CRATE_NAME BIN_NAME_OR_EMPTY rustc-args...
rustc_for_target() {
  local crate_name="$1" bin_name="$2"
  shift 2
  local -a env_args=("CARGO_CRATE_NAME=$crate_name")
  # Like cargo: set when compiling the packages selected for the build, never for build scripts.
  [[ -n "$crateplanPrimary" ]] && env_args+=(CARGO_PRIMARY_PACKAGE=1)
  [[ -n "$bin_name" ]] && env_args+=("CARGO_BIN_NAME=$bin_name")
  [[ -n "$OUT_DIR_PATH" ]] && env_args+=("OUT_DIR=$OUT_DIR_PATH")
  env_args+=("${OWN_ENV[@]}" "${EXTRA_RUSTC_ENV[@]}")
  local -a search=()
  local s
  for s in "${LINK_SEARCH[@]}"; do search+=(-L "$s"); done
  local -a args=("$@" "${RUSTC_COMMON[@]}" "${search[@]}" "${OWN_CFGS[@]}" "${PACKAGE_LINTS[@]}" "${TRAILING_ARGS[@]}")
  log_rustc "${args[@]}"
  env "${env_args[@]}" "$COMPILER" "${args[@]}"
}

compile_lib() {
  [[ -n "$crateplanLibPath" ]] || return 0
  log "compiling lib $crateplanLibCrateName ($crateplanLibCrateTypes)"
  local -a externs=() types=() extra=()
  mapfile -t externs < <(extern_args "$crateplanLibExterns")
  local t
  for t in $crateplanLibCrateTypes; do
    types+=(--crate-type "$t")
    [[ "$t" == proc-macro ]] && extra+=(-C prefer-dynamic --extern proc_macro)
    [[ "$t" == cdylib ]] && extra+=("${LINK_ARGS_ALL[@]}" "${LINK_ARGS_CDYLIB[@]}")
  done
  mkdir -p "$lib/lib"
  rustc_for_target "$crateplanLibCrateName" "" --crate-name "$crateplanLibCrateName" \
    --edition "$crateplanLibEdition" "$crateplanLibPath" "${types[@]}" \
    --out-dir "$lib/lib" "${externs[@]}" "${extra[@]}" "${OWN_LINK_LIBS[@]}"
  # Like cargo's final artifacts: C-facing libraries under their plain names.
  [[ " $crateplanLibCrateTypes " == *" cdylib "* ]] &&
    mv "$lib/lib/lib$crateplanLibCrateName-$crateplanMetadata.so" "$lib/lib/lib$crateplanLibCrateName.so"
  [[ " $crateplanLibCrateTypes " == *" staticlib "* ]] &&
    mv "$lib/lib/lib$crateplanLibCrateName-$crateplanMetadata.a" "$lib/lib/lib$crateplanLibCrateName.a"
  return 0
}

compile_bins() {
  [[ -n "$crateplanBins" ]] || return 0
  local -a externs=()
  mapfile -t externs < <(extern_args "$crateplanBinExterns")
  # The bins of a package that has a lib link against it (cargo's implicit dependency).
  if [[ -n "$crateplanLibPath" && -n "$crateplanLibExternFile" ]]; then
    externs+=(--extern "$crateplanLibCrateName=$lib/lib/$crateplanLibExternFile")
  fi
  # rustc-link-lib applies to the lib, or to every target when the package has none.
  local -a link_libs=()
  [[ -z "$crateplanLibPath" ]] && link_libs=("${OWN_LINK_LIBS[@]}")
  mkdir -p "$out/bin" "$BUILD_DIR/bin"
  local name crate_name path edition named arg
  while IFS=$'\t' read -r name crate_name path edition; do
    [[ -n "$name" ]] || continue
    log "compiling bin $name"
    local -a per_bin=()
    for named in "${LINK_ARGS_BIN_NAMED[@]}"; do
      if [[ "${named%%=*}" == "$name" ]]; then
        arg="${named#*=}"
        per_bin+=(-C "link-arg=$arg")
      fi
    done
    rustc_for_target "$crate_name" "$name" --crate-name "$crate_name" --edition "$edition" \
      "$path" --crate-type bin --out-dir "$BUILD_DIR/bin" "${externs[@]}" "${link_libs[@]}" \
      "${LINK_ARGS_ALL[@]}" "${LINK_ARGS_BINS[@]}" "${per_bin[@]}"
    cp "$BUILD_DIR/bin/$crate_name-$crateplanMetadata" "$out/bin/$name"
  done <<< "$crateplanBins"
}

# What dependents read: the linkable files of this crate and its dependencies (closure), the
# native search paths (link-search), and the build script's metadata (for DEP_<LINKS>_<KEY>).
write_crate_info() {
  local info="$lib/lib/crateplan"
  mkdir -p "$info"
  {
    if [[ -n "$crateplanLibExternFile" ]]; then echo "$lib/lib/$crateplanLibExternFile"; fi
    local dep
    for dep in $crateplanDependencies; do
      [[ -f "$dep/lib/crateplan/closure" ]] && cat "$dep/lib/crateplan/closure"
    done
  } | sort -u > "$info/closure"
  printf '%s\n' "${LINK_SEARCH[@]}" | sed '/^$/d' | sort -u > "$info/link-search"
  printf '%s' "$BUILD_SCRIPT_METADATA" > "$info/metadata"
  if [[ -n "$OUT_DIR_PATH" && -z "$(ls -A "$OUT_DIR_PATH")" ]]; then rmdir "$OUT_DIR_PATH"; fi
}

# The phases mkcrate.nix runs (each between its pre/post hooks).
configure_crate() { prepare_dependencies; }
build_crate() {
  compile_build_script
  run_build_script
  compile_lib
  compile_bins
}
install_crate() {
  mkdir -p "$out"   # bins (if any) are in $out/bin; everything dependents read is in $lib
  write_crate_info
  rm -rf "$BUILD_DIR"
}

# ---------------------------------------------------------------------------------------------
# The tests derivation of a workspace member (overlay/mkcrate-tests.nix): `cargo test`. The
# member's crate derivation ($crateplanCrateLib, $crateplanCrateOut) holds its lib, bins and build
# script results; here the test targets are compiled against them and run.
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
  local info="$crateplanCrateLib/lib/crateplan"
  if [[ -n "$crateplanHasBuildScript" ]]; then
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

# panic_args STRATEGY: the rustc arguments for a target row's panic strategy, one a line.
panic_args() {
  if [[ "$1" == abort ]]; then printf '%s\n' -C panic=abort; fi
  return 0
}

# Compile-time variables of integration tests and benches, one NAME=VALUE a line: the package's
# bins (absolute paths) and a scratch directory.
test_target_env() {
  local kind="$1" bin_name
  [[ "$kind" == test || "$kind" == bench ]] || return 0
  for bin_name in $crateplanBinNames; do
    printf '%s\n' "CARGO_BIN_EXE_$bin_name=$crateplanCrateOut/bin/$bin_name"
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

# compile_tests TABLE DEST: one row per target (overlay/builder.nix targetTable); DEST/<kind>-<name>
# is the binary.
compile_tests() {
  local table="$1" dest="$2"
  [[ -n "$table" ]] || return 0
  mkdir -p "$dest"
  local kind name crate_name path edition mode crate_types panic externs_list
  while IFS=$'\t' read -r kind name crate_name path edition mode crate_types panic externs_list; do
    [[ -n "$kind" ]] || continue
    log "compiling $kind $name (as $mode)"
    local -a args=() externs=() link_args=()
    mapfile -t externs < <(extern_args "$externs_list")
    mapfile -t args < <(panic_args "$panic")
    mapfile -t link_args < <(link_args_of "$kind")
    mapfile -t EXTRA_RUSTC_ENV < <(test_target_env "$kind")
    local t
    if [[ "$mode" == test ]]; then
      args+=(--test)
    else
      for t in $crate_types; do args+=(--crate-type "$t"); done
    fi
    # rustc-link-lib applies to the lib, or to every target when the package has none.
    if [[ "$kind" == lib || -z "$crateplanHasLib" ]]; then args+=("${OWN_LINK_LIBS[@]}"); fi
    [[ "$kind" == lib && -n "$crateplanProcMacro" ]] && args+=(--extern proc_macro)
    local bin_env=""
    [[ "$kind" == bin ]] && bin_env="$name"
    local out_dir="$BUILD_DIR/tests/$kind-$name"
    mkdir -p "$out_dir"
    (( ${#EXTRA_RUSTC_ENV[@]} )) && log "with ${EXTRA_RUSTC_ENV[*]}"
    rustc_for_target "$crate_name" "$bin_env" \
      --crate-name "$crate_name" --edition "$edition" "$path" --out-dir "$out_dir" \
      -C "metadata=$kind-$name" "${externs[@]}" "${args[@]}" "${link_args[@]}"
    EXTRA_RUSTC_ENV=()
    # An example may be a library (`crate-type = ["cdylib"]`): compiled, nothing to run.
    if [[ "$mode" == test || " $crate_types " == *" bin "* ]]; then
      mv "$out_dir/$crate_name-$crateplanMetadata" "$dest/$kind-$name"
    fi
  done <<< "$table"
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

# run_test NAME COMMAND...: runs from the package root (as cargo does), logs to $out/NAME.log.
run_test() {
  local name="$1"
  shift
  log "running $name"
  if (cd "$CRATE_ROOT" && "$@") > "$out/$name.log" 2>&1; then
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
  [[ -n "$crateplanDoctest" ]] || return 0
  local crate_name path edition crate_types externs_list
  IFS=$'\t' read -r crate_name path edition crate_types externs_list <<< "$crateplanDoctest"
  local -a args=() externs=() search=() env_args=("CARGO_CRATE_NAME=$crate_name")
  mapfile -t externs < <(extern_args "$externs_list")
  local t s f
  for t in $crate_types; do args+=(--crate-type "$t"); done
  [[ -n "$crateplanProcMacro" ]] && args+=(--extern proc_macro)
  for s in "${LINK_SEARCH[@]}"; do search+=(-L "$s"); done
  for f in $crateplanFeatures; do args+=(--cfg "feature=\"$f\""); done
  [[ -n "$crateplanPrimary" ]] && env_args+=(CARGO_PRIMARY_PACKAGE=1)
  [[ -n "$OUT_DIR_PATH" ]] && env_args+=("OUT_DIR=$OUT_DIR_PATH")
  env_args+=("${OWN_ENV[@]}")
  # The path as cargo gives it: relative to the workspace root (doctest names show it).
  local ws_root="$CRATE_ROOT" rel="$path"
  if [[ -n "$crateplanPackageDir" ]]; then
    ws_root="${CRATE_ROOT%/"$crateplanPackageDir"}"
    rel="$crateplanPackageDir/$path"
  fi
  args=(--edition "$edition" "${args[@]}" --crate-name "$crate_name" --test "$rel"
    --test-run-directory "$CRATE_ROOT" "${externs[@]}" -L "dependency=$DEPS_DIR" "${search[@]}"
    --target "$crateplanTargetTriple" -C embed-bitcode=no
    "${CHECK_CFG[@]}" "${OWN_CFGS[@]}" "${PACKAGE_LINTS[@]}")
  printf 'crateplan: rustdoc' >&2
  printf ' %q' "${args[@]}" >&2
  printf '\n' >&2
  log "running doctests"
  if (cd "$ws_root" && env "${env_args[@]}" rustdoc "${args[@]}") > "$out/doctests.log" 2>&1; then
    cat "$out/doctests.log"
  else
    cat "$out/doctests.log"
    log "FAILED: doctests"
    TEST_FAILURES+=(doctests)
  fi
}

build_tests() {
  mkdir -p "$out"
  compile_tests "$crateplanTests" "$BUILD_DIR/run"
  compile_tests "$crateplanExamples" "$BUILD_DIR/examples"
  export_test_library_path
  local t
  for t in "$BUILD_DIR/run"/*; do
    [[ -e "$t" ]] || continue
    run_test "$(basename "$t")" "$t"
  done
  run_doctests
  if (( ${#TEST_FAILURES[@]} )); then
    log "${#TEST_FAILURES[@]} test target(s) of $crateplanPackageName failed: ${TEST_FAILURES[*]}"
    return 1
  fi
  log "all tests of $crateplanPackageName passed"
}

install_tests() {
  rm -rf "$BUILD_DIR"
}

# ---------------------------------------------------------------------------------------------
# The clippy derivation of a workspace member (overlay/mkcrate-clippy.nix): `cargo clippy`.
# clippy-driver, in place of rustc, checks (--emit=metadata) each of the member's targets against
# its crate derivation (dependencies, build script results), with the lint arguments given
# ($crateplanClippyArgs, e.g. `-D warnings`). Every target is checked; the build fails when one
# has errors. $out/clippy.log holds what was run and what clippy reported.
declare -ga LINT_ARGS=() LINT_FAILURES=()

configure_clippy() {
  if ! command -v clippy-driver > /dev/null; then
    log "clippy-driver is not on PATH: the toolchain given to makePackageSet as clippyToolchain (default: pkgs.clippy, or rustToolchain when given) has no bin/clippy-driver; pass one that has it"
    return 1
  fi
  COMPILER=clippy-driver
  configure_tests
  read -r -a LINT_ARGS <<< "$crateplanClippyArgs"
  TRAILING_ARGS=("${LINT_ARGS[@]}")
}

# lint_target KIND NAME CRATE_NAME PATH EDITION MODE CRATE_TYPES PANIC EXTERNS (a targetTable row)
lint_target() {
  local kind="$1" name="$2" crate_name="$3" path="$4" edition="$5" mode="$6" crate_types="$7"
  local dir="$BUILD_DIR/clippy/$kind-$name-$mode"
  local -a externs=() args=(--emit=metadata --out-dir "$dir")
  mapfile -t externs < <(extern_args "$9")
  mkdir -p "$dir"
  if [[ "$kind" == custom-build ]]; then
    # The build script, as compile_build_script compiles it: for the host, no OUT_DIR.
    local -a features=()
    local f
    for f in $crateplanFeatures; do features+=(--cfg "feature=\"$f\""); done
    args=(--crate-name build_script_build --edition "$edition" --crate-type bin "$path"
      "${args[@]}" -C "metadata=$crateplanMetadata-build-script" --target "$crateplanHostTriple"
      -L "dependency=$DEPS_DIR" "${features[@]}" "${externs[@]}"
      "${CHECK_CFG[@]}" "${PACKAGE_LINTS[@]}" "${LINT_ARGS[@]}")
    log_rustc "${args[@]}"
    CARGO_CRATE_NAME=build_script_build clippy-driver "${args[@]}"
    return
  fi
  if [[ "$mode" == test ]]; then
    args+=(--test)
  else
    local t
    for t in $crate_types; do args+=(--crate-type "$t"); done
  fi
  [[ "$kind" == lib && -n "$crateplanProcMacro" ]] && args+=(--extern proc_macro)
  local -a panic=()
  mapfile -t panic < <(panic_args "$8")
  args+=("${panic[@]}")
  mapfile -t EXTRA_RUSTC_ENV < <(test_target_env "$kind")
  local bin_env=""
  [[ "$kind" == bin ]] && bin_env="$name"
  rustc_for_target "$crate_name" "$bin_env" --crate-name "$crate_name" --edition "$edition" \
    "$path" -C "metadata=$kind-$name" "${externs[@]}" "${args[@]}"
}

build_clippy() {
  mkdir -p "$out"
  : > "$out/clippy.log"
  local kind name crate_name path edition mode crate_types panic externs_list
  while IFS=$'\t' read -r kind name crate_name path edition mode crate_types panic externs_list; do
    [[ -n "$kind" ]] || continue
    log "clippy: $kind $name (as $mode)"
    local status=0
    lint_target "$kind" "$name" "$crate_name" "$path" "$edition" "$mode" "$crate_types" \
      "$panic" "$externs_list" 2> "$BUILD_DIR/lints" < /dev/null || status=$?
    EXTRA_RUSTC_ENV=()
    cat "$BUILD_DIR/lints" >&2
    cat "$BUILD_DIR/lints" >> "$out/clippy.log"
    # rustc's status 1 is "errors reported"; anything else (101: a crash) is no lint.
    if (( status == 1 )); then
      LINT_FAILURES+=("$kind-$name-$mode")
    elif (( status != 0 )); then
      log "clippy: clippy-driver stopped with status $status on $kind $name (not a lint; its output is above)"
      return 1
    fi
  done <<< "$crateplanClippyTargets"
  if (( ${#LINT_FAILURES[@]} )); then
    log "clippy: errors in ${#LINT_FAILURES[@]} target(s) of $crateplanPackageName: ${LINT_FAILURES[*]} (lint arguments: ${LINT_ARGS[*]:-none})"
    return 1
  fi
  log "clippy: no errors in $crateplanPackageName (lint arguments: ${LINT_ARGS[*]:-none})"
}

install_clippy() {
  rm -rf "$BUILD_DIR"
}
