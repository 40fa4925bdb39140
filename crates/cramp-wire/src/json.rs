//! The request path's JSON writer for the assessment (SPEC §4).
//!
//! `serde_json` stays the reference: every output type also derives `Serialize`, and the CLI, the
//! snapshots and the property tests use that. On the server's hot path the generic serializer spent
//! a quarter of the request escaping the same field names again and escaping text one byte at a
//! time (callgrind, BENCHMARKS.md). This writer emits the same bytes as `serde_json::to_writer`
//! (tests below and `tests/properties.rs` compare the two on arbitrary cases): field names are
//! written as the literals they are, texts are escaped eight bytes at a time, and fragments
//! pre-serialised at load (`WireCache`) are copied as they are.

use serde_json::value::RawValue;

/// A value that writes itself as compact JSON, byte for byte what `serde_json::to_writer` writes
/// for its `Serialize` form.
pub trait WriteJson {
    fn write_json(&self, out: &mut Vec<u8>);
}

/// Appends `s` as a JSON string with serde_json's escaping: `"` and `\` escaped, the short escapes
/// `\b \t \n \f \r`, other control characters as `\u00XX`; everything else (including non-ASCII
/// UTF-8 and `/`) copied as is.
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    out.reserve(s.len() + 2);
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0; // first byte not yet copied
    let mut i = 0;
    // Eight bytes at a time: skip a word when none of its bytes needs escaping, else escape its
    // first byte that does and go on from the byte after it.
    while i + 8 <= bytes.len() {
        let word = u64::from_le_bytes(bytes[i..i + 8].try_into().expect("eight bytes"));
        let mask = escape_mask(word);
        if mask == 0 {
            i += 8;
            continue;
        }
        let first = i + (mask.trailing_zeros() / 8) as usize;
        escape_at(out, bytes, &mut start, first);
        i = first + 1;
    }
    // The last bytes (fewer than eight) as one word padded with spaces, which never need escaping:
    // a short string (a code, a unit, an id) costs one test, not one per byte.
    if i < bytes.len() {
        let mut tail = [b' '; 8];
        tail[..bytes.len() - i].copy_from_slice(&bytes[i..]);
        loop {
            let mask = escape_mask(u64::from_le_bytes(tail));
            if mask == 0 {
                break;
            }
            let at = (mask.trailing_zeros() / 8) as usize;
            escape_at(out, bytes, &mut start, i + at);
            tail[at] = b' ';
        }
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `w` (little-endian) that is below 0x20, a `"` or a `\`, by the
/// classic SWAR tests: zero exactly when no byte is, and its lowest set bit is always exact (a
/// borrow can only mark bytes above a true one, never below it).
#[inline]
fn escape_mask(w: u64) -> u64 {
    let zero_bytes = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
    let below_space = w.wrapping_sub(ONES * 0x20) & !w & HIGHS;
    below_space | zero_bytes(w ^ (ONES * b'"' as u64)) | zero_bytes(w ^ (ONES * b'\\' as u64))
}

#[inline]
fn escape_at(out: &mut Vec<u8>, bytes: &[u8], start: &mut usize, i: usize) {
    let b = bytes[i];
    let short = match b {
        b'"' => b'"',
        b'\\' => b'\\',
        0x08 => b'b',
        0x09 => b't',
        0x0a => b'n',
        0x0c => b'f',
        0x0d => b'r',
        0x00..=0x1f => 0,
        _ => return,
    };
    out.extend_from_slice(&bytes[*start..i]);
    *start = i + 1;
    if short == 0 {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        out.extend_from_slice(&[b'\\', b'u', b'0', b'0', HEX[(b >> 4) as usize], HEX[(b & 0xf) as usize]]);
    } else {
        out.extend_from_slice(&[b'\\', short]);
    }
}

/// An object being written: `field` writes the separator and the name; the caller the value.
pub struct Object<'w> {
    out: &'w mut Vec<u8>,
    first: bool,
}

impl<'w> Object<'w> {
    pub fn begin(out: &'w mut Vec<u8>) -> Self {
        out.push(b'{');
        Object { out, first: true }
    }

    /// Writes a field whose quoted name comes ready-made as `"name":` (`wire_struct!` builds it
    /// with `concat!`), so that a field costs one copy.
    pub fn field_literal<T: WriteJson + ?Sized>(&mut self, quoted_name: &'static str, value: &T) -> &mut Self {
        self.separator();
        self.out.extend_from_slice(quoted_name.as_bytes());
        value.write_json(self.out);
        self
    }

    /// Writes a field (a field name is a static identifier: nothing in it needs escaping).
    pub fn field<T: WriteJson + ?Sized>(&mut self, name: &'static str, value: &T) -> &mut Self {
        debug_assert!(name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'), "{name}");
        self.separator();
        self.out.push(b'"');
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(b"\":");
        value.write_json(self.out);
        self
    }

    fn separator(&mut self) {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
    }

    pub fn end(self) {
        self.out.push(b'}');
    }
}

impl WriteJson for str {
    fn write_json(&self, out: &mut Vec<u8>) {
        write_str(out, self);
    }
}

impl WriteJson for String {
    fn write_json(&self, out: &mut Vec<u8>) {
        write_str(out, self);
    }
}

impl<T: WriteJson + ?Sized> WriteJson for &T {
    fn write_json(&self, out: &mut Vec<u8>) {
        (**self).write_json(out);
    }
}

impl WriteJson for bool {
    fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(if *self { b"true" } else { b"false" });
    }
}

impl WriteJson for i32 {
    fn write_json(&self, out: &mut Vec<u8>) {
        serde_json::to_writer(out, self).expect("an integer serialises");
    }
}

impl WriteJson for RawValue {
    fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.get().as_bytes());
    }
}

impl<T: WriteJson> WriteJson for Option<T> {
    fn write_json(&self, out: &mut Vec<u8>) {
        match self {
            Some(v) => v.write_json(out),
            None => out.extend_from_slice(b"null"),
        }
    }
}

impl<T: WriteJson> WriteJson for [T] {
    fn write_json(&self, out: &mut Vec<u8>) {
        out.push(b'[');
        for (i, v) in self.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            v.write_json(out);
        }
        out.push(b']');
    }
}

impl<T: WriteJson> WriteJson for Vec<T> {
    fn write_json(&self, out: &mut Vec<u8>) {
        self.as_slice().write_json(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ours(s: &str) -> String {
        let mut out = Vec::new();
        write_str(&mut out, s);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn escapes_like_serde_json() {
        for s in [
            "",
            "plain",
            "a \"quoted\" word",
            "back\\slash",
            "tab\there\nnew\rline\u{8}\u{c}",
            "\u{0}\u{1}\u{1f}\u{7f}",
            "ferritin ≤ 75 ng/mL — “smart quotes” ü",
            "exactly8",
            "seven\"7",
            "0123456789abcdef\"0123456789abcdef\\",
        ] {
            assert_eq!(ours(s), serde_json::to_string(s).unwrap(), "{s:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn any_string_escapes_like_serde_json(s in "\\PC*|[\\x00-\\x7f]{0,40}") {
            prop_assert_eq!(ours(&s), serde_json::to_string(&s).unwrap());
        }

        #[test]
        fn any_bytes_as_text_escape_like_serde_json(v in prop::collection::vec(0u8..0x80, 0..64)) {
            let s = String::from_utf8(v).unwrap();
            prop_assert_eq!(ours(&s), serde_json::to_string(&s).unwrap());
        }
    }
}
