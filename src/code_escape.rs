//! The `\xhh`, `\uhhhh` and `\Uhhhhhhhh` escapes that YAML double-quoted scalars, Python
//! string literals and Python patterns share: the shortest of the three that holds the
//! character.

use std::fmt::Write as _;

/// Hex digit case: YAML output is written in upper case, Python in lower case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HexCase {
    Upper,
    Lower,
}

/// Appends the escape for `c` to `out`.
pub fn push_code_escape(c: char, case: HexCase, out: &mut String) {
    let code = c as u32;
    let _ = match (case, code) {
        (HexCase::Upper, 0..=0xFF) => write!(out, "\\x{code:02X}"),
        (HexCase::Upper, 0x100..=0xFFFF) => write!(out, "\\u{code:04X}"),
        (HexCase::Upper, _) => write!(out, "\\U{code:08X}"),
        (HexCase::Lower, 0..=0xFF) => write!(out, "\\x{code:02x}"),
        (HexCase::Lower, 0x100..=0xFFFF) => write!(out, "\\u{code:04x}"),
        (HexCase::Lower, _) => write!(out, "\\U{code:08x}"),
    };
}
