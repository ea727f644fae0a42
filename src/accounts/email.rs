use crate::{Error, ErrorCode};
use std::fmt;

/// An e-mail address as accounts use it: trimmed, lower-cased, one `@`, a
/// dotted domain, no spaces or control characters, at most 254 bytes (RFC
/// 5321). Deliberately strict: an address we cannot mail is worth refusing
/// at the form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Email, Error> {
        let s = input.trim().to_lowercase();
        let bad = || Error::field(ErrorCode::InvalidEmail, "email");
        if s.is_empty() || s.len() > 254 {
            return Err(bad());
        }
        if s.chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>()[],;:\\\"".contains(c))
        {
            return Err(bad());
        }
        let (local, domain) = s.split_once('@').ok_or_else(bad)?;
        if local.is_empty() || local.len() > 64 || domain.contains('@') {
            return Err(bad());
        }
        if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
            return Err(bad());
        }
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2 {
            return Err(bad());
        }
        for label in &labels {
            if label.is_empty()
                || label.len() > 63
                || label.starts_with('-')
                || label.ends_with('-')
                || !label.chars().all(|c| c.is_alphanumeric() || c == '-')
            {
                return Err(bad());
            }
        }
        Ok(Email(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A person's name as shown on badges and lists: 1 to 100 characters after
/// trimming, no control characters (a newline in a name must never reach a
/// mail header) and no `<` or `>` (a name is never markup).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(input: &str) -> Result<DisplayName, Error> {
        let s = input.trim();
        let count = s.chars().count();
        if count == 0 || count > 100 || s.chars().any(|c| c.is_control() || c == '<' || c == '>') {
            return Err(Error::field(ErrorCode::InvalidName, "name"));
        }
        Ok(DisplayName(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses_and_normalises_them() {
        for ok in [
            "lan.nguyen@nhuahanoi.vn",
            "  Buyer+fair@Toyota.co.jp ",
            "a@b.co",
            "mua.hang@công-ty.vn",
        ] {
            let email = Email::parse(ok).unwrap();
            assert_eq!(email.as_str(), ok.trim().to_lowercase());
        }
    }

    #[test]
    fn refuses_what_cannot_be_mailed() {
        for bad in [
            "",
            "plain",
            "@nodomain.vn",
            "nolocal@",
            "two@@signs.vn",
            "a@b",
            "a@-b.vn",
            "a b@c.vn",
            "a@b..vn",
            ".a@b.vn",
            "a@b.vn\r\nBcc: victim@x.vn",
            "<script>@x.vn",
            "' OR 1=1 --@x.vn",
        ] {
            assert_eq!(
                Email::parse(bad).unwrap_err().code,
                ErrorCode::InvalidEmail,
                "{bad:?}"
            );
        }
        assert!(Email::parse(&format!("{}@x.vn", "a".repeat(65))).is_err());
        assert!(Email::parse(&format!("a@{}.vn", "b".repeat(250))).is_err());
    }

    #[test]
    fn names_are_trimmed_and_free_of_control_characters() {
        assert_eq!(
            DisplayName::parse("  Nguyễn Thị Lan ").unwrap().as_str(),
            "Nguyễn Thị Lan"
        );
        assert!(DisplayName::parse("   ").is_err());
        assert!(DisplayName::parse("Lan\nBcc: x@y.vn").is_err());
        assert!(DisplayName::parse(&"ă".repeat(100)).is_ok());
        assert!(DisplayName::parse(&"ă".repeat(101)).is_err());
    }
}
