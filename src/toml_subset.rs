//! A reader for the part of TOML that Cargo.toml files are written in — tables, arrays of tables,
//! dotted keys, strings of all four kinds, decimal integers, booleans, arrays and one-line inline
//! tables — into a tree that serde reads directly. It does not check what it does not read: any
//! other construct (a float, a date, a hex integer, a CR, a new escape, a table defined twice …)
//! makes it give up, and the `toml` crate reads the file instead and reports whatever is wrong.
//!
//! Why: `toml` builds a spanned document tree before serde sees it, and reading the manifests of a
//! thousand dependencies that way was a quarter of `crateplan generate`'s time. Equality with
//! `toml` on everything this accepts is tested on every manifest at hand (`tests` below).

use std::borrow::Cow;

use serde::de::value::{Error, MapDeserializer, SeqDeserializer};
use serde::de::{IntoDeserializer, Visitor};
use serde::forward_to_deserialize_any;

use crate::scan;

/// A TOML value; strings borrow from the text unless they held escapes.
#[derive(Debug)]
pub enum Value<'a> {
    String(Cow<'a, str>),
    Integer(i64),
    Boolean(bool),
    Array(Vec<Value<'a>>, ArrayKind),
    Table(Table<'a>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArrayKind {
    /// `key = [ … ]`: never extended.
    Static,
    /// `[[key]]`: each header adds a table.
    OfTables,
}

/// How a table came to be, which decides what may add to it later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TableKind {
    /// Named on the way to a `[header]` (or the root): a later `[header]` may still define it.
    Implicit,
    /// Defined by its own `[header]` or `[[header]]`.
    Defined,
    /// Made by a dotted key (`a.b = 1`): only more dotted keys in the same place add to it.
    Dotted,
    /// `{ … }`: complete as written.
    Inline,
}

#[derive(Debug)]
pub struct Table<'a> {
    entries: Vec<(Cow<'a, str>, Value<'a>)>,
    kind: TableKind,
}

impl<'a> Table<'a> {
    fn new(kind: TableKind) -> Self {
        Table { entries: Vec::new(), kind }
    }

    fn get_mut(&mut self, key: &str) -> Option<&mut Value<'a>> {
        self.entries.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The table at `key` made by a dotted key, created if absent; `None` if anything else is there.
    fn dotted_child(&mut self, key: Cow<'a, str>) -> Option<&mut Table<'a>> {
        let i = match self.entries.iter().position(|(k, _)| *k == key) {
            Some(i) => i,
            None => {
                self.entries.push((key, Value::Table(Table::new(TableKind::Dotted))));
                self.entries.len() - 1
            }
        };
        match &mut self.entries[i].1 {
            Value::Table(t) if t.kind == TableKind::Dotted => Some(t),
            _ => None,
        }
    }

    /// Sets `path = value` (a dotted key when `path` has several parts); `None` if it was set.
    fn insert(&mut self, path: &mut Vec<Cow<'a, str>>, value: Value<'a>) -> Option<()> {
        let last = path.pop()?;
        let mut table = self;
        for part in path.drain(..) {
            table = table.dotted_child(part)?;
        }
        if table.get_mut(&last).is_some() {
            return None;
        }
        table.entries.push((last, value));
        Some(())
    }
}

/// Reads `text`; `None` when it holds anything this reader leaves to the `toml` crate.
pub fn parse(text: &str) -> Option<Value<'_>> {
    let mut p = Parser { text, pos: 0, depth: 0 };
    let mut root = Table::new(TableKind::Implicit);
    // The path of the table that key/value lines go into, from the root.
    let mut current: Vec<Cow<'_, str>> = Vec::new();
    // The key being read (one buffer for all of them).
    let mut path: Vec<Cow<'_, str>> = Vec::new();
    loop {
        p.skip_blank_lines()?;
        if p.at_end() {
            break;
        }
        if p.eat("[[") {
            p.keys(&mut path)?;
            p.expect("]]")?;
            p.end_of_line()?;
            let (parent, last) = walk(&mut root, &path)?;
            match parent.get_mut(&last) {
                None => parent.entries.push((last, Value::Array(vec![Value::Table(Table::new(TableKind::Defined))], ArrayKind::OfTables))),
                Some(Value::Array(items, ArrayKind::OfTables)) => items.push(Value::Table(Table::new(TableKind::Defined))),
                Some(_) => return None,
            }
            current.clone_from(&path);
        } else if p.eat("[") {
            p.keys(&mut path)?;
            p.expect("]")?;
            p.end_of_line()?;
            let (parent, last) = walk(&mut root, &path)?;
            match parent.get_mut(&last) {
                None => parent.entries.push((last, Value::Table(Table::new(TableKind::Defined)))),
                Some(Value::Table(t)) if t.kind == TableKind::Implicit => t.kind = TableKind::Defined,
                Some(_) => return None,
            }
            current.clone_from(&path);
        } else {
            p.keys(&mut path)?;
            p.expect("=")?;
            let value = p.value()?;
            p.end_of_line()?;
            table_at(&mut root, &current)?.insert(&mut path, value)?;
        }
    }
    Some(Value::Table(root))
}

