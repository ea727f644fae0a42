use crate::{Error, ErrorCode};

/// Minimum password length, in characters. Long passphrases beat complexity
/// rules (NIST SP 800-63B), so length is the only rule.
pub const PASSWORD_MIN_CHARS: usize = 10;
/// Upper bound, so that hashing cost stays bounded.
pub const PASSWORD_MAX_CHARS: usize = 128;

pub fn check_password_policy(password: &str, field: &'static str) -> Result<(), Error> {
    let count = password.chars().count();
    if count < PASSWORD_MIN_CHARS {
        return Err(Error::field(ErrorCode::PasswordTooShort, field));
    }
    if count > PASSWORD_MAX_CHARS {
        return Err(Error::field(ErrorCode::PasswordTooLong, field));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_is_counted_in_characters() {
        assert!(check_password_policy("mậtkhẩu123", "password").is_ok());
        assert_eq!(
            check_password_policy("short", "password").unwrap_err().code,
            ErrorCode::PasswordTooShort
        );
        assert_eq!(
            check_password_policy(&"x".repeat(129), "password")
                .unwrap_err()
                .code,
            ErrorCode::PasswordTooLong
        );
    }
}
