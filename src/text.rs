//! Text helpers for Vietnamese: folding diacritics away (for search keys and
//! slugs) without losing the letters; checks of short form fields.

use crate::{Error, ErrorCode, Result};

/// A one-line form field (a name, a venue, a tag) trimmed, `min..=max`
/// characters, no control characters and no `<` or `>` (a name is never
/// markup); otherwise `invalid_field` naming `field`.
pub fn field(value: &str, field: &'static str, min: usize, max: usize) -> Result<String> {
    let v = value.trim();
    let n = v.chars().count();
    if n < min || n > max || v.chars().any(|c| c.is_control() || c == '<' || c == '>') {
        return Err(Error::field(ErrorCode::InvalidField, field));
    }
    Ok(v.to_string())
}

/// A text of several lines (a description, an address, a note) trimmed,
/// `min..=max` characters: line breaks and tabs are kept, other control
/// characters refused.
pub fn multiline(value: &str, field: &'static str, min: usize, max: usize) -> Result<String> {
    let v = value.trim();
    let n = v.chars().count();
    if n < min
        || n > max
        || v.chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(Error::field(ErrorCode::InvalidField, field));
    }
    Ok(v.to_string())
}

/// Escapes text for HTML element content and attribute values: the one
/// escape for every text written into markup by hand (mail bodies, the
/// page title).
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
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

/// Whether a form-encoded body is text all the way down: valid UTF-8, and
/// every percent-escape decodes to valid UTF-8 too, with no NUL anywhere.
/// (Decoders elsewhere would quietly turn bad bytes into U+FFFD and store
/// them.)
pub fn form_is_utf8(body: &[u8]) -> bool {
    if body.contains(&0) || std::str::from_utf8(body).is_err() {
        return false;
    }
    body.split(|b| *b == b'&').all(|pair| {
        pair.split(|b| *b == b'=').all(|part| {
            let mut out = Vec::with_capacity(part.len());
            let mut i = 0;
            while i < part.len() {
                match part[i] {
                    b'%' if i + 2 < part.len() => {
                        let hex = std::str::from_utf8(&part[i + 1..i + 3]).ok();
                        match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                            Some(byte) => out.push(byte),
                            None => return false,
                        }
                        i += 3;
                    }
                    b'%' => return false,
                    b'+' => {
                        out.push(b' ');
                        i += 1;
                    }
                    b => {
                        out.push(b);
                        i += 1;
                    }
                }
            }
            // NUL is no character of any text: PostgreSQL refuses it in
            // text columns, and nothing typed contains it.
            !out.contains(&0) && std::str::from_utf8(&out).is_ok()
        })
    })
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
