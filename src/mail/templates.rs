//! Mail templates: a subject, a plain-text part and an HTML part, in
//! Vietnamese and English, inside one layout. Every value from outside is
//! escaped in HTML (a firm called `<script>` stays text) and stripped of line
//! breaks where it lands in a header.

use crate::Locale;
use serde::{Deserialize, Serialize};

/// What a mail says, with the data it needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "template", rename_all = "snake_case")]
pub enum Template {
    /// A link to choose a new password.
    PasswordReset { name: String, link: String },
    /// A link to confirm the address of a new account.
    VerifyEmail { name: String, link: String },
    /// An organiser invites a member of the door staff.
    StaffInvite {
        name: String,
        inviter: String,
        link: String,
    },
    /// The organisers approved a firm's profile.
    FirmApproved { firm: String, link: String },
    /// The organisers turned a firm's profile down.
    FirmRejected {
        firm: String,
        reason: String,
        link: String,
    },
    /// The organisers approved a change of an approved firm's identity
    /// (names, tax code, website, logo).
    FirmIdentityApproved { firm: String, link: String },
    /// The organisers turned such a change down; the approved identity stays.
    FirmIdentityRejected {
        firm: String,
        reason: String,
        link: String,
    },
    /// The organisers ask a firm to change its profile.
    FirmChangesRequested {
        firm: String,
        reason: String,
        link: String,
    },
    /// A firm's admin invites a colleague.
    FirmMemberInvite {
        name: String,
        firm: String,
        inviter: String,
        link: String,
    },
    /// Someone asks to join a firm (sent to its admins).
    FirmJoinRequest {
        firm: String,
        requester: String,
        link: String,
    },
    /// The firm answered a request to join.
    FirmJoinAnswered {
        firm: String,
        accepted: bool,
        link: String,
    },
    /// A person's B2B agenda changed (the whole agenda attached as .ics).
    Agenda {
        name: String,
        fair: String,
        /// One line per meeting added or cancelled, in the reader's language.
        changes: Vec<String>,
        link: String,
    },
    /// A badge for a fair (the QR code inline, the A6 PDF attached).
    Badge {
        name: String,
        fair: String,
        /// The badge kind, in the recipient's language.
        kind: String,
        dates: String,
        link: String,
    },
    /// Something happened to a firm's booth.
    Booking {
        event: BookingEvent,
        firm: String,
        fair: String,
        booth: String,
        /// The total, formatted in the recipient's language.
        amount: String,
        invoice: String,
        /// The moment an offer runs out, formatted; or a reason.
        note: String,
        link: String,
    },
}

/// How a badge's mail says what it is for.
impl Template {
    fn badge_html(html: String) -> String {
        // The QR code, inline, before the footer row.
        let img = format!(
            "<p style=\"margin:8px 0 16px;text-align:center\"><img src=\"cid:{}\" width=\"220\" height=\"220\" alt=\"QR\" style=\"display:inline-block\"></p>",
            super::BADGE_QR_CID
        );
        match html.find("</td></tr><tr><td style=\"padding:16px 24px;border-top") {
            Some(at) => format!("{}{}{}", &html[..at], img, &html[at..]),
            None => html,
        }
    }
}

/// What happened to a booking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BookingEvent {
    Confirmed,
    Allocated,
    Paid,
    Moved,
    Cancelled,
    Released,
    Offered,
}

impl Template {
    /// The template's stable name (stored with each queued mail).
    pub fn name(&self) -> &'static str {
        match self {
            Template::PasswordReset { .. } => "password_reset",
            Template::VerifyEmail { .. } => "verify_email",
            Template::StaffInvite { .. } => "staff_invite",
            Template::FirmApproved { .. } => "firm_approved",
            Template::FirmRejected { .. } => "firm_rejected",
            Template::FirmChangesRequested { .. } => "firm_changes_requested",
            Template::FirmIdentityApproved { .. } => "firm_identity_approved",
            Template::FirmIdentityRejected { .. } => "firm_identity_rejected",
            Template::FirmMemberInvite { .. } => "firm_member_invite",
            Template::FirmJoinRequest { .. } => "firm_join_request",
            Template::FirmJoinAnswered { .. } => "firm_join_answered",
            Template::Booking { .. } => "booking",
            Template::Badge { .. } => "badge",
            Template::Agenda { .. } => "agenda",
        }
    }
}

