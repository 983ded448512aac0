//! Decode: pixels as the photo is displayed.
//!
//! Every decode runs under explicit limits (pixel count, allocation), checked from the
//! header before any pixel buffer exists. The EXIF orientation read by the metadata
//! stage is applied here, once, so everything downstream works in displayed
//! coordinates and nothing else thinks about orientation again.

use crate::error::{Error, Result, Stage};
use crate::intake::Format;
use crate::limits::Limits;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, RgbImage};
use std::io::Cursor;

/// A decoded photo, turned the way it is displayed.
#[derive(Debug, Clone)]
pub struct DisplayImage {
    /// The pixels, orientation applied. Always opaque: a picture with see-through
    /// pixels is composited over white, as browsers and social sites draw it (the
    /// colours stored under transparent pixels are often 0,0,0 and would read as a
    /// black square), and a rewritten copy holds exactly these pixels.
    pub pixels: DynamicImage,
    /// The EXIF orientation that was applied (1 = none).
    pub orientation: u16,
}

impl DisplayImage {
    pub fn width(&self) -> u32 {
        self.pixels.width()
    }
    pub fn height(&self) -> u32 {
        self.pixels.height()
    }
}

/// The alpha plane of a picture that is not fully opaque (displayed orientation;
/// 0 = transparent, at most 254 where the source was not fully opaque).
#[derive(Debug, Clone)]
pub struct Alpha(pub image::GrayImage);

/// How much of a picture a viewer's background shows through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transparency {
    /// Pixels that are not fully opaque.
    pub see_through: u64,
    /// Pixels in all.
    pub total: u64,
}

impl Alpha {
    pub fn transparency(&self) -> Transparency {
        let see_through = self.0.as_raw().iter().filter(|&&a| a < 255).count() as u64;
        Transparency { see_through, total: u64::from(self.0.width()) * u64::from(self.0.height()) }
    }

    /// `photo` (composited over white by [`decode_viewed`]) as a dark-mode viewer shows
    /// it, over black: text drawn in white on a transparent background shows there and
    /// nowhere else.
    pub fn over_black(&self, photo: &DisplayImage) -> DynamicImage {
        let mut rgb = photo.pixels.to_rgb8();
        // Over white, a channel is c·a + 255·(1 − a); over black it is c·a.
        for (p, a) in rgb.pixels_mut().zip(self.0.as_raw()) {
            p.0.iter_mut().for_each(|c| *c = c.saturating_sub(255 - a));
        }
        DynamicImage::ImageRgb8(rgb)
    }
}

/// Composites a picture with an alpha channel over white. Returns it unchanged, and no
/// alpha plane, when every pixel is opaque (an RGBA file with alpha 255 everywhere is
/// shared as it is).
pub fn flatten(pixels: DynamicImage) -> (DynamicImage, Option<Alpha>) {
    if !pixels.color().has_alpha() {
        return (pixels, None);
    }
    let (w, h) = (pixels.width(), pixels.height());
    let alpha_plane =
        |alpha: Vec<u8>| Alpha(image::GrayImage::from_raw(w, h, alpha).expect("one alpha per pixel"));
    if matches!(pixels, DynamicImage::ImageLumaA8(_) | DynamicImage::ImageRgba8(_)) {
        match over_white(pixels.to_rgba8().as_raw(), 255, |c| c as u8, |a| a as u8) {
            None => (pixels, None),
            Some((rgb, alpha)) => {
                let rgb = RgbImage::from_raw(w, h, rgb).expect("three channels per pixel");
                (DynamicImage::ImageRgb8(rgb), Some(alpha_plane(alpha)))
            }
        }
    } else {
        // Deeper samples: composited in 16 bits, the alpha plane kept in 8 (254 at most
        // where the source was not fully opaque).
        match over_white(pixels.to_rgba16().as_raw(), 65535, |c| c as u16, |a| ((a >> 8) as u8).min(254)) {
            None => (pixels, None),
            Some((rgb, alpha)) => {
                let rgb = image::ImageBuffer::from_raw(w, h, rgb).expect("three channels per pixel");
                (DynamicImage::ImageRgb16(rgb), Some(alpha_plane(alpha)))
            }
        }
    }
}

