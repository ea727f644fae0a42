//! The floor plan format: what organisers import (CSV or JSON) and what the
//! plan editor saves, and the checks every plan passes before it is stored.
//!
//! One row per item. Columns (CSV header, or keys of each JSON object):
//!
//! | column  | meaning                                                      |
//! |---------|--------------------------------------------------------------|
//! | kind    | `booth`, `aisle`, `entrance`, `pillar` or `label`            |
//! | code    | booth code, e.g. `A-12` (booths only; letters, digits, `-`)  |
//! | x, y    | top-left corner in metres from the hall's top-left corner    |
//! | width   | metres along x                                               |
//! | depth   | metres along y                                               |
//! | type    | booth type code of the fair (booths only)                    |
//! | zone    | zone code of the fair (booths only)                          |
//! | price   | a set price in VND replacing the type's price (optional)     |
//! | label   | text shown on the plan (optional)                            |
//! | polygon | odd spaces: corners `x y; x y; ...` in metres (optional; the |
//! |         | booth's box is then the polygon's bounding box)              |
//!
//! Lengths are in metres with at most one decimal (10 cm); inside the
//! program they are whole decimetres. Errors name the line (CSV; the header
//! is line 1) or the item (JSON, counting from 1).

use super::geometry::Rect;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeatureKind {
    Aisle,
    Entrance,
    Pillar,
    Label,
}

impl FeatureKind {
    pub const ALL: [FeatureKind; 4] = [
        FeatureKind::Aisle,
        FeatureKind::Entrance,
        FeatureKind::Pillar,
        FeatureKind::Label,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            FeatureKind::Aisle => "aisle",
            FeatureKind::Entrance => "entrance",
            FeatureKind::Pillar => "pillar",
            FeatureKind::Label => "label",
        }
    }

    pub fn parse(s: &str) -> Option<FeatureKind> {
        FeatureKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Booths may not stand on it.
    pub const fn solid(self) -> bool {
        matches!(
            self,
            FeatureKind::Aisle | FeatureKind::Pillar | FeatureKind::Entrance
        )
    }
}

/// A booth on a plan, in decimetres.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanBooth {
    pub code: String,
    pub x: i32,
    pub y: i32,
    pub w: i32,
    pub d: i32,
    /// Corners of an odd space (absolute, decimetres); the box above is its
    /// bounding box.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub polygon: Option<Vec<[i32; 2]>>,
    #[serde(rename = "type")]
    pub type_code: String,
    pub zone: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

impl PlanBooth {
    pub fn rect(&self) -> Rect {
        Rect {
            x: self.x,
            y: self.y,
            w: self.w,
            d: self.d,
        }
    }

    /// Area in whole square metres: the polygon's when there is one.
    pub fn area_m2(&self) -> i64 {
        match &self.polygon {
            Some(points) => polygon_area_dm2(points).saturating_add(50) / 100,
            None => self.rect().area_m2(),
        }
    }
}

/// Aisles, entrances, pillars and labels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanFeature {
    pub kind: FeatureKind,
    pub x: i32,
    pub y: i32,
    pub w: i32,
    pub d: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

impl PlanFeature {
    pub fn rect(&self) -> Rect {
        Rect {
            x: self.x,
            y: self.y,
            w: self.w,
            d: self.d,
        }
    }
}

/// A hall's whole plan.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub booths: Vec<PlanBooth>,
    #[serde(default)]
    pub features: Vec<PlanFeature>,
}

/// Twice the signed area, halved and made positive (square decimetres).
pub fn polygon_area_dm2(points: &[[i32; 2]]) -> i64 {
    let n = points.len();
    if n < 3 {
        return 0;
    }
    // i128: the shoelace terms of coordinates anywhere in i32 overflow i64.
    let mut twice = 0i128;
    for i in 0..n {
        let [x1, y1] = points[i];
        let [x2, y2] = points[(i + 1) % n];
        twice += i128::from(x1) * i128::from(y2) - i128::from(x2) * i128::from(y1);
    }
    i64::try_from(twice.abs() / 2).unwrap_or(i64::MAX)
}

