pub mod firm_view;
pub mod forms;
pub mod guard;
pub mod layout;
pub mod pager;

/// The document title for a page's title text: "… · Fairlink".
///
/// leptos_meta writes the title into the page's head as it is, unescaped,
/// so on the server the text is escaped here (a firm named
/// `</title><meta http-equiv="refresh" …>` must stay a name). In the
/// browser the same text goes to `document.title`, which takes it as text.
pub fn page_title(title: String) -> String {
    let full = if title.is_empty() {
        "Fairlink".to_string()
    } else {
        format!("{title} · Fairlink")
    };
    server_text(&full)
}

/// Text that the server writes into markup unescaped (a `<title>`, the
/// contents of a `<textarea>`, which the renderer leaves as they are),
/// escaped on the server and left alone in the browser, where it is
/// assigned as text.
pub fn server_text(text: &str) -> String {
    #[cfg(feature = "ssr")]
    {
        fairlink::text::html_escape(text)
    }
    #[cfg(not(feature = "ssr"))]
    {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    #[cfg(feature = "ssr")]
    #[test]
    fn titles_and_textareas_are_escaped_on_the_server() {
        let evil = "Zz</title><meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">";
        let title = super::page_title(evil.to_string());
        assert!(!title.contains('<') && !title.contains('>'), "{title}");
        assert!(title.starts_with("Zz&lt;/title&gt;&lt;meta"), "{title}");
        assert_eq!(super::page_title(String::new()), "Fairlink");
        assert_eq!(
            super::server_text("</textarea><b>x</b>"),
            "&lt;/textarea&gt;&lt;b&gt;x&lt;/b&gt;"
        );
    }
}
