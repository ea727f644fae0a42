//! Turns the translation files (src/i18n/vi.json, src/i18n/en.json) into a
//! Rust enum of keys and two tables of strings. The build fails when a key is
//! missing from one language, when a key is malformed, or when the two
//! languages disagree on a string's {placeholders}. So every key used in code
//! exists in both languages, checked by the compiler.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

const LANGS: [&str; 2] = ["vi", "en"];

fn load(lang: &str) -> BTreeMap<String, String> {
    let path = format!("src/i18n/{lang}.json");
    println!("cargo:rerun-if-changed={path}");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let map: BTreeMap<String, String> =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    map
}

fn placeholders(s: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = s;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.insert(rest[start + 1..start + len].to_string());
        rest = &rest[start + len + 1..];
    }
    out
}

fn variant(key: &str) -> String {
    key.split(['.', '_'])
        .map(|part| {
            let mut c = part.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

fn main() {
    let tables: Vec<BTreeMap<String, String>> = LANGS.iter().map(|l| load(l)).collect();
    let keys: Vec<&String> = tables[0].keys().collect();
    let mut problems = Vec::new();
    for (lang, table) in LANGS.iter().zip(&tables) {
        for key in tables[0].keys().chain(tables[1].keys()) {
            if !table.contains_key(key) {
                problems.push(format!("{lang}.json lacks \"{key}\""));
            }
        }
    }
    let mut variants = BTreeSet::new();
    for key in &keys {
        if !key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '_')
        {
            problems.push(format!("malformed key \"{key}\""));
        }
        if !variants.insert(variant(key)) {
            problems.push(format!(
                "key \"{key}\" collides with another after conversion"
            ));
        }
        if let (Some(a), Some(b)) = (tables[0].get(*key), tables[1].get(*key))
            && placeholders(a) != placeholders(b)
        {
            problems.push(format!("\"{key}\": placeholders differ between vi and en"));
        }
    }
    if !problems.is_empty() {
        panic!("translation files disagree:\n  {}", problems.join("\n  "));
    }

    let mut code = String::new();
    code.push_str("/// Every user-visible string, by key. Generated from src/i18n/*.json.\n");
    code.push_str(
        "#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]\n#[allow(dead_code)]\npub enum Key {\n",
    );
    for key in &keys {
        writeln!(code, "    /// `{key}`\n    {},", variant(key)).unwrap();
    }
    code.push_str("}\n\n");
    writeln!(code, "pub const KEY_COUNT: usize = {};\n", keys.len()).unwrap();
    code.push_str("pub const KEY_NAMES: [&str; KEY_COUNT] = [\n");
    for key in &keys {
        writeln!(code, "    {key:?},").unwrap();
    }
    code.push_str("];\n\n");
    for (lang, table) in LANGS.iter().zip(&tables) {
        writeln!(
            code,
            "pub static {}: [&str; KEY_COUNT] = [",
            lang.to_uppercase()
        )
        .unwrap();
        for key in &keys {
            writeln!(code, "    {:?},", table[*key]).unwrap();
        }
        code.push_str("];\n\n");
    }
    code.push_str("pub const ALL_KEYS: [Key; KEY_COUNT] = [\n");
    for key in &keys {
        writeln!(code, "    Key::{},", variant(key)).unwrap();
    }
    code.push_str("];\n");

    let out = Path::new(&std::env::var("OUT_DIR").unwrap()).join("i18n_keys.rs");
    std::fs::write(out, code).unwrap();
}
