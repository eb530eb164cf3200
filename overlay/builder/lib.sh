# Common functions of crateplan's builder: the state every step shares, logging, the
# dependencies' layout, the rustc arguments every target of the package gets, and one target's
# compilation with the environment cargo gives rustc.
#
# Sourced by the configure phase of every derivation (overlay/builder.nix `phases`), after
# stdenv sourced .attrs.sh: the inputs are bash variables named crateplan* (builder.nix lists
# them), arrays and associative arrays among them.
set -euo pipefail

# Per-derivation state, filled by the steps. Global (-g): the scripts are sourced from a phase,
# which runs inside a function.
declare -g CRATE_ROOT="" BUILD_DIR="" DEPS_DIR="" OUT_DIR_PATH=""
declare -ga RUSTC_COMMON=()
declare -ga LINK_SEARCH=()      # `-L KIND=PATH` of this crate and all its dependencies
declare -ga OWN_LINK_LIBS=()    # `-l` from this crate's build script
declare -ga OWN_CFGS=()         # `--cfg` / `--check-cfg` from this crate's build script
declare -ga OWN_ENV=()          # `rustc-env` K=V from this crate's build script
declare -ga LINK_ARGS_ALL=() LINK_ARGS_BINS=() LINK_ARGS_CDYLIB=() LINK_ARGS_BIN_NAMED=()
declare -ga LINK_ARGS_TESTS=() LINK_ARGS_EXAMPLES=() LINK_ARGS_BENCHES=()
declare -ga EXTRA_RUSTC_ENV=()  # per-target compile-time variables (CARGO_BIN_EXE_* …)
declare -ga CONFIG_ENV=()        # the `[env]` variables that apply, NAME=VALUE
declare -ga CHECK_CFG=()        # the package's --check-cfg arguments, for every compiler run
declare -ga TRAILING_ARGS=()    # last on the command line (clippy's lint arguments)
declare -g BUILD_SCRIPT_METADATA=""  # `cargo:KEY=VALUE` metadata lines, for DEP_<LINKS>_<KEY>
declare -g COMPILER=rustc            # clippy-driver in the clippy derivation

# export_override_variables: every upper-case string attribute (`OPENSSL_DIR`, `PROTOC` … set by a
# package override's overrideAttrs, as cargo2nix overrides do) is exported, as it was before the
# derivations had structured attributes; nixpkgs' own way, `env.NAME`, works as well.
export_override_variables() {
  local line
  while IFS= read -r line; do
    [[ "$line" =~ ^declare\ ([A-Z][A-Z0-9_]*)= ]] && export "${BASH_REMATCH[1]}"
  done < "$NIX_BUILD_TOP/.attrs.sh"
  return 0
}
export_override_variables

log() { printf 'crateplan: %s\n' "$*" >&2; }

# log_compiler PROGRAM ARGS…: a compiler command line (like `cargo build -v`), shell-quoted.
log_compiler() {
  printf 'crateplan: %s' "$1" >&2
  shift
  printf ' %q' "$@" >&2
  printf '\n' >&2
}

# feature_cfgs: `--cfg feature="F"` for each of the instance's features, one argument a line.
feature_cfgs() {
  local feature
  for feature in "${crateplanFeatures[@]}"; do printf -- '--cfg\nfeature="%s"\n' "$feature"; done
}

# extern_args NAME=PATH…: `--extern NAME=PATH` for each, one argument a line.
extern_args() {
  local extern
  for extern in "$@"; do printf -- '--extern\n%s\n' "$extern"; done
}

# select_target NAME: TARGET, TARGET_CRATE_TYPES, TARGET_EXTERNS and TARGET_PROFILE_ARGS refer to
# the target NAME of the structured attributes (builder.nix targetAttrs).
select_target() {
  declare -gn TARGET="$1" TARGET_CRATE_TYPES="${1}CrateTypes" TARGET_EXTERNS="${1}Externs" \
    TARGET_PROFILE_ARGS="${1}ProfileArgs"
}

