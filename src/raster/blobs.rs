//! Connected blobs of a mask, as letters or dense cells form them.

/// One 8-connected blob of a mask: its bounds (inclusive) and how many pixels it has.
#[derive(Debug, Clone, Copy)]
pub struct Blob {
    pub x0: usize,
    pub y0: usize,
    pub x1: usize,
    pub y1: usize,
    pub pixels: usize,
}

impl Blob {
    /// A blob with no pixels yet, for `add` to grow.
    pub const EMPTY: Blob = Blob { x0: usize::MAX, y0: usize::MAX, x1: 0, y1: 0, pixels: 0 };

    /// Width and height in pixels; 0 for a blob with no pixels yet.
    pub fn width(&self) -> usize {
        (self.x1 + 1).saturating_sub(self.x0)
    }
    pub fn height(&self) -> usize {
        (self.y1 + 1).saturating_sub(self.y0)
    }

    /// Takes in one more pixel.
    pub fn add(&mut self, x: usize, y: usize) {
        self.x0 = self.x0.min(x);
        self.x1 = self.x1.max(x);
        self.y0 = self.y0.min(y);
        self.y1 = self.y1.max(y);
        self.pixels += 1;
    }
}

/// The 8-connected blobs of `mask` (`w` × `h`, row by row), by a flood fill with an
/// explicit stack: letters for the text search, dense cells for the barcode search.
pub fn blobs(mut mask: Vec<bool>, w: usize, h: usize) -> Vec<Blob> {
    // Each pixel is cleared from the mask as it joins a blob (no second "seen" mask).
    let mut out = Vec::new();
    let mut stack = Vec::new();
    for start in 0..mask.len() {
        if !mask[start] {
            continue;
        }
        mask[start] = false;
        stack.push(start);
        let mut blob = Blob::EMPTY;
        while let Some(i) = stack.pop() {
            let (x, y) = (i % w, i / w);
            blob.add(x, y);
            for ny in y.saturating_sub(1)..=(y + 1).min(h - 1) {
                for nx in x.saturating_sub(1)..=(x + 1).min(w - 1) {
                    let j = ny * w + nx;
                    if mask[j] {
                        mask[j] = false;
                        stack.push(j);
                    }
                }
            }
        }
        out.push(blob);
    }
    out
}
