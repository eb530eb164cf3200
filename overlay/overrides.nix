# rustBuilder.overrides: what the common -sys crates need from nixpkgs to build against the system
# library (pkg-config at build time, the library, the environment variable that makes the build
# script prefer it over a bundled copy), and the build tools of crates that need some (ring,
# aws-lc-sys, build scripts using prost-build). `all` is the default packageOverrides list.
# docs/overrides.md has one line per override; pkgs attributes are taken lazily, so an override
# only needs its nixpkgs packages when a crate it applies to is in the plan.
{ pkgs, makeOverride }:
let
  inherit (pkgs) buildPackages;

  # pkg-config (run on the build machine) plus the libraries, plus environment variables (in
  # `env`: crate derivations have structured attributes, which are no environment variables).
  withSystemLibrary = name: libraries: env: makeOverride {
    inherit name;
    overrideAttrs = old: {
      nativeBuildInputs = (old.nativeBuildInputs or [ ]) ++ [ buildPackages.pkg-config ];
      buildInputs = (old.buildInputs or [ ]) ++ libraries pkgs;
      env = (old.env or { }) // env;
    };
  };

  # Build tools only (run on the build machine).
  withBuildTools = name: tools: env: makeOverride {
    inherit name;
    overrideAttrs = old: {
      nativeBuildInputs = (old.nativeBuildInputs or [ ]) ++ tools buildPackages;
      env = (old.env or { }) // env;
    };
  };

  # Crates whose build script uses prost-build (directly, or through tonic-build) run protoc:
  # recognised by their build script's `--extern` names (NAME=PATH).
  protocBuildDependencies = [ "prost_build" "tonic_build" ];
  usesProtoc = crate:
    let externs = " " + toString (crate.crateplanBuildScriptExterns or [ ]); in
    builtins.any (name: builtins.match ".* ${name}=.*" externs != null) protocBuildDependencies;
  withProtoc = crate:
    if !(crate ? crateplan) || !(usesProtoc crate) then crate
    else crate.overrideAttrs (old: {
      nativeBuildInputs = (old.nativeBuildInputs or [ ]) ++ [ buildPackages.protobuf ];
      env = (old.env or { }) // { PROTOC = "${buildPackages.protobuf}/bin/protoc"; };
    });

  overrides = {
    libz-sys = withSystemLibrary "libz-sys" (p: [ p.zlib ]) { };
    # OPENSSL_NO_VENDOR: the system OpenSSL even when the `vendored` feature is on.
    openssl-sys = withSystemLibrary "openssl-sys" (p: [ p.openssl ]) { OPENSSL_NO_VENDOR = "1"; };
    # LIBSQLITE3_SYS_USE_PKG_CONFIG: the system SQLite even when `bundled` is on.
    libsqlite3-sys = withSystemLibrary "libsqlite3-sys" (p: [ p.sqlite ]) { LIBSQLITE3_SYS_USE_PKG_CONFIG = "1"; };
    # ZSTD_SYS_USE_PKG_CONFIG: the system libzstd instead of compiling the bundled one.
    zstd-sys = withSystemLibrary "zstd-sys" (p: [ p.zstd ]) { ZSTD_SYS_USE_PKG_CONFIG = "1"; };
    # bzip2-sys asks pkg-config for `bzip2` unless its `static` feature is on.
    bzip2-sys = withSystemLibrary "bzip2-sys" (p: [ p.bzip2 ]) { };
    # curl-sys asks pkg-config for `libcurl` unless `static-curl` is on.
    curl-sys = withSystemLibrary "curl-sys" (p: [ p.curl ]) { };
    # libgit2-sys uses the system libgit2 when pkg-config finds a version it supports (and
    # `vendored` is off), else builds its bundled copy: no LIBGIT2_NO_VENDOR, which would turn a
    # nixpkgs/crate version mismatch into a build failure.
    libgit2-sys = withSystemLibrary "libgit2-sys" (p: [ p.libgit2 p.openssl p.zlib ]) { };
    # pq-sys: libpq from nixpkgs' postgresql (pkg-config `libpq` with its `pkg-config` feature,
    # else `pg_config`, else a plain -lpq that the compiler finds through buildInputs).
    pq-sys = withSystemLibrary "pq-sys" (p: [ p.postgresql ]) { };
    # ring compiles C and assembly with stdenv's cc; perl generates the assembly when ring comes
    # from a git checkout (crates.io releases ship it pregenerated).
    ring = withBuildTools "ring" (b: [ b.perl ]) { };
    # aws-lc-sys builds AWS-LC with cmake (and perl for its generated sources);
    # aws-lc-fips-sys also needs go.
    aws-lc-sys = withBuildTools "aws-lc-sys" (b: [ b.cmake b.perl ]) { };
    aws-lc-fips-sys = withBuildTools "aws-lc-fips-sys" (b: [ b.cmake b.perl b.go ]) { };
    # protoc for build scripts that use prost-build or tonic-build (PROTOC is what prost-build
    # reads; it no longer bundles protoc).
    prost-build = withProtoc;
  };
in
overrides // {
  all = builtins.attrValues overrides;
}
