//! Moving firms in and out in bulk: organisers import firms from CSV or
//! XLSX (previewed, checked row by row, all or nothing, an upsert by tax
//! code so that importing twice changes nothing), and export the catalogue
//! and the approval list as CSV or XLSX.

use super::entity::{certificate, firm, product, tag};
use super::profile::{ProfileInput, TagKind, normalise, search_body, validate, write_index};
use super::vocabulary::{self, Term};
use super::{audit, status};
use crate::accounts::{Role, SessionUser, require_role};
use crate::db::Db;
use crate::{Error, ErrorCode, Locale, Result};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// The columns of an import file, in order. The first row names them.
pub const COLUMNS: &[&str] = super::IMPORT_COLUMNS;

/// Rows per file, at most.
pub const MAX_ROWS: usize = 20_000;

/// What is wrong with one cell (or row) of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The line in the file (the header is line 1).
    pub line: usize,
    pub column: String,
    /// A stable code ("invalid_tax_code", "duplicate_in_file", ...).
    pub reason: String,
}

/// One firm read from a file, checked.
#[derive(Debug, Clone)]
struct Parsed {
    line: usize,
    profile: super::profile::ValidProfile,
    processes: Vec<&'static str>,
    materials: Vec<&'static str>,
    markets: Vec<&'static str>,
    products: Vec<(String, String, Option<String>)>,
}

/// What an import would do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    pub rows: usize,
    pub new: usize,
    pub updated: usize,
    pub errors: Vec<RowError>,
    /// The first rows: (line, tax code, legal name, "new" | "update").
    pub sample: Vec<(usize, String, String, &'static str)>,
}

/// Reads a table from CSV (UTF-8, comma or semicolon separated, header
/// first) or XLSX (first sheet).
pub fn read_table(filename: &str, bytes: &[u8]) -> Result<Vec<Vec<String>>> {
    let (_, kind) = super::uploads::check(super::uploads::Purpose::Import, filename, bytes)?;
    let rows = match kind {
        // calamine overflows on some malformed cell references (a panic
        // where overflow checks are on): a workbook it cannot read is a
        // file we cannot read, never a crash.
        super::uploads::FileKind::Xlsx => {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read_xlsx(bytes)))
                .unwrap_or_else(|_| Err(Error::field(ErrorCode::InvalidFile, "file")))?
        }
        _ => read_csv(bytes)?,
    };
    if rows.len() > MAX_ROWS + 1 {
        return Err(Error::field(ErrorCode::FileTooLarge, "file"));
    }
    Ok(rows)
}

fn read_csv(bytes: &[u8]) -> Result<Vec<Vec<String>>> {
    let text =
        std::str::from_utf8(bytes).map_err(|_| Error::field(ErrorCode::InvalidFile, "file"))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.lines().next().unwrap_or("");
    let delimiter = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|_| Error::field(ErrorCode::InvalidFile, "file"))?;
        rows.push(record.iter().map(str::to_string).collect());
    }
    Ok(rows)
}

/// Columns read from a sheet (the import has far fewer): a cell beyond
/// them refuses the file rather than making every row that wide.
const MAX_COLUMNS: u32 = 100;

/// The first sheet of a workbook, cell by cell. calamine's whole-sheet
/// reader allocates the box between the first and last used cells, so a
/// tiny file naming cells A1 and XFD1048576 asked for billions of cells;
/// reading cells one at a time keeps to the cells there are and stops at
/// the row limit.
fn read_xlsx(bytes: &[u8]) -> Result<Vec<Vec<String>>> {
    use calamine::{Data, Reader, Xlsx};
    let invalid = |_| Error::field(ErrorCode::InvalidFile, "file");
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).map_err(invalid)?;
    let first = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or(Error::field(ErrorCode::InvalidFile, "file"))?;
    let mut reader = book.worksheet_cells_reader(&first).map_err(invalid)?;
    let mut cells: Vec<((u32, u32), String)> = Vec::new();
    let (mut top, mut left) = (u32::MAX, u32::MAX);
    while let Some(cell) = reader.next_cell().map_err(invalid)? {
        let (row, col) = cell.get_position();
        let text = match Data::from(cell.get_value().clone()) {
            Data::Empty => continue,
            Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
            other => other.to_string(),
        };
        (top, left) = (top.min(row), left.min(col));
        if col.saturating_sub(left) >= MAX_COLUMNS {
            return Err(Error::field(ErrorCode::InvalidFile, "file"));
        }
        if row.saturating_sub(top) as usize > MAX_ROWS {
            return Err(Error::field(ErrorCode::FileTooLarge, "file"));
        }
        cells.push(((row, col), text));
    }
    let mut rows: Vec<Vec<String>> = Vec::new();
    for ((row, col), text) in cells {
        let (r, c) = ((row - top) as usize, (col - left) as usize);
        if c >= MAX_COLUMNS as usize {
            return Err(Error::field(ErrorCode::InvalidFile, "file"));
        }
        if rows.len() <= r {
            rows.resize_with(r + 1, Vec::new);
        }
        let line = &mut rows[r];
        if line.len() <= c {
            line.resize(c + 1, String::new());
        }
        line[c] = text;
    }
    // Every row as wide as the widest, as a sheet is.
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    for row in &mut rows {
        row.resize(width, String::new());
    }
    Ok(rows)
}

