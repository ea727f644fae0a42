//! Translations. The strings live in `vi.json` and `en.json` beside this
//! file; `build.rs` turns them into [`Key`] and two tables, refusing to build
//! when the languages disagree.

use fairlink::{ErrorCode, Locale};
use leptos::prelude::*;

include!(concat!(env!("OUT_DIR"), "/i18n_keys.rs"));

/// The string for `key` in `locale`.
pub fn tr(locale: Locale, key: Key) -> &'static str {
    let index = key as usize;
    match locale {
        Locale::Vi => VI[index],
        Locale::En => EN[index],
    }
}

/// The string for `key` with `{name}` placeholders filled in.
pub fn tr_args(locale: Locale, key: Key, args: &[(&str, &str)]) -> String {
    let mut s = tr(locale, key).to_string();
    for (name, value) in args {
        s = s.replace(&format!("{{{name}}}"), value);
    }
    s
}

impl Key {
    /// The key's name in the translation files ("nav.home").
    pub fn name(self) -> &'static str {
        KEY_NAMES[self as usize]
    }

    pub fn from_name(name: &str) -> Option<Key> {
        KEY_NAMES
            .iter()
            .position(|k| *k == name)
            .map(|i| ALL_KEYS[i])
    }

    /// The message for a core error code (`error.<code>`).
    pub fn for_error(code: ErrorCode) -> Key {
        Key::from_name(&format!("error.{}", code.as_str())).unwrap_or(Key::ErrorInternal)
    }
}

/// The page's language, shared by every component.
pub fn use_locale() -> RwSignal<Locale> {
    use_context::<RwSignal<Locale>>().unwrap_or_else(|| RwSignal::new(Locale::default()))
}

/// A reactive translation: re-renders when the language changes (in the
/// browser). On the server a page is rendered once, in its request's
/// language: the text is fixed when the component is made, while the
/// page's reactive owner is alive (the response may be streamed after it
/// is gone, and a signal read then would panic).
pub fn t(key: Key) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let locale = use_locale();
    #[cfg(feature = "ssr")]
    {
        let text = tr(locale.get_untracked(), key);
        move || text
    }
    #[cfg(not(feature = "ssr"))]
    {
        move || tr(locale.get(), key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_code_has_a_message_in_both_languages() {
        for code in ErrorCode::ALL {
            let name = format!("error.{}", code.as_str());
            let key = Key::from_name(&name).unwrap_or_else(|| panic!("missing {name}"));
            for locale in Locale::ALL {
                assert!(!tr(locale, key).is_empty());
            }
        }
    }

    #[test]
    fn languages_really_differ() {
        // A guard against copying one file over the other.
        let same = ALL_KEYS
            .iter()
            .filter(|k| tr(Locale::Vi, **k) == tr(Locale::En, **k))
            .count();
        assert!(
            same * 5 < KEY_COUNT,
            "{same} of {KEY_COUNT} strings are identical"
        );
    }

    #[test]
    fn placeholders_are_filled() {
        let s = tr_args(Locale::En, Key::HomeWelcome, &[("name", "Lan")]);
        assert_eq!(s, "Welcome, Lan");
        let s = tr_args(Locale::Vi, Key::HomeWelcome, &[("name", "Lan")]);
        assert_eq!(s, "Xin chào, Lan");
    }
}
