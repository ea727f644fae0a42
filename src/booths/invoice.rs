//! Pro-forma invoices as PDF: one A4 page, bilingual (Vietnamese and
//! English), Vietnamese text intact. The text is set in DejaVu Sans,
//! embedded as a subset (only the glyphs used) with a ToUnicode map, so
//! readers can search and copy it.

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str};
use std::collections::BTreeMap;

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// Everything an invoice shows, already formatted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceData {
    pub number: String,
    pub issued_on: String,
    pub due_on: String,
    pub fair_vi: String,
    pub fair_en: String,
    pub venue: String,
    pub buyer_name: String,
    pub buyer_tax_code: String,
    pub buyer_address: String,
    /// (label, amount) rows of the price breakdown, in order.
    pub lines: Vec<(String, String)>,
    pub total: String,
    pub booth_summary: String,
    pub note: String,
}

struct FontUse {
    data: &'static [u8],
    /// Characters used, with the glyph each maps to in the original font.
    used: BTreeMap<char, u16>,
}

impl FontUse {
    fn new(data: &'static [u8]) -> FontUse {
        FontUse {
            data,
            used: BTreeMap::new(),
        }
    }

    fn face(&self) -> ttf_parser::Face<'static> {
        ttf_parser::Face::parse(self.data, 0).expect("the bundled font parses")
    }
}

/// A line of text to place: font (0 regular, 1 bold), size, position.
struct Run {
    font: usize,
    size: f32,
    x: f32,
    y: f32,
    text: String,
}

struct Page {
    fonts: [FontUse; 2],
    faces: [ttf_parser::Face<'static>; 2],
    runs: Vec<Run>,
    rules: Vec<(f32, f32, f32)>,
}

impl Page {
    fn new() -> Page {
        let fonts = [FontUse::new(REGULAR), FontUse::new(BOLD)];
        let faces = [fonts[0].face(), fonts[1].face()];
        Page {
            fonts,
            faces,
            runs: Vec::new(),
            rules: Vec::new(),
        }
    }

    /// Width of `text` in points.
    fn width(&self, font: usize, size: f32, text: &str) -> f32 {
        let face = &self.faces[font];
        let units = f32::from(face.units_per_em());
        text.chars()
            .map(|c| {
                let gid = face.glyph_index(c).unwrap_or(ttf_parser::GlyphId(0));
                f32::from(face.glyph_hor_advance(gid).unwrap_or(0)) / units * size
            })
            .sum()
    }

    fn text(&mut self, font: usize, size: f32, x: f32, y: f32, text: &str) {
        let clean: String = text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        for c in clean.chars() {
            let gid = self.faces[font].glyph_index(c).map(|g| g.0).unwrap_or(0);
            self.fonts[font].used.insert(c, gid);
        }
        self.runs.push(Run {
            font,
            size,
            x,
            y,
            text: clean,
        });
    }

    fn right(&mut self, font: usize, size: f32, right: f32, y: f32, text: &str) {
        let w = self.width(font, size, text);
        self.text(font, size, right - w, y, text);
    }

    /// Breaks `text` into lines no wider than `max` points.
    fn wrap(&self, font: usize, size: f32, max: f32, text: &str) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if self.width(font, size, &candidate) > max && !line.is_empty() {
                lines.push(std::mem::replace(&mut line, word.to_string()));
            } else {
                line = candidate;
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
        lines
    }

    fn rule(&mut self, x1: f32, x2: f32, y: f32) {
        self.rules.push((x1, x2, y));
    }

