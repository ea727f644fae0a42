//! Floor plans as organisers import them (CSV or JSON) and as the plan
//! editor saves them (a `Plan` in JSON). A plan that imports passes the
//! editor's check and reads back unchanged from both export formats; any
//! plan that passes either check keeps the hall's rules, worked out here
//! again in 64-bit arithmetic. Lengths in metres read back from what they
//! are written as.

#![no_main]

use fairlink::booths::plan::{self, Context, Plan};
use libfuzzer_sys::fuzz_target;
use std::collections::HashSet;

/// A 60 m × 40 m hall with two zones and two booth types.
fn hall() -> Context {
    Context {
        hall_w: 600,
        hall_d: 400,
        zones: vec!["COMP".into(), "TECH".into()],
        types: vec!["inline".into(), "corner".into()],
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let ctx = hall();
    if let Ok(p) = plan::read(&text, &ctx) {
        assert_eq!(
            plan::validate(&p, &ctx),
            Ok(()),
            "an imported plan fails the editor's check"
        );
        keeps_the_rules(&p, &ctx);
        imported_shape(&p, &ctx);
        assert_eq!(
            plan::read(&plan::to_csv(&p), &ctx),
            Ok(p.clone()),
            "CSV export"
        );
        assert_eq!(
            plan::read(&plan::to_json(&p), &ctx),
            Ok(p.clone()),
            "JSON export"
        );
        let saved = serde_json::to_string(&p).expect("a plan writes as JSON");
        assert_eq!(serde_json::from_str::<Plan>(&saved).ok(), Some(p));
    }
    if let Some(x) = plan::parse_metres(&text) {
        assert_eq!(plan::parse_metres(&plan::metres(x)), Some(x), "{text:?}");
    }
    // Any decimetre count but the one with no positive twin writes and reads back.
    if let Some(bytes) = data.get(..4) {
        let dm = i32::from_le_bytes(bytes.try_into().unwrap());
        if dm != i32::MIN {
            assert_eq!(plan::parse_metres(&plan::metres(dm)), Some(dm));
        }
    }
    // The editor's path: a `Plan` in JSON, then the check.
    if let Ok(p) = serde_json::from_str::<Plan>(&text)
        && plan::validate(&p, &ctx).is_ok()
    {
        keeps_the_rules(&p, &ctx);
    }
});

/// A rectangle that cannot overflow.
#[derive(Clone, Copy, Debug)]
struct Wide {
    x: i64,
    y: i64,
    w: i64,
    d: i64,
}

impl Wide {
    fn new(x: i32, y: i32, w: i32, d: i32) -> Wide {
        Wide {
            x: x.into(),
            y: y.into(),
            w: w.into(),
            d: d.into(),
        }
    }

    fn overlaps(&self, o: &Wide) -> bool {
        self.x < o.x + o.w && o.x < self.x + self.w && self.y < o.y + o.d && o.y < self.y + self.d
    }

    fn inside(&self, ctx: &Context) -> bool {
        self.x >= 0
            && self.y >= 0
            && self.x + self.w <= i64::from(ctx.hall_w)
            && self.y + self.d <= i64::from(ctx.hall_d)
    }
}

fn valid_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 12
        && !code.starts_with('-')
        && code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
}

/// What every stored plan must be: booths with good codes, inside the hall,
/// of the fair's zones and types, overlapping no other booth and no aisle,
/// entrance or pillar.
fn keeps_the_rules(p: &Plan, ctx: &Context) {
    assert!(p.booths.len() + p.features.len() <= plan::MAX_ROWS);
    let mut codes = HashSet::new();
    let mut boxes = Vec::new();
    for b in &p.booths {
        assert!(valid_code(&b.code), "booth code {:?}", b.code);
        assert!(codes.insert(b.code.as_str()), "booth {} twice", b.code);
        let r = Wide::new(b.x, b.y, b.w, b.d);
        assert!(r.w > 0 && r.d > 0, "booth {} has no size", b.code);
        assert!(r.inside(ctx), "booth {} {r:?} is outside the hall", b.code);
        assert!(ctx.types.contains(&b.type_code) && ctx.zones.contains(&b.zone));
        assert!(b.price.is_none_or(|v| (0..=100_000_000_000).contains(&v)));
        if let Some(points) = &b.polygon {
            assert!((3..=64).contains(&points.len()));
            assert_ne!(plan::polygon_area_dm2(points), 0);
        }
        boxes.push((r, b.code.clone()));
    }
    for f in &p.features {
        assert!(f.w > 0 && f.d > 0, "{:?} has no size", f.kind);
        if f.kind.solid() {
            boxes.push((Wide::new(f.x, f.y, f.w, f.d), f.kind.as_str().to_string()));
        }
    }
    for (i, (a, name)) in boxes.iter().enumerate().take(p.booths.len()) {
        for (j, (o, other)) in boxes.iter().enumerate() {
            assert!(
                i == j || !a.overlaps(o),
                "{name} {a:?} overlaps {other} {o:?}"
            );
        }
    }
}

/// What only the import guarantees: features inside the hall, a polygon's
/// box is the booth's box, labels not empty and at most 120 characters.
fn imported_shape(p: &Plan, ctx: &Context) {
    let label_ok = |l: &Option<String>| {
        l.as_ref()
            .is_none_or(|l| !l.is_empty() && l.chars().count() <= 120)
    };
    for b in &p.booths {
        assert!(label_ok(&b.label), "{:?}", b.label);
        if let Some(points) = &b.polygon {
            let xs = points.iter().map(|q| i64::from(q[0]));
            let ys = points.iter().map(|q| i64::from(q[1]));
            let (min_x, max_x) = (xs.clone().min().unwrap(), xs.max().unwrap());
            let (min_y, max_y) = (ys.clone().min().unwrap(), ys.max().unwrap());
            let r = Wide::new(b.x, b.y, b.w, b.d);
            assert_eq!(
                (r.x, r.y, r.w, r.d),
                (min_x, min_y, max_x - min_x, max_y - min_y)
            );
        }
    }
    for f in &p.features {
        assert!(label_ok(&f.label), "{:?}", f.label);
        assert!(
            Wide::new(f.x, f.y, f.w, f.d).inside(ctx),
            "{f:?} is outside the hall"
        );
    }
}
