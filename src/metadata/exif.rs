//! EXIF, read with kamadak-exif from whatever container carried it.

use super::{CaptureTime, ExifTag, GpsFix, MetaFacts, Thumbnail};
use exif::{Context, Field, In, Tag, Value};

/// Longest value kept for a report; MakerNotes can be tens of kilobytes of binary.
const MAX_VALUE_CHARS: usize = 120;

/// Parses one EXIF block (starting at its TIFF header) into `facts`.
///
/// A block that cannot be parsed at all is recorded as unreadable (it is removed whole
/// by `clean`); a partly broken one contributes the fields that could be read.
///
/// Only the first EXIF block of a file orients the picture: viewers, browsers and
/// exiftool read the first and ignore the rest. A later block whose Orientation says
/// otherwise is recorded in `other` (`clean` drops it; the copy keeps the first's).
pub fn read(tiff: &[u8], facts: &mut MetaFacts) -> Option<exif::Exif> {
    let first = facts.exif_blocks == 0;
    facts.exif_blocks += 1;
    let exif = match exif::Reader::new().continue_on_error(true).read_raw(tiff.to_vec()) {
        Ok(exif) => exif,
        Err(e) => match e.distill_partial_result(|_| {}) {
            Ok(exif) => {
                // Broken entries may point anywhere; what they hold is unknown, so the
                // block is not "only harmless fields" even when what could be read is.
                facts
                    .other
                    .push(format!("EXIF entries that could not be read ({} bytes of EXIF)", tiff.len()));
                exif
            }
            Err(_) => {
                facts.unreadable_exif.push(tiff.len());
                return None;
            }
        },
    };
    for field in exif.fields() {
        facts.exif.push(ExifTag {
            ifd: ifd_name(field),
            number: field.tag.number(),
            name: tag_name(field.tag),
            value: display(field, &exif),
        });
    }
    if let Some(o) = exif.get_field(Tag::Orientation, In::PRIMARY).and_then(|f| f.value.get_uint(0)) {
        if !first {
            if o != u32::from(facts.orientation) {
                facts.other.push(format!(
                    "a second EXIF block says Orientation {o}; viewers follow the first block ({})",
                    facts.orientation
                ));
            }
        } else if (1..=8).contains(&o) {
            facts.orientation = o as u16;
        } else {
            // Viewers disagree on what to do with it: the copy is written as decoded, upright.
            facts.other.push(format!("EXIF Orientation {o} is not a valid value (1 to 8)"));
        }
    }
    if facts.gps.is_none() {
        facts.gps = gps_fix(&exif);
    }
    let offset = exif.get_field(Tag::JPEGInterchangeFormat, In::THUMBNAIL).and_then(|f| f.value.get_uint(0));
    let length =
        exif.get_field(Tag::JPEGInterchangeFormatLength, In::THUMBNAIL).and_then(|f| f.value.get_uint(0));
    if let (Some(off), Some(len)) = (offset, length) {
        let (off, len) = (off as usize, len as usize);
        let jpeg = exif.buf().get(off..off.saturating_add(len)).map(<[u8]>::to_vec);
        facts.thumbnails.push(Thumbnail { source: "EXIF IFD1", bytes: len, jpeg });
    }
    Some(exif)
}

fn ifd_name(field: &Field) -> &'static str {
    match field.tag.context() {
        Context::Exif => "ExifIFD",
        Context::Gps => "GPS",
        Context::Interop => "Interop",
        _ if field.ifd_num == In::PRIMARY => "IFD0",
        _ if field.ifd_num == In::THUMBNAIL => "IFD1",
        _ => "IFD",
    }
}

fn tag_name(tag: Tag) -> String {
    let name = tag.to_string();
    if name.starts_with("Tag(") {
        // Windows XP tags are common and unknown to kamadak-exif.
        match tag.number() {
            0x9C9B => "XPTitle".into(),
            0x9C9C => "XPComment".into(),
            0x9C9D => "XPAuthor".into(),
            0x9C9E => "XPKeywords".into(),
            0x9C9F => "XPSubject".into(),
            0x02BC => "XMLPacket".into(),
            0x83BB => "IPTC-NAA".into(),
            0x8649 => "PhotoshopSettings".into(),
            0x8773 => "ICCProfile".into(),
            n => format!("Tag 0x{n:04X}"),
        }
    } else {
        name
    }
}

