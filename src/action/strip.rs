//! Strip: remove every metadata block, keep what affects how the pixels display.

use crate::decode::DisplayImage;
use crate::error::{Error, Result, Stage};
use crate::intake::Format;
use crate::metadata::{MetaFacts, icc, jpeg, png, webp};
use crate::report::Action;
use img_parts::Bytes;

/// JPEG quality for formats that cannot be stripped losslessly (HEIC).
pub const REENCODE_JPEG_QUALITY: u8 = 92;

/// A share-safe file, ready to be verified and written.
#[derive(Debug, Clone)]
pub struct Cleaned {
    pub bytes: Vec<u8>,
    /// Format of the output (HEIC becomes JPEG).
    pub format: Format,
    pub action: Action,
    /// The orientation the output carries (1 when it was baked into the pixels).
    pub orientation: u16,
    /// What a person should know about how it was made.
    pub notes: Vec<String>,
}

/// Removes all metadata from `bytes`. `image` is the decoded photo, needed by formats
/// that are re-encoded.
pub fn strip(
    bytes: &[u8],
    format: Format,
    facts: &MetaFacts,
    image: Option<&DisplayImage>,
) -> Result<Cleaned> {
    let lossless = |bytes: Vec<u8>| Cleaned {
        bytes,
        format,
        action: Action::Stripped,
        orientation: facts.orientation,
        notes: vec![],
    };
    let need_image =
        || image.ok_or_else(|| Error::new(Stage::Action, "the photo must be decoded to rewrite it"));
    let profile = canonical_icc(facts);
    let profile = profile.as_deref();
    match format {
        Format::Jpeg => strip_jpeg(bytes, facts.orientation, profile, &facts.scan_slack).map(lossless),
        // A PNG turned by its eXIf: an orientation-only eXIf would still be an eXIf chunk
        // (meta.text-chunk), so the pixels are turned instead, as they were checked.
        // Or its image stream holds bytes besides the picture (meta.container): only a
        // rewrite from the pixels leaves them behind.
        Format::Png if facts.orientation != 1 || facts.rewrite_pixels => {
            flatten(format, facts, need_image()?)
        }
        Format::Png => strip_png(bytes, profile).map(lossless),
        // An animated WebP: its first frame (the one checked) as a still.
        // Or slack in its RIFF structure (meta.container), which img-parts would carry over.
        Format::Webp if !facts.frames.is_empty() || facts.rewrite_pixels => {
            flatten(format, facts, need_image()?)
        }
        Format::Webp => strip_webp(bytes, facts.orientation, profile).map(lossless),
        Format::Gif => Ok(Cleaned {
            notes: vec![
                "GIF first frame rewritten without extensions; palette indices and pixels unchanged".into(),
            ],
            action: Action::Reencoded,
            ..lossless(strip_gif(bytes)?)
        }),
        Format::Tiff => {
            let img = need_image()?;
            Ok(Cleaned {
                bytes: encode(img, image::ImageFormat::Tiff, canonical_icc(facts))?,
                format,
                action: Action::Reencoded,
                orientation: 1,
                notes: vec![
                    "TIFF rewritten losslessly from its pixels (orientation applied to the pixels)".into(),
                ],
            })
        }
        Format::Heif => {
            let img = need_image()?;
            Ok(Cleaned {
                bytes: encode(img, image::ImageFormat::Jpeg, canonical_icc(facts))?,
                format: Format::Jpeg,
                action: Action::Reencoded,
                orientation: 1,
                notes: vec![format!(
                    "HEIC cannot be stripped losslessly here: written as a JPEG at quality {REENCODE_JPEG_QUALITY}"
                )],
            })
        }
    }
}