/// RGBA samples (`max` opaque) composited over white — each channel c·a + max·(1 − a)
/// — and the alpha plane (`alpha8` of each sample that is not opaque, 255 where it is);
/// `None` when every pixel is opaque.
fn over_white<T: Copy + Into<u32>>(
    rgba: &[T],
    max: u32,
    channel: impl Fn(u32) -> T,
    alpha8: impl Fn(u32) -> u8,
) -> Option<(Vec<T>, Vec<u8>)> {
    if rgba.chunks_exact(4).all(|p| p[3].into() == max) {
        return None;
    }
    let mut alpha = Vec::with_capacity(rgba.len() / 4);
    let mut rgb = Vec::with_capacity(rgba.len() / 4 * 3);
    for p in rgba.chunks_exact(4) {
        let a: u32 = p[3].into();
        rgb.extend(p[..3].iter().map(|&c| channel((c.into() * a + max * (max - a) + max / 2) / max)));
        alpha.push(if a == max { 255 } else { alpha8(a) });
    }
    Some((rgb, alpha))
}

/// Decodes `bytes` (already sniffed as `format`) and applies `orientation`; see-through
/// pixels come out composited over white (see [`DisplayImage::pixels`]).
pub fn decode(bytes: &[u8], format: Format, orientation: u16, limits: &Limits) -> Result<DisplayImage> {
    decode_viewed(bytes, format, orientation, limits).map(|(image, _)| image)
}

/// [`decode`], and the alpha plane when some pixel is not opaque: what a viewer's
/// background does to the picture depends on it.
pub fn decode_viewed(
    bytes: &[u8],
    format: Format,
    orientation: u16,
    limits: &Limits,
) -> Result<(DisplayImage, Option<Alpha>)> {
    let mut pixels = match format {
        Format::Heif => decode_heif(bytes, limits)?,
        _ => decode_with_image(bytes, format, limits)?,
    };
    if let Some(o) = image::metadata::Orientation::from_exif(orientation.min(255) as u8) {
        pixels.apply_orientation(o);
    }
    let (pixels, alpha) = flatten(pixels);
    Ok((DisplayImage { pixels, orientation }, alpha))
}

/// Reserves, in the run's memory budget (`Limits::memory`), the bytes decoding `bytes`
/// will need for its pixels, from the header alone; waits while other photos hold too
/// much. The caller keeps the reservation as long as the pixels live.
pub fn reserve(
    bytes: &[u8],
    format: Format,
    limits: &Limits,
    deadline: &crate::limits::Deadline,
) -> Result<crate::limits::Reservation> {
    let needed = match format {
        Format::Heif => {
            let ctx = libheif_rs::HeifContext::read_from_bytes(bytes)
                .map_err(|e| Error::new(Stage::Decode, format!("corrupt HEIF: {}", e.message)))?;
            let handle = ctx.primary_image_handle().map_err(|e| {
                Error::new(Stage::Decode, format!("HEIF without a primary image: {}", e.message))
            })?;
            let channels = if handle.has_alpha_channel() { 4 } else { 3 };
            u64::from(handle.width()) * u64::from(handle.height()) * channels
        }
        _ => {
            let reader = ImageReader::with_format(Cursor::new(bytes), image_format(format));
            reader.into_decoder().map_err(image_error)?.total_bytes()
        }
    };
    check_memory(needed, limits)?;
    limits.memory.reserve(needed, limits.max_alloc_bytes, deadline)
}

fn image_format(format: Format) -> ImageFormat {
    match format {
        Format::Jpeg => ImageFormat::Jpeg,
        Format::Png => ImageFormat::Png,
        Format::Webp => ImageFormat::WebP,
        Format::Tiff => ImageFormat::Tiff,
        Format::Gif => ImageFormat::Gif,
        Format::Heif => unreachable!("HEIF is decoded by libheif"),
    }
}