/// A mail ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub use crate::text::html_escape as escape;

/// One line, fit for a header: control characters (CR, LF, ...) become spaces.
pub fn header_safe(s: &str) -> String {
    let cleaned: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}

struct Parts<'a> {
    subject: String,
    greeting: String,
    paragraphs: Vec<String>,
    button: Option<(&'a str, &'a str)>,
    after: Vec<String>,
}

fn layout(locale: Locale, p: Parts<'_>) -> Rendered {
    let footer = match locale {
        Locale::Vi => {
            "Thư này được gửi tự động từ Fairlink, nền tảng hội chợ công nghiệp hỗ trợ. Vui lòng không trả lời thư này."
        }
        Locale::En => {
            "This message was sent automatically by Fairlink, the supporting-industry fair platform. Please do not reply."
        }
    };
    let mut text = format!("{}\n\n", p.greeting);
    for para in &p.paragraphs {
        text.push_str(para);
        text.push_str("\n\n");
    }
    if let Some((label, link)) = p.button {
        text.push_str(&format!("{label}: {link}\n\n"));
    }
    for para in &p.after {
        text.push_str(para);
        text.push_str("\n\n");
    }
    text.push_str("-- \n");
    text.push_str(footer);
    text.push('\n');

    let mut body = format!("<p style=\"margin:0 0 16px\">{}</p>", escape(&p.greeting));
    for para in &p.paragraphs {
        body.push_str(&format!(
            "<p style=\"margin:0 0 16px\">{}</p>",
            escape(para)
        ));
    }
    if let Some((label, link)) = p.button {
        body.push_str(&format!(
            "<p style=\"margin:24px 0\"><a href=\"{href}\" style=\"background:#0b5d5b;color:#ffffff;\
             padding:12px 20px;border-radius:6px;text-decoration:none;font-weight:600;display:inline-block\">{label}</a></p>\
             <p style=\"margin:0 0 16px;font-size:13px;color:#4b585c\">{href}</p>",
            href = escape(link),
            label = escape(label)
        ));
    }
    for para in &p.after {
        body.push_str(&format!(
            "<p style=\"margin:0 0 16px\">{}</p>",
            escape(para)
        ));
    }
    let html = format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title></head>\
         <body style=\"margin:0;padding:0;background:#f6f7f5;font-family:Arial,Helvetica,sans-serif;color:#1c2426\">\
         <table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\"><tr><td align=\"center\" style=\"padding:24px 12px\">\
         <table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" style=\"max-width:560px;background:#ffffff;border:1px solid #d5dcdb;border-radius:8px\">\
         <tr><td style=\"padding:20px 24px;border-bottom:1px solid #d5dcdb;font-weight:700;font-size:18px;color:#0b5d5b\">Fairlink</td></tr>\
         <tr><td style=\"padding:24px;font-size:15px;line-height:1.55\">{body}</td></tr>\
         <tr><td style=\"padding:16px 24px;border-top:1px solid #d5dcdb;font-size:12px;color:#4b585c\">{footer}</td></tr>\
         </table></td></tr></table></body></html>",
        lang = locale.as_str(),
        title = escape(&p.subject),
    );
    Rendered {
        subject: header_safe(&p.subject),
        text,
        html,
    }
}