/// For a header `[path]`: the table holding its last part (tables on the way are created as
/// implicit ones, or entered — the last element of an array of tables), and that last part.
fn walk<'t, 'a>(root: &'t mut Table<'a>, path: &[Cow<'a, str>]) -> Option<(&'t mut Table<'a>, Cow<'a, str>)> {
    let (last, init) = path.split_last()?;
    let mut table = root;
    for part in init {
        if table.get_mut(part).is_none() {
            table.entries.push((part.clone(), Value::Table(Table::new(TableKind::Implicit))));
        }
        table = match table.get_mut(part)? {
            Value::Table(t) if matches!(t.kind, TableKind::Implicit | TableKind::Defined) => t,
            Value::Array(items, ArrayKind::OfTables) => match items.last_mut()? {
                Value::Table(t) => t,
                _ => return None,
            },
            _ => return None,
        };
    }
    Some((table, last.clone()))
}

/// The table a header named: `walk` plus the last part.
fn table_at<'t, 'a>(root: &'t mut Table<'a>, path: &[Cow<'a, str>]) -> Option<&'t mut Table<'a>> {
    if path.is_empty() {
        return Some(root);
    }
    let (parent, last) = walk(root, path)?;
    match parent.get_mut(&last)? {
        Value::Table(t) => Some(t),
        Value::Array(items, ArrayKind::OfTables) => match items.last_mut()? {
            Value::Table(t) => Some(t),
            _ => None,
        },
        _ => None,
    }
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    /// How many arrays and inline tables the parser is inside.
    depth: usize,
}

/// The deepest nesting of arrays and inline tables, and the most parts of a key, read here: the
/// `toml` crate refuses more than 80, and reading deeper would only use up the stack.
const MAX_DEPTH: usize = 64;

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn eat(&mut self, s: &str) -> bool {
        if self.rest().starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    /// `s`, after spaces and tabs.
    fn expect(&mut self, s: &str) -> Option<()> {
        self.skip_spaces();
        self.eat(s).then_some(())
    }

    fn skip_spaces(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    /// A comment, if one starts here; `false` if it holds a character TOML forbids there.
    fn skip_comment(&mut self) -> bool {
        if self.peek() == Some(b'#') {
            let len = self.rest().find('\n').unwrap_or(self.rest().len());
            if !plain(&self.rest()[..len]) {
                return false;
            }
            self.pos += len;
        }
        true
    }

    /// Blank lines and comment lines (also what may stand between the values of an array).
    fn skip_blank_lines(&mut self) -> Option<()> {
        loop {
            self.skip_spaces();
            self.skip_comment().then_some(())?;
            if !self.eat("\n") {
                return Some(());
            }
        }
    }

    /// Spaces, a comment, then the end of the line (or of the text).
    fn end_of_line(&mut self) -> Option<()> {
        self.skip_spaces();
        self.skip_comment().then_some(())?;
        (self.at_end() || self.eat("\n")).then_some(())
    }

    /// A key, dotted or not: its parts, into `parts`.
    fn keys(&mut self, parts: &mut Vec<Cow<'a, str>>) -> Option<()> {
        parts.clear();
        loop {
            self.skip_spaces();
            if parts.len() == MAX_DEPTH {
                return None;
            }
            parts.push(self.key()?);
            self.skip_spaces();
            if !self.eat(".") {
                return Some(());
            }
        }
    }

    fn key(&mut self) -> Option<Cow<'a, str>> {
        match self.peek()? {
            b'"' if !self.rest().starts_with("\"\"\"") => self.basic_string(),
            b'\'' if !self.rest().starts_with("'''") => self.literal_string(),
            _ => {
                let len = self.rest().bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-').count();
                if len == 0 {
                    return None;
                }
                let key = &self.rest()[..len];
                self.pos += len;
                Some(Cow::Borrowed(key))
            }
        }
    }

    fn value(&mut self) -> Option<Value<'a>> {
        self.skip_spaces();
        let rest = self.rest();
        let value = match self.peek()? {
            b'"' if rest.starts_with("\"\"\"") => Value::String(self.multiline_basic_string()?),
            b'"' => Value::String(self.basic_string()?),
            b'\'' if rest.starts_with("'''") => Value::String(self.multiline_literal_string()?),
            b'\'' => Value::String(self.literal_string()?),
            b'[' | b'{' => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return None;
                }
                let nested = if rest.starts_with('[') { self.array()? } else { self.inline_table()? };
                self.depth -= 1;
                nested
            }
            b't' if self.eat("true") => Value::Boolean(true),
            b'f' if self.eat("false") => Value::Boolean(false),
            b'+' | b'-' | b'0'..=b'9' => Value::Integer(self.integer()?),
            _ => return None,
        };
        // A value ends at a delimiter: `truex`, `1.5` or `1979-05-27` are not read here.
        match self.peek() {
            None | Some(b' ' | b'\t' | b'\n' | b'#' | b',' | b']' | b'}') => Some(value),
            _ => None,
        }
    }

    /// A decimal integer: optional sign, no leading zero, `_` only between digits.
    fn integer(&mut self) -> Option<i64> {
        let len = self.rest().bytes().take_while(|b| b.is_ascii_digit() || matches!(b, b'_' | b'+' | b'-')).count();
        let raw = &self.rest()[..len];
        let digits = raw.strip_prefix(['+', '-']).unwrap_or(raw);
        if digits.is_empty()
            || !digits.bytes().all(|b| b.is_ascii_digit() || b == b'_')
            || digits.starts_with('_')
            || digits.ends_with('_')
            || digits.contains("__")
            || (digits.len() > 1 && digits.starts_with('0'))
        {
            return None;
        }
        self.pos += len;
        raw.replace('_', "").parse().ok()
    }

    fn array(&mut self) -> Option<Value<'a>> {
        self.eat("[");
        let mut items = Vec::new();
        loop {
            self.skip_blank_lines()?;
            if self.eat("]") {
                return Some(Value::Array(items, ArrayKind::Static));
            }
            items.push(self.value()?);
            self.skip_blank_lines()?;
            if !self.eat(",") {
                self.skip_blank_lines()?;
                self.eat("]").then_some(())?;
                return Some(Value::Array(items, ArrayKind::Static));
            }
        }
    }

    /// `{ k = v, … }` on one line, no trailing comma (the form every TOML version reads alike).
    fn inline_table(&mut self) -> Option<Value<'a>> {
        self.eat("{");
        let mut table = Table::new(TableKind::Inline);
        self.skip_spaces();
        if self.eat("}") {
            return Some(Value::Table(table));
        }
        let mut path = Vec::new();
        loop {
            self.keys(&mut path)?;
            self.expect("=")?;
            let value = self.value()?;
            table.insert(&mut path, value)?;
            self.skip_spaces();
            if self.eat("}") {
                // Dotted keys inside made tables that are as complete as the inline table.
                freeze(&mut table);
                return Some(Value::Table(table));
            }
            self.eat(",").then_some(())?;
            self.skip_spaces();
        }
    }

    /// `"…"`: escapes decoded; borrowed when there are none.
    fn basic_string(&mut self) -> Option<Cow<'a, str>> {
        self.eat("\"");
        let rest = self.rest();
        let end = string_run(rest);
        if rest.as_bytes().get(end) == Some(&b'"') {
            self.pos += end + 1;
            return Some(Cow::Borrowed(&rest[..end]));
        }
        let mut out = String::new();
        loop {
            let rest = self.rest();
            let i = string_run(rest);
            out.push_str(&rest[..i]);
            self.pos += i;
            match self.peek()? {
                b'"' => {
                    self.pos += 1;
                    return Some(Cow::Owned(out));
                }
                b'\\' => out.push(self.escape()?),
                _ => return None,
            }
        }
    }

    /// After a `\`: the character it stands for (the escapes of TOML 1.0).
    fn escape(&mut self) -> Option<char> {
        self.eat("\\");
        let c = self.peek()?;
        self.pos += 1;
        Some(match c {
            b'b' => '\u{8}',
            b't' => '\t',
            b'n' => '\n',
            b'f' => '\u{c}',
            b'r' => '\r',
            b'"' => '"',
            b'\\' => '\\',
            b'u' | b'U' => {
                let len = if c == b'u' { 4 } else { 8 };
                let hex = self.rest().get(..len)?;
                if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return None;
                }
                self.pos += len;
                char::from_u32(u32::from_str_radix(hex, 16).ok()?)?
            }
            _ => return None,
        })
    }

    /// `'…'`: as written.
    fn literal_string(&mut self) -> Option<Cow<'a, str>> {
        self.eat("'");
        let rest = self.rest();
        let end = rest.find(['\'', '\n'])?;
        if rest.as_bytes()[end] != b'\'' || !plain(&rest[..end]) {
            return None;
        }
        self.pos += end + 1;
        Some(Cow::Borrowed(&rest[..end]))
    }

    /// `"""…"""`: a newline right after the opening quotes is dropped, a `\` at the end of a line
    /// drops the line break and the whitespace after it, and the closing quotes may follow up to
    /// two quotes of the string.
    fn multiline_basic_string(&mut self) -> Option<Cow<'a, str>> {
        self.eat("\"\"\"");
        self.eat("\n");
        let mut out = String::new();
        loop {
            let rest = self.rest();
            let i = rest.find(['"', '\\'])?;
            multiline_plain(&rest[..i]).then_some(())?;
            out.push_str(&rest[..i]);
            self.pos += i;
            if self.peek()? == b'"' {
                let quotes = self.rest().bytes().take_while(|&b| b == b'"').count();
                self.pos += quotes;
                if quotes < 3 {
                    out.extend(std::iter::repeat_n('"', quotes));
                    continue;
                }
                if quotes > 5 {
                    return None;
                }
                out.extend(std::iter::repeat_n('"', quotes - 3));
                return Some(Cow::Owned(out));
            }
            // A `\`: an escape, or the end of a line with only whitespace after it.
            let after = &self.rest()[1..];
            let ws = after.bytes().take_while(|b| matches!(b, b' ' | b'\t')).count();
            if after[ws..].starts_with('\n') {
                self.pos += 1;
                while matches!(self.peek(), Some(b' ' | b'\t' | b'\n')) {
                    self.pos += 1;
                }
            } else {
                out.push(self.escape()?);
            }
        }
    }

    /// `'''…'''`: as written, but for a newline right after the opening quotes.
    fn multiline_literal_string(&mut self) -> Option<Cow<'a, str>> {
        self.eat("'''");
        self.eat("\n");
        let rest = self.rest();
        let i = rest.find("'''")?;
        let quotes = rest[i..].bytes().take_while(|&b| b == b'\'').count();
        if quotes > 5 {
            return None;
        }
        let content = &rest[..i + quotes - 3];
        multiline_plain(content).then_some(())?;
        self.pos += i + quotes;
        Some(Cow::Borrowed(content))
    }
}

