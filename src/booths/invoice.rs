//! Pro-forma invoices as PDF: one A4 page, bilingual (Vietnamese and
//! English), Vietnamese text intact (see [`crate::pdf`]).

use crate::pdf::{A4, Document};

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

/// Writes the invoice as a PDF document.
pub fn render(data: &InvoiceData) -> Vec<u8> {
    let mut p = Document::new();
    p.page(A4);
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
