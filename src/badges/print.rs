//! Printable badges: A6, one per page (what the holder prints or gets by
//! mail), and A4 sheets of four (organisers print in batches and at the
//! walk-in desk). The QR code is drawn as boxes, sharp at any size: 49
//! modules with the quiet zone over 150 points, about 1.1 mm a module.

use super::qr::{Grid, QUIET_ZONE};
use super::token::BadgeKind;
use crate::Result;
use crate::pdf::{A4, A6, Document};

/// What a badge shows, already formatted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Printable {
    pub name: String,
    pub organisation: String,
    pub kind: BadgeKind,
    pub fair_vi: String,
    pub fair_en: String,
    pub dates: String,
    pub token: String,
    pub badge_id: String,
}

/// The kind as printed, in both languages.
pub fn kind_label(kind: BadgeKind) -> (&'static str, &'static str) {
    match kind {
        BadgeKind::Visitor => ("KHÁCH THAM QUAN", "VISITOR"),
        BadgeKind::Buyer => ("KHÁCH MUA HÀNG", "BUYER"),
        BadgeKind::Exhibitor => ("DOANH NGHIỆP TRƯNG BÀY", "EXHIBITOR"),
        BadgeKind::Press => ("BÁO CHÍ", "PRESS"),
        BadgeKind::Vip => ("KHÁCH MỜI", "VIP"),
        BadgeKind::Staff => ("BAN TỔ CHỨC", "ORGANISER"),
    }
}

const QR_SIZE: f32 = 150.0;

/// Draws one badge in the A6 area whose lower left corner is (x0, y0).
fn draw(doc: &mut Document, x0: f32, y0: f32, b: &Printable) -> Result<()> {
    let (w, h) = A6;
    let (left, right) = (x0 + 20.0, x0 + w - 20.0);
    let width = right - left;
    let mut y = y0 + h - 30.0;
    for line in doc.wrap(1, 10.0, width, &b.fair_vi).into_iter().take(2) {
        doc.text(1, 10.0, left, y, &line);
        y -= 12.0;
    }
    for line in doc.wrap(0, 8.5, width, &b.fair_en).into_iter().take(2) {
        doc.text(0, 8.5, left, y, &line);
        y -= 11.0;
    }
    doc.text(0, 8.5, left, y, &b.dates);
    y -= 8.0;
    doc.rule(left, right, y);
    y -= 22.0;
    let (vi, en) = kind_label(b.kind);
    doc.text(1, 13.0, left, y, vi);
    doc.right(1, 13.0, right, y, en);
    y -= 28.0;
    for line in doc.wrap(1, 17.0, width, &b.name).into_iter().take(2) {
        doc.text(1, 17.0, left, y, &line);
        y -= 20.0;
    }
    for line in doc
        .wrap(0, 10.0, width, &b.organisation)
        .into_iter()
        .take(2)
    {
        doc.text(0, 10.0, left, y, &line);
        y -= 13.0;
    }
    let grid = Grid::new(&b.token)?;
    let side = (grid.width + 2 * QUIET_ZONE) as f32;
    let module = QR_SIZE / side;
    let qx = x0 + (w - QR_SIZE) / 2.0;
    let qy = y0 + 34.0;
    for (row, col, n) in grid.runs() {
        let x = qx + (col + QUIET_ZONE) as f32 * module;
        // PDF y grows upwards; QR rows go down.
        let y = qy + QR_SIZE - (row + QUIET_ZONE + 1) as f32 * module;
        doc.fill(x, y, n as f32 * module, module);
    }
    let id = format!("#{}", b.badge_id.chars().take(8).collect::<String>());
    let idw = doc.width(0, 7.0, &id);
    doc.text(0, 7.0, x0 + (w - idw) / 2.0, y0 + 22.0, &id);
    Ok(())
}

/// One badge on an A6 page.
pub fn a6(b: &Printable) -> Result<Vec<u8>> {
    let mut doc = Document::new();
    doc.page(A6);
    draw(&mut doc, 0.0, 0.0, b)?;
    Ok(doc.finish())
}

/// Badges four to an A4 sheet (two by two), in order, top left first.
pub fn sheets(badges: &[Printable]) -> Result<Vec<u8>> {
    let mut doc = Document::new();
    let (w, h) = A6;
    let spots = [(0.0, A4.1 - h), (w, A4.1 - h), (0.0, 0.0), (w, 0.0)];
    for (i, b) in badges.iter().enumerate() {
        if i % 4 == 0 {
            doc.page(A4);
        }
        let (x, y) = spots[i % 4];
        draw(&mut doc, x, y, b)?;
    }
    Ok(doc.finish())
}
