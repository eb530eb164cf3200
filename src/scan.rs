//! Finding a byte in text eight bytes at a time (a plan writes, and the manifests of a large
//! workspace hold, hundreds of thousands of short strings, each scanned for the few bytes that need
//! care).

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Some byte of `word` is below `n` (`n` at most 0x80; exact for the word as a whole).
pub fn any_below(word: u64, n: u8) -> bool {
    word.wrapping_sub(ONES * u64::from(n)) & !word & HIGH != 0
}

/// Some byte of `word` is `b`.
pub fn any_eq(word: u64, b: u8) -> bool {
    any_below(word ^ (ONES * u64::from(b)), 1)
}

/// The index of the first byte of `bytes` that `stop` accepts. `maybe` tests eight bytes at once
/// and must be true of every word that holds such a byte (it may be true of others: those are
/// looked at byte by byte).
pub fn find(bytes: &[u8], maybe: impl Fn(u64) -> bool, stop: impl Fn(u8) -> bool) -> Option<usize> {
    let mut chunks = bytes.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        if maybe(u64::from_le_bytes(chunk.try_into().expect("8 bytes")))
            && let Some(i) = chunk.iter().position(|&b| stop(b))
        {
            return Some(at + i);
        }
        at += 8;
    }
    chunks.remainder().iter().position(|&b| stop(b)).map(|i| at + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The word tests agree with the byte tests at every byte value, in every lane, and `find`
    /// with the bytewise search, across chunk boundaries.
    #[test]
    fn word_tests_agree_with_byte_tests() {
        for lane in 0..8 {
            for b in 0..=255u8 {
                let mut bytes = [b'a'; 8];
                bytes[lane] = b;
                let word = u64::from_le_bytes(bytes);
                assert_eq!(any_below(word, 0x20), b < 0x20, "{b:#x} in lane {lane}");
                assert_eq!(any_eq(word, b'"'), b == b'"', "{b:#x} in lane {lane}");
                assert_eq!(any_eq(word, 0x7f), b == 0x7f, "{b:#x} in lane {lane}");
            }
        }
        let stop = |b: u8| b == b'"' || (b < 0x20 && b != b'\t');
        let maybe = |w: u64| any_eq(w, b'"') || any_below(w, 0x20);
        for len in 0..40 {
            for at in 0..=len {
                for (fill, special) in [(b'x', b'"'), (b'\t', b'\n'), (b'\t', b'"')] {
                    let mut bytes = vec![fill; len];
                    if at < len {
                        bytes[at] = special;
                    }
                    assert_eq!(find(&bytes, maybe, stop), bytes.iter().position(|&b| stop(b)), "{bytes:?}");
                }
            }
        }
    }
}
