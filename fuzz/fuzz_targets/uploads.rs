//! Uploaded files (certificate scans, logos, import files): the first byte
//! is the name's length, then the name, then the file. A name that is
//! accepted never climbs folders, hides or carries control characters; a
//! file accepted for a purpose is of a kind that purpose allows, judged by
//! its content, and its name's extension agrees.

#![no_main]

use fairlink::firms::uploads::{self, FileKind, Purpose};
use libfuzzer_sys::fuzz_target;

const PURPOSES: [Purpose; 3] = [Purpose::CertificateScan, Purpose::Logo, Purpose::Import];

fuzz_target!(|data: &[u8]| {
    safe_name(&String::from_utf8_lossy(data));
    let Some((&n, rest)) = data.split_first() else {
        return;
    };
    let n = usize::from(n).min(rest.len());
    let name = String::from_utf8_lossy(&rest[..n]);
    let bytes = &rest[n..];
    safe_name(&name);

    let kind = uploads::sniff(bytes);
    if kind == Some(FileKind::Csv) {
        assert!(!bytes.is_empty() && !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok());
    }
    for purpose in PURPOSES {
        let Ok((shown, got)) = uploads::check(purpose, &name, bytes) else {
            continue;
        };
        assert_eq!(
            Some(got),
            kind,
            "{purpose:?} took a {got:?} the sniffer calls {kind:?}"
        );
        assert!(allows(purpose, got), "{purpose:?} took a {got:?}");
        assert!(!bytes.is_empty() && bytes.len() <= max_bytes(purpose));
        assert_eq!(
            uploads::safe_filename(&name).ok().as_deref(),
            Some(shown.as_str())
        );
        let ext = shown
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        assert!(
            extensions(got).contains(&ext.as_str()),
            "{shown:?} taken as a {got:?}"
        );
    }
});

/// What a shown and downloaded name may never be.
fn safe_name(name: &str) {
    let Ok(safe) = uploads::safe_filename(name) else {
        return;
    };
    assert!(!safe.is_empty(), "{name:?}");
    assert!(!safe.contains(['/', '\\']), "{name:?} gave {safe:?}");
    assert!(!safe.contains(".."), "{name:?} gave {safe:?}");
    assert!(!safe.starts_with('.'), "{name:?} gave {safe:?}");
    assert!(
        !safe.chars().any(char::is_control),
        "{name:?} gave {safe:?}"
    );
    assert!(safe.chars().count() <= 100);
    // Cut from the name as given, never rewritten.
    assert!(
        name.trim().starts_with(safe.as_str()),
        "{name:?} gave {safe:?}"
    );
}

fn allows(purpose: Purpose, kind: FileKind) -> bool {
    use FileKind::*;
    match purpose {
        Purpose::CertificateScan => matches!(kind, Pdf | Png | Jpeg | Webp),
        Purpose::Logo => matches!(kind, Png | Jpeg | Webp),
        Purpose::Import => matches!(kind, Csv | Xlsx),
    }
}

fn max_bytes(purpose: Purpose) -> usize {
    match purpose {
        Purpose::CertificateScan => uploads::SCAN_MAX_BYTES,
        Purpose::Logo => uploads::LOGO_MAX_BYTES,
        Purpose::Import => 20 * 1024 * 1024,
    }
}

fn extensions(kind: FileKind) -> &'static [&'static str] {
    match kind {
        FileKind::Pdf => &["pdf"],
        FileKind::Png => &["png"],
        FileKind::Jpeg => &["jpg", "jpeg"],
        FileKind::Webp => &["webp"],
        FileKind::Xlsx => &["xlsx"],
        FileKind::Csv => &["csv", "txt"],
    }
}