/// What is wrong with a line of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    /// The file is not CSV or JSON of the expected shape.
    Unreadable,
    MissingColumn,
    UnknownKind,
    BadCode,
    DuplicateCode,
    /// Not a number of metres with at most one decimal.
    BadNumber,
    /// Width or depth zero or negative.
    NegativeSize,
    OutsideHall,
    Overlap,
    UnknownZone,
    UnknownType,
    BadPrice,
    BadPolygon,
    /// The booth has a live booking and cannot be removed.
    Booked,
    TooManyRows,
    /// A label with control characters, over 120 characters or with
    /// spaces at its ends.
    BadLabel,
}

impl Problem {
    pub const ALL: [Problem; 16] = [
        Problem::Unreadable,
        Problem::MissingColumn,
        Problem::UnknownKind,
        Problem::BadCode,
        Problem::DuplicateCode,
        Problem::BadNumber,
        Problem::NegativeSize,
        Problem::OutsideHall,
        Problem::Overlap,
        Problem::UnknownZone,
        Problem::UnknownType,
        Problem::BadPrice,
        Problem::BadPolygon,
        Problem::Booked,
        Problem::TooManyRows,
        Problem::BadLabel,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Problem::Unreadable => "unreadable",
            Problem::MissingColumn => "missing_column",
            Problem::UnknownKind => "unknown_kind",
            Problem::BadCode => "bad_code",
            Problem::DuplicateCode => "duplicate_code",
            Problem::BadNumber => "bad_number",
            Problem::NegativeSize => "negative_size",
            Problem::OutsideHall => "outside_hall",
            Problem::Overlap => "overlap",
            Problem::UnknownZone => "unknown_zone",
            Problem::UnknownType => "unknown_type",
            Problem::BadPrice => "bad_price",
            Problem::BadPolygon => "bad_polygon",
            Problem::BadLabel => "bad_label",
            Problem::Booked => "booked",
            Problem::TooManyRows => "too_many_rows",
        }
    }
}

/// One problem, where it is, and the value or item it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineError {
    pub line: usize,
    pub problem: Problem,
    pub detail: String,
}

/// The most rows a plan may have.
pub const MAX_ROWS: usize = 5_000;

/// The columns of the CSV format, in the order exports write them.
pub const COLUMNS: [&str; 11] = [
    "kind", "code", "x", "y", "width", "depth", "type", "zone", "price", "label", "polygon",
];

/// Splits one CSV line into fields (double quotes, `""` for a quote).
fn split_csv(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', true) => quoted = false,
            ('"', false) if field.trim().is_empty() => {
                field.clear();
                quoted = true;
            }
            (',', false) => out.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    out.push(field);
    out.into_iter().map(|f| f.trim().to_string()).collect()
}

/// Metres with at most one decimal, as decimetres.
pub fn parse_metres(s: &str) -> Option<i32> {
    let s = s.trim().replace(',', ".");
    if s.is_empty() || s.len() > 12 {
        return None;
    }
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest.to_string()),
        None => (false, s.clone()),
    };
    let (whole, frac) = match body.split_once('.') {
        Some((w, f)) => (w.to_string(), f.trim_end_matches('0').to_string()),
        None => (body.clone(), String::new()),
    };
    if whole.is_empty() && frac.is_empty() {
        return None;
    }
    if !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
        || frac.len() > 1
    {
        return None;
    }
    let w: i32 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let f: i32 = if frac.is_empty() {
        0
    } else {
        frac.parse().ok()?
    };
    let dm = w.checked_mul(10)?.checked_add(f)?;
    Some(if neg { -dm } else { dm })
}

/// Decimetres as metres ("2.5", "3").
pub fn metres(dm: i32) -> String {
    if dm % 10 == 0 {
        format!("{}", dm / 10)
    } else {
        format!(
            "{}{}.{}",
            if dm < 0 { "-" } else { "" },
            (dm / 10).abs(),
            (dm % 10).abs()
        )
    }
}

fn valid_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 12
        && code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
        && !code.starts_with('-')
}

/// A row read from a file, before checks: column name to text.
type Row = Vec<(String, String)>;

fn value<'a>(row: &'a Row, key: &str) -> &'a str {
    row.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

fn rows_from_csv(text: &str) -> Result<Vec<(usize, Row)>, LineError> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((_, header)) = lines.next() else {
        return Err(LineError {
            line: 1,
            problem: Problem::Unreadable,
            detail: String::new(),
        });
    };
    let names: Vec<String> = split_csv(header.trim_start_matches('\u{feff}'))
        .into_iter()
        .map(|n| n.to_ascii_lowercase())
        .collect();
    for required in ["kind", "x", "y"] {
        if !names.iter().any(|n| n == required) {
            return Err(LineError {
                line: 1,
                problem: Problem::MissingColumn,
                detail: required.into(),
            });
        }
    }
    Ok(lines
        .map(|(i, line)| (i + 1, names.iter().cloned().zip(split_csv(line)).collect()))
        .collect())
}

