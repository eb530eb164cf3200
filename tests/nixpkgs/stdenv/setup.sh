# Builder environment of the offline stand-in stdenv (tests/nixpkgs).
# Implements the part of nixpkgs' generic builder that docs/nixpkgs-surface.md lists:
# phases with pre/post hooks and runHook, dont*/do* switches, inputs on PATH,
# PKG_CONFIG_PATH, NIX_LDFLAGS and NIX_CFLAGS_COMPILE, one env var per output, and structured
# attributes.
set -euo pipefail

# Structured attributes (`__structuredAttrs = true`): the builder sourced .attrs.sh, which Nix
# writes into the build directory, before this file. Attributes are shell variables there, not
# environment variables: `outputs` maps each output's name to its path and `env` holds what is
# exported; lists are arrays.
if [[ -f .attrs.sh || -n "${NIX_ATTRS_JSON_FILE:-}" ]]; then
  __structuredAttrs=1
  for outputName in "${!outputs[@]}"; do export "$outputName=${outputs[$outputName]}"; done
  for envName in "${!env[@]}"; do export "$envName=${env[$envName]}"; done
  unset outputName envName
else
  __structuredAttrs=""
  : "${outputs:=out}"
fi

# appendAttr DEST NAME: appends to the array DEST the elements of the attribute NAME — an array's
# elements with structured attributes, else its words.
appendAttr() {
  local -n appendDest="$1" appendSource="$2"
  [[ -v appendSource ]] || return 0   # unset, or an empty array
  if [[ "${appendSource@a}" == *a* ]]; then
    appendDest+=("${appendSource[@]}")
  else
    # shellcheck disable=SC2206 # a string attribute is a list of words
    appendDest+=(${appendSource-})
  fi
}

# outputNames DEST: the array DEST gets the derivation's outputs.
outputNames() {
  local -n outputNamesDest="$1"
  if [[ -n "$__structuredAttrs" ]]; then outputNamesDest=("${!outputs[@]}"); else outputNamesDest=($outputs); fi
}
export NIX_BUILD_CORES="${NIX_BUILD_CORES:-1}"
export NIX_LDFLAGS="${NIX_LDFLAGS:-}"
export NIX_CFLAGS_COMPILE="${NIX_CFLAGS_COMPILE:-}"
export PKG_CONFIG_PATH="${PKG_CONFIG_PATH:-}"
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-315532800}"
export HOME="${HOME:-/homeless-shelter}"

# runHook NAME: run the shell function or the string variable called NAME, if any.
runHook() {
  local hook="$1"
  shift
  if declare -F "$hook" >/dev/null; then
    "$hook" "$@"
  elif [[ -n "${!hook:-}" ]]; then
    eval "${!hook}"
  fi
}

addInputToEnv() {
  local input="$1"
  [[ -d "$input/bin" ]] && PATH="$input/bin${PATH:+:$PATH}"
  [[ -d "$input/lib/pkgconfig" ]] && PKG_CONFIG_PATH="$input/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
  [[ -d "$input/share/pkgconfig" ]] && PKG_CONFIG_PATH="$input/share/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
  [[ -d "$input/lib" ]] && NIX_LDFLAGS="$NIX_LDFLAGS -L$input/lib"
  [[ -d "$input/include" ]] && NIX_CFLAGS_COMPILE="$NIX_CFLAGS_COMPILE -isystem $input/include"
  return 0
}

setupInputs() {
  PATH=""
  local input
  # Later inputs are prepended, so list the stdenv's own tools last to give them lowest priority.
  local -a inputs=()
  appendAttr inputs initialPath
  appendAttr inputs nativeBuildInputs
  appendAttr inputs buildInputs
  for input in "${inputs[@]}"; do addInputToEnv "$input"; done
  export PATH PKG_CONFIG_PATH NIX_LDFLAGS NIX_CFLAGS_COMPILE
}

unpackFile() {
  local file="$1"
  if [[ -d "$file" ]]; then
    cp -r --no-preserve=mode "$file" "./$(stripHash "$file")"
  else
    case "$file" in
      *.zip) unzip -q "$file" ;;
      *) tar xf "$file" --no-same-owner --no-same-permissions --mode=u+w ;;
    esac
  fi
}

stripHash() {
  local base
  base="$(basename "$1")"
  if [[ "$base" =~ ^[a-z0-9]{32}- ]]; then echo "${base:33}"; else echo "$base"; fi
}