/// Finds a vocabulary term by code or by its name in either language.
fn term(list: &'static [Term], value: &str) -> Option<&'static Term> {
    let v = value.trim();
    vocabulary::find(list, v).or_else(|| {
        let key = normalise(v);
        list.iter()
            .find(|t| normalise(t.vi) == key || normalise(t.en) == key)
    })
}

fn terms(list: &'static [Term], cell: &str) -> std::result::Result<Vec<&'static str>, ()> {
    let mut out = Vec::new();
    for part in cell
        .split([';', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let t = term(list, part).ok_or(())?;
        if !out.contains(&t.code) {
            out.push(t.code);
        }
    }
    Ok(out)
}

fn parse_products(cell: &str) -> std::result::Result<Vec<(String, String, Option<String>)>, ()> {
    let mut out = Vec::new();
    for part in cell.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let fields: Vec<&str> = part.split('|').map(str::trim).collect();
        let vi = fields.first().copied().unwrap_or("");
        let en = fields
            .get(1)
            .copied()
            .filter(|e| !e.is_empty())
            .unwrap_or(vi);
        let hs =
            super::profile::parse_hs_code(fields.get(2).copied().unwrap_or("")).map_err(|_| ())?;
        let (n_vi, n_en) = (vi.chars().count(), en.chars().count());
        if !(2..=200).contains(&n_vi) || !(2..=200).contains(&n_en) {
            return Err(());
        }
        out.push((vi.to_string(), en.to_string(), hs));
    }
    if out.len() > 50 {
        return Err(());
    }
    Ok(out)
}

/// Checks every row. Returns the good rows and every error found.
fn check_rows(table: &[Vec<String>], today: chrono::NaiveDate) -> (Vec<Parsed>, Vec<RowError>) {
    let mut errors = Vec::new();
    let Some(header) = table.first() else {
        errors.push(RowError {
            line: 1,
            column: String::new(),
            reason: "empty_file".into(),
        });
        return (Vec::new(), errors);
    };
    let header: Vec<String> = header
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_lowercase())
        .collect();
    let index: HashMap<&str, usize> = COLUMNS
        .iter()
        .filter_map(|c| header.iter().position(|h| h == c).map(|i| (*c, i)))
        .collect();
    for required in [
        "tax_code",
        "legal_name",
        "name_en",
        "sector_group",
        "province",
        "address",
    ] {
        if !index.contains_key(required) {
            errors.push(RowError {
                line: 1,
                column: required.into(),
                reason: "missing_column".into(),
            });
        }
    }
    if !errors.is_empty() {
        return (Vec::new(), errors);
    }
    let mut seen = HashSet::new();
    let mut parsed = Vec::new();
    for (i, row) in table.iter().enumerate().skip(1) {
        let line = i + 1;
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |name: &str| {
            index
                .get(name)
                .and_then(|i| row.get(*i))
                .map(String::as_str)
                .unwrap_or("")
                .to_string()
        };
        let input = ProfileInput {
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
        let mut row_errors = Vec::new();
        // Check every field, not only the first bad one: the organiser fixes a file once.
        let mut probe = input.clone();
        let mut profile = None;
        for _ in 0..COLUMNS.len() {
            match validate(&probe, today) {
                Ok(p) => {
                    profile = Some(p);
                    break;
                }
                Err(e) => {
                    let field = e.field.unwrap_or("row");
                    row_errors.push(RowError {
                        line,
                        column: field.to_string(),
                        reason: e.code.as_str().to_string(),
                    });
                    if !blank_out(&mut probe, field) {
                        break;
                    }
                }
            }
        }
        let processes = terms(vocabulary::PROCESSES, &cell("processes"));
        let materials = terms(vocabulary::MATERIALS, &cell("materials"));
        let markets = terms(vocabulary::MARKETS, &cell("markets"));
        let products = parse_products(&cell("products"));
        for (ok, column) in [
            (processes.is_ok(), "processes"),
            (materials.is_ok(), "materials"),
            (markets.is_ok(), "markets"),
            (products.is_ok(), "products"),
        ] {
            if !ok {
                row_errors.push(RowError {
                    line,
                    column: column.into(),
                    reason: "invalid_field".into(),
                });
            }
        }
        if let Some(p) = &profile
            && !seen.insert(p.tax_code.as_str().to_string())
        {
            row_errors.push(RowError {
                line,
                column: "tax_code".into(),
                reason: "duplicate_in_file".into(),
            });
        }
        if row_errors.is_empty()
            && let (Some(profile), Ok(processes), Ok(materials), Ok(markets), Ok(products)) =
                (profile, processes, materials, markets, products)
        {
            parsed.push(Parsed {
                line,
                profile,
                processes,
                materials,
                markets,
                products,
            });
        } else {
            errors.extend(row_errors);
        }
    }
    (parsed, errors)
}

/// Replaces a field that failed with a harmless value, so that the next
/// check finds the next problem. False when there is nothing to replace.
fn blank_out(input: &mut ProfileInput, field: &str) -> bool {
    let good = |s: &str| s.to_string();
    match field {
        "legal_name" => input.legal_name = good("Tên tạm thời"),
        "name_en" => input.name_en = good("Placeholder"),
        "tax_code" => input.tax_code = good("0314409058"),
        "sector_group" => input.sector_group = good("components"),
        "address" => input.address = good("Placeholder address"),
        "province" => input.province = good("ha_noi"),
        "website" => input.website.clear(),
        "contact_name" => input.contact_name = good("Placeholder"),
        "contact_email" => input.contact_email = good("placeholder@fairlink.example"),
        "contact_phone" => input.contact_phone = good("0000000000"),
        "employees" => input.employees.clear(),
        "revenue_band" => input.revenue_band.clear(),
        "founded_year" => input.founded_year.clear(),
        "description_vi" => input.description_vi.clear(),
        "description_en" => input.description_en.clear(),
        _ => return false,
    }
    true
}

/// What importing `bytes` would do, without doing it.
pub async fn preview(
    db: &Db,
    organiser: &SessionUser,
    filename: &str,
    bytes: &[u8],
) -> Result<Preview> {
    require_role(Some(organiser), &[Role::Organiser])?;
    let table = read_table(filename, bytes)?;
    let (parsed, errors) = check_rows(&table, Utc::now().date_naive());
    let existing = existing_codes(db, &parsed).await?;
    let new = parsed
        .iter()
        .filter(|p| !existing.contains_key(p.profile.tax_code.as_str()))
        .count();
    Ok(Preview {
        rows: parsed.len() + errors.iter().map(|e| e.line).collect::<HashSet<_>>().len(),
        new,
        updated: parsed.len() - new,
        sample: parsed
            .iter()
            .take(20)
            .map(|p| {
                let action = if existing.contains_key(p.profile.tax_code.as_str()) {
                    "update"
                } else {
                    "new"
                };
                (
                    p.line,
                    p.profile.tax_code.as_str().to_string(),
                    p.profile.legal_name.clone(),
                    action,
                )
            })
            .collect(),
        errors,
    })
}

async fn existing_codes(db: &Db, parsed: &[Parsed]) -> Result<HashMap<String, Uuid>> {
    let mut out = HashMap::new();
    for chunk in parsed.chunks(500) {
        let codes: Vec<String> = chunk
            .iter()
            .map(|p| p.profile.tax_code.as_str().to_string())
            .collect();
        for f in firm::Entity::find()
            .filter(firm::Column::TaxCode.is_in(codes))
            .all(db.read())
            .await?
        {
            out.insert(f.tax_code, f.id);
        }
    }
    Ok(out)
}

/// The outcome of an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Imported {
    Done {
        created: usize,
        updated: usize,
    },
    /// Nothing was written: these rows must be fixed first.
    Refused(Vec<RowError>),
}

/// Imports a file: every row is checked first, and if any fails nothing is
/// written. Otherwise all rows go in one transaction, matched to existing
/// firms by tax code (new firms are approved: the organisers vouch for
/// them).
pub async fn import(
    db: &Db,
    organiser: &SessionUser,
    filename: &str,
    bytes: &[u8],
    now: DateTime<Utc>,
) -> Result<Imported> {
    require_role(Some(organiser), &[Role::Organiser])?;
    let table = read_table(filename, bytes)?;
    let (parsed, errors) = check_rows(&table, now.date_naive());
    if !errors.is_empty() {
        return Ok(Imported::Refused(errors));
    }
    let existing = existing_codes(db, &parsed).await?;
    let txn = db.begin().await?;
    let (mut created, mut updated) = (0, 0);
    for chunk in parsed.chunks(200) {
        let ids: Vec<Uuid> = chunk
            .iter()
            .filter_map(|p| existing.get(p.profile.tax_code.as_str()).copied())
            .collect();
        let certificates = certificate::Entity::find()
            .filter(certificate::Column::FirmId.is_in(ids.clone()))
            .all(&txn)
            .await?;
        let before: HashMap<Uuid, firm::Model> = firm::Entity::find()
            .filter(firm::Column::Id.is_in(ids))
            .all(&txn)
            .await?
            .into_iter()
            .map(|f| (f.id, f))
            .collect();
        let mut tags = Vec::new();
        let mut products = Vec::new();
        for p in chunk {
            let v = &p.profile;
            let (id, model) = match existing
                .get(v.tax_code.as_str())
                .and_then(|id| before.get(id))
            {
                Some(old) => {
                    let mut am: firm::ActiveModel = old.clone().into();
                    fill(&mut am, v, now);
                    let m = am.update(&txn).await?;
                    updated += 1;
                    (m.id, m)
                }
                None => {
                    let id = Uuid::now_v7();
                    let mut am = firm::ActiveModel {
                        id: Set(id),
                        status: Set(status::APPROVED.to_string()),
                        created_at: Set(now),
                        submitted_at: Set(Some(now)),
                        decided_at: Set(Some(now)),
                        decision_note: Set(None),
                        logo_upload_id: Set(None),
                        customers: Set(None),
                        search_body: Set(None),
                        ..Default::default()
                    };
                    fill(&mut am, v, now);
                    let m = am.insert(&txn).await?;
                    created += 1;
                    (id, m)
                }
            };
            tag::Entity::delete_many()
                .filter(tag::Column::FirmId.eq(id))
                .exec(&txn)
                .await?;
            product::Entity::delete_many()
                .filter(product::Column::FirmId.eq(id))
                .exec(&txn)
                .await?;
            let mine_tags: Vec<tag::Model> = [
                (TagKind::Process, &p.processes),
                (TagKind::Material, &p.materials),
                (TagKind::Market, &p.markets),
            ]
            .into_iter()
            .flat_map(|(kind, codes)| {
                codes.iter().map(move |c| tag::Model {
                    firm_id: id,
                    kind: kind.as_str().to_string(),
                    code: c.to_string(),
                })
            })
            .collect();
            let mine_products: Vec<product::Model> = p
                .products
                .iter()
                .enumerate()
                .map(|(i, (vi, en, hs))| product::Model {
                    id: Uuid::now_v7(),
                    firm_id: id,
                    name_vi: vi.clone(),
                    name_en: en.clone(),
                    hs_code: hs.clone(),
                    position: i as i32,
                })
                .collect();
            let mine_certs: Vec<certificate::Model> = certificates
                .iter()
                .filter(|c| c.firm_id == id)
                .cloned()
                .collect();
            let body = search_body(&model, &mine_products, &mine_tags, &mine_certs);
            write_index(&txn, id, &body).await?;
            tags.extend(mine_tags);
            products.extend(mine_products);
        }
        if !tags.is_empty() {
            tag::Entity::insert_many(tags.into_iter().map(tag::ActiveModel::from))
                .exec(&txn)
                .await?;
        }
        if !products.is_empty() {
            product::Entity::insert_many(products.into_iter().map(product::ActiveModel::from))
                .exec(&txn)
                .await?;
        }
    }
    audit::record(
        &txn,
        Some(organiser.id),
        "firms.imported",
        "import",
        None,
        serde_json::json!({ "file": filename, "created": created, "updated": updated }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(Imported::Done { created, updated })
}

fn fill(am: &mut firm::ActiveModel, v: &super::profile::ValidProfile, now: DateTime<Utc>) {
    am.tax_code = Set(v.tax_code.as_str().to_string());
    am.legal_name = Set(v.legal_name.clone());
    am.name_en = Set(v.name_en.clone());
    am.sector_group = Set(v.sector_group.as_str().to_string());
    am.province = Set(v.province.to_string());
    am.address = Set(v.address.clone());
    am.website = Set(v.website.clone());
    am.contact_name = Set(Some(v.contact_name.clone()));
    am.contact_email = Set(Some(v.contact_email.clone()));
    am.contact_phone = Set(Some(v.contact_phone.clone()));
    am.employees = Set(v.employees);
    am.revenue_band = Set(v.revenue_band.map(str::to_string));
    am.founded_year = Set(v.founded_year);
    am.description_vi = Set(v.description_vi.clone());
    am.description_en = Set(v.description_en.clone());
    am.updated_at = Set(now);
}

/// A cell that a spreadsheet would take for a formula gets a leading
/// apostrophe (CSV injection).
pub(crate) fn cell(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    }
}

/// The approved firms, one row each, in the import file's columns (so an
/// export can be imported back).
pub async fn catalogue_rows(db: &Db) -> Result<Vec<Vec<String>>> {
    let firms = firm::Entity::find()
        .filter(firm::Column::Status.eq(status::APPROVED))
        .order_by_asc(firm::Column::LegalName)
        .all(db.read())
        .await?;
    let tags = tag::Entity::find().all(db.read()).await?;
    let products = product::Entity::find()
        .order_by_asc(product::Column::Position)
        .all(db.read())
        .await?;
    let mut rows = vec![COLUMNS.iter().map(|c| c.to_string()).collect::<Vec<_>>()];
    for f in firms {
        let codes = |kind: &str| {
            tags.iter()
                .filter(|t| t.firm_id == f.id && t.kind == kind)
                .map(|t| t.code.clone())
                .collect::<Vec<_>>()
                .join(";")
        };
        let prods = products
            .iter()
            .filter(|p| p.firm_id == f.id)
            .map(|p| {
                format!(
                    "{}|{}|{}",
                    p.name_vi,
                    p.name_en,
                    p.hs_code.clone().unwrap_or_default()
                )
            })
            .collect::<Vec<_>>()
            .join(";");
        rows.push(
            [
                super::profile::shown_tax_code(&f),
                f.legal_name.clone(),
                f.name_en.clone(),
                f.sector_group.clone(),
                f.province.clone(),
                f.address.clone(),
                f.website.clone().unwrap_or_default(),
                f.contact_name.clone().unwrap_or_default(),
                f.contact_email.clone().unwrap_or_default(),
                f.contact_phone.clone().unwrap_or_default(),
                f.employees.map(|n| n.to_string()).unwrap_or_default(),
                f.revenue_band.clone().unwrap_or_default(),
                f.founded_year.map(|n| n.to_string()).unwrap_or_default(),
                codes("process"),
                codes("material"),
                codes("market"),
                prods,
                f.description_vi.clone().unwrap_or_default(),
                f.description_en.clone().unwrap_or_default(),
            ]
            .iter()
            .map(|v| cell(v))
            .collect(),
        );
    }
    Ok(rows)
}

/// Every firm with where it stands in the approval process.
pub async fn approval_rows(db: &Db, locale: Locale) -> Result<Vec<Vec<String>>> {
    let firms = firm::Entity::find()
        .order_by_asc(firm::Column::Status)
        .order_by_asc(firm::Column::SubmittedAt)
        .all(db.read())
        .await?;
    let certs = certificate::Entity::find().all(db.read()).await?;
    let when = |t: Option<DateTime<Utc>>| {
        t.map(|t| crate::format::datetime(t, crate::format::DEFAULT_TIME_ZONE, locale))
            .unwrap_or_default()
    };
    let mut rows = vec![
        [
            "tax_code",
            "legal_name",
            "name_en",
            "sector_group",
            "province",
            "status",
            "submitted_at",
            "decided_at",
            "decision_note",
            "certificates",
            "verified_certificates",
        ]
        .iter()
        .map(|c| c.to_string())
        .collect::<Vec<_>>(),
    ];
    for f in firms {
        let mine: Vec<_> = certs.iter().filter(|c| c.firm_id == f.id).collect();
        rows.push(
            [
                super::profile::shown_tax_code(&f),
                f.legal_name.clone(),
                f.name_en.clone(),
                f.sector_group.clone(),
                vocabulary::label(vocabulary::PROVINCES, &f.province, locale),
                f.status.clone(),
                when(f.submitted_at),
                when(f.decided_at),
                f.decision_note.clone().unwrap_or_default(),
                mine.len().to_string(),
                mine.iter()
                    .filter(|c| c.verified_at.is_some())
                    .count()
                    .to_string(),
            ]
            .iter()
            .map(|v| cell(v))
            .collect(),
        );
    }
    Ok(rows)
}

/// A table as CSV (UTF-8 with a byte-order mark, which spreadsheet
/// programs need to show Vietnamese correctly).
pub fn to_csv(rows: &[Vec<String>]) -> Result<Vec<u8>> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        for row in rows {
            w.write_record(row).map_err(Error::internal)?;
        }
        w.flush().map_err(Error::internal)?;
    }
    Ok(out)
}

