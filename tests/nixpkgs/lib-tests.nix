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

    isFunction = {
      expr = map lib.isFunction [ (x: x) { __functor = self: x: x; } { } 1 ];
      expected = [ true true false false ];
    };
    functionArgs = {
      expr = [ (lib.functionArgs ({ a, b ? 1 }: a)) (lib.functionArgs (x: x)) (lib.functionArgs (lib.setFunctionArgs (x: x) { c = true; }))
        (lib.functionArgs { __functor = self: { d }: d; }) ];
      expected = [ { a = false; b = true; } { } { c = true; } { d = false; } ];
    };
    setFunctionArgsCalls = { expr = (lib.setFunctionArgs (x: x + 1) { }) 1; expected = 2; };
    mirrorFunctionArgs = {
      expr = lib.functionArgs (lib.mirrorFunctionArgs ({ a, b ? 1 }: a) (args: args));
      expected = { a = false; b = true; };
    };
    makeOverridableOverride = {
      expr = let r = lib.makeOverridable ({ a, b }: { sum = a + b; }) { a = 1; b = 2; }; in
        [ r.sum (r.override { a = 10; }).sum (r.override (old: { b = old.b * 100; })).sum ((r.override { a = 10; }).override { b = 0; }).sum ];
      expected = [ 3 12 201 10 ];
    };
    # A function result becomes a functor: callable, with the function's arguments and `override`.
    makeOverridableFunction = {
      expr = let r = lib.makeOverridable ({ a }: { b }: a + b) { a = 1; }; in
        [ (builtins.isFunction r) (lib.isFunction r) (r { b = 2; }) ((r.override { a = 5; }) { b = 2; }) (lib.functionArgs r) ];
      expected = [ false true 3 7 { b = false; } ];
    };
    makeOverridableOther = { expr = lib.makeOverridable ({ a }: a + 1) { a = 1; }; expected = 2; };
    # overrideAttrs of the result keeps `override`, and `override` keeps what overrideAttrs did.
    makeOverridableOverrideAttrs = {
      expr =
        let
          mk = attrs: attrs // { overrideAttrs = g: mk (attrs // g attrs); };
          r = lib.makeOverridable ({ a }: mk { x = a; }) { a = 1; };
          changed = r.overrideAttrs (old: { y = old.x + 1; });
        in
        [ changed.x changed.y (changed.override { a = 5; }).x (changed.override { a = 5; }).y ];
      expected = [ 1 2 5 6 ];
    };
    callPackageWith = {
      expr = let call = lib.callPackageWith { a = 1; b = 2; c = 3; }; in
        [ (call ({ a, b }: a + b) { }) (call ({ a, b }: a + b) { b = 20; }) (call ({ a, d ? 4 }: a + d) { })
          (call ({ a, ... }@args: builtins.attrNames args) { }) ];
      expected = [ 3 21 5 [ "a" ] ];
    };
    callPackageWithOverride = {
      expr = ((lib.callPackageWith { a = 1; } ({ a }: { x = a; }) { }).override { a = 2; }).x;
      expected = 2;
    };
    makeScope = {
      expr =
        let
          scope = lib.makeScope (extra: lib.callPackageWith ({ outside = 100; } // extra)) (self: {
            a = 1;
            b = self.callPackage ({ a, outside }: a + outside) { };
            c = self.callPackage ({ b }: b * 2) { };
          });
        in
        [ scope.b scope.c (scope.callPackage ({ a, c }: a + c) { }) (scope.newScope { a = 7; } ({ a }: a) { }) ];
      expected = [ 101 202 203 7 ];
    };
    # overrideScope: an overlay on the scope, every member seeing the new value; the original
    # scope is unchanged.
    overrideScope = {
      expr =
        let
          scope = lib.makeScope lib.callPackageWith (self: {
            a = 1;
            b = self.callPackage ({ a }: a + 1) { };
          });
          changed = scope.overrideScope (final: prev: { a = prev.a + 10; });
          twice = changed.overrideScope (final: prev: { b = prev.b * 2; });
        in
        [ scope.b changed.a changed.b twice.b (builtins.attrNames (scope.packages scope)) ];
      expected = [ 2 11 12 24 [ "a" "b" ] ];
    };
    licenses = {
      expr = [ lib.licenses.mit.spdxId lib.licenses.asl20.spdxId ];
      expected = [ "MIT" "Apache-2.0" ];
    };
    getExe = {
      expr = [ (lib.getExe { outPath = "/s"; out = { outPath = "/s"; }; meta.mainProgram = "rg"; })
        (lib.getExe { outPath = "/s"; bin = "/b"; meta.mainProgram = "rg"; }) ];
      expected = [ "/s/bin/rg" "/b/bin/rg" ];
    };
  };
in
builtins.filter (name: cases.${name}.expr != cases.${name}.expected) (builtins.attrNames cases)
