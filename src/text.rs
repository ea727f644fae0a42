//! Text helpers for Vietnamese: folding diacritics away (for search keys and
//! slugs) without losing the letters; checks of short form fields.

use crate::{Error, ErrorCode, Result};

/// A form field trimmed, `min..=max` characters, no control characters;
/// otherwise `invalid_field` naming `field`.
pub fn field(value: &str, field: &'static str, min: usize, max: usize) -> Result<String> {
    let v = value.trim();
    let n = v.chars().count();
    if n < min || n > max || v.chars().any(char::is_control) {
        return Err(Error::field(ErrorCode::InvalidField, field));
    }
    Ok(v.to_string())
}

/// A short code (zone, booth type, gate, area): 1-20 ASCII letters,
/// digits, `-` or `_`, trimmed.
pub fn code(value: &str, field: &'static str) -> Result<String> {
    let v = value.trim().to_string();
    if v.is_empty()
        || v.len() > 20
        || !v
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(Error::field(ErrorCode::InvalidField, field));
    }
    Ok(v)
}

/// Lower-cases and removes Vietnamese diacritics: "Nhựa Hà Nội" → "nhua ha noi",
/// "Đông Anh" → "dong anh". Other characters pass through lower-cased.
pub fn fold(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for ch in input.chars() {
        for lower in ch.to_lowercase() {
            if let Some(base) = base_letter(lower) {
                out.push(base);
            }
        }
    }
    out
}

fn base_letter(c: char) -> Option<char> {
    const GROUPS: &[(char, &str)] = &[
        ('a', "àáảãạăằắẳẵặâầấẩẫậ"),
        ('e', "èéẻẽẹêềếểễệ"),
        ('i', "ìíỉĩị"),
        ('o', "òóỏõọôồốổỗộơờớởỡợ"),
        ('u', "ùúủũụưừứửữự"),
        ('y', "ỳýỷỹỵ"),
        ('d', "đ"),
    ];
    if c.is_ascii() {
        return Some(c);
    }
    for (base, variants) in GROUPS {
        if variants.contains(c) {
            return Some(*base);
        }
    }
    // Combining marks (decomposed input) disappear.
    if ('\u{0300}'..='\u{036f}').contains(&c) {
        return None;
    }
    Some(c)
}

/// A URL-safe slug: folded, ASCII letters and digits joined by single dashes.
pub fn slug(input: &str) -> String {
    let folded = fold(input);
    let mut out = String::with_capacity(folded.len());
    let mut dash = false;
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c);
        } else {
            dash = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_vietnamese() {
        assert_eq!(fold("Nhựa Hà Nội"), "nhua ha noi");
        assert_eq!(fold("ĐÔNG ANH"), "dong anh");
        assert_eq!(
            fold("Cơ khí Chính xác Thăng Long"),
            "co khi chinh xac thang long"
        );
        assert_eq!(fold("Phụ tùng Xe máy"), "phu tung xe may");
    }

    #[test]
    fn slugs_are_ascii() {
        assert_eq!(slug("Công ty TNHH Nhựa Hà Nội"), "cong-ty-tnhh-nhua-ha-noi");
        assert_eq!(slug("  --Thăng Long & Co.-- "), "thang-long-co");
        assert_eq!(slug("Ho\u{0302}i"), "hoi");
    }
}