/// How many bytes at the start of `s` a one-line basic string holds as they are: up to a quote, a
/// backslash or a control character (which ends the string or, but for tab, is not allowed).
fn string_run(s: &str) -> usize {
    let maybe = |w: u64| scan::any_eq(w, b'"') || scan::any_eq(w, b'\\') || scan::any_below(w, 0x20) || scan::any_eq(w, 0x7f);
    scan::find(s.as_bytes(), maybe, |b| b == b'"' || b == b'\\' || !plain_byte(b)).unwrap_or(s.len())
}

/// Text with no control character but tab: what a comment or a one-line string may hold (a CR
/// included: CRLF files are left to `toml`).
pub(crate) fn plain(s: &str) -> bool {
    scan::find(s.as_bytes(), |w| scan::any_below(w, 0x20) || scan::any_eq(w, 0x7f), |b| !plain_byte(b)).is_none()
}

/// A byte `plain` text may hold.
pub(crate) fn plain_byte(b: u8) -> bool {
    (b >= 0x20 || b == b'\t') && b != 0x7f
}

/// Text with no control character but tab and LF: what a multi-line string may hold.
fn multiline_plain(s: &str) -> bool {
    !s.bytes().any(|b| (b < 0x20 && b != b'\t' && b != b'\n') || b == 0x7f)
}