# The CARGO_PKG_* and CARGO_MANIFEST_* variables cargo sets for both rustc and build scripts.
export_package_env() {
  local name
  for name in "${!crateplanPackageEnv[@]}"; do export "$name=${crateplanPackageEnv[$name]}"; done
  export CARGO_MANIFEST_DIR="$CRATE_ROOT"
  export CARGO_MANIFEST_PATH="$CRATE_ROOT/Cargo.toml"
  # Nothing may call cargo from a Nix build; give tools that read $CARGO a clear failure.
  export CARGO="${CARGO:-/crateplan-no-cargo-in-nix-builds}"
}

# check_manifest: the unpacked source holds the package's Cargo.toml, where the plan says the
# package is; a download that is another archive than the plan's (a mirror or crateUrl serving
# something else under the same checksum) stops here with the package named.
check_manifest() {
  [[ -f "$CRATE_ROOT/Cargo.toml" ]] && return 0
  local name="${crateplanPackageEnv[CARGO_PKG_NAME]}" version="${crateplanPackageEnv[CARGO_PKG_VERSION]}"
  log "error: package $name $version: its source ${src:-} has no Cargo.toml in $(basename "$CRATE_ROOT")/, where the plan expects the package; fetch the crate the plan was made from (check crateUrl or the mirror), or regenerate the plan from the Cargo.lock of these sources"
  exit 1
}

# Lay out the dependencies: one directory of rlib symlinks for `-L dependency=`, the union of
# the native search paths their build scripts asked for, propagated as cargo propagates them;
# then the rustc arguments every target of the instance gets.
prepare_dependencies() {
  CRATE_ROOT="$(pwd)"
  check_manifest
  BUILD_DIR="$(mktemp -d "${TMPDIR:-/tmp}/crateplan-build.XXXXXX")"
  DEPS_DIR="$BUILD_DIR/deps"
  mkdir -p "$DEPS_DIR"
  local dep file line
  for dep in "${crateplanDependencies[@]}"; do
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
  local -n instance=crateplanInstance
  # The profile's arguments (builder.nix: profile-args.nix), as cargo's build_base_args gives them.
  RUSTC_COMMON=(--target "${instance[targetTriple]}" "${crateplanProfileArgs[@]}"
    -C "metadata=${instance[metadata]}" -C "extra-filename=-${instance[metadata]}"
    -L "dependency=$DEPS_DIR")
  # Like cargo: lints of dependencies (non-members) are capped.
  if [[ -n "${instance[capLints]}" ]]; then RUSTC_COMMON+=(--cap-lints "${instance[capLints]}"); fi
  local -a features
  mapfile -t features < <(feature_cfgs)
  RUSTC_COMMON+=("${features[@]}")
  # The package's expected cfgs as cargo declares them (its `[lints]` check-cfg,
  # `cfg(docsrs,test)`, its features).
  local value
  CHECK_CFG=()
  for value in "${crateplanCheckCfg[@]}"; do CHECK_CFG+=(--check-cfg "$value"); done
  RUSTC_COMMON+=("${CHECK_CFG[@]}")
  export_package_env
  export_config_env
}

