//! Rectangles in displayed-image pixels and their maths: one [`Rect`] for every stage
//! that outlines something (text lines, regions, codes, faces, findings, redaction
//! boxes). Depends on nothing of ours.

use serde::Serialize;

/// A rectangle in displayed-image pixels (orientation applied).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rect {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

impl Rect {
    /// The smallest rectangle holding both.
    pub fn union(self, other: Rect) -> Rect {
        let (x0, y0) = (self.x.min(other.x), self.y.min(other.y));
        let (x1, y1) = (
            (self.x + self.width).max(other.x + other.width),
            (self.y + self.height).max(other.y + other.height),
        );
        Rect { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }
    }

    /// Its area in pixels.
    pub fn area(&self) -> u64 {
        u64::from(self.width) * u64::from(self.height)
    }

    /// The area it shares with `other`, in pixels.
    pub fn shared_area(&self, other: &Rect) -> u64 {
        let w = (self.x + self.width).min(other.x + other.width).saturating_sub(self.x.max(other.x));
        let h = (self.y + self.height).min(other.y + other.height).saturating_sub(self.y.max(other.y));
        u64::from(w) * u64::from(h)
    }

    /// Whether the two share any pixel.
    pub fn overlaps(&self, other: &Rect) -> bool {
        self.x < other.x + other.width
            && other.x < self.x + self.width
            && self.y < other.y + other.height
            && other.y < self.y + self.height
    }

    /// Whether the two share at least a third of the smaller one's area.
    pub fn shares_a_third(&self, other: &Rect) -> bool {
        let smaller = self.area().min(other.area()).max(1);
        self.shared_area(other) * 3 >= smaller
    }

    /// Whether most (three quarters) of it lies in `other`.
    pub fn mostly_inside(&self, other: &Rect) -> bool {
        self.shared_area(other) * 4 >= self.area() * 3
    }

    /// Grown by a quarter of its height (at least 4 px) on every side, clipped to a
    /// `width` × `height` picture: a redaction box that leaves no slivers of ascenders,
    /// descenders or OCR's tight boxes.
    pub fn padded(self, width: u32, height: u32) -> Rect {
        let pad = (self.height / 4).max(4);
        let x0 = self.x.saturating_sub(pad);
        let y0 = self.y.saturating_sub(pad);
        let x1 = (self.x + self.width + pad).min(width);
        let y1 = (self.y + self.height + pad).min(height);
        Rect { x: x0, y: y0, width: x1.saturating_sub(x0), height: y1.saturating_sub(y0) }
    }

    /// Scaled by `factor`, offset by (`dx`, `dy`), and clamped to a `w` × `h` picture: a
    /// box found on a scaled crop, in the pixels of the picture it was cut from.
    pub fn scaled(self, factor: f32, dx: u32, dy: u32, w: u32, h: u32) -> Rect {
        let x = (dx + (self.x as f32 * factor) as u32).min(w.saturating_sub(1));
        let y = (dy + (self.y as f32 * factor) as u32).min(h.saturating_sub(1));
        let width = ((self.width as f32 * factor).ceil() as u32).clamp(1, w - x);
        let height = ((self.height as f32 * factor).ceil() as u32).clamp(1, h - y);
        Rect { x, y, width, height }
    }

    /// The axis-aligned box, in the unrotated `w` × `h` picture, of a box found in a copy
    /// rotated clockwise by `theta` about (`cx`, `cy`).
    pub fn unrotated(self, theta: f32, cx: f32, cy: f32, w: u32, h: u32) -> Rect {
        let (s, c) = (-theta).sin_cos();
        let corners = [
            (self.x as f32, self.y as f32),
            ((self.x + self.width) as f32, self.y as f32),
            (self.x as f32, (self.y + self.height) as f32),
            ((self.x + self.width) as f32, (self.y + self.height) as f32),
        ];
        let pts = corners.map(|(x, y)| {
            let (dx, dy) = (x - cx, y - cy);
            (cx + dx * c - dy * s, cy + dx * s + dy * c)
        });
        let x0 = pts.iter().map(|p| p.0).fold(f32::MAX, f32::min).max(0.0);
        let y0 = pts.iter().map(|p| p.1).fold(f32::MAX, f32::min).max(0.0);
        let x1 = pts.iter().map(|p| p.0).fold(f32::MIN, f32::max).min(w as f32);
        let y1 = pts.iter().map(|p| p.1).fold(f32::MIN, f32::max).min(h as f32);
        Rect {
            x: x0 as u32,
            y: y0 as u32,
            width: ((x1 - x0).ceil() as u32).max(1),
            height: ((y1 - y0).ceil() as u32).max(1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boxes_are_padded_and_clamped() {
        let r = Rect { x: 2, y: 10, width: 20, height: 8 }.padded(30, 100);
        assert_eq!(r, Rect { x: 0, y: 6, width: 26, height: 16 });
        let r = Rect { x: 10, y: 10, width: 40, height: 40 }.padded(45, 45);
        assert_eq!((r.x, r.width), (0, 45));
    }

    #[test]
    fn boxes_rotate_back() {
        // A box at the centre is unchanged in position by any rotation about the centre.
        let r = Rect { x: 90, y: 95, width: 20, height: 10 }.unrotated(0.3, 100.0, 100.0, 200, 200);
        assert!(r.x <= 90 && r.x + r.width >= 110 && r.y <= 95 && r.y + r.height >= 105, "{r:?}");
        let same = Rect { x: 10, y: 20, width: 30, height: 5 }.unrotated(0.0, 50.0, 50.0, 100, 100);
        assert_eq!(same, Rect { x: 10, y: 20, width: 30, height: 5 });
    }

    #[test]
    fn overlaps_and_shared_thirds() {
        let a = Rect { x: 0, y: 0, width: 100, height: 20 };
        let touching = Rect { x: 100, y: 0, width: 10, height: 20 };
        assert!(!a.overlaps(&touching), "sharing an edge is not overlapping");
        let b = Rect { x: 40, y: 0, width: 100, height: 20 };
        assert!(a.overlaps(&b) && a.shares_a_third(&b));
        let sliver = Rect { x: 95, y: 0, width: 100, height: 20 };
        assert!(a.overlaps(&sliver) && !a.shares_a_third(&sliver));
        assert!(Rect { x: 10, y: 0, width: 80, height: 20 }.mostly_inside(&a));
        assert_eq!(a.union(b), Rect { x: 0, y: 0, width: 140, height: 20 });
    }
}
