#!/usr/bin/env bash
# One-time machine setup for the Nix end-to-end tests (CI runs this on a fresh Debian machine).
# Installs Nix and the C libraries the examples link, and makes sure the build users the sandbox
# needs exist. Nix itself is configured per run through NIX_CONFIG (tests/nix/env.sh), never here.
set -euo pipefail

need_packages=()
command -v nix-build >/dev/null || need_packages+=(nix-bin)
command -v pkg-config >/dev/null || need_packages+=(pkg-config)
command -v gcc >/dev/null || need_packages+=(gcc)
command -v readelf >/dev/null || need_packages+=(binutils)
command -v git >/dev/null || need_packages+=(git)
command -v python3 >/dev/null || need_packages+=(python3)
# The real crates' suites (tests/nix/test-tests.sh) download their .crate from crates.io.
command -v curl >/dev/null || need_packages+=(curl)
for dev in zlib1g-dev libssl-dev libsqlite3-dev libzstd-dev libbz2-dev; do
  dpkg -s "$dev" >/dev/null 2>&1 || need_packages+=("$dev")
done
if (( ${#need_packages[@]} )); then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need_packages[@]}"
fi

# Sandboxed builds run as members of nixbld (Debian's nix-bin usually creates them).
if ! getent group nixbld >/dev/null; then groupadd --system nixbld; fi
for i in $(seq 1 10); do
  if ! getent passwd "nixbld$i" >/dev/null; then
    useradd --system --no-create-home --home-dir /var/empty --shell /usr/sbin/nologin \
      --gid nixbld --groups nixbld --comment "Nix build user $i" "nixbld$i"
  fi
done
mkdir -p /nix/var/nix/gcroots /nix/var/nix/profiles

# clippy-driver, in the toolchain's sysroot: the stand-in nixpkgs' `clippy` and the oracle
# `cargo clippy` of tests/nix/clippy-tests.sh.
if [[ ! -x "$(rustc --print sysroot)/bin/clippy-driver" ]] && command -v rustup >/dev/null; then
  rustup component add clippy || echo "tests/nix/setup.sh: could not add clippy; the clippy tests will fail" >&2
fi
echo "tests/nix/setup.sh: nix $(nix-build --version | awk '{print $3}'), build users ok"
