# Unit tests of ./lib.nix: expected/actual pairs, evaluated by Nix.
#   nix-instantiate --eval --strict tests/nixpkgs/lib-tests.nix   (prints [ ] when all pass)
let
  lib = import ./lib.nix;
  cases = {
    fix = { expr = (lib.fix (self: { a = 1; b = self.a + 1; })).b; expected = 2; };
    extends = {
      expr = lib.fix (lib.extends (final: prev: { a = prev.a + 10; }) (final: { a = 1; b = final.a; }));
      expected = { a = 11; b = 11; };
    };
    optionalAttrsTrue = { expr = lib.optionalAttrs true { a = 1; }; expected = { a = 1; }; };
    optionalAttrsFalse = { expr = lib.optionalAttrs false { a = 1; }; expected = { }; };
    concatMapStringsSep = { expr = lib.concatMapStringsSep "," toString [ 1 2 3 ]; expected = "1,2,3"; };
    concatStringsSepEmpty = { expr = lib.concatStringsSep "," [ ]; expected = ""; };
    hasPrefix = { expr = [ (lib.hasPrefix "foo" "foobar") (lib.hasPrefix "bar" "foobar") (lib.hasPrefix "" "x") ]; expected = [ true false true ]; };
    removePrefix = { expr = [ (lib.removePrefix "./" "./src") (lib.removePrefix "x" "src") ]; expected = [ "src" "src" ]; };
    toUpper = { expr = lib.toUpper "libz-sys_1.2"; expected = "LIBZ-SYS_1.2"; };
    unique = { expr = lib.unique [ 3 1 3 2 1 ]; expected = [ 3 1 2 ]; };
  };
in
builtins.filter (name: cases.${name}.expr != cases.${name}.expected) (builtins.attrNames cases)
