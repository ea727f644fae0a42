//! QR codes of badge tokens: the module grid (drawn into PDFs), PNG images
//! (mails, pages) and SVG.

use crate::{Error, Result};
use qrcode::{Color, EcLevel, QrCode};

/// Modules of white around the code, as the QR standard asks.
pub const QUIET_ZONE: usize = 4;

/// A QR code as a square grid of dark and light modules (no quiet zone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grid {
    pub width: usize,
    dark: Vec<bool>,
    /// The QR version (1-40).
    pub version: i16,
}

impl Grid {
    /// The code for `text` at error correction level M.
    pub fn new(text: &str) -> Result<Grid> {
        let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
            .map_err(Error::internal)?;
        let version = match code.version() {
            qrcode::Version::Normal(v) | qrcode::Version::Micro(v) => v,
        };
        Ok(Grid {
            width: code.width(),
            dark: code
                .to_colors()
                .into_iter()
                .map(|c| c == Color::Dark)
                .collect(),
            version,
        })
    }

    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.width && y < self.width && self.dark[y * self.width + x]
    }

    /// A greyscale PNG, `scale` pixels per module, with the quiet zone.
    pub fn png(&self, scale: usize) -> Vec<u8> {
        let scale = scale.max(1);
        let side = (self.width + 2 * QUIET_ZONE) * scale;
        let mut raw = Vec::with_capacity((side + 1) * side);
        for py in 0..side {
            raw.push(0); // filter: none
            let y = (py / scale).wrapping_sub(QUIET_ZONE);
            for px in 0..side {
                let x = (px / scale).wrapping_sub(QUIET_ZONE);
                raw.push(if self.is_dark(x, y) { 0 } else { 255 });
            }
        }
        let side = side as u32;
        let mut ihdr = side.to_be_bytes().to_vec();
        ihdr.extend_from_slice(&side.to_be_bytes());
        // 8-bit greyscale, deflate, no filter choice, no interlace.
        ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        chunk(&mut out, b"IHDR", &ihdr);
        chunk(
            &mut out,
            b"IDAT",
            &miniz_oxide::deflate::compress_to_vec_zlib(&raw, 6),
        );
        chunk(&mut out, b"IEND", &[]);
        out
    }

    /// Runs of dark modules, row by row: (row, first column, length).
    pub fn runs(&self) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        for y in 0..self.width {
            let mut x = 0;
            while x < self.width {
                if self.is_dark(x, y) {
                    let start = x;
                    while x < self.width && self.is_dark(x, y) {
                        x += 1;
                    }
                    out.push((y, start, x - start));
                } else {
                    x += 1;
                }
            }
        }
        out
    }

    /// An SVG drawing (one path), `size` user units wide, quiet zone
    /// included.
    pub fn svg(&self, size: u32) -> String {
        let side = self.width + 2 * QUIET_ZONE;
        let mut d = String::new();
        for (y, x, n) in self.runs() {
            d.push_str(&format!(
                "M{} {}h{n}v1h-{n}z",
                x + QUIET_ZONE,
                y + QUIET_ZONE
            ));
        }
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {side} {side}\" width=\"{size}\" height=\"{size}\" shape-rendering=\"crispEdges\"><rect width=\"{side}\" height=\"{side}\" fill=\"#fff\"/><path d=\"{d}\" fill=\"#000\"/></svg>"
        )
    }
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.finalize().to_be_bytes());
}
