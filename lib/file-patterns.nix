# filePatterns: cargo's `include` and `exclude` patterns (gitignore syntax, relative to the package
# root), matched against paths inside a package.
#
#   matches :: [pattern] -> path -> isDir -> bool
#     whether the path, or a directory above it, is matched, as cargo asks it for `include` and
#     `exclude`: the path itself first, then each parent upward; at each, the last pattern that
#     matches decides (a `!pattern` un-matches).
#     matches [ "docs/*" "/notes.txt" ] "docs/a.md" false == true
#     matches [ "src/**/*.rs" "!src/skip.rs" ] "src/skip.rs" false == false
#
# The syntax: `*` any run within a path segment, `?` one character, `[…]` a class (`[!…]`
# negated), `**` any number of segments (`**/x`, `x/**`, `a/**/b`), a trailing `/` for directories
# only, a leading `!` to un-match; a pattern with a `/` before its end is anchored at the package
# root, one without matches at any depth. Pure: builtins only.
let
  specials = [ "." "+" "(" ")" "{" "}" "^" "$" "|" "\\" ];

  # The ERE for a glob, whole path segments: `tokens` reads it from position i.
  globRegex = glob:
    let
      len = builtins.stringLength glob;
      at = i: n: builtins.substring i n glob;
      # The end of a `[…]` class opened at i (the index of `]`), or null.
      classEnd = i:
        let go = j: if j >= len then null else if at j 1 == "]" && j > i + 1 then j else go (j + 1);
        in go (i + 1);
      tokens = i:
        if i >= len then ""
        else if at i 3 == "**/" then "(.*/)?" + tokens (i + 3)
        else if at i 2 == "**" then ".*" + tokens (i + 2)
        else if at i 1 == "*" then "[^/]*" + tokens (i + 1)
        else if at i 1 == "?" then "[^/]" + tokens (i + 1)
        else if at i 1 == "[" && classEnd i != null then
          let
            end = classEnd i;
            body = at (i + 1) (end - i - 1);
            negated = builtins.substring 0 1 body == "!";
          in
          "[" + (if negated then "^" + builtins.substring 1 (-1) body else body) + "]" + tokens (end + 1)
        else if builtins.elem (at i 1) specials || at i 1 == "[" || at i 1 == "]" then "\\" + at i 1 + tokens (i + 1)
        else at i 1 + tokens (i + 1);
    in
    tokens 0;

  # One pattern, parsed: { regex; negated; dirOnly; }.
  parse = pattern:
    let
      negated = builtins.substring 0 1 pattern == "!";
      p1 = if negated then builtins.substring 1 (-1) pattern else pattern;
      l1 = builtins.stringLength p1;
      dirOnly = l1 > 0 && builtins.substring (l1 - 1) 1 p1 == "/";
      p2 = if dirOnly then builtins.substring 0 (l1 - 1) p1 else p1;
      anchored = builtins.match ".*/.*" p2 != null;
      p3 = if builtins.substring 0 1 p2 == "/" then builtins.substring 1 (-1) p2 else p2;
    in
    { regex = (if anchored then "" else "(.*/)?") + globRegex p3; inherit negated dirOnly; };

  # null (no pattern matches `path`), or whether the last matching one is not negated.
  decide = parsed: path: isDir:
    builtins.foldl'
      (acc: p: if (isDir || !p.dirOnly) && builtins.match p.regex path != null then !p.negated else acc)
      null
      parsed;

  matches = patterns:
    let
      parsed = map parse (builtins.filter (p: p != "" && builtins.substring 0 1 p != "#") patterns);
      go = path: isDir:
        let
          here = decide parsed path isDir;
          parent = dirOf path;
        in
        if here != null then here
        else if parent == "." || parent == path then false
        else go parent true;
    in
    go;
in
{ inherit matches; }