fn rows_from_json(text: &str) -> Result<Vec<(usize, Row)>, LineError> {
    let unreadable = |detail: String| LineError {
        line: 1,
        problem: Problem::Unreadable,
        detail,
    };
    let items: Vec<serde_json::Map<String, serde_json::Value>> =
        match serde_json::from_str::<serde_json::Value>(text) {
            Ok(serde_json::Value::Array(items)) => items
                .into_iter()
                .map(|v| match v {
                    serde_json::Value::Object(m) => Ok(m),
                    _ => Err(unreadable("array of objects expected".into())),
                })
                .collect::<Result<_, _>>()?,
            Ok(serde_json::Value::Object(mut m)) => match m.remove("items") {
                Some(serde_json::Value::Array(items)) => items
                    .into_iter()
                    .map(|v| match v {
                        serde_json::Value::Object(m) => Ok(m),
                        _ => Err(unreadable("array of objects expected".into())),
                    })
                    .collect::<Result<_, _>>()?,
                _ => return Err(unreadable("\"items\" expected".into())),
            },
            Ok(_) => return Err(unreadable("array of objects expected".into())),
            Err(e) => return Err(unreadable(e.to_string())),
        };
    Ok(items
        .into_iter()
        .enumerate()
        .map(|(i, m)| {
            let row = m
                .into_iter()
                .map(|(k, v)| {
                    let text = match v {
                        serde_json::Value::String(s) => s,
                        serde_json::Value::Null => String::new(),
                        serde_json::Value::Array(points) => points
                            .iter()
                            .map(|p| match p {
                                serde_json::Value::Array(xy) => xy
                                    .iter()
                                    .map(|c| c.to_string())
                                    .collect::<Vec<_>>()
                                    .join(" "),
                                other => other.to_string(),
                            })
                            .collect::<Vec<_>>()
                            .join("; "),
                        other => other.to_string(),
                    };
                    (k.to_ascii_lowercase(), text)
                })
                .collect();
            (i + 1, row)
        })
        .collect())
}

/// What the plan's rows may refer to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Context {
    /// Hall size in decimetres.
    pub hall_w: i32,
    pub hall_d: i32,
    pub zones: Vec<String>,
    pub types: Vec<String>,
}

