# rustBuilder.overrides: what -sys crates need from nixpkgs to build with their system library
# (pkg-config at build time, the library itself). `all` is the default packageOverrides list.
{ pkgs, makeOverride }:
let
  withSystemLibrary = name: libraries: makeOverride {
    inherit name;
    overrideAttrs = old: {
      nativeBuildInputs = (old.nativeBuildInputs or [ ]) ++ [ pkgs.buildPackages.pkg-config ];
      buildInputs = (old.buildInputs or [ ]) ++ libraries;
    };
  };

  overrides = {
    libz-sys = withSystemLibrary "libz-sys" [ pkgs.zlib ];
    openssl-sys = withSystemLibrary "openssl-sys" [ pkgs.openssl ];
    libsqlite3-sys = withSystemLibrary "libsqlite3-sys" [ pkgs.sqlite ];
  };
in
overrides // {
  all = builtins.attrValues overrides;
}
