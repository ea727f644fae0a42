//! Domain errors with stable codes. The UI translates codes; the HTTP layer
//! maps them to status codes. Internal details never reach the user.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A stable, machine-readable error code. The string form (snake_case) is
/// part of the public API: translation files and clients key on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadRequest,
    InvalidEmail,
    InvalidName,
    PasswordTooShort,
    PasswordTooLong,
    PasswordsDiffer,
    InvalidRole,
    InvalidLocale,
    EmailTaken,
    InvalidCredentials,
    WrongPassword,
    TooManyAttempts,
    Unauthenticated,
    Forbidden,
    NotFound,
    InviteInvalid,
    LinkInvalid,
    CrossOrigin,
    PayloadTooLarge,
    InvalidTaxCode,
    TaxCodeTaken,
    InvalidFile,
    FileTooLarge,
    InvalidField,
    NoFirm,
    WrongState,
    ImportInvalid,
    Unavailable,
    BoothTaken,
    HoldExpired,
    BookingClosed,
    TooManyHolds,
    BadgeExists,
    RegistrationClosed,
    FirmNotApproved,
    NoLeadConsent,
    StaffQuotaFull,
    RunUnderWay,
    NotExhibiting,
    ClockSkew,
    EmailUnverified,
    #[serde(other)]
    Internal,
}