/// Reads a plan file (CSV, or JSON when it starts with `[` or `{`) and
/// checks it. Either the whole plan or every problem found, line by line.
pub fn read(text: &str, ctx: &Context) -> Result<Plan, Vec<LineError>> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    let rows = if trimmed.starts_with('[') || trimmed.starts_with('{') {
        rows_from_json(trimmed)
    } else {
        rows_from_csv(text)
    };
    let rows = rows.map_err(|e| vec![e])?;
    if rows.len() > MAX_ROWS {
        return Err(vec![LineError {
            line: MAX_ROWS + 1,
            problem: Problem::TooManyRows,
            detail: MAX_ROWS.to_string(),
        }]);
    }
    let mut errors = Vec::new();
    let mut plan = Plan::default();
    let mut lines = Vec::new();
    let mut feature_lines = Vec::new();
    for (line, row) in rows {
        let mut err = |problem: Problem, detail: &str| {
            errors.push(LineError {
                line,
                problem,
                detail: detail.to_string(),
            })
        };
        let kind = value(&row, "kind").to_ascii_lowercase();
        let number = |key: &str, err: &mut dyn FnMut(Problem, &str)| -> Option<i32> {
            let v = value(&row, key);
            let parsed = parse_metres(v);
            if parsed.is_none() {
                err(Problem::BadNumber, &format!("{key}={v}"));
            }
            parsed
        };
        // A label is a line of text: control characters dropped, at most
        // 120 characters, no spaces at its ends (so it reads back the same
        // from an export).
        let label: String = value(&row, "label")
            .chars()
            .filter(|c| !c.is_control())
            .collect();
        let label: String = label.trim().chars().take(120).collect();
        let label = Some(label.trim_end().to_string()).filter(|l| !l.is_empty());
        if kind == "booth" {
            let code = value(&row, "code").trim().to_ascii_uppercase();
            if !valid_code(&code) {
                err(Problem::BadCode, &code);
            }
            let polygon_text = value(&row, "polygon").trim().to_string();
            let polygon = if polygon_text.is_empty() {
                None
            } else {
                let points: Option<Vec<[i32; 2]>> = polygon_text
                    .split(';')
                    .filter(|p| !p.trim().is_empty())
                    .map(|p| {
                        let mut it = p.split_whitespace();
                        let x = parse_metres(it.next()?)?;
                        let y = parse_metres(it.next()?)?;
                        it.next().is_none().then_some([x, y])
                    })
                    .collect();
                match points {
                    Some(p) if p.len() >= 3 && p.len() <= 64 && polygon_area_dm2(&p) > 0 => Some(p),
                    _ => {
                        err(Problem::BadPolygon, &polygon_text);
                        continue;
                    }
                }
            };
            let (x, y, w, d) = match &polygon {
                Some(points) => {
                    let min_x = points.iter().map(|p| p[0]).min().unwrap_or(0);
                    let min_y = points.iter().map(|p| p[1]).min().unwrap_or(0);
                    let max_x = points.iter().map(|p| p[0]).max().unwrap_or(0);
                    let max_y = points.iter().map(|p| p[1]).max().unwrap_or(0);
                    (
                        Some(min_x),
                        Some(min_y),
                        Some(max_x.saturating_sub(min_x)),
                        Some(max_y.saturating_sub(min_y)),
                    )
                }
                None => (
                    number("x", &mut err),
                    number("y", &mut err),
                    number("width", &mut err),
                    number("depth", &mut err),
                ),
            };
            let type_code = value(&row, "type").trim().to_string();
            if !ctx.types.contains(&type_code) {
                err(Problem::UnknownType, &type_code);
            }
            let zone = value(&row, "zone").trim().to_string();
            if !ctx.zones.contains(&zone) {
                err(Problem::UnknownZone, &zone);
            }
            let price_text = value(&row, "price").trim().replace(['.', ' ', '_'], "");
            let price = if price_text.is_empty() {
                None
            } else {
                match price_text.parse::<i64>() {
                    Ok(p) if (0..=100_000_000_000).contains(&p) => Some(p),
                    _ => {
                        err(Problem::BadPrice, value(&row, "price"));
                        None
                    }
                }
            };
            let (Some(x), Some(y), Some(w), Some(d)) = (x, y, w, d) else {
                continue;
            };
            if w <= 0 || d <= 0 {
                err(
                    Problem::NegativeSize,
                    &format!("{} × {}", metres(w), metres(d)),
                );
                continue;
            }
            let booth = PlanBooth {
                code,
                x,
                y,
                w,
                d,
                polygon,
                type_code,
                zone,
                price,
                label,
            };
            if !booth.rect().inside(ctx.hall_w, ctx.hall_d) {
                err(Problem::OutsideHall, &booth.code);
            }
            lines.push(line);
            plan.booths.push(booth);
        } else if let Some(kind) = FeatureKind::parse(&kind) {
            let (Some(x), Some(y), Some(w), Some(d)) = (
                number("x", &mut err),
                number("y", &mut err),
                number("width", &mut err),
                number("depth", &mut err),
            ) else {
                continue;
            };
            if w <= 0 || d <= 0 {
                err(
                    Problem::NegativeSize,
                    &format!("{} × {}", metres(w), metres(d)),
                );
                continue;
            }
            let feature = PlanFeature {
                kind,
                x,
                y,
                w,
                d,
                label,
            };
            if !feature.rect().inside(ctx.hall_w, ctx.hall_d) {
                err(Problem::OutsideHall, kind.as_str());
            }
            feature_lines.push(line);
            plan.features.push(feature);
        } else {
            err(Problem::UnknownKind, &kind);
        }
    }
    errors.extend(check(&plan, &lines, &feature_lines));
    if errors.is_empty() {
        Ok(plan)
    } else {
        errors.sort_by_key(|e| e.line);
        Err(errors)
    }
}

/// Checks a plan the editor built (items count from 1) against the hall.
/// A label as the reader makes them: one line, at most 120 characters, no
/// spaces at its ends.
fn fit_label(l: &str) -> bool {
    !l.is_empty() && l.chars().count() <= 120 && !l.chars().any(char::is_control) && l.trim() == l
}

