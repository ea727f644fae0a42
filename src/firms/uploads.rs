//! Uploaded files (certificate scans, logos): size-limited, type-checked by
//! their content, stored in the database (so every app instance serves
//! them), named safely.

use super::entity::upload;
use crate::{Error, ErrorCode, Result};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
use uuid::Uuid;

/// Certificate scans: up to 5 MB of PDF, PNG, JPEG or WebP.
pub const SCAN_MAX_BYTES: usize = 5 * 1024 * 1024;
/// Logos: up to 1 MB of PNG, JPEG or WebP.
pub const LOGO_MAX_BYTES: usize = 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    CertificateScan,
    Logo,
    Import,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::CertificateScan => "certificate",
            Purpose::Logo => "logo",
            Purpose::Import => "import",
        }
    }

    fn max_bytes(self) -> usize {
        match self {
            Purpose::CertificateScan => SCAN_MAX_BYTES,
            Purpose::Logo => LOGO_MAX_BYTES,
            Purpose::Import => 20 * 1024 * 1024,
        }
    }

    fn allows(self, kind: FileKind) -> bool {
        match self {
            Purpose::CertificateScan => matches!(
                kind,
                FileKind::Pdf | FileKind::Png | FileKind::Jpeg | FileKind::Webp
            ),
            Purpose::Logo => matches!(kind, FileKind::Png | FileKind::Jpeg | FileKind::Webp),
            Purpose::Import => matches!(kind, FileKind::Csv | FileKind::Xlsx),
        }
    }
}

/// What a file is, judged by its first bytes (never by its name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Pdf,
    Png,
    Jpeg,
    Webp,
    Xlsx,
    Csv,
}

impl FileKind {
    pub fn content_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Png => "image/png",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Webp => "image/webp",
            FileKind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileKind::Csv => "text/csv",
        }
    }

    fn extensions(self) -> &'static [&'static str] {
        match self {
            FileKind::Pdf => &["pdf"],
            FileKind::Png => &["png"],
            FileKind::Jpeg => &["jpg", "jpeg"],
            FileKind::Webp => &["webp"],
            FileKind::Xlsx => &["xlsx"],
            FileKind::Csv => &["csv", "txt"],
        }
    }
}

/// Recognises a file by its magic bytes. Text that is valid UTF-8 and has
/// no NUL bytes counts as CSV.
pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
    if bytes.starts_with(b"%PDF-") {
        Some(FileKind::Pdf)
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a]) {
        Some(FileKind::Png)
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some(FileKind::Jpeg)
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(FileKind::Webp)
    } else if bytes.starts_with(b"PK\x03\x04") {
        Some(FileKind::Xlsx)
    } else if !bytes.is_empty() && !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok() {
        Some(FileKind::Csv)
    } else {
        None
    }
}

/// A file name fit to show and to offer for download: no folders, no
/// control characters, at most 100 characters. Names that try to climb
/// folders are refused outright.
pub fn safe_filename(name: &str) -> Result<String> {
    let bad = || Error::field(ErrorCode::InvalidFile, "file");
    let name = name.trim();
    if name.is_empty()
        || name.contains(['/', '\\'])
        || name.contains("..")
        || name.starts_with('.')
        || name.chars().any(char::is_control)
    {
        return Err(bad());
    }
    Ok(name.chars().take(100).collect())
}

/// Checks a file for `purpose`: its size, its real type (which its name's
/// extension must agree with), its name.
pub fn check(purpose: Purpose, filename: &str, bytes: &[u8]) -> Result<(String, FileKind)> {
    if bytes.is_empty() {
        return Err(Error::field(ErrorCode::InvalidFile, "file"));
    }
    if bytes.len() > purpose.max_bytes() {
        return Err(Error::field(ErrorCode::FileTooLarge, "file"));
    }
    let name = safe_filename(filename)?;
    let kind = sniff(bytes)
        .filter(|k| purpose.allows(*k))
        .ok_or_else(|| Error::field(ErrorCode::InvalidFile, "file"))?;
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if !kind.extensions().contains(&ext.as_str()) {
        return Err(Error::field(ErrorCode::InvalidFile, "file"));
    }
    Ok((name, kind))
}

/// Stores a checked file in the caller's transaction.
pub async fn store<C: ConnectionTrait>(
    conn: &C,
    purpose: Purpose,
    firm_id: Option<Uuid>,
    filename: &str,
    bytes: Vec<u8>,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Uuid> {
    use sha2::Digest;
    let (name, kind) = check(purpose, filename, &bytes)?;
    let id = Uuid::now_v7();
    let digest = sha2::Sha256::digest(&bytes);
    let sha: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    upload::ActiveModel {
        id: Set(id),
        firm_id: Set(firm_id),
        purpose: Set(purpose.as_str().to_string()),
        filename: Set(name),
        content_type: Set(kind.content_type().to_string()),
        size_bytes: Set(bytes.len() as i64),
        sha256: Set(sha),
        content: Set(bytes),
        created_by: Set(by),
        created_at: Set(now),
    }
    .insert(conn)
    .await?;
    Ok(id)
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: Uuid) -> Result<upload::Model> {
    upload::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| ErrorCode::NotFound.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n";
    const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0];

    #[test]
    fn types_come_from_content_and_must_match_the_name() {
        assert_eq!(
            check(Purpose::CertificateScan, "iso9001.pdf", PDF)
                .unwrap()
                .1,
            FileKind::Pdf
        );
        assert_eq!(
            check(Purpose::CertificateScan, "Scan.PNG", PNG).unwrap().1,
            FileKind::Png
        );
        // A PNG called .pdf, text called .pdf, an executable called .png.
        assert_eq!(
            check(Purpose::CertificateScan, "iso.pdf", PNG)
                .unwrap_err()
                .code,
            ErrorCode::InvalidFile
        );
        assert_eq!(
            check(Purpose::CertificateScan, "iso.pdf", b"hello")
                .unwrap_err()
                .code,
            ErrorCode::InvalidFile
        );
        assert_eq!(
            check(Purpose::Logo, "logo.png", b"MZ\x90\x00\x03\x00")
                .unwrap_err()
                .code,
            ErrorCode::InvalidFile
        );
        assert_eq!(
            check(Purpose::Logo, "logo.pdf", PDF).unwrap_err().code,
            ErrorCode::InvalidFile
        );
    }

    #[test]
    fn sizes_are_limited() {
        let mut big = PDF.to_vec();
        big.resize(SCAN_MAX_BYTES + 1, b' ');
        assert_eq!(
            check(Purpose::CertificateScan, "big.pdf", &big)
                .unwrap_err()
                .code,
            ErrorCode::FileTooLarge
        );
        assert_eq!(
            check(Purpose::CertificateScan, "empty.pdf", b"")
                .unwrap_err()
                .code,
            ErrorCode::InvalidFile
        );
    }

    #[test]
    fn names_cannot_climb_folders() {
        for bad in [
            "../../etc/passwd.pdf",
            "..\\boot.pdf",
            "/etc/x.pdf",
            "a/b.pdf",
            ".hidden.pdf",
            "a\nb.pdf",
            "",
        ] {
            assert!(safe_filename(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            safe_filename(" Chứng chỉ ISO 9001.pdf ").unwrap(),
            "Chứng chỉ ISO 9001.pdf"
        );
    }
}
