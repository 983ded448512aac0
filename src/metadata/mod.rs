//! Metadata: what a photo's container carries besides its pixels.
//!
//! Each container module (`jpeg`, `png`, `webp`, `gif`, `tiff`, `heif`) walks the file's
//! structure and hands the payloads it finds to the shared parsers (`exif`, `xmp`,
//! `iptc`). The result is [`MetaFacts`]: facts only, no verdicts and no writes. The
//! rules decide what the facts mean.

pub mod exif;
pub mod gif;
pub mod heif;
pub mod icc;
pub mod iptc;
pub mod jpeg;
pub mod jpeg_scan;
pub mod png;
pub mod tiff;
pub mod webp;
pub mod xmp;

use crate::error::Result;
use crate::intake::Format;
use crate::limits::Deadline;
use serde::Serialize;

/// One EXIF field, as found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExifTag {
    /// Which directory it sits in: `IFD0`, `ExifIFD`, `GPS`, `IFD1` (thumbnail), `Interop`.
    pub ifd: &'static str,
    /// The tag number.
    pub number: u16,
    /// The tag's name (`Make`, `GPSLatitude`, or `Tag 0xA500` when unknown).
    pub name: String,
    /// The value as a person would read it.
    pub value: String,
}

/// A GPS position read from EXIF or XMP.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GpsFix {
    /// Latitude in degrees, north positive.
    pub latitude: f64,
    /// Longitude in degrees, east positive.
    pub longitude: f64,
}

/// One XMP property: a path of qualified names (e.g.
/// `mwg-rs:Regions/mwg-rs:RegionList/mwg-rs:Name`) and its text value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct XmpProperty {
    pub path: String,
    pub value: String,
}

impl XmpProperty {
    /// The last element of the path, e.g. `dc:creator`.
    pub fn name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }
}

/// One IPTC IIM dataset (e.g. 2:80 By-line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IptcDataset {
    pub record: u8,
    pub dataset: u8,
    pub name: &'static str,
    pub value: String,
}

/// A free-text comment stored in the container (JPEG COM, GIF comment).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comment {
    /// Where it was: `JPEG COM`, `GIF comment`, …
    pub source: &'static str,
    pub text: String,
}

/// A PNG text-bearing chunk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TextChunk {
    /// `tEXt`, `zTXt`, `iTXt` or `eXIf`.
    pub kind: String,
    /// The keyword (`Author`, `Comment`, `XML:com.adobe.xmp`); empty for eXIf.
    pub keyword: String,
    /// Size of the chunk's data in bytes.
    pub bytes: usize,
    /// The text, when it could be read (decompressed if needed).
    pub text: Option<String>,
}

/// Bytes after the end of the image (JPEG EOI, PNG IEND, GIF trailer, RIFF end).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trailer {
    /// Where it starts.
    pub offset: usize,
    /// How many bytes.
    pub bytes: usize,
    /// What it holds, when recognisable: "a JPEG image", "an MP4 video", "zero padding".
    pub holds: Option<String>,
}

/// An embedded preview image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thumbnail {
    /// Where it was: `EXIF IFD1`, `JFIF APP0`, `Photoshop resource`, `HEIF thumbnail`.
    pub source: &'static str,
    /// The encoded preview, when medscrub can decode it (EXIF JPEG thumbnails).
    pub jpeg: Option<Vec<u8>>,
    pub bytes: usize,
}

/// The capture time, and which field it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaptureTime {
    /// ISO 8601 local time, with the UTC offset when the photo recorded one:
    /// `2026-11-20T08:15:00-05:00`.
    pub value: String,
    /// The field it came from: `EXIF DateTimeOriginal`, `XMP xmp:CreateDate`, …
    pub source: String,
}