pub fn validate(plan: &Plan, ctx: &Context) -> Result<(), Vec<LineError>> {
    let mut errors = Vec::new();
    if plan.booths.len() + plan.features.len() > MAX_ROWS {
        return Err(vec![LineError {
            line: MAX_ROWS + 1,
            problem: Problem::TooManyRows,
            detail: MAX_ROWS.to_string(),
        }]);
    }
    for (i, b) in plan.booths.iter().enumerate() {
        let line = i + 1;
        let mut err = |problem: Problem, detail: &str| {
            errors.push(LineError {
                line,
                problem,
                detail: detail.to_string(),
            })
        };
        if !valid_code(&b.code) {
            err(Problem::BadCode, &b.code);
        }
        if b.w <= 0 || b.d <= 0 {
            err(
                Problem::NegativeSize,
                &format!("{} × {}", metres(b.w), metres(b.d)),
            );
        } else if !b.rect().inside(ctx.hall_w, ctx.hall_d) {
            err(Problem::OutsideHall, &b.code);
        }
        if !ctx.types.contains(&b.type_code) {
            err(Problem::UnknownType, &b.type_code);
        }
        if !ctx.zones.contains(&b.zone) {
            err(Problem::UnknownZone, &b.zone);
        }
        if b.price.is_some_and(|p| !(0..=100_000_000_000).contains(&p)) {
            err(Problem::BadPrice, "");
        }
        if let Some(p) = &b.polygon
            && (p.len() < 3 || p.len() > 64 || polygon_area_dm2(p) == 0)
        {
            err(Problem::BadPolygon, &b.code);
        }
        if b.label.as_deref().is_some_and(|l| !fit_label(l)) {
            err(Problem::BadLabel, &b.code);
        }
    }
    let n = plan.booths.len();
    for (i, f) in plan.features.iter().enumerate() {
        let mut err = |problem: Problem| {
            errors.push(LineError {
                line: n + i + 1,
                problem,
                detail: f.kind.as_str().into(),
            })
        };
        if f.w <= 0 || f.d <= 0 {
            err(Problem::NegativeSize);
        } else if !f.rect().inside(ctx.hall_w, ctx.hall_d) {
            err(Problem::OutsideHall);
        }
        if f.label.as_deref().is_some_and(|l| !fit_label(l)) {
            err(Problem::BadLabel);
        }
    }
    if errors.is_empty() {
        let lines: Vec<usize> = (1..=n).collect();
        let feature_lines: Vec<usize> = (n + 1..=n + plan.features.len()).collect();
        errors.extend(check(plan, &lines, &feature_lines));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        errors.sort_by_key(|e| e.line);
        Err(errors)
    }
}

/// Rules between rows: unique codes; booths overlap neither each other nor
/// aisles, entrances and pillars.
fn check(plan: &Plan, lines: &[usize], feature_lines: &[usize]) -> Vec<LineError> {
    let mut errors = Vec::new();
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (b, &line) in plan.booths.iter().zip(lines) {
        if let Some(first) = seen.insert(b.code.as_str(), line) {
            errors.push(LineError {
                line,
                problem: Problem::DuplicateCode,
                detail: format!("{} (line {first})", b.code),
            });
        }
    }
    // Sweep along x: only boxes whose x ranges meet are compared.
    let mut items: Vec<(Rect, usize, String)> = plan
        .booths
        .iter()
        .zip(lines)
        .map(|(b, &l)| (b.rect(), l, b.code.clone()))
        .chain(
            plan.features
                .iter()
                .zip(feature_lines)
                .filter(|(f, _)| f.kind.solid())
                .map(|(f, &l)| (f.rect(), l, f.kind.as_str().to_string())),
        )
        .collect();
    let is_booth: std::collections::HashSet<usize> = lines.iter().copied().collect();
    items.sort_by_key(|(r, l, _)| (r.x, *l));
    let mut reported = std::collections::HashSet::new();
    for i in 0..items.len() {
        for j in i + 1..items.len() {
            if items[j].0.x >= items[i].0.right() {
                break;
            }
            if !items[i].0.overlaps(&items[j].0) {
                continue;
            }
            let (a, b) = if items[i].1 < items[j].1 {
                (&items[i], &items[j])
            } else {
                (&items[j], &items[i])
            };
            // Two features may cross (an aisle meets an entrance); a booth may not.
            if !is_booth.contains(&a.1) && !is_booth.contains(&b.1) {
                continue;
            }
            if reported.insert((b.1, a.1)) {
                errors.push(LineError {
                    line: b.1,
                    problem: Problem::Overlap,
                    detail: format!("{} × {} (line {})", b.2, a.2, a.1),
                });
            }
        }
    }
    errors
}