unpackPhase() {
  runHook preUnpack
  local -a srcList=()
  appendAttr srcList srcs
  (( ${#srcList[@]} )) || appendAttr srcList src
  if (( ${#srcList[@]} == 0 )); then
    echo "unpackPhase: neither src nor srcs is set" >&2
    return 1
  fi
  local before after s
  before="$(ls -A)"
  for s in "${srcList[@]}"; do unpackFile "$s"; done
  after="$(ls -A)"
  if [[ -z "${sourceRoot:-}" ]]; then
    sourceRoot="$(comm -13 <(echo "$before") <(echo "$after") | head -n1)"
  fi
  if [[ -z "$sourceRoot" ]]; then
    echo "unpackPhase: unpacking produced no directory" >&2
    return 1
  fi
  chmod -R u+w -- "$sourceRoot"
  cd "$sourceRoot"
  runHook postUnpack
}

patchPhase() {
  runHook prePatch
  local -a patchList=()
  appendAttr patchList patches
  local p
  for p in "${patchList[@]}"; do
    echo "applying patch $p"
    patch -p1 < "$p"
  done
  runHook postPatch
}

configurePhase() {
  runHook preConfigure
  local -a flags=()
  appendAttr flags configureFlags
  if [[ -x ./configure ]]; then ./configure --prefix="$out" "${flags[@]}"; fi
  runHook postConfigure
}

buildPhase() {
  runHook preBuild
  local -a flags=()
  appendAttr flags makeFlags
  appendAttr flags buildFlags
  if [[ -e Makefile || -e makefile ]]; then make -j"$NIX_BUILD_CORES" "${flags[@]}"; fi
  runHook postBuild
}

checkPhase() {
  runHook preCheck
  local -a flags=()
  appendAttr flags makeFlags
  if [[ -e Makefile || -e makefile ]]; then make "${flags[@]}" check; fi
  runHook postCheck
}

installPhase() {
  runHook preInstall
  local -a flags=()
  appendAttr flags makeFlags
  if [[ -e Makefile || -e makefile ]]; then make "${flags[@]}" install; fi
  runHook postInstall
}

fixupPhase() {
  runHook preFixup
  local o dir
  local -a outputList
  outputNames outputList
  for o in "${outputList[@]}"; do
    dir="${!o}"
    [[ -e "$dir" ]] || continue
    if [[ -z "${dontStrip:-}" ]]; then
      find "$dir" -type f \( -perm -u+x -o -name '*.so' -o -name '*.so.*' \) -print0 \
        | xargs -0 -r strip -S -p 2>/dev/null || true
    fi
  done
  runHook postFixup
}

# runPhase NAME: the phase's own attribute (a string) wins over the default function.
runPhase() {
  local phase="$1"
  case "$phase" in
    unpackPhase) [[ -n "${dontUnpack:-}" ]] && return 0 ;;
    patchPhase) [[ -n "${dontPatch:-}" ]] && return 0 ;;
    configurePhase) [[ -n "${dontConfigure:-}" ]] && return 0 ;;
    buildPhase) [[ -n "${dontBuild:-}" ]] && return 0 ;;
    checkPhase) [[ -z "${doCheck:-}" ]] && return 0 ;;
    installPhase) [[ -n "${dontInstall:-}" ]] && return 0 ;;
    fixupPhase) [[ -n "${dontFixup:-}" ]] && return 0 ;;
  esac
  [[ -n "${NIX_DEBUG_PHASES:-}" ]] && echo "running $phase" >&2
  if [[ -n "${!phase:-}" ]]; then
    eval "${!phase}"
  else
    "$phase"
  fi
}

genericBuild() {
  local -a phaseList=()
  appendAttr phaseList phases
  if (( ${#phaseList[@]} == 0 )); then
    appendAttr phaseList prePhases
    phaseList+=(unpackPhase patchPhase)
    appendAttr phaseList preConfigurePhases
    phaseList+=(configurePhase)
    appendAttr phaseList preBuildPhases
    phaseList+=(buildPhase checkPhase)
    appendAttr phaseList preInstallPhases
    phaseList+=(installPhase)
    appendAttr phaseList preFixupPhases
    phaseList+=(fixupPhase)
    appendAttr phaseList postPhases
  fi
  local phase
  for phase in "${phaseList[@]}"; do
    runPhase "$phase"
    # Phases may cd; keep going from wherever they left us, as nixpkgs does.
  done
}

setupInputs

# nix-shell sources this file into its own shell (IN_NIX_SHELL set), then runs the user's
# commands there: leave that shell's options as nixpkgs' setup does (no -e, -u, pipefail).
if [[ -n "${IN_NIX_SHELL:-}" ]]; then set +eu +o pipefail; fi