impl ErrorCode {
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::BadRequest,
        ErrorCode::InvalidEmail,
        ErrorCode::InvalidName,
        ErrorCode::PasswordTooShort,
        ErrorCode::PasswordTooLong,
        ErrorCode::PasswordsDiffer,
        ErrorCode::InvalidRole,
        ErrorCode::InvalidLocale,
        ErrorCode::EmailTaken,
        ErrorCode::InvalidCredentials,
        ErrorCode::WrongPassword,
        ErrorCode::TooManyAttempts,
        ErrorCode::Unauthenticated,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::InviteInvalid,
        ErrorCode::LinkInvalid,
        ErrorCode::CrossOrigin,
        ErrorCode::PayloadTooLarge,
        ErrorCode::InvalidTaxCode,
        ErrorCode::TaxCodeTaken,
        ErrorCode::InvalidFile,
        ErrorCode::FileTooLarge,
        ErrorCode::InvalidField,
        ErrorCode::NoFirm,
        ErrorCode::WrongState,
        ErrorCode::ImportInvalid,
        ErrorCode::Unavailable,
        ErrorCode::BoothTaken,
        ErrorCode::HoldExpired,
        ErrorCode::BookingClosed,
        ErrorCode::TooManyHolds,
        ErrorCode::BadgeExists,
        ErrorCode::RegistrationClosed,
        ErrorCode::FirmNotApproved,
        ErrorCode::NoLeadConsent,
        ErrorCode::StaffQuotaFull,
        ErrorCode::RunUnderWay,
        ErrorCode::NotExhibiting,
        ErrorCode::ClockSkew,
        ErrorCode::EmailUnverified,
        ErrorCode::Internal,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::InvalidEmail => "invalid_email",
            ErrorCode::InvalidName => "invalid_name",
            ErrorCode::PasswordTooShort => "password_too_short",
            ErrorCode::PasswordTooLong => "password_too_long",
            ErrorCode::PasswordsDiffer => "passwords_differ",
            ErrorCode::InvalidRole => "invalid_role",
            ErrorCode::InvalidLocale => "invalid_locale",
            ErrorCode::EmailTaken => "email_taken",
            ErrorCode::InvalidCredentials => "invalid_credentials",
            ErrorCode::WrongPassword => "wrong_password",
            ErrorCode::TooManyAttempts => "too_many_attempts",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::InviteInvalid => "invite_invalid",
            ErrorCode::LinkInvalid => "link_invalid",
            ErrorCode::CrossOrigin => "cross_origin",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::InvalidTaxCode => "invalid_tax_code",
            ErrorCode::ImportInvalid => "import_invalid",
            ErrorCode::WrongState => "wrong_state",
            ErrorCode::NoFirm => "no_firm",
            ErrorCode::InvalidField => "invalid_field",
            ErrorCode::FileTooLarge => "file_too_large",
            ErrorCode::InvalidFile => "invalid_file",
            ErrorCode::TaxCodeTaken => "tax_code_taken",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::BoothTaken => "booth_taken",
            ErrorCode::HoldExpired => "hold_expired",
            ErrorCode::BookingClosed => "booking_closed",
            ErrorCode::TooManyHolds => "too_many_holds",
            ErrorCode::BadgeExists => "badge_exists",
            ErrorCode::RegistrationClosed => "registration_closed",
            ErrorCode::FirmNotApproved => "firm_not_approved",
            ErrorCode::NoLeadConsent => "no_lead_consent",
            ErrorCode::StaffQuotaFull => "staff_quota_full",
            ErrorCode::RunUnderWay => "run_under_way",
            ErrorCode::NotExhibiting => "not_exhibiting",
            ErrorCode::ClockSkew => "clock_skew",
            ErrorCode::EmailUnverified => "email_unverified",
            ErrorCode::Internal => "internal",
        }
    }

    pub fn parse(code: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.iter().copied().find(|c| c.as_str() == code)
    }

    /// The HTTP status that answers a request failing with this code.
    pub const fn http_status(self) -> u16 {
        match self {
            ErrorCode::Unauthenticated | ErrorCode::InvalidCredentials => 401,
            ErrorCode::Forbidden | ErrorCode::CrossOrigin => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::EmailTaken => 409,
            ErrorCode::InviteInvalid | ErrorCode::LinkInvalid => 410,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::TooManyAttempts => 429,
            ErrorCode::Unavailable => 503,
            ErrorCode::BoothTaken => 409,
            ErrorCode::HoldExpired => 409,
            ErrorCode::BookingClosed => 409,
            ErrorCode::TooManyHolds => 409,
            ErrorCode::BadgeExists => 409,
            ErrorCode::RegistrationClosed => 409,
            ErrorCode::FirmNotApproved => 409,
            ErrorCode::NoLeadConsent => 403,
            ErrorCode::StaffQuotaFull => 409,
            ErrorCode::RunUnderWay => 409,
            ErrorCode::NotExhibiting => 409,
            ErrorCode::ClockSkew => 422,
            ErrorCode::EmailUnverified => 403,
            ErrorCode::Internal => 500,
            ErrorCode::ImportInvalid => 422,
            ErrorCode::WrongState => 409,
            ErrorCode::NoFirm => 409,
            ErrorCode::InvalidField => 422,
            ErrorCode::FileTooLarge => 413,
            ErrorCode::InvalidFile => 422,
            ErrorCode::TaxCodeTaken => 409,
            ErrorCode::BadRequest => 400,
            ErrorCode::InvalidEmail
            | ErrorCode::InvalidName
            | ErrorCode::PasswordTooShort
            | ErrorCode::PasswordTooLong
            | ErrorCode::PasswordsDiffer
            | ErrorCode::InvalidRole
            | ErrorCode::InvalidLocale
            | ErrorCode::WrongPassword
            | ErrorCode::InvalidTaxCode => 422,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error from the domain: a stable code, optionally the input field it
/// concerns, and an internal detail for logs (never shown to users).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub code: ErrorCode,
    pub field: Option<&'static str>,
    pub detail: Option<String>,
    /// For `too_many_attempts` and `unavailable`: how many seconds until
    /// trying again can succeed (sent as `Retry-After`).
    pub retry_after: Option<u32>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(code: ErrorCode) -> Self {
        Error {
            code,
            field: None,
            detail: None,
            retry_after: None,
        }
    }

    pub fn field(code: ErrorCode, field: &'static str) -> Self {
        Error {
            code,
            field: Some(field),
            detail: None,
            retry_after: None,
        }
    }

    pub fn internal(detail: impl fmt::Display) -> Self {
        Error {
            code: ErrorCode::Internal,
            field: None,
            detail: Some(detail.to_string()),
            retry_after: None,
        }
    }

    /// `code` (a refusal for now), with the seconds after which a retry can
    /// succeed: at least one.
    pub fn retry_after(code: ErrorCode, seconds: u64) -> Self {
        Error {
            retry_after: Some(seconds.clamp(1, u64::from(u32::MAX)) as u32),
            ..Error::new(code)
        }
    }
}

impl From<ErrorCode> for Error {
    fn from(code: ErrorCode) -> Self {
        Error::new(code)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code)?;
        if let Some(field) = self.field {
            write!(f, " ({field})")?;
        }
        if let Some(detail) = &self.detail {
            write!(f, ": {detail}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

#[cfg(feature = "db")]
impl From<sea_orm::DbErr> for Error {
    fn from(err: sea_orm::DbErr) -> Self {
        Error::internal(err)
    }
}

#[cfg(feature = "db")]
impl From<sea_orm::TransactionError<Error>> for Error {
    fn from(err: sea_orm::TransactionError<Error>) -> Self {
        match err {
            sea_orm::TransactionError::Connection(e) => Error::internal(e),
            sea_orm::TransactionError::Transaction(e) => e,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_through_strings_and_serde() {
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(code.as_str()), Some(*code));
            let json = serde_json::to_string(code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            let back: ErrorCode = serde_json::from_str(&json).unwrap();
            assert_eq!(back, *code);
        }
    }

    #[test]
    fn unknown_codes_decode_as_internal() {
        let code: ErrorCode = serde_json::from_str("\"no_such_code\"").unwrap();
        assert_eq!(code, ErrorCode::Internal);
        assert_eq!(ErrorCode::parse("no_such_code"), None);
    }

    #[test]
    fn client_errors_are_4xx_and_internal_is_5xx() {
        for code in ErrorCode::ALL {
            let status = code.http_status();
            match code {
                ErrorCode::Internal | ErrorCode::Unavailable => assert!(status >= 500),
                _ => assert!((400..500).contains(&status), "{code} -> {status}"),
            }
        }
    }
}