/// Writes the picture exactly as it was analysed: the displayed pixels (see-through
/// ones composited over white by `decode`, orientation applied, the first frame only),
/// losslessly and with no metadata. For pictures whose file holds more than what was
/// checked in a way container surgery cannot remove (transparency, WebP animation).
/// PNG and GIF become PNG, WebP lossless WebP; TIFF and HEIC are re-encoded from their
/// pixels by [`strip`] already.
pub fn flatten(format: Format, facts: &MetaFacts, image: &DisplayImage) -> Result<Cleaned> {
    use image::ImageEncoder;
    let err =
        |e: image::ImageError| Error::new(Stage::Action, format!("cannot encode the flattened copy: {e}"));
    let icc = canonical_icc(facts);
    let mut out = Vec::new();
    let (format, how) = match format {
        Format::Png | Format::Gif => {
            let mut enc = image::codecs::png::PngEncoder::new(&mut out);
            if let Some(icc) = icc {
                let _ = enc.set_icc_profile(icc);
            }
            let p = &image.pixels;
            enc.write_image(p.as_bytes(), p.width(), p.height(), p.color().into()).map_err(err)?;
            (Format::Png, "PNG")
        }
        Format::Webp => {
            let rgb = image.pixels.to_rgb8();
            let mut enc = image::codecs::webp::WebPEncoder::new_lossless(&mut out);
            if let Some(icc) = icc {
                let _ = enc.set_icc_profile(icc);
            }
            enc.write_image(rgb.as_raw(), rgb.width(), rgb.height(), image::ExtendedColorType::Rgb8)
                .map_err(err)?;
            (Format::Webp, "lossless WebP")
        }
        Format::Tiff | Format::Heif => return strip(&[], format, facts, Some(image)),
        Format::Jpeg => {
            return Err(Error::new(Stage::Action, "a JPEG has no transparency or frames to flatten"));
        }
    };
    Ok(Cleaned {
        bytes: out,
        format,
        action: Action::Reencoded,
        orientation: 1,
        notes: vec![format!(
            "rewritten from the picture as checked (see-through pixels on white, one frame, orientation applied) \
             as an opaque {how}"
        )],
    })
}

/// The colour profile a rewritten copy carries: the photo's profile in canonical form
/// (its colour tags byte for byte, a neutral name, no creator, device or date; see
/// `metadata::icc`), so nothing but colour data leaves with it. `None` when the photo
/// has no profile or one that is not a colour profile (dropped).
fn canonical_icc(facts: &MetaFacts) -> Option<Vec<u8>> {
    facts.icc_profile.as_deref().filter(|p| !p.is_empty()).and_then(icc::canonical)
}

/// A profile as JPEG APP2 `ICC_PROFILE` segments (ICC.1 Annex B.4: at most 65 519 bytes
/// of profile per segment, numbered from 1).
fn icc_segments(profile: &[u8]) -> Vec<Vec<u8>> {
    const PER_SEGMENT: usize = 65_519;
    let parts: Vec<&[u8]> = profile.chunks(PER_SEGMENT).collect();
    let count = parts.len().min(255) as u8;
    parts
        .iter()
        .take(255)
        .enumerate()
        .map(|(i, part)| segment(0xE2, &[b"ICC_PROFILE\0".as_slice(), &[i as u8 + 1, count], part].concat()))
        .collect()
}

fn action_err(what: &str) -> impl Fn(img_parts::Error) -> Error + '_ {
    move |e| Error::new(Stage::Action, format!("{what}: {e}"))
}

/// A minimal EXIF block (TIFF header onwards) holding only Orientation.
pub fn orientation_exif(orientation: u16) -> Result<Vec<u8>> {
    use exif::experimental::Writer;
    let field = exif::Field {
        tag: exif::Tag::Orientation,
        ifd_num: exif::In::PRIMARY,
        value: exif::Value::Short(vec![orientation]),
    };
    let mut writer = Writer::new();
    writer.push_field(&field);
    let mut out = std::io::Cursor::new(Vec::new());
    writer
        .write(&mut out, false)
        .map_err(|e| Error::new(Stage::Action, format!("cannot write the orientation: {e}")))?;
    Ok(out.into_inner())
}