/// A table as an XLSX workbook with one sheet.
pub fn to_xlsx(rows: &[Vec<String>], sheet: &str) -> Result<Vec<u8>> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet).map_err(Error::internal)?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (r, row) in rows.iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            if r == 0 {
                ws.write_string_with_format(r, c, value, &bold)
                    .map_err(Error::internal)?;
            } else {
                ws.write_string(r, c, value).map_err(Error::internal)?;
            }
        }
    }
    book.save_to_buffer().map_err(Error::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> String {
        COLUMNS.join(",")
    }

    fn row(code: &str, name: &str) -> String {
        format!(
            "{code},{name},Test Co,components,Hà Nội,Lô 1 KCN Thăng Long,,Lê Văn A,a@test.example,0243888999,120,,2010,die_casting;CNC machining,steel,jp;Hàn Quốc,Vỏ hộp số|Gearbox housing|8708.40,,"
        )
    }

    #[test]
    fn rows_are_checked_cell_by_cell() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let text = format!(
            "{}\n{}\n{}\n{}\n",
            header(),
            row("0314409058", "Công ty Đúc Một"),
            row("0314409059", "X"),
            row("0314409058", "Công ty Trùng Mã")
        );
        let table = read_csv(text.as_bytes()).unwrap();
        let (parsed, errors) = check_rows(&table, today);
        assert_eq!(parsed.len(), 1);
        assert_eq!(parsed[0].processes, vec!["die_casting", "cnc_machining"]);
        assert_eq!(parsed[0].markets, vec!["jp", "kr"]);
        assert_eq!(parsed[0].products[0].2.as_deref(), Some("870840"));
        assert!(errors.contains(&RowError {
            line: 3,
            column: "tax_code".into(),
            reason: "invalid_tax_code".into()
        }));
        assert!(errors.contains(&RowError {
            line: 3,
            column: "legal_name".into(),
            reason: "invalid_field".into()
        }));
        assert!(errors.contains(&RowError {
            line: 4,
            column: "tax_code".into(),
            reason: "duplicate_in_file".into()
        }));
    }

    #[test]
    fn exports_defuse_formulas_and_keep_vietnamese() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("Nhựa"), "Nhựa");
        let csv = to_csv(&[vec!["a".into(), "Đúc".into()]]).unwrap();
        assert!(csv.starts_with("\u{feff}".as_bytes()));
        assert!(String::from_utf8(csv).unwrap().contains("Đúc"));
        let xlsx = to_xlsx(
            &[vec!["tax_code".into()], vec!["0314409058".into()]],
            "Firms",
        )
        .unwrap();
        let back = read_xlsx(&xlsx).unwrap();
        assert_eq!(
            back,
            vec![vec!["tax_code".to_string()], vec!["0314409058".to_string()]]
        );
    }
}