# export_config_env: CONFIG_ENV, the `[env]` of the workspace's .cargo/config.toml as cargo
# applies it (NAME=VALUE; a relative entry's value is already a path): an entry whose variable is
# already set (by a package override's `env`) is left out unless it has `force`. The entries with
# a shell name are exported for rustc and build scripts; run-time callers pass all of them with env.
export_config_env() {
  CONFIG_ENV=()
  local name
  for name in "${!crateplanConfigEnv[@]}"; do
    if [[ "$name" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; then
      [[ -n "${!name+set}" && " ${crateplanConfigEnvForce[*]} " != *" $name "* ]] && continue
      export "$name=${crateplanConfigEnv[$name]}"
    fi
    CONFIG_ENV+=("$name=${crateplanConfigEnv[$name]}")
  done
  return 0
}

# check_rust_version: like cargo, refuse a package whose `rust-version` is newer than rustc
# (pre-release tags ignored, a missing minor or patch is 0), unless ignoreRustVersion.
check_rust_version() {
  local wanted="${crateplanPackageEnv[CARGO_PKG_RUST_VERSION]}"
  [[ -n "$wanted" && -z "${crateplanInstance[ignoreRustVersion]}" ]] || return 0
  local have
  have="$(rustc -vV | sed -n 's/^release: \([0-9.]*\).*/\1/p')"
  local -a w h
  IFS=. read -r -a w <<< "$wanted"
  IFS=. read -r -a h <<< "$have"
  local i
  for i in 0 1 2; do
    (( ${h[$i]:-0} > ${w[$i]:-0} )) && return 0
    if (( ${h[$i]:-0} < ${w[$i]:-0} )); then
      log "package ${crateplanPackageEnv[CARGO_PKG_NAME]} ${crateplanPackageEnv[CARGO_PKG_VERSION]} requires rustc $wanted or newer (its rust-version), and the toolchain is rustc $have: use a newer toolchain (rustToolchain or rustVersion), or pass ignoreRustVersion = true to build it anyway (cargo's --ignore-rust-version)"
      return 1
    fi
  done
  return 0
}

# compile_target CRATE_NAME BIN_NAME_OR_EMPTY ARGS…: runs the compiler for one of this package's
# targets with the compile-time environment cargo sets, the instance's common arguments, the
# native search paths, the build script's cfgs and the package's lints.
compile_target() {
  local crate_name="$1" bin_name="$2"
  shift 2
  local -a env_args=("CARGO_CRATE_NAME=$crate_name")
  # Like cargo: set when compiling the packages selected for the build, never for build scripts.
  [[ -n "${crateplanInstance[primary]}" ]] && env_args+=(CARGO_PRIMARY_PACKAGE=1)
  [[ -n "$bin_name" ]] && env_args+=("CARGO_BIN_NAME=$bin_name")
  [[ -n "$OUT_DIR_PATH" ]] && env_args+=("OUT_DIR=$OUT_DIR_PATH")
  env_args+=("${OWN_ENV[@]}" "${EXTRA_RUSTC_ENV[@]}")
  local -a search=()
  local s
  for s in "${LINK_SEARCH[@]}"; do search+=(-L "$s"); done
  local -a args=("$@" "${RUSTC_COMMON[@]}" "${search[@]}" "${OWN_CFGS[@]}"
    "${crateplanLints[@]}" "${crateplanRustflags[@]}" "${TRAILING_ARGS[@]}")
  log_compiler "$COMPILER" "${args[@]}"
  local stderr="$NIX_BUILD_TOP/compiler-stderr"
  if env "${env_args[@]}" "$COMPILER" "${args[@]}" 2>"$stderr"; then
    cat "$stderr" >&2
  else
    local status=$?
    cat "$stderr" >&2
    explain_missing_source "$stderr"
    return "$status"
  fi
}

# explain_missing_source STDERR: when the compiler could not read a file (`include_str!`, a
# `#[path]` or missing module), says why — a path package's source holds only the files cargo
# packages for it — and the fix: `extraSources` (docs/overlay.md).
explain_missing_source() {
  local missing
  missing="$(sed -n -e 's/^error: couldn.t read `\(.*\)`: .*/\1/p' \
    -e 's/^error\[E0583\]: file not found for module `\(.*\)`.*/the file of module \1/p' "$1" | head -n 1)"
  [[ -n "$missing" ]] || return 0
  local top="$NIX_BUILD_TOP/${sourceRoot%%/*}" where="$missing"
  [[ "$missing" == "the file of module"* ]] || where="$(realpath -m --relative-to="$top" "$missing")"
  echo "crateplan: ${crateplanPackageEnv[CARGO_PKG_NAME]} reads $where, which is not in its source:" \
    "a workspace package's source holds the files \`cargo package --list\` gives for it (its directory," \
    "include/exclude, readme, license-file). Add the file to the package (move it, or point \`readme\`" \
    "at it), or list it in makePackageSet's or buildRustWorkspace's" \
    "\`extraSources = { ${crateplanPackageEnv[CARGO_PKG_NAME]} = [ \"<path relative to the workspace root>\" ]; }\`" >&2
}
