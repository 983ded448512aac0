//! Redact: cover each identifying region with an opaque box, then write new pixels.
//!
//! Boxes are solid (never blur or pixelation, which can be reversed), padded so that
//! ascenders, descenders and OCR's tight boxes do not leave slivers, and drawn on the
//! displayed image, so the orientation is baked in. The result is encoded fresh — no
//! metadata survives — as PNG when the source was lossless, else as JPEG at the source's
//! own quality. The pipeline then re-reads the copy before keeping it.

use super::Cleaned;
use crate::decode::DisplayImage;
use crate::error::{Error, Result, Stage};
use crate::geometry::Rect;
use crate::intake::Format;
use crate::report::Action;

/// Covers `boxes` on `photo` and encodes the result.
pub fn redact(photo: &DisplayImage, boxes: &[Rect], source: Format, jpeg_quality: u8) -> Result<Cleaned> {
    let mut rgb = photo.pixels.to_rgb8();
    let (w, h) = rgb.dimensions();
    let covered: Vec<Rect> = boxes.iter().map(|b| b.padded(w, h)).collect();
    for r in &covered {
        for y in r.y..r.y + r.height {
            for x in r.x..r.x + r.width {
                rgb.put_pixel(x, y, image::Rgb([0, 0, 0]));
            }
        }
    }
    let lossless = matches!(source, Format::Png | Format::Gif | Format::Tiff);
    let (format, image_format) = if lossless {
        (Format::Png, image::ImageFormat::Png)
    } else {
        (Format::Jpeg, image::ImageFormat::Jpeg)
    };
    let mut bytes = Vec::new();
    let err =
        |e: image::ImageError| Error::new(Stage::Action, format!("cannot encode the redacted copy: {e}"));
    if lossless {
        rgb.write_to(&mut std::io::Cursor::new(&mut bytes), image_format).map_err(err)?;
    } else {
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, jpeg_quality)
            .encode_image(&rgb)
            .map_err(err)?;
    }
    let how =
        if lossless { "PNG".to_string() } else { format!("JPEG at quality {jpeg_quality} (the source's)") };
    Ok(Cleaned {
        bytes,
        format,
        action: Action::Redacted,
        orientation: 1,
        notes: vec![format!(
            "{} region(s) covered with solid boxes; orientation applied; written as {how} without metadata",
            covered.len()
        )],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covered_pixels_are_solid() {
        let img = image::RgbImage::from_pixel(50, 50, image::Rgb([200, 200, 200]));
        let photo = DisplayImage { pixels: image::DynamicImage::ImageRgb8(img), orientation: 1 };
        let out = redact(&photo, &[Rect { x: 10, y: 10, width: 10, height: 8 }], Format::Png, 90).unwrap();
        let back = image::load_from_memory(&out.bytes).unwrap().to_rgb8();
        assert_eq!(back.get_pixel(15, 14).0, [0, 0, 0]);
        assert_eq!(back.get_pixel(40, 40).0, [200, 200, 200]);
        assert_eq!(out.format, Format::Png);
    }
}