    fn finish(self) -> Vec<u8> {
        let mut alloc = Ref::new(1);
        let mut next = || alloc.bump();
        let catalog_id = next();
        let pages_id = next();
        let page_id = next();
        let content_id = next();
        let mut pdf = Pdf::new();
        pdf.catalog(catalog_id).pages(pages_id);
        pdf.pages(pages_id).kids([page_id]).count(1);

        // Per font: the old glyph → new glyph map of the subset.
        let mut remapped: Vec<BTreeMap<u16, u16>> = Vec::new();
        let mut font_refs = Vec::new();
        for (i, font) in self.fonts.iter().enumerate() {
            let mut remapper = subsetter::GlyphRemapper::new();
            let mut map = BTreeMap::new();
            map.insert(0u16, remapper.remap(0));
            for &gid in font.used.values() {
                map.insert(gid, remapper.remap(gid));
            }
            let subset =
                subsetter::subset(font.data, 0, &remapper).unwrap_or_else(|_| font.data.to_vec());
            let face = &self.faces[i];
            let units = f32::from(face.units_per_em());
            let scale = |v: f32| v / units * 1000.0;
            let (type0_id, cid_id, descriptor_id, file_id, cmap_id) =
                (next(), next(), next(), next(), next());
            let base = if i == 0 {
                Name(b"FLAAAA+DejaVuSans")
            } else {
                Name(b"FLAAAB+DejaVuSans-Bold")
            };
            pdf.type0_font(type0_id)
                .base_font(base)
                .encoding_predefined(Name(b"Identity-H"))
                .descendant_font(cid_id)
                .to_unicode(cmap_id);
            let system = SystemInfo {
                registry: Str(b"Adobe"),
                ordering: Str(b"Identity"),
                supplement: 0,
            };
            let mut cid = pdf.cid_font(cid_id);
            cid.subtype(CidFontType::Type2)
                .base_font(base)
                .system_info(system)
                .font_descriptor(descriptor_id)
                .default_width(0.0)
                .cid_to_gid_map_predefined(Name(b"Identity"));
            {
                let mut widths = cid.widths();
                for (&old, &new) in &map {
                    let advance = face
                        .glyph_hor_advance(ttf_parser::GlyphId(old))
                        .unwrap_or(0);
                    widths.consecutive(new, [scale(f32::from(advance))]);
                }
            }
            cid.finish();
            let bbox = face.global_bounding_box();
            pdf.font_descriptor(descriptor_id)
                .name(base)
                .flags(FontFlags::NON_SYMBOLIC)
                .bbox(Rect::new(
                    scale(f32::from(bbox.x_min)),
                    scale(f32::from(bbox.y_min)),
                    scale(f32::from(bbox.x_max)),
                    scale(f32::from(bbox.y_max)),
                ))
                .italic_angle(0.0)
                .ascent(scale(f32::from(face.ascender())))
                .descent(scale(f32::from(face.descender())))
                .cap_height(scale(f32::from(
                    face.capital_height().unwrap_or(face.ascender()),
                )))
                .stem_v(if i == 0 { 80.0 } else { 140.0 })
                .font_file2(file_id);
            let compressed = miniz_oxide::deflate::compress_to_vec_zlib(&subset, 6);
            pdf.stream(file_id, &compressed).filter(Filter::FlateDecode);
            let mut cmap = UnicodeCmap::new(Name(b"Custom"), system);
            for (&c, &gid) in &font.used {
                if let Some(&new) = map.get(&gid) {
                    cmap.pair(new, c);
                }
            }
            pdf.cmap(cmap_id, &cmap.finish());
            remapped.push(map);
            font_refs.push(type0_id);
        }

        let mut content = Content::new();
        content.set_line_width(0.6);
        content.set_stroke_gray(0.6);
        for (x1, x2, y) in &self.rules {
            content.move_to(*x1, *y);
            content.line_to(*x2, *y);
            content.stroke();
        }
        content.set_fill_gray(0.1);
        for run in &self.runs {
            let face = &self.faces[run.font];
            let mut bytes = Vec::with_capacity(run.text.len() * 2);
            for c in run.text.chars() {
                let old = face.glyph_index(c).map(|g| g.0).unwrap_or(0);
                let new = remapped[run.font].get(&old).copied().unwrap_or(0);
                bytes.extend_from_slice(&new.to_be_bytes());
            }
            content.begin_text();
            content.set_font(
                if run.font == 0 {
                    Name(b"F0")
                } else {
                    Name(b"F1")
                },
                run.size,
            );
            content.next_line(run.x, run.y);
            content.show(Str(&bytes));
            content.end_text();
        }
        let stream = content.finish();
        let compressed = miniz_oxide::deflate::compress_to_vec_zlib(&stream, 6);
        pdf.stream(content_id, &compressed)
            .filter(Filter::FlateDecode);

        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, 595.0, 842.0))
            .parent(pages_id)
            .contents(content_id);
        {
            let mut resources = page.resources();
            let mut fonts = resources.fonts();
            fonts.pair(Name(b"F0"), font_refs[0]);
            fonts.pair(Name(b"F1"), font_refs[1]);
        }
        page.finish();
        pdf.document_info(next())
            .producer(pdf_writer::TextStr("Fairlink"));
        pdf.finish()
    }
}