/// Refuses images larger than the pixel limit, before any allocation.
fn check_pixels(width: u32, height: u32, limits: &Limits) -> Result<()> {
    let pixels = u64::from(width) * u64::from(height);
    if pixels > limits.max_pixels {
        return Err(Error::new(
            Stage::Limits,
            format!(
                "image claims {width}×{height} = {pixels} pixels, over the limit of {} (--max-megapixels); \
                 a decompression bomb or a panorama too large to check",
                limits.max_pixels
            ),
        ));
    }
    if width == 0 || height == 0 {
        return Err(Error::new(Stage::Decode, format!("image has no pixels ({width}×{height})")));
    }
    Ok(())
}

/// Refuses a decode whose pixel buffer alone would exceed the memory limit (image's
/// own `max_alloc` is not applied by `DynamicImage::from_decoder`).
fn check_memory(bytes_needed: u64, limits: &Limits) -> Result<()> {
    if bytes_needed > limits.max_alloc_bytes {
        let mib = |b: u64| b.div_ceil(1024 * 1024);
        return Err(Error::new(
            Stage::Limits,
            format!(
                "decoding needs {} MiB for the pixels, over the limit of {} MiB (--max-memory-mb)",
                mib(bytes_needed),
                mib(limits.max_alloc_bytes)
            ),
        ));
    }
    Ok(())
}

fn decode_with_image(bytes: &[u8], format: Format, limits: &Limits) -> Result<DynamicImage> {
    let reader = ImageReader::with_format(Cursor::new(bytes), image_format(format));
    let mut decoder = reader.into_decoder().map_err(image_error)?;
    let (w, h) = decoder.dimensions();
    check_pixels(w, h, limits)?;
    check_memory(decoder.total_bytes(), limits)?;
    let mut image_limits = image::Limits::default();
    image_limits.max_alloc = Some(limits.max_alloc_bytes);
    decoder.set_limits(image_limits).map_err(image_error)?;
    DynamicImage::from_decoder(decoder).map_err(image_error)
}

/// How many bytes a still WebP's bitstream may end with unread before they count as
/// hidden, by kind of bitstream. A lossy (VP8) stream ends with its boolean coder's
/// flush: real phone and camera WebPs still decoded with their last 2 or 3 bytes cut
/// off, and not with 4, so 8 leaves a margin. A lossless (VP8L) stream pads only to the
/// next byte: cut by one byte, it no longer decodes. Erring low costs a lossless
/// rewrite of a photo that needed none, never a hidden message passed as `share`.
pub const UNREAD_TAIL_PROBE_LOSSY: usize = 8;
/// See [`UNREAD_TAIL_PROBE_LOSSY`].
pub const UNREAD_TAIL_PROBE_LOSSLESS: usize = 4;