/// A readable value: ASCII as text (no quotes), everything else as kamadak-exif shows it.
fn display(field: &Field, exif: &exif::Exif) -> String {
    let text = match &field.value {
        Value::Ascii(parts) => parts.iter().map(|p| super::lossy_text(p)).collect::<Vec<_>>().join(", "),
        Value::Byte(bytes) if (0x9C9B..=0x9C9F).contains(&field.tag.number()) => {
            // XP* tags are UTF-16LE in a BYTE array.
            let units: Vec<u16> = bytes.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
            String::from_utf16_lossy(&units).trim_end_matches('\0').to_string()
        }
        Value::Undefined(bytes, _) if field.tag == Tag::UserComment => {
            // 8-byte character-code prefix, then the text.
            super::lossy_text(bytes.get(8..).unwrap_or_default())
        }
        Value::Undefined(bytes, _) if bytes.len() > 64 => format!("({} bytes of binary data)", bytes.len()),
        _ => field.display_value().with_unit(exif).to_string(),
    };
    if text.chars().count() > MAX_VALUE_CHARS {
        let cut: String = text.chars().take(MAX_VALUE_CHARS).collect();
        format!("{cut}…")
    } else {
        text
    }
}

fn gps_fix(exif: &exif::Exif) -> Option<GpsFix> {
    let coord = |tag: Tag, reference: Tag, negative: u8| -> Option<f64> {
        let field = exif.get_field(tag, In::PRIMARY)?;
        let Value::Rational(parts) = &field.value else { return None };
        let deg = parts
            .iter()
            .take(3)
            .zip([1.0, 60.0, 3600.0])
            .map(|(r, div)| if r.denom == 0 { 0.0 } else { f64::from(r.num) / f64::from(r.denom) / div });
        let value: f64 = deg.sum();
        let sign = match exif.get_field(reference, In::PRIMARY).map(|f| &f.value) {
            Some(Value::Ascii(r)) if r.first().and_then(|s| s.first()) == Some(&negative) => -1.0,
            _ => 1.0,
        };
        value.is_finite().then_some(sign * value)
    };
    Some(GpsFix {
        latitude: coord(Tag::GPSLatitude, Tag::GPSLatitudeRef, b'S')?,
        longitude: coord(Tag::GPSLongitude, Tag::GPSLongitudeRef, b'W')?,
    })
}

/// Normalises an EXIF/IPTC/XMP date ("2026:11:20 08:15:00", "2026-11-20T08:15",
/// "20261120") to ISO 8601 ("2026-11-20T08:15:00" or "2026-11-20").
pub fn normalise_datetime(s: &str) -> Option<String> {
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let num = |r: std::ops::Range<usize>| digits.get(r).and_then(|d| d.parse::<u32>().ok());
    let (y, mo, d) = (num(0..4)?, num(4..6)?, num(6..8)?);
    if !(1900..=2200).contains(&y) || !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    match (num(8..10), num(10..12), num(12..14)) {
        (Some(h), Some(mi), sec) if h < 24 && mi < 60 => {
            Some(format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{:02}", sec.unwrap_or(0).min(60)))
        }
        _ => Some(format!("{y:04}-{mo:02}-{d:02}")),
    }
}

/// The capture time from EXIF fields: DateTimeOriginal, then DateTimeDigitized, then
/// DateTime (the last modification), each with its UTC offset when recorded.
pub fn capture_time(tags: &[ExifTag]) -> Option<CaptureTime> {
    let get = |name: &str| tags.iter().find(|t| t.name == name).map(|t| t.value.as_str());
    for (field, offset) in [
        ("DateTimeOriginal", "OffsetTimeOriginal"),
        ("DateTimeDigitized", "OffsetTimeDigitized"),
        ("DateTime", "OffsetTime"),
    ] {
        if let Some(value) = get(field).and_then(normalise_datetime) {
            let offset = get(offset).filter(|o| is_utc_offset(o)).unwrap_or("");
            return Some(CaptureTime { value: format!("{value}{offset}"), source: format!("EXIF {field}") });
        }
    }
    let date = get("GPSDateStamp").and_then(normalise_datetime)?;
    Some(CaptureTime { value: date, source: "EXIF GPSDateStamp".into() })
}

fn is_utc_offset(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 6 && (b[0] == b'+' || b[0] == b'-') && b[3] == b':'
}

/// What an EXIF field is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExifClass {
    Gps,
    DateTime,
    Device,
    Serial,
    Owner,
    Comment,
    Thumbnail,
    /// Describes the pixels (resolution, layout, colour space); not identifying.
    Structure,
    /// Anything else: removed by `clean`, reported by `meta.other`.
    Other,
}