/// Everything medscrub learned about a photo's metadata.
#[derive(Debug, Clone, Default)]
pub struct MetaFacts {
    /// EXIF Orientation (1–8), 1 when absent.
    pub orientation: u16,
    /// JPEG only: the IJG quality of the luminance table, so a redacted copy is
    /// re-encoded at the quality the camera chose.
    pub jpeg_quality: Option<u8>,
    /// The embedded ICC colour profile, if any. Kept by `clean` when it is valid.
    pub icc_profile: Option<Vec<u8>>,
    /// An embedded "ICC profile" that is not a colour profile (wrong size field, no
    /// `acsp` signature, implausibly large, an unreadable tag table): arbitrary bytes, so
    /// `clean` drops it.
    pub icc_invalid: bool,
    /// What the valid profile holds besides colour data: its texts (read by the text
    /// rules) and anything beyond colour data and a plain name (`meta.icc`). Stripped
    /// copies carry its canonical form (`metadata::icc::canonical`).
    pub icc: icc::IccFacts,
    /// The profile's name in a PNG iCCP chunk (free text, read by the text rules).
    pub icc_name: Option<String>,
    /// EXIF blocks seen so far, readable or not; only the first sets `orientation`.
    pub exif_blocks: usize,
    /// Every EXIF field from every EXIF block.
    pub exif: Vec<ExifTag>,
    /// The GPS position, when one was recorded.
    pub gps: Option<GpsFix>,
    /// EXIF blocks that could not be parsed, with their size (removed whole by `clean`).
    pub unreadable_exif: Vec<usize>,
    /// XMP properties from every packet.
    pub xmp: Vec<XmpProperty>,
    /// Number of XMP packets (standard and extended).
    pub xmp_packets: usize,
    /// IPTC datasets.
    pub iptc: Vec<IptcDataset>,
    /// Photoshop image resources (APP13 8BIM) other than IPTC, by id.
    pub photoshop_resources: Vec<u16>,
    /// Free-text comments.
    pub comments: Vec<Comment>,
    /// PNG text chunks.
    pub text_chunks: Vec<TextChunk>,
    /// PNG tIME, as written.
    pub png_time: Option<String>,
    /// Embedded previews.
    pub thumbnails: Vec<Thumbnail>,
    /// Bytes after the end of the image.
    pub trailer: Option<Trailer>,
    /// Other metadata blocks medscrub does not interpret, described ("APP4 segment
    /// (1,204 bytes)", "PNG chunk caBX"). `clean` drops them all.
    pub other: Vec<String>,
    /// Pictures besides the one decoded and checked, described: animation frames (APNG,
    /// GIF, WebP) and further TIFF pages. `clean` keeps only the checked picture.
    pub frames: Vec<String>,
    /// Bytes the container holds that a canonical rewrite drops, described: reserved
    /// JPEG markers, tables no scan uses, bytes after an APP14 Adobe or JFIF header,
    /// bytes after a PNG's zlib stream, slack in a WebP's RIFF structure
    /// (`meta.container`). They display nothing, so they can carry anything.
    pub non_display: Vec<String>,
    /// Byte ranges inside JPEG scan data that no block uses (`jpeg_scan`), fill bytes
    /// included; `clean` leaves them out of the copy.
    pub scan_slack: Vec<std::ops::Range<usize>>,
    /// The picture's own data stream holds more than the picture (bytes after a PNG's
    /// zlib stream, or inflating past its rows; slack inside a WebP): container surgery
    /// cannot cut it out, so `clean` writes the copy from the decoded pixels.
    pub rewrite_pixels: bool,
    /// Metadata found after the first JPEG scan began, described. Easy to miss for
    /// tools that stop reading at the first SOS.
    pub after_scan: Vec<String>,
}

impl MetaFacts {
    fn new() -> MetaFacts {
        MetaFacts { orientation: 1, ..MetaFacts::default() }
    }

    /// The capture time, from the most trustworthy field that has one.
    pub fn capture_time(&self) -> Option<CaptureTime> {
        exif::capture_time(&self.exif)
            .or_else(|| xmp::capture_time(&self.xmp))
            .or_else(|| iptc::capture_time(&self.iptc))
    }
}

/// Reads the metadata of `bytes`, which sniffing said are `format`, with no time budget.
///
/// Errors mean the container itself is broken (truncated, lengths pointing past the
/// end) or is built past a parser's caps: the photo cannot be fully analysed and is
/// blocked.
pub fn read(bytes: &[u8], format: Format) -> Result<MetaFacts> {
    read_within(bytes, format, &Deadline::unlimited())
}