pub fn render(template: &Template, locale: Locale) -> Rendered {
    match (template, locale) {
        (Template::Agenda { name, fair, changes, link }, Locale::Vi) => layout(locale, Parts {
            subject: format!("Lịch gặp B2B của bạn đã thay đổi — {}", header_safe(fair)),
            greeting: format!("Xin chào {},", header_safe(name)),
            paragraphs: std::iter::once(format!("Lịch gặp B2B của bạn tại {} có thay đổi:", header_safe(fair)))
                .chain(changes.iter().cloned())
                .collect(),
            button: Some(("Xem lịch gặp", link)),
            after: vec!["Tệp lịch (.ics) đính kèm chứa toàn bộ lịch gặp của bạn; mở nó để cập nhật lịch.".into()],
        }),
        (Template::Agenda { name, fair, changes, link }, Locale::En) => layout(locale, Parts {
            subject: format!("Your B2B agenda changed — {}", header_safe(fair)),
            greeting: format!("Hello {},", header_safe(name)),
            paragraphs: std::iter::once(format!("Your B2B agenda at {} changed:", header_safe(fair)))
                .chain(changes.iter().cloned())
                .collect(),
            button: Some(("Open my agenda", link)),
            after: vec!["The calendar file (.ics) attached holds your whole agenda; open it to update your calendar.".into()],
        }),
        (Template::Badge { name, fair, kind, dates, link }, Locale::Vi) => {
            let r = layout(locale, Parts {
                subject: format!("Thẻ ra vào {}", header_safe(fair)),
                greeting: format!("Xin chào {},", header_safe(name)),
                paragraphs: vec![
                    format!("Đây là thẻ {} của bạn cho {} ({}).", header_safe(kind), header_safe(fair), header_safe(dates)),
                    "Hãy đưa mã QR dưới đây (trên điện thoại hoặc bản in khổ A6 đính kèm) tại cổng vào. Mã chỉ dành cho bạn: đừng chia sẻ.".into(),
                ],
                button: Some(("Xem thẻ của tôi", link)),
                after: vec![],
            });
            Rendered { html: Template::badge_html(r.html), ..r }
        }
        (Template::Badge { name, fair, kind, dates, link }, Locale::En) => {
            let r = layout(locale, Parts {
                subject: format!("Your badge for {}", header_safe(fair)),
                greeting: format!("Hello {},", header_safe(name)),
                paragraphs: vec![
                    format!("Here is your {} badge for {} ({}).", header_safe(kind), header_safe(fair), header_safe(dates)),
                    "Show the QR code below (on your phone, or the A6 print attached) at the entrance. It is yours alone: do not share it.".into(),
                ],
                button: Some(("See my badge", link)),
                after: vec![],
            });
            Rendered { html: Template::badge_html(r.html), ..r }
        }
        (Template::PasswordReset { name, link }, Locale::Vi) => layout(
            locale,
            Parts {
                subject: "Đặt lại mật khẩu Fairlink".into(),
                greeting: format!("Xin chào {},", header_safe(name)),
                paragraphs: vec!["Chúng tôi nhận được yêu cầu đặt lại mật khẩu cho tài khoản Fairlink của bạn. Đường dẫn dưới đây chỉ dùng được một lần và hết hạn sau 1 giờ.".into()],
                button: Some(("Đặt mật khẩu mới", link)),
                after: vec!["Nếu bạn không yêu cầu, hãy bỏ qua thư này: mật khẩu của bạn không thay đổi.".into()],
            },
        ),
        (Template::PasswordReset { name, link }, Locale::En) => layout(
            locale,
            Parts {
                subject: "Reset your Fairlink password".into(),
                greeting: format!("Hello {},", header_safe(name)),
                paragraphs: vec!["We received a request to reset the password of your Fairlink account. The link below works once and expires in 1 hour.".into()],
                button: Some(("Choose a new password", link)),
                after: vec!["If you did not ask for this, ignore this message: your password stays as it is.".into()],
            },
        ),
        (Template::VerifyEmail { name, link }, Locale::Vi) => layout(
            locale,
            Parts {
                subject: "Xác nhận địa chỉ email của bạn".into(),
                greeting: format!("Xin chào {},", header_safe(name)),
                paragraphs: vec!["Cảm ơn bạn đã đăng ký Fairlink. Hãy xác nhận địa chỉ email này để nhận thông báo về hội chợ, lịch gặp gỡ và thẻ ra vào.".into()],
                button: Some(("Xác nhận email", link)),
                after: vec!["Đường dẫn có hiệu lực trong 7 ngày.".into()],
            },
        ),
        (Template::VerifyEmail { name, link }, Locale::En) => layout(
            locale,
            Parts {
                subject: "Confirm your email address".into(),
                greeting: format!("Hello {},", header_safe(name)),
                paragraphs: vec!["Thank you for joining Fairlink. Please confirm this address to receive news of the fair, your meeting schedule and your badge.".into()],
                button: Some(("Confirm email", link)),
                after: vec!["The link is valid for 7 days.".into()],
            },
        ),
        (Template::StaffInvite { name, inviter, link }, Locale::Vi) => layout(
            locale,
            Parts {
                subject: "Lời mời tham gia đội soát vé hội chợ".into(),
                greeting: format!("Xin chào {},", header_safe(name)),
                paragraphs: vec![format!(
                    "{} mời bạn tham gia đội soát vé của hội chợ trên Fairlink. Hãy đặt mật khẩu để kích hoạt tài khoản.",
                    header_safe(inviter)
                )],
                button: Some(("Kích hoạt tài khoản", link)),
                after: vec!["Lời mời có hiệu lực trong 7 ngày.".into()],
            },
        ),
        (Template::StaffInvite { name, inviter, link }, Locale::En) => layout(
            locale,
            Parts {
                subject: "Join the door staff of the fair".into(),
                greeting: format!("Hello {},", header_safe(name)),
                paragraphs: vec![format!(
                    "{} invites you to join the door staff of the fair on Fairlink. Set a password to activate your account.",
                    header_safe(inviter)
                )],
                button: Some(("Activate account", link)),
                after: vec!["The invitation is valid for 7 days.".into()],
            },
        ),
        (Template::FirmApproved { firm, link }, Locale::Vi) => layout(locale, Parts {
            subject: format!("Hồ sơ {} đã được duyệt", header_safe(firm)),
            greeting: "Xin chào,".into(),
            paragraphs: vec![format!("Ban tổ chức đã duyệt hồ sơ của {}. Doanh nghiệp đã xuất hiện trong danh mục đơn vị trưng bày và có thể đăng ký gian hàng.", header_safe(firm))],
            button: Some(("Xem hồ sơ", link)),
            after: vec![],
        }),
        (Template::FirmApproved { firm, link }, Locale::En) => layout(locale, Parts {
            subject: format!("{} is approved", header_safe(firm)),
            greeting: "Hello,".into(),
            paragraphs: vec![format!("The organisers approved the profile of {}. The firm now appears in the exhibitor catalogue and may book a booth.", header_safe(firm))],
            button: Some(("See the profile", link)),
            after: vec![],
        }),
        (Template::FirmRejected { firm, reason, link }, Locale::Vi) => layout(locale, Parts {
            subject: format!("Hồ sơ {} chưa được chấp nhận", header_safe(firm)),
            greeting: "Xin chào,".into(),
            paragraphs: vec![format!("Ban tổ chức chưa thể chấp nhận hồ sơ của {}. Lý do:", header_safe(firm)), reason.clone()],
            button: Some(("Mở hồ sơ", link)),
            after: vec!["Bạn có thể chỉnh sửa và gửi lại hồ sơ.".into()],
        }),
        (Template::FirmRejected { firm, reason, link }, Locale::En) => layout(locale, Parts {
            subject: format!("{} was not accepted", header_safe(firm)),
            greeting: "Hello,".into(),
            paragraphs: vec![format!("The organisers could not accept the profile of {}. The reason:", header_safe(firm)), reason.clone()],
            button: Some(("Open the profile", link)),
            after: vec!["You may edit the profile and submit it again.".into()],
        }),
        (Template::FirmIdentityApproved { firm, link }, Locale::Vi) => layout(locale, Parts {
            subject: format!("Thay đổi thông tin của {} đã được duyệt", header_safe(firm)),
            greeting: "Xin chào,".into(),
            paragraphs: vec![format!("Ban tổ chức đã duyệt thay đổi tên, mã số thuế, website hoặc logo của {}. Thông tin mới đã hiển thị trong danh bạ doanh nghiệp.", header_safe(firm))],
            button: Some(("Xem trang doanh nghiệp", link)),
            after: vec![],
        }),
        (Template::FirmIdentityApproved { firm, link }, Locale::En) => layout(locale, Parts {
            subject: format!("The change to {} was approved", header_safe(firm)),
            greeting: "Hello,".into(),
            paragraphs: vec![format!("The organisers approved the change to the names, tax code, website or logo of {}. The catalogue shows it now.", header_safe(firm))],
            button: Some(("Open the firm's page", link)),
            after: vec![],
        }),
        (Template::FirmIdentityRejected { firm, reason, link }, Locale::Vi) => layout(locale, Parts {
            subject: format!("Thay đổi thông tin của {} chưa được chấp nhận", header_safe(firm)),
            greeting: "Xin chào,".into(),
            paragraphs: vec![format!("Ban tổ chức chưa chấp nhận thay đổi tên, mã số thuế, website hoặc logo của {}; thông tin đã duyệt trước đó vẫn được giữ nguyên. Lý do:", header_safe(firm)), reason.clone()],
            button: Some(("Mở hồ sơ", link)),
            after: vec![],
        }),
        (Template::FirmIdentityRejected { firm, reason, link }, Locale::En) => layout(locale, Parts {
            subject: format!("The change to {} was not accepted", header_safe(firm)),
            greeting: "Hello,".into(),
            paragraphs: vec![format!("The organisers did not accept the change to the names, tax code, website or logo of {}; the approved details stay as they were. The reason:", header_safe(firm)), reason.clone()],
            button: Some(("Open the profile", link)),
            after: vec![],
        }),
        (Template::FirmChangesRequested { firm, reason, link }, Locale::Vi) => layout(locale, Parts {
            subject: format!("Cần bổ sung hồ sơ {}", header_safe(firm)),
            greeting: "Xin chào,".into(),
            paragraphs: vec![format!("Ban tổ chức đề nghị {} bổ sung hồ sơ:", header_safe(firm)), reason.clone()],
            button: Some(("Bổ sung hồ sơ", link)),
            after: vec![],
        }),
        (Template::FirmChangesRequested { firm, reason, link }, Locale::En) => layout(locale, Parts {
            subject: format!("Changes needed for {}", header_safe(firm)),
            greeting: "Hello,".into(),
            paragraphs: vec![format!("The organisers ask {} to change its profile:", header_safe(firm)), reason.clone()],
            button: Some(("Edit the profile", link)),
            after: vec![],
        }),
        (Template::FirmMemberInvite { name, firm, inviter, link }, Locale::Vi) => layout(locale, Parts {
            subject: format!("Lời mời tham gia {} trên Fairlink", header_safe(firm)),
            greeting: format!("Xin chào {},", header_safe(name)),
            paragraphs: vec![format!("{} mời bạn cùng quản lý hồ sơ của {} trên Fairlink.", header_safe(inviter), header_safe(firm))],
            button: Some(("Nhận lời mời", link)),
            after: vec!["Lời mời có hiệu lực trong 7 ngày.".into()],
        }),
        (Template::FirmMemberInvite { name, firm, inviter, link }, Locale::En) => layout(locale, Parts {
            subject: format!("Join {} on Fairlink", header_safe(firm)),
            greeting: format!("Hello {},", header_safe(name)),
            paragraphs: vec![format!("{} invites you to manage the profile of {} on Fairlink together.", header_safe(inviter), header_safe(firm))],
            button: Some(("Accept the invitation", link)),
            after: vec!["The invitation is valid for 7 days.".into()],
        }),
        (Template::FirmJoinRequest { firm, requester, link }, Locale::Vi) => layout(locale, Parts {
            subject: format!("Yêu cầu tham gia {}", header_safe(firm)),
            greeting: "Xin chào,".into(),
            paragraphs: vec![format!("{} muốn tham gia quản lý hồ sơ của {}. Bạn có thể chấp nhận hoặc từ chối trên trang doanh nghiệp.", header_safe(requester), header_safe(firm))],
            button: Some(("Xem yêu cầu", link)),
            after: vec![],
        }),
        (Template::FirmJoinRequest { firm, requester, link }, Locale::En) => layout(locale, Parts {
            subject: format!("Request to join {}", header_safe(firm)),
            greeting: "Hello,".into(),
            paragraphs: vec![format!("{} asks to help manage the profile of {}. Accept or decline on your firm's page.", header_safe(requester), header_safe(firm))],
            button: Some(("See the request", link)),
            after: vec![],
        }),
        (Template::FirmJoinAnswered { firm, accepted, link }, Locale::Vi) => layout(locale, Parts {
            subject: format!("Trả lời yêu cầu tham gia {}", header_safe(firm)),
            greeting: "Xin chào,".into(),
            paragraphs: vec![if *accepted {
                format!("{} đã chấp nhận bạn làm thành viên.", header_safe(firm))
            } else {
                format!("{} đã từ chối yêu cầu tham gia của bạn.", header_safe(firm))
            }],
            button: Some(("Mở Fairlink", link)),
            after: vec![],
        }),
        (Template::FirmJoinAnswered { firm, accepted, link }, Locale::En) => layout(locale, Parts {
            subject: format!("Your request to join {}", header_safe(firm)),
            greeting: "Hello,".into(),
            paragraphs: vec![if *accepted {
                format!("{} accepted you as a member.", header_safe(firm))
            } else {
                format!("{} declined your request to join.", header_safe(firm))
            }],
            button: Some(("Open Fairlink", link)),
            after: vec![],
        }),
        (Template::Booking { event, firm, fair, booth, amount, invoice, note, link }, _) => booking(locale, *event, firm, fair, booth, amount, invoice, note, link),
    }
}