/// Bytes at the end of a still WebP's VP8 or VP8L bitstream that decoding never reads.
/// The chunk's size covers them, so a chunk-level strip keeps them, and no viewer shows
/// them: a place to carry a message past `clean`. Found by decoding the bitstream
/// without its last few bytes ([`UNREAD_TAIL_PROBE_LOSSY`], [`UNREAD_TAIL_PROBE_LOSSLESS`]):
/// image-webp refuses a bitstream that ends before its last symbol (the lossless reader
/// errs when bits run out; the lossy one allows one byte past the end, as libwebp does),
/// so a shortened stream that still decodes carried at least that many bytes nobody
/// needs. Animated files are left out:
/// their frames are rewritten anyway. Shorter tails are not found; the note in
/// ARCHITECTURE.md says so.
///
/// Returns what to report, or `None`. Costs one more decode of the picture, which the
/// caller's memory reservation for this photo covers (it runs before the real decode).
pub fn webp_unread_tail(bytes: &[u8], limits: &Limits) -> Result<Option<String>> {
    let Ok((chunks, _)) = crate::metadata::webp::chunks(bytes) else {
        return Ok(None);
    };
    if chunks.iter().any(|c| &c.fourcc == b"ANMF") {
        return Ok(None);
    }
    let Some(frame) = chunks.iter().find(|c| &c.fourcc == b"VP8 " || &c.fourcc == b"VP8L") else {
        return Ok(None);
    };
    let data = &bytes[frame.data.clone()];
    let probe = if &frame.fourcc == b"VP8L" { UNREAD_TAIL_PROBE_LOSSLESS } else { UNREAD_TAIL_PROBE_LOSSY };
    if data.len() <= probe {
        return Ok(None);
    }
    // Only the shortened bitstream: an ALPH chunk beside a VP8 one is not needed to
    // decode the colour.
    let riff = simple_webp(&frame.fourcc, &data[..data.len() - probe]);
    let Ok(mut decoder) = image_webp::WebPDecoder::new(Cursor::new(riff.as_slice())) else {
        return Ok(None);
    };
    let (w, h) = decoder.dimensions();
    check_pixels(w, h, limits)?;
    let Some(size) = decoder.output_buffer_size() else {
        return Ok(None);
    };
    check_memory(size as u64, limits)?;
    decoder.set_memory_limit(usize::try_from(limits.max_alloc_bytes).unwrap_or(usize::MAX));
    let mut pixels = vec![0u8; size];
    Ok(decoder.read_image(&mut pixels).is_ok().then(|| {
        format!(
            "at least {probe} bytes at the end of the WebP {} bitstream that decoding never reads",
            String::from_utf8_lossy(&frame.fourcc).trim_end()
        )
    }))
}

/// A simple-format WebP file: one `VP8 ` or `VP8L` chunk holding `bitstream`, padded to
/// an even size as RIFF requires.
fn simple_webp(fourcc: &[u8; 4], bitstream: &[u8]) -> Vec<u8> {
    let pad = bitstream.len() & 1;
    let mut riff = Vec::with_capacity(bitstream.len() + 21);
    riff.extend_from_slice(b"RIFF");
    riff.extend_from_slice(&((4 + 8 + bitstream.len() + pad) as u32).to_le_bytes());
    riff.extend_from_slice(b"WEBP");
    riff.extend_from_slice(fourcc);
    riff.extend_from_slice(&(bitstream.len() as u32).to_le_bytes());
    riff.extend_from_slice(bitstream);
    riff.resize(riff.len() + pad, 0);
    riff
}

fn image_error(e: ImageError) -> Error {
    match e {
        ImageError::Limits(l) => Error::new(Stage::Limits, format!("decoder limit reached: {l}")),
        ImageError::Unsupported(u) => Error::new(Stage::Decode, format!("unsupported image variant: {u}")),
        ImageError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            Error::new(Stage::Decode, "truncated image: the pixel data ends early")
        }
        other => Error::new(Stage::Decode, format!("cannot decode pixels: {other}")),
    }
}

/// Decodes the primary image of a HEIF file to 8-bit RGB. libheif applies the HEIF
/// rotation and mirroring itself.
fn decode_heif(bytes: &[u8], limits: &Limits) -> Result<DynamicImage> {
    use libheif_rs::{ColorSpace, HeifContext, LibHeif, RgbChroma};
    let heif_err =
        |what: &str, e: libheif_rs::HeifError| Error::new(Stage::Decode, format!("{what}: {}", e.message));
    let ctx = HeifContext::read_from_bytes(bytes).map_err(|e| heif_err("corrupt HEIF", e))?;
    let handle = ctx.primary_image_handle().map_err(|e| heif_err("HEIF without a primary image", e))?;
    check_pixels(handle.width(), handle.height(), limits)?;
    // With an alpha plane, decode it too: the colours under transparent pixels are not
    // what a viewer shows (`decode` composites over white).
    let alpha = handle.has_alpha_channel();
    let channels: usize = if alpha { 4 } else { 3 };
    check_memory(u64::from(handle.width()) * u64::from(handle.height()) * channels as u64, limits)?;
    let lib = LibHeif::new();
    let chroma = if alpha { RgbChroma::Rgba } else { RgbChroma::Rgb };
    let image = lib
        .decode(&handle, ColorSpace::Rgb(chroma), None)
        .map_err(|e| heif_err("cannot decode HEIF pixels", e))?;
    let plane = image
        .planes()
        .interleaved
        .ok_or_else(|| Error::new(Stage::Decode, "libheif returned no interleaved RGB plane"))?;
    let (w, h) = (plane.width, plane.height);
    let row = w as usize * channels;
    let mut rgb = Vec::with_capacity(row * h as usize);
    for y in 0..h as usize {
        // Rows are padded to the plane's stride.
        let start = y * plane.stride;
        let line = plane
            .data
            .get(start..start + row)
            .ok_or_else(|| Error::new(Stage::Decode, "HEIF plane shorter than its size"))?;
        rgb.extend_from_slice(line);
    }
    let image = if alpha {
        image::RgbaImage::from_raw(w, h, rgb).map(DynamicImage::ImageRgba8)
    } else {
        RgbImage::from_raw(w, h, rgb).map(DynamicImage::ImageRgb8)
    };
    image.ok_or_else(|| Error::new(Stage::Decode, "HEIF plane has the wrong size"))
}