/// JPEG: rebuild from the marker walk, keeping only the segments that decode the image
/// (the tables some scan uses, frame, scans, restart interval) and the ones that affect
/// display (the JFIF header without its thumbnail, the canonical colour `profile` where
/// the original profile was, the 12-byte Adobe colour transform). Reserved markers, COM,
/// unused tables, bytes after a header, scan data no block uses (`scan_slack`) and
/// everything after EOI are dropped.
fn strip_jpeg(
    b: &[u8],
    orientation: u16,
    profile: Option<&[u8]>,
    scan_slack: &[std::ops::Range<usize>],
) -> Result<Vec<u8>> {
    let layout = jpeg::layout(b)?;
    let mut kept: Vec<Vec<u8>> = Vec::with_capacity(layout.segments.len() + 1);
    let mut starts_with_jfif = false;
    let mut icc_written = false;
    let tables = jpeg::tables(b, &layout);
    for (i, seg) in layout.segments.iter().enumerate() {
        let payload = &b[seg.payload.clone()];
        match jpeg::app_kind(seg.marker, payload) {
            jpeg::AppKind::Jfif => {
                // Keep the 14-byte JFIF header, with its own thumbnail removed.
                let mut header = payload[..jpeg::JFIF_HEADER.min(payload.len())].to_vec();
                if header.len() == jpeg::JFIF_HEADER {
                    header[12] = 0;
                    header[13] = 0;
                }
                kept.push(segment(0xE0, &header));
                starts_with_jfif |= i == 0;
            }
            jpeg::AppKind::Icc => {
                // The whole profile, rewritten, where its first segment was.
                if let Some(profile) = profile.filter(|_| !icc_written) {
                    kept.extend(icc_segments(profile));
                    icc_written = true;
                }
            }
            // The Adobe header alone: bytes after it decode nothing.
            jpeg::AppKind::Adobe => kept.push(segment(0xEE, &payload[..payload.len().min(jpeg::ADOBE_LEN)])),
            // Tables: only the ones some scan uses (an unused table can hold anything).
            jpeg::AppKind::NotApp if matches!(seg.marker, 0xDB | 0xC4) => {
                let ranges = tables.used.iter().find(|(at, _)| *at == i).map(|(_, r)| r.as_slice());
                let body: Vec<u8> =
                    ranges.unwrap_or_default().iter().flat_map(|r| b[r.clone()].iter().copied()).collect();
                if !body.is_empty() {
                    kept.push(segment(seg.marker, &body));
                }
            }
            // Frames, scans, restart interval and markers; reserved markers and COM go.
            // Scan data without the bytes no block uses (`jpeg_scan`).
            jpeg::AppKind::NotApp if jpeg::displays(seg.marker) => {
                let mut copy = Vec::with_capacity(seg.end - seg.start);
                let mut at = seg.start;
                for unused in scan_slack.iter().filter(|r| r.start >= seg.start && r.end <= seg.end) {
                    copy.extend_from_slice(&b[at..unused.start]);
                    at = unused.end;
                }
                copy.extend_from_slice(&b[at..seg.end]);
                kept.push(copy);
            }
            _ => {} // Exif, XMP, IPTC, MPF, JFXX, other APPn, COM: dropped.
        }
    }
    if orientation != 1 {
        // A minimal Exif with only Orientation, right after SOI (or JFIF) as readers expect.
        let mut exif = b"Exif\0\0".to_vec();
        exif.extend(orientation_exif(orientation)?);
        kept.insert(usize::from(starts_with_jfif), segment(0xE1, &exif));
    }
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(&[0xFF, 0xD8]);
    kept.iter().for_each(|s| out.extend_from_slice(s));
    out.extend_from_slice(&[0xFF, jpeg::EOI]);
    Ok(out)
}

/// A marker segment with a length field.
fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
    let mut s = vec![0xFF, marker];
    s.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    s.extend_from_slice(payload);
    s
}

/// PNG: keep only display chunks (img-parts re-checks every CRC on the way). A turned
/// PNG never comes here: [`strip`] turns its pixels instead.
/// The iCCP chunk carries the canonical `profile` under a neutral name (the original
/// name is free text).
fn strip_png(b: &[u8], profile: Option<&[u8]>) -> Result<Vec<u8>> {
    use img_parts::png::PngChunk;
    let (_, end) = png::chunks(b)?;
    let mut image = img_parts::png::Png::from_bytes(Bytes::copy_from_slice(&b[..end]))
        .map_err(|e| Error::new(Stage::Metadata, format!("corrupt PNG: {e}")))?;
    let chunks = image.chunks_mut();
    chunks
        .retain(|c| png::DISPLAY_CHUNKS.contains(&&c.kind()) && (profile.is_some() || &c.kind() != b"iCCP"));
    if let Some(profile) = profile {
        let mut data = b"ICC profile\0\0".to_vec();
        data.extend(miniz_oxide::deflate::compress_to_vec_zlib(profile, 9));
        for chunk in chunks.iter_mut().filter(|c| &c.kind() == b"iCCP") {
            *chunk = PngChunk::new(*b"iCCP", Bytes::from(data.clone()));
        }
    }
    Ok(image.encoder().bytes().to_vec())
}