#[allow(clippy::too_many_arguments)]
fn booking(
    locale: Locale,
    event: BookingEvent,
    firm: &str,
    fair: &str,
    booth: &str,
    amount: &str,
    invoice: &str,
    note: &str,
    link: &str,
) -> Rendered {
    let (firm, fair, booth) = (header_safe(firm), header_safe(fair), header_safe(booth));
    let vi = locale == Locale::Vi;
    let (subject, main) = match (event, vi) {
        (BookingEvent::Confirmed, true) => (
            format!("Xác nhận đặt gian hàng {booth}"),
            format!(
                "{firm} đã đặt gian hàng {booth} tại {fair}. Hóa đơn tạm tính số {invoice} (tổng {amount}) được gửi kèm thư này."
            ),
        ),
        (BookingEvent::Confirmed, false) => (
            format!("Booth {booth} is booked"),
            format!(
                "{firm} booked booth {booth} at {fair}. The pro-forma invoice {invoice} (total {amount}) is attached."
            ),
        ),
        (BookingEvent::Allocated, true) => (
            format!("Ban tổ chức đã xếp gian hàng {booth}"),
            format!(
                "Theo đơn đăng ký, ban tổ chức đã xếp cho {firm} gian hàng {booth} tại {fair}. Hóa đơn tạm tính số {invoice} (tổng {amount}) được gửi kèm thư này."
            ),
        ),
        (BookingEvent::Allocated, false) => (
            format!("You were given booth {booth}"),
            format!(
                "Following your application, the organisers gave {firm} booth {booth} at {fair}. The pro-forma invoice {invoice} (total {amount}) is attached."
            ),
        ),
        (BookingEvent::Paid, true) => (
            format!("Đã nhận thanh toán gian hàng {booth}"),
            format!(
                "Ban tổ chức đã nhận đủ {amount} cho hóa đơn {invoice} (gian hàng {booth}, {fair}). Cảm ơn quý doanh nghiệp."
            ),
        ),
        (BookingEvent::Paid, false) => (
            format!("Payment received for booth {booth}"),
            format!(
                "The organisers received {amount} for invoice {invoice} (booth {booth}, {fair}). Thank you."
            ),
        ),
        (BookingEvent::Moved, true) => (
            format!("Gian hàng của {firm} đã đổi sang {booth}"),
            format!(
                "Ban tổ chức đã chuyển gian hàng của {firm} tại {fair} sang {booth}. Hóa đơn tạm tính {invoice} được cập nhật (tổng {amount}) và gửi kèm."
            ),
        ),
        (BookingEvent::Moved, false) => (
            format!("{firm} moved to booth {booth}"),
            format!(
                "The organisers moved the booth of {firm} at {fair} to {booth}. The pro-forma invoice {invoice} is updated (total {amount}) and attached."
            ),
        ),
        (BookingEvent::Cancelled, true) => (
            format!("Hủy đặt gian hàng {booth}"),
            format!("Ban tổ chức đã hủy đặt gian hàng {booth} của {firm} tại {fair}."),
        ),
        (BookingEvent::Cancelled, false) => (
            format!("Booking of booth {booth} cancelled"),
            format!("The organisers cancelled the booking of booth {booth} by {firm} at {fair}."),
        ),
        (BookingEvent::Released, true) => (
            format!("Gian hàng {booth} đã được trả lại"),
            format!("Ban tổ chức đã trả lại gian hàng {booth} mà {firm} đang giữ tại {fair}."),
        ),
        (BookingEvent::Released, false) => (
            format!("Booth {booth} released"),
            format!("The organisers released booth {booth}, which {firm} held at {fair}."),
        ),
        (BookingEvent::Offered, true) => (
            format!("Có gian hàng trống cho {firm}: {booth}"),
            format!(
                "Một gian hàng phù hợp với đơn chờ của {firm} tại {fair} vừa trống: {booth} (tổng {amount}). Gian hàng được giữ cho quý doanh nghiệp đến {note}."
            ),
        ),
        (BookingEvent::Offered, false) => (
            format!("A booth for {firm}: {booth}"),
            format!(
                "A booth matching the waiting-list place of {firm} at {fair} came free: {booth} (total {amount}). It is held for you until {note}."
            ),
        ),
    };
    let mut paragraphs = vec![main];
    if matches!(event, BookingEvent::Cancelled | BookingEvent::Released) && !note.trim().is_empty()
    {
        paragraphs.push(format!(
            "{}: {}",
            if vi { "Lý do" } else { "Reason" },
            note.trim()
        ));
    }
    layout(
        locale,
        Parts {
            subject,
            greeting: if vi {
                "Xin chào,".into()
            } else {
                "Hello,".into()
            },
            paragraphs,
            button: Some((
                match (event, vi) {
                    (BookingEvent::Offered, true) => "Xác nhận gian hàng",
                    (BookingEvent::Offered, false) => "Confirm the booth",
                    (_, true) => "Xem gian hàng của bạn",
                    (_, false) => "See your booths",
                },
                link,
            )),
            after: vec![],
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_is_escaped_in_html_and_kept_in_text() {
        let t = Template::StaffInvite {
            name: "<script>alert(1)</script>".into(),
            inviter: "Công ty \"A&B\"".into(),
            link: "https://fair.example/invite/abc?x=1&y=2".into(),
        };
        let r = render(&t, Locale::En);
        assert!(!r.html.contains("<script>"));
        assert!(r.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(r.html.contains("Công ty &quot;A&amp;B&quot;"));
        assert!(
            r.html
                .contains("href=\"https://fair.example/invite/abc?x=1&amp;y=2\"")
        );
        assert!(r.text.contains("Hello <script>alert(1)</script>,"));
        assert!(r.text.contains("https://fair.example/invite/abc?x=1&y=2"));
    }

    #[test]
    fn both_languages_for_every_template() {
        let templates = [
            Template::PasswordReset {
                name: "Lan".into(),
                link: "https://f/r/1".into(),
            },
            Template::VerifyEmail {
                name: "Lan".into(),
                link: "https://f/v/1".into(),
            },
            Template::StaffInvite {
                name: "Lan".into(),
                inviter: "Ban tổ chức".into(),
                link: "https://f/i/1".into(),
            },
        ];
        for t in &templates {
            let vi = render(t, Locale::Vi);
            let en = render(t, Locale::En);
            assert_ne!(vi.subject, en.subject);
            assert!(vi.html.starts_with("<!DOCTYPE html><html lang=\"vi\""));
            assert!(en.html.starts_with("<!DOCTYPE html><html lang=\"en\""));
            assert!(vi.text.contains("https://f/"));
            assert!(en.text.contains("https://f/"));
        }
        assert_eq!(
            render(&templates[0], Locale::Vi).subject,
            "Đặt lại mật khẩu Fairlink"
        );
    }

    #[test]
    fn headers_never_carry_line_breaks() {
        assert_eq!(
            header_safe("Lan\r\nBcc: evil@x.example"),
            "Lan Bcc: evil@x.example"
        );
        let t = Template::PasswordReset {
            name: "Lan\r\nBcc: evil@x.example".into(),
            link: "l".into(),
        };
        let r = render(&t, Locale::Vi);
        assert!(!r.subject.contains('\n'));
        assert!(r.text.starts_with("Xin chào Lan Bcc: evil@x.example,"));
    }
}