/// [`read`] within the photo's time budget, which the parsers' long loops check (a
/// packet built to be slow stops with `error.limits` instead of running on past
/// `--max-seconds`).
pub fn read_within(bytes: &[u8], format: Format, deadline: &Deadline) -> Result<MetaFacts> {
    let mut facts = MetaFacts::new();
    match format {
        Format::Jpeg => jpeg::read(bytes, &mut facts, deadline)?,
        Format::Png => png::read(bytes, &mut facts, deadline)?,
        Format::Webp => webp::read(bytes, &mut facts, deadline)?,
        Format::Gif => gif::read(bytes, &mut facts, deadline)?,
        Format::Tiff => tiff::read(bytes, &mut facts, deadline)?,
        Format::Heif => heif::read(bytes, &mut facts, deadline)?,
    }
    if let Some(profile) = &facts.icc_profile {
        match Some(profile).filter(|p| icc_is_valid(p)).and_then(|p| icc::read(p)) {
            Some(read) => facts.icc = read,
            None => {
                facts.other.push(format!(
                    "an ICC profile that is not a valid colour profile ({} bytes)",
                    profile.len()
                ));
                facts.icc_profile = None;
                facts.icc_invalid = true;
            }
        }
    }
    Ok(facts)
}

/// Largest ICC profile kept. Real display and camera profiles are a few KiB to a few
/// hundred KiB; anything near this is a payload, not a colour description.
pub const MAX_ICC_BYTES: usize = 4 * 1024 * 1024;

/// A colour profile is kept only when it looks like one: its header's size field
/// matches its length and it carries the `acsp` signature (ICC.1, section 7.2).
pub fn icc_is_valid(icc: &[u8]) -> bool {
    icc.len() >= 132
        && icc.len() <= MAX_ICC_BYTES
        && be32(icc, 0).is_some_and(|n| n as usize == icc.len())
        && icc.get(36..40) == Some(b"acsp".as_slice())
}

/// Describes what a run of trailing bytes holds, for the report.
pub(crate) fn describe_trailer(tail: &[u8]) -> Option<String> {
    if tail.iter().all(|&b| b == 0) {
        return Some("zero padding".into());
    }
    let find = |needle: &[u8]| memchr::memmem::find(tail, needle);
    let jpegs = tail.windows(3).filter(|w| *w == [0xFF, 0xD8, 0xFF]).count();
    if jpegs > 0 {
        let what = if jpegs == 1 { "a JPEG image".to_string() } else { format!("{jpegs} JPEG images") };
        return Some(what);
    }
    if find(b"\x89PNG\r\n\x1a\n").is_some() {
        return Some("a PNG image".into());
    }
    if find(b"ftyp").is_some() {
        return Some("an MP4/QuickTime video (motion photo)".into());
    }
    if find(b"SEFH").is_some() || find(b"SEFT").is_some() {
        return Some("Samsung camera data".into());
    }
    None
}

/// A string from bytes that may not be UTF-8, trimmed of NULs and spaces.
pub(crate) fn lossy_text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).trim_matches(|c: char| c == '\0' || c.is_whitespace()).to_string()
}

/// Reads a big-endian u16 at `at`, or `None` past the end.
pub(crate) fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]))
}

/// Reads a big-endian u32 at `at`, or `None` past the end.
pub(crate) fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// Reads a little-endian u32 at `at`, or `None` past the end.
pub(crate) fn le32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailer_contents_are_named() {
        assert_eq!(describe_trailer(&[0, 0, 0]), Some("zero padding".into()));
        assert_eq!(describe_trailer(b"xx\xFF\xD8\xFF\xE0yy"), Some("a JPEG image".into()));
        assert_eq!(
            describe_trailer(b"\0\0\0\x18ftypmp42"),
            Some("an MP4/QuickTime video (motion photo)".into())
        );
        assert_eq!(describe_trailer(b"hello"), None);
    }
}
