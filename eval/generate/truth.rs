//! truth.json: per photo, the variation applied and every identifier's kind, text and box.

use serde::Serialize;

#[derive(Serialize)]
pub(crate) struct TruthItem {
    pub(crate) kind: &'static str,
    pub(crate) text: String,
    /// `[x, y, w, h]` in final image pixels.
    pub(crate) bbox: [u32; 4],
}

#[derive(Serialize)]
pub(crate) struct TruthPhoto {
    pub(crate) file: String,
    pub(crate) class: &'static str,
    pub(crate) scene: &'static str,
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) quality: u8,
    pub(crate) rotation_deg: f64,
    /// `[kx, ky]`: fraction by which one vertical / horizontal edge of the object is shortened.
    pub(crate) perspective: [f64; 2],
    pub(crate) blur: f64,
    /// Cap height in pixels of the object's body text (headings may be larger).
    pub(crate) text_px: f64,
    pub(crate) low_contrast: bool,
    /// The 4032×3024 frames with a small object somewhere in them.
    pub(crate) small_object: bool,
    pub(crate) items: Vec<TruthItem>,
    /// Rules the photo must fire that no item box stands for (scene and document rules).
    pub(crate) expect: &'static [&'static str],
    /// Verdicts the photo must get (documents: `["redact", "block"]`); left out when empty, so
    /// the other photos' entries read as before.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub(crate) expect_verdict: &'static [&'static str],
}

#[derive(Serialize)]
pub(crate) struct Truth {
    pub(crate) generator: &'static str,
    pub(crate) photos: Vec<TruthPhoto>,
}

pub(crate) fn round2(v: f32) -> f64 {
    (f64::from(v) * 100.0).round() / 100.0
}
