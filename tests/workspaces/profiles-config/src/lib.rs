pub use pc_macro::answer;

pub fn find(haystack: &[u8]) -> Option<usize> {
    memchr::memchr(b'x', haystack)
}
