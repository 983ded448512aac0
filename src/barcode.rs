//! Barcodes: wristbands and specimen labels carry the MRN in a Code 128 or a 2D code.
//! Decoded with rxing on the displayed image's grey levels; the payload becomes text
//! for the recognizers, with the code's box so `clean` can cover it.

use crate::decode::DisplayImage;
use crate::error::Result;
use crate::options::Deadline;
use crate::report::Rect;
use rxing::{BarcodeFormat, DecodeHints};
use std::collections::HashSet;

/// One decoded barcode.
#[derive(Debug, Clone, PartialEq)]
pub struct Barcode {
    pub payload: String,
    pub format: String,
    /// Displayed-image pixels, widened to cover the whole code.
    pub bbox: Rect,
}

/// The formats found on wristbands, specimen labels and chart stickers. Searching for
/// every format invites false reads (an all-format search found a UPC-E in noise).
fn formats() -> HashSet<BarcodeFormat> {
    [
        BarcodeFormat::QR_CODE,
        BarcodeFormat::CODE_128,
        BarcodeFormat::DATA_MATRIX,
        BarcodeFormat::PDF_417,
        BarcodeFormat::CODE_39,
    ]
    .into_iter()
    .collect()
}

/// Tilts tried when the straight image yields nothing: 1D readers scan rows, and a
/// wristband code tilted more than a few degrees is missed on every row.
const TILTS: [f32; 2] = [-15.0, 15.0];
/// Longest side the tilted searches run at (a full 12 MP rotation costs too much).
const TILTED_SIDE: u32 = 2000;

/// Finds and decodes every barcode in the photo: straight, then on tilted copies.
pub fn find(photo: &DisplayImage, deadline: &Deadline) -> Result<Vec<Barcode>> {
    deadline.check("searching for barcodes")?;
    let grey = photo.pixels.to_luma8();
    let mut found = decode_all(&grey);
    let (w, h) = grey.dimensions();
    let scale = (TILTED_SIDE as f32 / w.max(h) as f32).min(1.0);
    let small = if scale < 1.0 {
        image::imageops::resize(
            &grey,
            ((w as f32 * scale) as u32).max(1),
            ((h as f32 * scale) as u32).max(1),
            image::imageops::FilterType::Triangle,
        )
    } else {
        grey.clone()
    };
    let (sw, sh) = small.dimensions();
    for tilt in TILTS {
        deadline.check("searching for barcodes")?;
        let theta = tilt.to_radians();
        let turned = crate::ocr::tilted(&small, theta);
        for mut code in decode_all(&turned) {
            let back = crate::ocr::unrotate(code.bbox, theta, sw as f32 / 2.0, sh as f32 / 2.0, sw, sh);
            code.bbox = crate::ocr::scale_rect(back, 1.0 / scale, 0, 0, w, h);
            if !found.iter().any(|f| f.payload == code.payload && overlaps(f.bbox, code.bbox)) {
                found.push(code);
            }
        }
    }
    Ok(found)
}

fn overlaps(a: Rect, b: Rect) -> bool {
    a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height
}

/// Decodes every readable code in the image.
fn decode_all(grey: &image::GrayImage) -> Vec<Barcode> {
    let grey = grey.clone();
    let (w, h) = grey.dimensions();
    let mut hints =
        DecodeHints { PossibleFormats: Some(formats()), TryHarder: Some(true), ..DecodeHints::default() };
    let Ok(results) = rxing::helpers::detect_multiple_in_luma_with_hints(grey.into_raw(), w, h, &mut hints)
    else {
        return Vec::new(); // "not found" is an error in rxing's API
    };
    results
        .iter()
        .filter(|r| !r.getText().trim().is_empty())
        .map(|r| {
            let pts = r.getPoints();
            let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
            for p in pts {
                x0 = x0.min(p.x);
                y0 = y0.min(p.y);
                x1 = x1.max(p.x);
                y1 = y1.max(p.y);
            }
            // 1D readers report points on one scan line: grow the box to the bars'
            // likely height (and a quiet zone) so covering it hides the whole code.
            let (bw, bh) = (x1 - x0, y1 - y0);
            let grow_y = (bw * 0.35 - bh).max(0.0) / 2.0 + bw * 0.05;
            let grow_x = bw * 0.08;
            let (x0, y0) = ((x0 - grow_x).max(0.0), (y0 - grow_y).max(0.0));
            let (x1, y1) = ((x1 + grow_x).min(w as f32), (y1 + grow_y).min(h as f32));
            Barcode {
                payload: r.getText().to_string(),
                format: format!("{:?}", r.getBarcodeFormat()),
                bbox: Rect {
                    x: x0 as u32,
                    y: y0 as u32,
                    width: (x1 - x0).max(1.0) as u32,
                    height: (y1 - y0).max(1.0) as u32,
                },
            }
        })
        .collect()
}
