//! PDF documents with text in DejaVu Sans (Vietnamese intact), embedded as
//! a subset (only the glyphs used) with a ToUnicode map so readers can
//! search and copy the text; rules and filled boxes (QR codes are drawn as
//! boxes, sharp at any size). Pages of any size, as many as needed.

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str};
use std::collections::BTreeMap;

static REGULAR: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../assets/fonts/DejaVuSans-Bold.ttf");

/// A4, in points.
pub const A4: (f32, f32) = (595.0, 842.0);
/// A6, in points.
pub const A6: (f32, f32) = (297.6, 419.5);

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

/// What one page shows.
#[derive(Default)]
struct Sheet {
    size: (f32, f32),
    runs: Vec<Run>,
    rules: Vec<(f32, f32, f32)>,
    /// Black boxes: x, y, width, height.
    boxes: Vec<(f32, f32, f32, f32)>,
}

/// A document being written: text, rules and boxes go on the last page.
pub struct Document {
    fonts: [FontUse; 2],
    faces: [ttf_parser::Face<'static>; 2],
    sheets: Vec<Sheet>,
}

impl Default for Document {
    fn default() -> Self {
        Document::new()
    }
}

impl Document {
    pub fn new() -> Document {
        let fonts = [FontUse::new(REGULAR), FontUse::new(BOLD)];
        let faces = [fonts[0].face(), fonts[1].face()];
        Document {
            fonts,
            faces,
            sheets: Vec::new(),
        }
    }

    /// Starts a page of `size` (width, height in points).
    pub fn page(&mut self, size: (f32, f32)) {
        self.sheets.push(Sheet {
            size,
            ..Sheet::default()
        });
    }

    fn sheet(&mut self) -> &mut Sheet {
        if self.sheets.is_empty() {
            self.page(A4);
        }
        let last = self.sheets.len() - 1;
        &mut self.sheets[last]
    }

    /// Width of `text` in points (font 0 regular, 1 bold).
    pub fn width(&self, font: usize, size: f32, text: &str) -> f32 {
        let face = &self.faces[font];
        let units = f32::from(face.units_per_em());
        text.chars()
            .map(|c| {
                let gid = face.glyph_index(c).unwrap_or(ttf_parser::GlyphId(0));
                f32::from(face.glyph_hor_advance(gid).unwrap_or(0)) / units * size
            })
            .sum()
    }

    /// A line of text, its baseline starting at (x, y).
    pub fn text(&mut self, font: usize, size: f32, x: f32, y: f32, text: &str) {
        let clean: String = text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        for c in clean.chars() {
            let gid = self.faces[font].glyph_index(c).map(|g| g.0).unwrap_or(0);
            self.fonts[font].used.insert(c, gid);
        }
        self.sheet().runs.push(Run {
            font,
            size,
            x,
            y,
            text: clean,
        });
    }

    /// A line of text ending at `right`.
    pub fn right(&mut self, font: usize, size: f32, right: f32, y: f32, text: &str) {
        let w = self.width(font, size, text);
        self.text(font, size, right - w, y, text);
    }

    /// Breaks `text` into lines no wider than `max` points.
    pub fn wrap(&self, font: usize, size: f32, max: f32, text: &str) -> Vec<String> {
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

    /// A thin grey horizontal line.
    pub fn rule(&mut self, x1: f32, x2: f32, y: f32) {
        self.sheet().rules.push((x1, x2, y));
    }

    /// A black box, (x, y) its lower left corner.
    pub fn fill(&mut self, x: f32, y: f32, w: f32, h: f32) {
        self.sheet().boxes.push((x, y, w, h));
    }

    /// The document's bytes.
    pub fn finish(mut self) -> Vec<u8> {
        if self.sheets.is_empty() {
            self.page(A4);
        }
        let mut alloc = Ref::new(1);
        let mut next = || alloc.bump();
        let catalog_id = next();
        let pages_id = next();
        let page_ids: Vec<(Ref, Ref)> = self.sheets.iter().map(|_| (next(), next())).collect();
        let mut pdf = Pdf::new();
        pdf.catalog(catalog_id).pages(pages_id);
        pdf.pages(pages_id)
            .kids(page_ids.iter().map(|(page, _)| *page))
            .count(page_ids.len() as i32);

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

        for (sheet, (page_id, content_id)) in self.sheets.iter().zip(&page_ids) {
            let mut content = Content::new();
            content.set_line_width(0.6);
            content.set_stroke_gray(0.6);
            for (x1, x2, y) in &sheet.rules {
                content.move_to(*x1, *y);
                content.line_to(*x2, *y);
                content.stroke();
            }
            if !sheet.boxes.is_empty() {
                content.set_fill_gray(0.0);
                for (x, y, w, h) in &sheet.boxes {
                    content.rect(*x, *y, *w, *h);
                }
                // One fill for all boxes: no hairline gaps between them.
                content.fill_nonzero();
            }
            content.set_fill_gray(0.1);
            for run in &sheet.runs {
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
            pdf.stream(*content_id, &compressed)
                .filter(Filter::FlateDecode);
            let mut page = pdf.page(*page_id);
            page.media_box(Rect::new(0.0, 0.0, sheet.size.0, sheet.size.1))
                .parent(pages_id)
                .contents(*content_id);
            {
                let mut resources = page.resources();
                let mut fonts = resources.fonts();
                fonts.pair(Name(b"F0"), font_refs[0]);
                fonts.pair(Name(b"F1"), font_refs[1]);
            }
            page.finish();
        }
        pdf.document_info(next())
            .producer(pdf_writer::TextStr("Fairlink"));
        pdf.finish()
    }
}