/// Sorts an EXIF field into the class whose rule reports it.
pub fn classify(tag: &ExifTag) -> ExifClass {
    let n = tag.number;
    match (tag.ifd, tag.name.as_str()) {
        ("GPS", "GPSDateStamp" | "GPSTimeStamp") => ExifClass::DateTime,
        ("GPS", _) => ExifClass::Gps,
        ("IFD1", _) => ExifClass::Thumbnail,
        ("Interop", _) => ExifClass::Structure,
        (
            _,
            "DateTime"
            | "DateTimeOriginal"
            | "DateTimeDigitized"
            | "OffsetTime"
            | "OffsetTimeOriginal"
            | "OffsetTimeDigitized"
            | "SubSecTime"
            | "SubSecTimeOriginal"
            | "SubSecTimeDigitized",
        ) => ExifClass::DateTime,
        (
            _,
            "Make" | "Model" | "Software" | "LensMake" | "LensModel" | "HostComputer" | "LensSpecification",
        ) => ExifClass::Device,
        (_, "BodySerialNumber" | "LensSerialNumber" | "ImageUniqueID" | "MakerNote") => ExifClass::Serial,
        (_, "Artist" | "Copyright" | "CameraOwnerName" | "XPAuthor") => ExifClass::Owner,
        (_, "ImageDescription" | "UserComment" | "XPComment" | "XPTitle" | "XPSubject" | "XPKeywords") => {
            ExifClass::Comment
        }
        (
            _,
            "Orientation"
            | "XResolution"
            | "YResolution"
            | "ResolutionUnit"
            | "YCbCrPositioning"
            | "YCbCrCoefficients"
            | "YCbCrSubSampling"
            | "ReferenceBlackWhite"
            | "ExifVersion"
            | "FlashpixVersion"
            | "ColorSpace"
            | "PixelXDimension"
            | "PixelYDimension"
            | "ComponentsConfiguration"
            | "WhitePoint"
            | "PrimaryChromaticities"
            | "Gamma"
            | "ExifIFDPointer"
            | "GPSInfoIFDPointer"
            | "InteropIFDPointer"
            | "XMLPacket"
            | "IPTC-NAA"
            | "PhotoshopSettings"
            | "ICCProfile",
        ) => ExifClass::Structure,
        // Camera serials with no standard name (DNG CameraSerialNumber).
        (_, _) if n == 0xC62F => ExifClass::Serial,
        (_, _) if super::tiff::STRUCTURE_TAGS.contains(&n) => ExifClass::Structure,
        // Exposure, flash, focal length and the rest of the capture settings.
        ("ExifIFD", _) => ExifClass::Device,
        _ => ExifClass::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_normalise_from_every_dialect() {
        assert_eq!(normalise_datetime("2026:11:20 08:15:00").as_deref(), Some("2026-11-20T08:15:00"));
        assert_eq!(normalise_datetime("2026-11-20T08:15").as_deref(), Some("2026-11-20T08:15:00"));
        assert_eq!(normalise_datetime("20261120").as_deref(), Some("2026-11-20"));
        // Blank EXIF dates ("0000:00:00 00:00:00") and nonsense are not dates.
        assert_eq!(normalise_datetime("0000:00:00 00:00:00"), None);
        assert_eq!(normalise_datetime("iPhone 15"), None);
    }

    #[test]
    fn capture_time_prefers_original_and_keeps_offset() {
        let tag = |name: &str, value: &str| ExifTag {
            ifd: "ExifIFD",
            number: 0,
            name: name.into(),
            value: value.into(),
        };
        let tags = vec![
            tag("DateTime", "2026:11:21 09:00:00"),
            tag("DateTimeOriginal", "2026:11:20 08:15:00"),
            tag("OffsetTimeOriginal", "-05:00"),
        ];
        let t = capture_time(&tags).unwrap();
        assert_eq!(t.value, "2026-11-20T08:15:00-05:00");
        assert_eq!(t.source, "EXIF DateTimeOriginal");
        assert!(capture_time(&tags[..1]).unwrap().source.ends_with("DateTime"));
        assert_eq!(capture_time(&[]), None);
    }

    #[test]
    fn exif_classes() {
        let tag = |ifd: &'static str, name: &str, value: &str| ExifTag {
            ifd,
            number: 0,
            name: name.into(),
            value: value.into(),
        };
        assert_eq!(classify(&tag("IFD0", "Software", "x")), ExifClass::Device);
        assert_eq!(classify(&tag("ExifIFD", "FNumber", "x")), ExifClass::Device);
        assert_eq!(classify(&tag("IFD1", "Compression", "x")), ExifClass::Thumbnail);
        assert_eq!(classify(&tag("IFD0", "Tag 0xA500", "x")), ExifClass::Other);
        assert_eq!(classify(&tag("Interop", "InteroperabilityIndex", "R98")), ExifClass::Structure);
    }
}
