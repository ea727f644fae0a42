//! Rectangles on a floor plan, in decimetres.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Rect {
    pub x: i32,
    pub y: i32,
    pub w: i32,
    pub d: i32,
}

// Edges saturate instead of overflowing: coordinates come from imported
// plans and the editor, and a booth at 214,748,364.7 m must be refused as
// outside the hall, not wrap round to inside it (or panic).
impl Rect {
    pub fn right(&self) -> i32 {
        self.x.saturating_add(self.w)
    }

    pub fn bottom(&self) -> i32 {
        self.y.saturating_add(self.d)
    }

    /// Area in square decimetres.
    pub fn area_dm2(&self) -> i64 {
        i64::from(self.w) * i64::from(self.d)
    }

    /// Area in whole square metres (rounded).
    pub fn area_m2(&self) -> i64 {
        (self.area_dm2() + 50) / 100
    }

    /// The interiors intersect (touching edges do not count).
    pub fn overlaps(&self, o: &Rect) -> bool {
        self.x < o.right() && o.x < self.right() && self.y < o.bottom() && o.y < self.bottom()
    }

    /// Neighbours: sharing (part of) an edge or a corner, within `gap` dm;
    /// used to keep competitors apart.
    pub fn adjacent(&self, o: &Rect, gap: i32) -> bool {
        let grown = Rect {
            x: self.x.saturating_sub(gap),
            y: self.y.saturating_sub(gap),
            w: self.w.saturating_add(gap.saturating_mul(2)),
            d: self.d.saturating_add(gap.saturating_mul(2)),
        };
        !self.overlaps(o) && (grown.overlaps(o) || grown.touches(o))
    }

    fn touches(&self, o: &Rect) -> bool {
        self.x <= o.right() && o.x <= self.right() && self.y <= o.bottom() && o.y <= self.bottom()
    }

    /// Lies inside a hall of `width` × `depth`.
    pub fn inside(&self, width: i32, depth: i32) -> bool {
        self.x >= 0 && self.y >= 0 && self.right() <= width && self.bottom() <= depth
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(x: i32, y: i32, w: i32, d: i32) -> Rect {
        Rect { x, y, w, d }
    }

    #[test]
    fn overlap_and_adjacency() {
        let a = r(0, 0, 30, 30);
        assert!(a.overlaps(&r(29, 29, 10, 10)));
        assert!(
            !a.overlaps(&r(30, 0, 30, 30)),
            "sharing an edge is not overlapping"
        );
        assert!(a.adjacent(&r(30, 0, 30, 30), 0));
        assert!(a.adjacent(&r(30, 30, 30, 30), 0), "corners touch");
        assert!(!a.adjacent(&r(40, 0, 30, 30), 0));
        assert!(a.adjacent(&r(40, 0, 30, 30), 10));
        assert!(
            !a.adjacent(&r(0, 0, 30, 30), 5),
            "the same place is an overlap, not a neighbour"
        );
        assert_eq!(r(0, 0, 30, 30).area_m2(), 9);
        assert_eq!(r(0, 0, 25, 30).area_m2(), 8);
        assert!(a.inside(30, 30));
        assert!(!r(-1, 0, 3, 3).inside(100, 100));
    }
}
