# The packages of the stand-in set. `final` is the fix-point (after overlays).
{ lib, system, final }:
let
  # The platform of `system`. Only x86_64-linux builds here; the others evaluate (as nixpkgs
  # does for every system a flake lists), so `nix flake check` of a flake made for all of
  # flake-utils' default systems can look at them.
  rustcTargets = {
    x86_64-linux = "x86_64-unknown-linux-gnu";
    aarch64-linux = "aarch64-unknown-linux-gnu";
    x86_64-darwin = "x86_64-apple-darwin";
    aarch64-darwin = "aarch64-apple-darwin";
  };
  platform = {
    inherit system;
    config = rustcTargets.${system};
    isLinux = builtins.match ".*-linux" system != null;
    isDarwin = builtins.match ".*-darwin" system != null;
    isx86_64 = builtins.match "x86_64-.*" system != null;
    isAarch64 = builtins.match "aarch64-.*" system != null;
    rust = {
      rustcTarget = rustcTargets.${system};
    };
  };

  # A derivation run by the host's bash with nothing on PATH but what `script` sets up.
  hostDerivation = { name, script, ... }@args:
    builtins.derivation ((builtins.removeAttrs args [ "script" ]) // {
      inherit name system;
      builder = "/bin/bash";
      args = [ "-euo" "pipefail" "-c" script ];
    });

  # Symlinks to host programs under $out/bin.
  hostTool = { pname, programs, dir ? "/usr/bin" }:
    hostDerivation {
      name = "${pname}-host";
      inherit programs dir;
      script = ''
        /usr/bin/mkdir -p "$out/bin"
        for p in $programs; do /usr/bin/ln -s "$dir/$p" "$out/bin/$p"; done
      '';
    };

  # A Debian -dev package exposed as a store path: lib/, lib/pkgconfig/*.pc (prefix rewritten to
  # $out) and include/, so pkg-config and -L/-I discovery through buildInputs work.
  hostLibrary = { pname, libs, pcFiles, headers }:
    hostDerivation {
      name = "${pname}-host";
      inherit libs pcFiles headers;
      script = ''
        PATH=/usr/bin
        multiarch=/usr/lib/x86_64-linux-gnu
        mkdir -p "$out/lib/pkgconfig" "$out/include"
        for l in $libs; do
          for f in "$multiarch"/$l; do ln -s "$f" "$out/lib/$(basename "$f")"; done
        done
        for pc in $pcFiles; do
          sed -e "s|^prefix=.*|prefix=$out|" \
              -e "s|^libdir=.*|libdir=$out/lib|" \
              -e "s|^includedir=.*|includedir=$out/include|" \
              "$multiarch/pkgconfig/$pc" > "$out/lib/pkgconfig/$pc"
        done
        for h in $headers; do
          for f in /usr/include/$h /usr/include/x86_64-linux-gnu/$h; do
            [ -e "$f" ] || continue
            if [ -d "$f" ]; then
              mkdir -p "$out/include/$h"
              for g in "$f"/*; do ln -sf "$g" "$out/include/$h/$(basename "$g")"; done
            else
              ln -s "$f" "$out/include/$h"
            fi
          done
        done
      '';
    };

  coreutils = hostTool {
    pname = "coreutils";
    programs = [
      "[" "basename" "cat" "chmod" "comm" "cp" "cut" "date" "dirname" "echo" "env" "expr"
      "false" "head" "id" "install" "ln" "ls" "mkdir" "mktemp" "mv" "nproc" "od" "printf" "pwd"
      "readlink" "realpath" "rm" "rmdir" "sha256sum" "sleep" "sort" "stat" "tail" "tee" "test"
      "touch" "tr" "true" "uname" "uniq" "wc"
    ];
  };
  findutils = hostTool { pname = "findutils"; programs = [ "find" "xargs" ]; };
  diffutils = hostTool { pname = "diffutils"; programs = [ "cmp" "diff" ]; };
  gnused = hostTool { pname = "gnused"; programs = [ "sed" ]; };
  gnugrep = hostTool { pname = "gnugrep"; programs = [ "grep" ]; };
  gawk = hostTool { pname = "awk"; programs = [ "awk" ]; };
  gnutar = hostTool { pname = "gnutar"; programs = [ "tar" ]; };
  gzip = hostTool { pname = "gzip"; programs = [ "gzip" "gunzip" "zcat" ]; };
  gnumake = hostTool { pname = "gnumake"; programs = [ "make" ]; };
  gnupatch = hostTool { pname = "gnupatch"; programs = [ "patch" ]; };
  bash = hostTool { pname = "bash"; programs = [ "bash" "sh" ]; };

  # gcc, wrapped so NIX_CFLAGS_COMPILE and NIX_LDFLAGS from buildInputs reach every compile and link.
  cc = hostDerivation {
    name = "gcc-wrapper-host";
    script = ''
      PATH=/usr/bin
      mkdir -p "$out/bin"
      for prog in cc gcc c++ g++; do
        real=$(readlink -f "/usr/bin/$prog")
        printf '%s\n' '#!/bin/bash' \
          "exec $real \''${NIX_CFLAGS_COMPILE:-} \"\$@\" \''${NIX_LDFLAGS:-}" > "$out/bin/$prog"
        chmod +x "$out/bin/$prog"
      done
      for prog in ar as ld nm objcopy ranlib strip cpp; do ln -s "/usr/bin/$prog" "$out/bin/$prog"; done
    '';
  } // { isGNU = true; };

  # pkg-config that sees only PKG_CONFIG_PATH (from buildInputs), never the host's /usr.
  pkg-config = hostDerivation {
    name = "pkg-config-host";
    script = ''
      /usr/bin/mkdir -p "$out/bin"
      printf '%s\n' '#!/bin/bash' 'PKG_CONFIG_LIBDIR=/var/empty exec /usr/bin/pkg-config "$@"' > "$out/bin/pkg-config"
      /usr/bin/chmod +x "$out/bin/pkg-config"
    '';
  };

  # The stable Rust toolchain, bound into the sandbox at /opt/rust. Wrappers (not symlinks) so
  # rustc finds its sysroot from its real location.
  rustToolchain = pname: programs: hostDerivation {
    name = "${pname}-host";
    inherit programs;
    script = ''
      /usr/bin/mkdir -p "$out/bin"
      for p in $programs; do
        printf '%s\n' '#!/bin/bash' "exec /opt/rust/bin/$p \"\$@\"" > "$out/bin/$p"
        /usr/bin/chmod +x "$out/bin/$p"
      done
    '';
  };
  rustc = rustToolchain "rustc" [ "rustc" "rustdoc" ];
  cargo = rustToolchain "cargo" [ "cargo" ];
  clippy = rustToolchain "clippy" [ "clippy-driver" "cargo-clippy" ];

  initialPath = [ coreutils findutils diffutils gnused gnugrep gawk gnutar gzip gnumake gnupatch bash ];

  stdenv = import ./stdenv { inherit lib system hostDerivation initialPath cc platform; };

  # fetchurl { url | urls; sha256 | hash; name ? basename url } — a fixed-output derivation using
  # Nix's built-in downloader. file:// URLs work when the directory is visible in the sandbox
  # (tests/nix/env.sh binds the crate mirror at /crates-mirror).
  fetchurl = { url ? builtins.head urls, urls ? [ ], sha256 ? null, hash ? null, name ? baseNameOf url }:
    builtins.derivation ({
      inherit name url;
      system = "builtin";
      builder = "builtin:fetchurl";
      outputHashMode = "flat";
      urls = [ url ];
      unpack = false;
      executable = false;
      preferLocalBuild = true;
    } // (if hash != null
      then { outputHash = hash; outputHashAlgo = ""; }
      else { outputHash = sha256; outputHashAlgo = "sha256"; }));

  # mkShell { name?, packages?, nativeBuildInputs?, buildInputs?, inputsFrom?, shellHook? }:
  # for `nix-shell`; building it records the environment (PATH, PKG_CONFIG_PATH) in $out.
  mkShell = { name ? "nix-shell", packages ? [ ], inputsFrom ? [ ], nativeBuildInputs ? [ ], buildInputs ? [ ], shellHook ? "", ... }@args:
    stdenv.mkDerivation ((builtins.removeAttrs args [ "packages" "inputsFrom" ]) // {
      inherit name shellHook;
      nativeBuildInputs = nativeBuildInputs ++ packages
        ++ builtins.concatLists (map (d: d.nativeBuildInputs or [ ]) inputsFrom);
      buildInputs = buildInputs ++ builtins.concatLists (map (d: d.buildInputs or [ ]) inputsFrom);
      phases = [ "recordShellPhase" ];
      recordShellPhase = ''
        { echo "PATH=$PATH"; echo "PKG_CONFIG_PATH=$PKG_CONFIG_PATH"; } > "$out"
      '';
    });
in
{
  # Exactly the surface of docs/nixpkgs-surface.md (the stdenv's own tools are not exported).
  inherit lib stdenv fetchurl mkShell;
  inherit pkg-config rustc cargo clippy;
  # A native build: the build machine's packages are these packages.
  buildPackages = final;

  zlib = hostLibrary {
    pname = "zlib";
    libs = [ "libz.*" ];
    pcFiles = [ "zlib.pc" ];
    headers = [ "zlib.h" "zconf.h" ];
  };
  openssl = hostLibrary {
    pname = "openssl";
    libs = [ "libssl.*" "libcrypto.*" ];
    pcFiles = [ "openssl.pc" "libssl.pc" "libcrypto.pc" ];
    headers = [ "openssl" ];
  };
  sqlite = hostLibrary {
    pname = "sqlite";
    libs = [ "libsqlite3.*" ];
    pcFiles = [ "sqlite3.pc" ];
    headers = [ "sqlite3.h" "sqlite3ext.h" ];
  };
  # Debian's libbz2-dev has no bzip2.pc; nixpkgs' bzip2 has one (bzip2-sys asks pkg-config for
  # it), so it is written here.
  bzip2 = hostDerivation {
    name = "bzip2-host";
    script = ''
      PATH=/usr/bin
      mkdir -p "$out/lib/pkgconfig" "$out/include"
      for f in /usr/lib/x86_64-linux-gnu/libbz2.so*; do ln -s "$f" "$out/lib/$(basename "$f")"; done
      ln -s /usr/include/bzlib.h "$out/include/bzlib.h"
      printf '%s\n' "prefix=$out" "libdir=$out/lib" "includedir=$out/include" "" "Name: bzip2" \
        "Description: Lossless, block-sorting data compression" "Version: 1.0.8" \
        "Libs: -L$out/lib -lbz2" "Cflags: -I$out/include" > "$out/lib/pkgconfig/bzip2.pc"
    '';
  };
  # Shared library only, as nixpkgs' zstd (no libzstd.a unless static): zstd-sys probes with
  # pkg-config's `statik(true)`, which links a libzstd.a found outside /usr statically.
  zstd = hostLibrary {
    pname = "zstd";
    libs = [ "libzstd.so*" ];
    pcFiles = [ "libzstd.pc" ];
    headers = [ "zstd.h" "zstd_errors.h" "zdict.h" ];
  };
}