/// Marks the tables inside an inline table as complete too.
fn freeze(table: &mut Table<'_>) {
    table.kind = TableKind::Inline;
    for (_, v) in &mut table.entries {
        if let Value::Table(t) = v {
            freeze(t);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// serde: a `Value` is a self-describing deserializer, as `toml`'s own values are.

impl<'de> serde::Deserializer<'de> for Value<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Value::String(Cow::Borrowed(s)) => visitor.visit_borrowed_str(s),
            Value::String(Cow::Owned(s)) => visitor.visit_string(s),
            Value::Integer(i) => visitor.visit_i64(i),
            Value::Boolean(b) => visitor.visit_bool(b),
            Value::Array(items, _) => visitor.visit_seq(SeqDeserializer::new(items.into_iter())),
            Value::Table(t) => visitor.visit_map(MapDeserializer::new(t.entries.into_iter().map(|(k, v)| (Value::String(k), v)))),
        }
    }

    /// TOML has no null: a value that is there is `Some`.
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

impl<'de> IntoDeserializer<'de, Error> for Value<'de> {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    /// What this reader makes of `text`, as a `toml::Value`, if it reads it.
    fn read(text: &str) -> Option<toml::Value> {
        parse(text).map(|v| toml::Value::deserialize(v).expect("every value reads as a toml::Value"))
    }

    /// Whenever this reader reads a text, `toml` reads the same values from it.
    fn agrees(text: &str) -> bool {
        match read(text) {
            None => false,
            Some(ours) => {
                let theirs: toml::Value = toml::from_str(text).unwrap_or_else(|e| panic!("toml refuses what we read: {e}\n{text}"));
                assert_eq!(ours, theirs, "\n{text}");
                true
            }
        }
    }

    #[test]
    fn reads_what_manifests_are_written_in() {
        for text in [
            "[package]\nname = \"a\"\nversion = \"0.1.0\" # comment\n\n[dependencies]\nserde = { version = \"1\", features = [\"derive\"] }\nlibc = \"0.2\"\n",
            "[target.'cfg(unix)'.dependencies]\nlibc = { version = \"0.2\", default-features = false }\n[target.\"cfg(windows)\".dependencies.winapi]\nversion = \"0.3\"\n",
            "[[bin]]\nname = \"a\"\npath = \"src/a.rs\"\n\n[[bin]]\nname = \"b\"\nrequired-features = [\n    \"x\", # why\n    \"y\",\n]\n",
            "[package]\ndescription = \"\"\"\nA \\\"quoted\\\" \\u00e9 \\\n    line.\"\"\"\nreadme = '''\nC:\\path'''\nx = \"\"\"a\"\"\"\"\"\n",
            "[workspace]\nmembers = []\n[workspace.package]\nversion = \"1.0.0\"\n[package]\nversion.workspace = true\nedition = { workspace = true }\n",
            "[features]\ndefault = [\"std\"]\nstd = []\n\"quoted-key\" = [\"dep:x\", \"y?/z\"]\n[lints.rust]\nunsafe_code = \"forbid\"\nunexpected_cfgs = { level = \"warn\", check-cfg = ['cfg(foo)'] }\n[profile.release]\nopt-level = 3\nlto = true\ncodegen-units = -1_000\n",
            "[a.b]\nx = 1\n[a]\ny = 2\n[a.c.d]\n[[a.e]]\nz = 3\n[a.e.f]\nw = 4\n[[a.e]]\n",
            "[a]\nb.c = 1\nb.d = { e = 2 }\n",
            "",
        ] {
            assert!(agrees(text), "not read:\n{text}");
        }
    }

    /// Anything outside the subset, valid or not, is left to `toml`.
    #[test]
    fn leaves_everything_else_to_toml() {
        for text in [
            "a = 1.5\n",
            "a = 1979-05-27\n",
            "a = 0x10\n",
            "a = 1\r\nb = 2\r\n",
            "a = inf\n",
            "a = \"\\e\"\n",
            "a = { b = 1, }\n",
            "a = {\n b = 1 }\n",
            "[a]\n[a]\n",
            "a = 1\na = 2\n",
            "[a]\nb = 1\n[a.b]\n",
            "a = { b = 1 }\n[a.c]\n",
            "a = { b = 1 }\na.c = 2\n",
            "[a.b]\n[a]\nb.c = 1\n",
            "a = []\n[[a]]\n",
            "[[a]]\n[a]\n",
            "a = 01\n",
            "a = 1__0\n",
            "a = truex\n",
            "a = \"unterminated\n",
            "a = 'x\n",
            "a = \"\"\"x\"\"\"\"\"\"\n",
            "[a]]\n",
            "a.\"b\" c = 1\n",
            "é = 1\n",
            "a = 1 b = 2\n",
            "a = \"\\uD800\"\n",
            "a = \"tab\tin\u{1}control\"\n",
            "a = 'x\u{7f}'\n",
            "a = 1 # \u{1}\n",
            "a = \"\"\"x\ry\"\"\"\n",
            "a = '''x\u{0}'''\n",
            "a = [ # \u{2}\n 1 ]\n",
            "a\u{3} = 1\n",
            "a = 1\n\u{4}\n",
        ] {
            assert!(read(text).is_none(), "read, but should be left to toml:\n{text}");
        }
    }

    /// Nesting past `MAX_DEPTH` is left to `toml` (which refuses past 80), however deep: no stack
    /// overflow here.
    #[test]
    fn deep_nesting_goes_to_toml() {
        for depth in [MAX_DEPTH, MAX_DEPTH + 1, 200_000] {
            let arrays = format!("x = {}1{}\n", "[".repeat(depth), "]".repeat(depth));
            let tables = format!("x = {}1{}\n", "{ a = ".repeat(depth), " }".repeat(depth));
            let key = format!("{} = 1\n", vec!["a"; depth].join("."));
            let header = format!("[{}]\n", vec!["a"; depth].join("."));
            for text in [arrays, tables, key, header] {
                assert_eq!(read(&text).is_some(), depth <= MAX_DEPTH, "{depth}: {}", &text[..40]);
            }
        }
        assert!(agrees(&format!("x = {}1{}\n", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH))));
    }

    /// Every Cargo.toml in the repository and in `$CARGO_HOME`'s unpacked crates (when there are
    /// any) is read to the same values as by `toml`; the repository's are all read. Then each is
    /// cut and spliced at a few places: whatever this reader still reads, `toml` reads alike.
    #[test]
    fn agrees_with_toml_on_every_manifest_at_hand() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut mine = Vec::new();
        collect(&root.join("tests"), &mut mine, 0);
        collect(&root.join("examples"), &mut mine, 0);
        mine.push(root.join("Cargo.toml"));
        let mut theirs = Vec::new();
        let home = std::env::var_os("CARGO_HOME").map(std::path::PathBuf::from).or_else(|| std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".cargo")));
        if let Some(home) = home {
            collect(&home.join("registry/src"), &mut theirs, 0);
        }
        let (mut read_count, mut total) = (0, 0);
        for (path, must_read) in mine.iter().map(|p| (p, true)).chain(theirs.iter().map(|p| (p, false))) {
            let Ok(text) = std::fs::read_to_string(path) else { continue };
            if toml::from_str::<toml::Value>(&text).is_err() {
                assert!(read(&text).is_none(), "{} is not TOML, yet read", path.display());
                continue;
            }
            total += 1;
            let ok = agrees(&text);
            assert!(ok || !must_read, "{} not read", path.display());
            read_count += ok as usize;
            // Damaged copies: a byte dropped, a quote, a bracket or a newline put in.
            let bytes = text.as_bytes();
            for k in 1..8 {
                let at = bytes.len() * k / 8;
                if !text.is_char_boundary(at) {
                    continue;
                }
                for insert in ["", "\"", "]", "\n", "[", "=", ".", "'''", "\"\"\""] {
                    let mut damaged = text[..at].to_string();
                    damaged.push_str(insert);
                    let skip = if insert.is_empty() { text[at..].chars().next().map_or(0, char::len_utf8) } else { 0 };
                    damaged.push_str(&text[at + skip..]);
                    if let Some(ours) = read(&damaged) {
                        let theirs: toml::Value = toml::from_str(&damaged).unwrap_or_else(|e| panic!("{}: toml refuses a damaged copy we read: {e}\n{damaged}", path.display()));
                        assert_eq!(ours, theirs, "{}: a damaged copy", path.display());
                    }
                }
            }
        }
        assert!(total >= 60, "only {total} manifests found");
        eprintln!("toml_subset: read {read_count} of {total} manifests");
    }

    fn collect(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>, depth: usize) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for e in entries.flatten() {
            let path = e.path();
            let name = e.file_name();
            if name == "Cargo.toml" || name == "Cargo.toml.orig" {
                out.push(path);
            } else if depth < 4 && path.is_dir() && name != "target" && !name.to_string_lossy().starts_with('.') {
                collect(&path, out, depth + 1);
            }
        }
    }
}
