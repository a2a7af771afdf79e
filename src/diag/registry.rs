//! The joined table of every diagnostic code.
//!
//! Codes are a phase letter and three digits: `L` for the tokenizer, `S` for
//! conditional blocks, directives and sections, `R` for ring sections, `X` for
//! references to rings from other sections, and `U` for suppression comments.

use super::CodeInfo;

/// Returns every code, ordered by code.
pub fn all() -> Vec<&'static CodeInfo> {
    let tables: [&'static [CodeInfo]; 4] =
        [crate::lex::CODES, crate::syntax::CODES, crate::ring::CODES, crate::suppress::CODES];
    let mut codes: Vec<&'static CodeInfo> = tables.iter().flat_map(|table| table.iter()).collect();
    codes.sort_by_key(|info| info.code);
    codes
}

/// Finds a code by its code (`R003`) or its name (`size-after-backing-file`).
///
/// ```
/// assert!(ringcfg::diag::registry::find("no-such-rule").is_none());
/// ```
pub fn find(code_or_name: &str) -> Option<&'static CodeInfo> {
    all()
        .into_iter()
        .find(|info| info.code.eq_ignore_ascii_case(code_or_name) || info.name == code_or_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique() {
        let codes = all();
        for (i, a) in codes.iter().enumerate() {
            for b in &codes[i + 1..] {
                assert_ne!(a.code, b.code, "duplicate code");
                assert_ne!(a.name, b.name, "duplicate name");
            }
        }
    }

    #[test]
    fn codes_have_phase_letter_and_three_digits() {
        for info in all() {
            let bytes = info.code.as_bytes();
            assert_eq!(bytes.len(), 4, "{}", info.code);
            assert!(b"LSRXU".contains(&bytes[0]), "{}", info.code);
            assert!(bytes[1..].iter().all(u8::is_ascii_digit), "{}", info.code);
        }
    }
}