/// Writes a plan as CSV (the import format).
pub fn to_csv(plan: &Plan) -> String {
    let quote = |s: &str| {
        if s.contains([',', '"', '\n', ';']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    let mut out = COLUMNS.join(",");
    out.push('\n');
    for b in &plan.booths {
        let polygon = b
            .polygon
            .as_ref()
            .map(|p| {
                p.iter()
                    .map(|[x, y]| format!("{} {}", metres(*x), metres(*y)))
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default();
        out.push_str(&format!(
            "booth,{},{},{},{},{},{},{},{},{},{}\n",
            quote(&b.code),
            metres(b.x),
            metres(b.y),
            metres(b.w),
            metres(b.d),
            quote(&b.type_code),
            quote(&b.zone),
            b.price.map(|p| p.to_string()).unwrap_or_default(),
            quote(b.label.as_deref().unwrap_or("")),
            quote(&polygon)
        ));
    }
    for f in &plan.features {
        out.push_str(&format!(
            "{},,{},{},{},{},,,,{},\n",
            f.kind.as_str(),
            metres(f.x),
            metres(f.y),
            metres(f.w),
            metres(f.d),
            quote(f.label.as_deref().unwrap_or(""))
        ));
    }
    out
}

/// Writes a plan as JSON (the import format: `{"items": [...]}`, sizes in
/// metres, polygons as lists of `[x, y]` points).
pub fn to_json(plan: &Plan) -> String {
    use serde_json::{Value, json};
    let m = |dm: i32| -> Value {
        if dm % 10 == 0 {
            json!(dm / 10)
        } else {
            json!(f64::from(dm) / 10.0)
        }
    };
    let mut items: Vec<Value> = plan
        .booths
        .iter()
        .map(|b| {
            let mut o = json!({
                "kind": "booth", "code": b.code, "x": m(b.x), "y": m(b.y),
                "width": m(b.w), "depth": m(b.d), "type": b.type_code, "zone": b.zone,
            });
            if let Some(p) = b.price {
                o["price"] = json!(p);
            }
            if let Some(l) = &b.label {
                o["label"] = json!(l);
            }
            if let Some(points) = &b.polygon {
                o["polygon"] =
                    Value::Array(points.iter().map(|[x, y]| json!([m(*x), m(*y)])).collect());
            }
            o
        })
        .collect();
    items.extend(plan.features.iter().map(|f| {
        let mut o = json!({"kind": f.kind.as_str(), "x": m(f.x), "y": m(f.y), "width": m(f.w), "depth": m(f.d)});
        if let Some(l) = &f.label {
            o["label"] = json!(l);
        }
        o
    }));
    serde_json::to_string_pretty(&json!({ "items": items })).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Context {
        Context {
            hall_w: 500,
            hall_d: 300,
            zones: vec!["C".into(), "T".into()],
            types: vec!["inline".into(), "corner".into()],
        }
    }

    #[test]
    fn json_export_reads_back() {
        let text = "kind,code,x,y,width,depth,type,zone,price,label,polygon\nbooth,C-1,0,0,3,3,inline,C,,,\nbooth,C-2,3.5,0,2.5,3,corner,T,1000000,Corner,\nbooth,C-3,10,10,6,6,inline,C,,,10 10; 16 10; 16 16\naisle,,0,5,40,2,,,,Main aisle,\n";
        let plan = read(text, &ctx()).expect("valid");
        let again = read(&to_json(&plan), &ctx()).expect("json reads back");
        assert_eq!(again, plan);
        assert_eq!(read(&to_csv(&plan), &ctx()).expect("csv reads back"), plan);
    }

    #[test]
    fn metres_to_decimetres() {
        assert_eq!(parse_metres("3"), Some(30));
        assert_eq!(parse_metres("2.5"), Some(25));
        assert_eq!(parse_metres("2,5"), Some(25));
        assert_eq!(parse_metres("2.50"), Some(25));
        assert_eq!(parse_metres("-1"), Some(-10));
        assert_eq!(parse_metres("2.55"), None);
        assert_eq!(parse_metres("abc"), None);
        assert_eq!(parse_metres(""), None);
        assert_eq!(metres(25), "2.5");
        assert_eq!(metres(30), "3");
    }

    #[test]
    fn a_good_plan_reads_and_round_trips() {
        let csv = "kind,code,x,y,width,depth,type,zone,price,label,polygon\n\
                   booth,A-1,0,0,3,3,inline,C,,,\n\
                   booth,a-2,3,0,3,3,corner,C,45000000,\"Góc, lớn\",\n\
                   aisle,,0,3,50,2,,,,,\n\
                   booth,A-3,,,,,inline,T,,,0 5; 6 5; 6 11; 3 11; 3 8; 0 8\n\
                   label,,10,10,5,1,,,,Lối vào chính,\n";
        let plan = read(csv, &ctx()).unwrap();
        assert_eq!(plan.booths.len(), 3);
        assert_eq!(plan.booths[1].code, "A-2");
        assert_eq!(plan.booths[1].price, Some(45_000_000));
        assert_eq!(plan.booths[1].label.as_deref(), Some("Góc, lớn"));
        assert_eq!(
            plan.booths[2].rect(),
            Rect {
                x: 0,
                y: 50,
                w: 60,
                d: 60
            }
        );
        assert_eq!(plan.booths[2].area_m2(), 27, "L shape: 36 m² less 9");
        let again = read(&to_csv(&plan), &ctx()).unwrap();
        assert_eq!(again, plan);
        let json = serde_json::to_string(&plan).unwrap();
        let back: Plan = serde_json::from_str(&json).unwrap();
        assert_eq!(back, plan);
        assert!(validate(&plan, &ctx()).is_ok());
    }

    #[test]
    fn bad_lines_are_named() {
        let csv = "kind,code,x,y,width,depth,type,zone\n\
                   booth,A-1,0,0,3,3,inline,C\n\
                   booth,A-2,2,0,3,3,inline,C\n\
                   booth,A-3,10,0,-3,3,inline,C\n\
                   booth,A-4,20,0,3,3,inline,X\n\
                   booth,A-1,30,0,3,3,inline,C\n\
                   stage,,0,0,1,1,,\n\
                   booth,A-6,49,0,3,3,inline,C\n\
                   booth,A-7,zero,0,3,3,inline,C\n";
        let errors = read(csv, &ctx()).unwrap_err();
        let found: Vec<(usize, Problem)> = errors.iter().map(|e| (e.line, e.problem)).collect();
        assert!(found.contains(&(3, Problem::Overlap)), "{found:?}");
        assert!(found.contains(&(4, Problem::NegativeSize)));
        assert!(found.contains(&(5, Problem::UnknownZone)));
        assert!(found.contains(&(6, Problem::DuplicateCode)));
        assert!(found.contains(&(7, Problem::UnknownKind)));
        assert!(found.contains(&(8, Problem::OutsideHall)));
        assert!(found.contains(&(9, Problem::BadNumber)));
        let overlap = errors
            .iter()
            .find(|e| e.problem == Problem::Overlap)
            .unwrap();
        assert!(
            overlap.detail.contains("A-1") && overlap.detail.contains("line 2"),
            "{}",
            overlap.detail
        );
    }

    #[test]
    fn json_items_and_booths_on_aisles() {
        let json = r#"[{"kind":"aisle","x":0,"y":0,"width":50,"depth":2},
                       {"kind":"booth","code":"B1","x":1,"y":1,"width":3,"depth":3,"type":"inline","zone":"C"},
                       {"kind":"booth","code":"B2","x":10,"y":5,"width":3,"depth":3,"type":"nope","zone":"C"}]"#;
        let errors = read(json, &ctx()).unwrap_err();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!((errors[0].line, errors[0].problem), (2, Problem::Overlap));
        assert_eq!(
            (errors[1].line, errors[1].problem),
            (3, Problem::UnknownType)
        );
        assert_eq!(
            read("{not json", &ctx()).unwrap_err()[0].problem,
            Problem::Unreadable
        );
        assert_eq!(
            read("code,width\nA,1\n", &ctx()).unwrap_err()[0].problem,
            Problem::MissingColumn
        );
    }
}