/// WebP: keep image chunks, drop EXIF/XMP/unknown ones and fix the VP8X flags so they
/// no longer announce what was removed.
fn strip_webp(b: &[u8], orientation: u16, profile: Option<&[u8]>) -> Result<Vec<u8>> {
    let keep_icc = profile.is_some();
    use img_parts::riff::{RiffChunk, RiffContent};
    let (_, end) = webp::chunks(b)?;
    let mut image = img_parts::webp::WebP::from_bytes(Bytes::copy_from_slice(&b[..end]))
        .map_err(action_err("corrupt WebP"))?;
    let chunks = image.chunks_mut();
    chunks.retain(|c| webp::IMAGE_CHUNKS.contains(&&c.id()) && (keep_icc || &c.id() != b"ICCP"));
    if let Some(profile) = profile {
        for chunk in chunks.iter_mut().filter(|c| &c.id() == b"ICCP") {
            *chunk = RiffChunk::new(*b"ICCP", RiffContent::Data(Bytes::copy_from_slice(profile)));
        }
    }
    const ICC_FLAG: u8 = 0x20;
    const EXIF_FLAG: u8 = 0x08;
    const XMP_FLAG: u8 = 0x04;
    let keep_exif = orientation != 1;
    for chunk in chunks.iter_mut() {
        if &chunk.id() == b"VP8X"
            && let RiffContent::Data(data) = chunk.content()
        {
            {
                let mut data = data.to_vec();
                if let Some(flags) = data.first_mut() {
                    *flags &= !(EXIF_FLAG | XMP_FLAG);
                    if !keep_icc {
                        *flags &= !ICC_FLAG;
                    }
                    if keep_exif {
                        *flags |= EXIF_FLAG;
                    }
                }
                *chunk = RiffChunk::new(*b"VP8X", RiffContent::Data(Bytes::from(data)));
            }
        }
    }
    if keep_exif {
        if !chunks.iter().any(|c| &c.id() == b"VP8X") {
            return Err(Error::new(Stage::Action, "a simple WebP cannot carry an orientation"));
        }
        let exif = RiffChunk::new(*b"EXIF", RiffContent::Data(Bytes::from(orientation_exif(orientation)?)));
        chunks.push(exif);
    }
    Ok(image.encoder().bytes().to_vec())
}

/// GIF: copy the first frame's palette indices into a new file; comments, XMP and other
/// extensions are not carried over. Only the first frame was decoded and checked, so
/// later animation frames (which could show anything) are dropped, not shared unseen.
fn strip_gif(b: &[u8]) -> Result<Vec<u8>> {
    let err = |e: &dyn std::fmt::Display| Error::new(Stage::Action, format!("cannot rewrite GIF: {e}"));
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::Indexed);
    let mut decoder = options.read_info(std::io::Cursor::new(b)).map_err(|e| err(&e))?;
    let (w, h) = (decoder.width(), decoder.height());
    let palette = decoder.global_palette().map(<[u8]>::to_vec).unwrap_or_default();
    let mut out = Vec::new();
    {
        let mut encoder = gif::Encoder::new(&mut out, w, h, &palette).map_err(|e| err(&e))?;
        let frame = decoder.read_next_frame().map_err(|e| err(&e))?.ok_or_else(|| err(&"no frame"))?;
        encoder.write_frame(frame).map_err(|e| err(&e))?;
    }
    Ok(out)
}

/// Encodes the displayed pixels (orientation already applied) as `format`.
fn encode(img: &DisplayImage, format: image::ImageFormat, icc: Option<Vec<u8>>) -> Result<Vec<u8>> {
    use image::ImageEncoder;
    let err =
        |e: image::ImageError| Error::new(Stage::Action, format!("cannot encode the cleaned copy: {e}"));
    let mut out = Vec::new();
    match format {
        image::ImageFormat::Jpeg => {
            let rgb = img.pixels.to_rgb8();
            let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, REENCODE_JPEG_QUALITY);
            if let Some(icc) = icc.filter(|p| !p.is_empty()) {
                let _ = enc.set_icc_profile(icc);
            }
            enc.write_image(rgb.as_raw(), rgb.width(), rgb.height(), image::ExtendedColorType::Rgb8)
                .map_err(err)?;
        }
        _ => {
            let mut enc = image::codecs::tiff::TiffEncoder::new(std::io::Cursor::new(&mut out));
            if let Some(icc) = icc.filter(|p| !p.is_empty()) {
                let _ = enc.set_icc_profile(icc);
            }
            let pixels = &img.pixels;
            enc.write_image(pixels.as_bytes(), pixels.width(), pixels.height(), pixels.color().into())
                .map_err(err)?;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orientation_exif_is_tiny_and_readable() {
        let tiff = orientation_exif(6).unwrap();
        assert!(tiff.len() < 40, "{}", tiff.len());
        let exif = exif::Reader::new().read_raw(tiff).unwrap();
        let o = exif.get_field(exif::Tag::Orientation, exif::In::PRIMARY).unwrap();
        assert_eq!(o.value.get_uint(0), Some(6));
        assert_eq!(exif.fields().count(), 1);
    }
}