/// How an embedded thumbnail compares with the photo it claims to preview.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ThumbnailMatch {
    /// It looks like the displayed photo (mean difference below the threshold).
    Same { difference: f32 },
    /// It shows something else: an older crop or edit, possibly the uncropped original.
    Differs { difference: f32 },
    /// Its aspect ratio differs from the photo's: the photo was cropped after capture.
    OtherShape,
    /// It could not be decoded, so nobody can say what it shows.
    Unreadable,
}

/// Mean absolute grey difference (0–255) above which a thumbnail is "different".
/// Re-encoding a faithful thumbnail gives 1–4; a crop or retouch gives 15 or more.
pub const THUMBNAIL_DIFFERENCE: f32 = 10.0;

/// Compares an EXIF JPEG thumbnail with the displayed photo. The thumbnail is stored in
/// the same orientation as the main image, so the same orientation is applied first.
pub fn compare_thumbnail(jpeg: &[u8], photo: &DisplayImage) -> ThumbnailMatch {
    let limits = Limits { max_pixels: 4_000_000, ..Limits::default() };
    let Ok(mut thumb) = decode_with_image(jpeg, Format::Jpeg, &limits) else {
        return ThumbnailMatch::Unreadable;
    };
    if let Some(o) = image::metadata::Orientation::from_exif(photo.orientation.min(255) as u8) {
        thumb.apply_orientation(o);
    }
    let (tw, th) = (thumb.width(), thumb.height());
    let ratio = |w: u32, h: u32| f64::from(w) / f64::from(h.max(1));
    if (ratio(tw, th) / ratio(photo.width(), photo.height()) - 1.0).abs() > 0.06 {
        return ThumbnailMatch::OtherShape;
    }
    // Area averaging (`thumbnail_exact`) is what a camera does and costs a few ms at
    // 12 MP; a filtered resize costs tens.
    let small = photo.pixels.thumbnail_exact(tw, th).to_luma8();
    let thumb = thumb.to_luma8();
    let total: u64 = small.as_raw().iter().zip(thumb.as_raw()).map(|(a, b)| u64::from(a.abs_diff(*b))).sum();
    let difference = total as f32 / (tw as f32 * th as f32).max(1.0);
    if difference > THUMBNAIL_DIFFERENCE {
        ThumbnailMatch::Differs { difference }
    } else {
        ThumbnailMatch::Same { difference }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(w: u32, h: u32, f: impl Fn(u32, u32) -> [u8; 3]) -> Vec<u8> {
        let img = RgbImage::from_fn(w, h, |x, y| image::Rgb(f(x, y)));
        let mut out = Vec::new();
        DynamicImage::ImageRgb8(img).write_to(&mut Cursor::new(&mut out), ImageFormat::Jpeg).unwrap();
        out
    }

    #[test]
    fn orientation_is_applied_once() {
        let bytes = jpeg(40, 20, |x, _| if x < 10 { [255, 0, 0] } else { [0, 0, 255] });
        let img = decode(&bytes, Format::Jpeg, 6, &Limits::default()).unwrap();
        assert_eq!((img.width(), img.height()), (20, 40));
        // Rotated 90° clockwise: the red left edge is now along the top.
        let top = img.pixels.to_rgb8().get_pixel(10, 2).0;
        assert!(top[0] > 200 && top[2] < 60, "{top:?}");
    }

    /// A lossless WebP of noisy pixels, with `extra` bytes added inside its VP8L chunk
    /// after the bitstream (sizes fixed up, as a hiding tool would).
    fn webp_with_tail(extra: usize) -> Vec<u8> {
        let img = RgbImage::from_fn(48, 32, |x, y| image::Rgb([(x * 37 + y * 11) as u8, (x ^ y) as u8, 90]));
        let mut webp = Vec::new();
        DynamicImage::ImageRgb8(img).write_to(&mut Cursor::new(&mut webp), ImageFormat::WebP).unwrap();
        let (chunks, _) = crate::metadata::webp::chunks(&webp).unwrap();
        let frame = chunks.iter().find(|c| &c.fourcc == b"VP8L").unwrap();
        let mut data = webp[frame.data.clone()].to_vec();
        data.extend(std::iter::repeat_n(b'M', extra));
        simple_webp(b"VP8L", &data)
    }

    #[test]
    fn a_webp_bitstream_with_unread_bytes_is_told_from_an_ordinary_one() {
        let limits = Limits::default();
        assert_eq!(webp_unread_tail(&webp_with_tail(0), &limits).unwrap(), None);
        let found = webp_unread_tail(&webp_with_tail(40), &limits).unwrap().expect("40 unread bytes");
        assert!(found.contains("VP8L bitstream"), "{found}");
        assert!(found.contains("at least 4"), "{found}");
        // Fewer unread bytes than the probe cuts: not found (the limit the docs state).
        assert_eq!(webp_unread_tail(&webp_with_tail(3), &limits).unwrap(), None);
        assert!(webp_unread_tail(&webp_with_tail(4), &limits).unwrap().is_some());
        // Both decode to the same picture: a viewer cannot see the difference.
        let (a, b) = (webp_with_tail(0), webp_with_tail(40));
        let px = |b: &[u8]| decode(b, Format::Webp, 1, &limits).unwrap().pixels.to_rgb8().into_raw();
        assert_eq!(px(&a), px(&b));
        // Not a WebP, or too short to probe: nothing to say.
        assert_eq!(webp_unread_tail(b"RIFF", &limits).unwrap(), None);
    }

    #[test]
    fn pixel_limit_is_checked_before_decoding() {
        let bytes = jpeg(100, 100, |_, _| [0, 0, 0]);
        let limits = Limits { max_pixels: 9_999, ..Limits::default() };
        let err = decode(&bytes, Format::Jpeg, 1, &limits).unwrap_err();
        assert_eq!(err.stage, Stage::Limits);
    }

    #[test]
    fn thumbnails_are_compared_with_the_photo() {
        let scene = |x: u32, y: u32| [(x * 2) as u8, (y * 3) as u8, 128];
        let photo = decode(&jpeg(120, 80, scene), Format::Jpeg, 1, &Limits::default()).unwrap();
        let faithful = jpeg(60, 40, |x, y| scene(x * 2, y * 2));
        assert!(matches!(compare_thumbnail(&faithful, &photo), ThumbnailMatch::Same { .. }));
        let stale = jpeg(60, 40, |x, _| if x > 20 { [255, 0, 0] } else { [0, 0, 0] });
        assert!(matches!(compare_thumbnail(&stale, &photo), ThumbnailMatch::Differs { .. }));
        let square = jpeg(40, 40, |x, y| scene(x * 2, y * 2));
        assert_eq!(compare_thumbnail(&square, &photo), ThumbnailMatch::OtherShape);
        assert_eq!(compare_thumbnail(b"\xFF\xD8\xFFnope", &photo), ThumbnailMatch::Unreadable);
    }
}
