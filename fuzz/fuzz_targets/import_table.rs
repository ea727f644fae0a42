//! Firm import files (CSV or XLSX) as organisers upload them. The first
//! byte picks the file name, the rest is the file. A table that reads
//! exports as CSV and reads back the same; each of its rows goes through
//! the profile checks an import applies, and what passes keeps their rules.

#![no_main]

use chrono::{Datelike, NaiveDate};
use fairlink::firms::uploads::{self, FileKind};
use fairlink::firms::{IMPORT_COLUMNS, SectorGroup, TaxCode, profile, transfer};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let (name, kind) = if pick % 2 == 0 {
        ("firms.csv", FileKind::Csv)
    } else {
        ("firms.xlsx", FileKind::Xlsx)
    };
    let Ok(table) = transfer::read_table(name, bytes) else {
        return;
    };
    // The content decides the kind, and the name had to agree.
    assert_eq!(uploads::sniff(bytes), Some(kind));
    assert!(table.len() <= transfer::MAX_ROWS + 1);
    exports_read_back(&table);
    rows_are_checked(&table);
});

/// An export (the import columns as its header, then the rows) reads back
/// as the same table.
fn exports_read_back(table: &[Vec<String>]) {
    // A NUL makes a file binary to the sniffer: no text export holds one.
    if table.len() > transfer::MAX_ROWS || table.iter().flatten().any(|c| c.contains('\0')) {
        return;
    }
    // An export's rows are all as wide as its header (a CSV writer refuses
    // ragged rows): pad them all to the widest.
    let mut rows = vec![
        IMPORT_COLUMNS
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>(),
    ];
    rows.extend(table.iter().cloned());
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    for row in &mut rows {
        row.resize(width, String::new());
    }
    let csv = transfer::to_csv(&rows).expect("a table writes as CSV");
    let back = transfer::read_table("export.csv", &csv).expect("an exported table reads back");
    assert_eq!(back, rows);
}

/// Where each import column is: by the header's names when the first row
/// has any (as the import reads it), otherwise in the documented order.
fn positions(table: &[Vec<String>]) -> (Vec<usize>, usize) {
    let header: Vec<String> = table
        .first()
        .map(|h| {
            h.iter()
                .map(|c| c.trim().trim_start_matches('\u{feff}').to_lowercase())
                .collect()
        })
        .unwrap_or_default();
    let named: Vec<Option<usize>> = IMPORT_COLUMNS
        .iter()
        .map(|c| header.iter().position(|h| h == c))
        .collect();
    if named.iter().any(Option::is_some) {
        let at = named.iter().map(|p| p.unwrap_or(usize::MAX)).collect();
        (at, 1)
    } else {
        ((0..IMPORT_COLUMNS.len()).collect(), 0)
    }
}

fn rows_are_checked(table: &[Vec<String>]) {
    let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    let (at, skip) = positions(table);
    for row in table.iter().skip(skip) {
        let cell = |name: &str| -> String {
            IMPORT_COLUMNS
                .iter()
                .position(|c| *c == name)
                .and_then(|i| row.get(at[i]))
                .cloned()
                .unwrap_or_default()
        };
        let input = profile::ProfileInput {
            legal_name: cell("legal_name"),
            name_en: cell("name_en"),
            tax_code: cell("tax_code"),
            sector_group: cell("sector_group"),
            address: cell("address"),
            province: cell("province"),
            website: cell("website"),
            contact_name: cell("contact_name"),
            contact_email: cell("contact_email"),
            contact_phone: cell("contact_phone"),
            employees: cell("employees"),
            revenue_band: cell("revenue_band"),
            founded_year: cell("founded_year"),
            description_vi: cell("description_vi"),
            description_en: cell("description_en"),
            customers: String::new(),
        };
        if let Ok(valid) = profile::validate(&input, today) {
            assert_eq!(Some(valid.tax_code), TaxCode::parse(&input.tax_code).ok());
            assert_eq!(valid.legal_name, input.legal_name.trim());
            assert_eq!(
                Some(valid.sector_group),
                SectorGroup::parse(input.sector_group.trim())
            );
            let chars = valid.legal_name.chars().count();
            assert!((3..=300).contains(&chars));
            assert!(valid.employees.is_none_or(|n| (1..=1_000_000).contains(&n)));
            assert!(
                valid
                    .founded_year
                    .is_none_or(|y| (1900..=today.year()).contains(&y))
            );
            if let Some(site) = &valid.website {
                assert!(site.starts_with("http://") || site.starts_with("https://"));
                assert!(!site.chars().any(|c| c.is_whitespace() || c.is_control()));
            }
        }
        // Products: `vi|en|hs` separated by `;`.
        for product in cell("products").split(';') {
            let hs = product.split('|').nth(2).unwrap_or("");
            if let Ok(Some(code)) = profile::parse_hs_code(hs) {
                assert!((4..=10).contains(&code.len()) && code.len() % 2 == 0);
                assert!(code.bytes().all(|b| b.is_ascii_digit()));
            }
        }
        for value in row {
            let key = profile::normalise(value);
            assert!(!key.starts_with(' ') && !key.ends_with(' ') && !key.contains("  "));
        }
    }
}