/// Writes the invoice as a PDF document.
pub fn render(data: &InvoiceData) -> Vec<u8> {
    let mut p = Page::new();
    let (left, right) = (56.0f32, 539.0f32);
    let mut y = 780.0f32;
    p.text(1, 20.0, left, y, "Fairlink");
    p.right(1, 14.0, right, y, "HÓA ĐƠN TẠM TÍNH");
    y -= 16.0;
    p.right(0, 10.0, right, y, "PRO-FORMA INVOICE");
    y -= 24.0;
    for (label, value) in [
        ("Số / No.", data.number.as_str()),
        ("Ngày lập / Issued", data.issued_on.as_str()),
        ("Hạn thanh toán / Due", data.due_on.as_str()),
    ] {
        p.text(0, 10.0, 340.0, y, label);
        p.right(1, 10.0, right, y, value);
        y -= 14.0;
    }
    y -= 10.0;
    p.rule(left, right, y);
    y -= 20.0;
    p.text(0, 9.0, left, y, "Hội chợ / Fair");
    y -= 14.0;
    for line in p.wrap(1, 11.0, right - left, &data.fair_vi) {
        p.text(1, 11.0, left, y, &line);
        y -= 14.0;
    }
    for line in p.wrap(0, 10.0, right - left, &data.fair_en) {
        p.text(0, 10.0, left, y, &line);
        y -= 13.0;
    }
    for line in p.wrap(0, 9.0, right - left, &data.venue) {
        p.text(0, 9.0, left, y, &line);
        y -= 12.0;
    }
    y -= 12.0;
    p.text(0, 9.0, left, y, "Bên mua / Buyer");
    y -= 14.0;
    for line in p.wrap(1, 11.0, right - left, &data.buyer_name) {
        p.text(1, 11.0, left, y, &line);
        y -= 14.0;
    }
    p.text(
        0,
        10.0,
        left,
        y,
        &format!("Mã số thuế / Tax code: {}", data.buyer_tax_code),
    );
    y -= 13.0;
    for line in p.wrap(0, 10.0, right - left, &data.buyer_address) {
        p.text(0, 10.0, left, y, &line);
        y -= 13.0;
    }
    y -= 14.0;
    p.text(1, 10.0, left, y, "Nội dung / Description");
    p.right(1, 10.0, right, y, "Thành tiền / Amount (VND)");
    y -= 8.0;
    p.rule(left, right, y);
    y -= 16.0;
    for line in p.wrap(0, 10.0, right - left, &data.booth_summary) {
        p.text(0, 10.0, left, y, &line);
        y -= 14.0;
    }
    y -= 4.0;
    for (label, amount) in &data.lines {
        p.text(0, 10.0, left + 12.0, y, label);
        p.right(0, 10.0, right, y, amount);
        y -= 16.0;
    }
    p.rule(left, right, y + 8.0);
    y -= 8.0;
    p.text(1, 12.0, left, y, "Tổng cộng / Total");
    p.right(1, 12.0, right, y, &data.total);
    y -= 30.0;
    for line in p.wrap(0, 9.0, right - left, &data.note) {
        p.text(0, 9.0, left, y, &line);
        y -= 12.0;
    }
    p.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_a_small_pdf_with_a_text_map() {
        let data = InvoiceData {
            number: "PF2026-00001".into(),
            issued_on: "28/11/2026".into(),
            due_on: "12/12/2026".into(),
            fair_vi: "Hội chợ Công nghiệp hỗ trợ Hà Nội 2026".into(),
            fair_en: "Hanoi Supporting Industry Fair 2026".into(),
            venue: "Trung tâm Triển lãm Quốc gia, Đông Anh, Hà Nội".into(),
            buyer_name: "Công ty TNHH Cơ khí Chính xác Thăng Long".into(),
            buyer_tax_code: "0101234567".into(),
            buyer_address: "Lô 12, KCN Thăng Long, Hà Nội".into(),
            lines: vec![
                ("Gian hàng / Booth".into(), "22.500.000".into()),
                ("Thuế GTGT 8% / VAT 8%".into(), "1.800.000".into()),
            ],
            total: "24.300.000".into(),
            booth_summary: "A-12 · Nhà A · 9 m² · Gian tiêu chuẩn".into(),
            note: "Hóa đơn tạm tính, không phải hóa đơn GTGT.".into(),
        };
        let pdf = render(&data);
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(
            pdf.len() < 60_000,
            "subset fonts keep it small: {} bytes",
            pdf.len()
        );
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("/ToUnicode"));
        assert!(text.contains("/FontFile2"));
        assert!(text.trim_end().ends_with("%%EOF"));
    }
}
