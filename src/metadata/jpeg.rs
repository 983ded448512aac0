//! JPEG: a marker walk over the whole file, including the scan data.
//!
//! Container crates such as img-parts stop parsing at the first SOS and keep the rest
//! (later scans, any APPn/COM between them, and every byte after EOI) as one opaque
//! blob. That blob is exactly where a leak hides, so this walk follows the entropy-coded
//! data to EOI and lists every segment, wherever it sits.

use super::{Comment, MetaFacts, Thumbnail, Trailer, be16, describe_trailer, lossy_text};
use crate::error::{Error, Result, Stage};
use crate::limits::Deadline;

/// Start of scan.
pub const SOS: u8 = 0xDA;
/// End of image.
pub const EOI: u8 = 0xD9;
/// Comment.
pub const COM: u8 = 0xFE;

/// One marker segment, by byte ranges into the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// The marker's second byte (0xE1 for APP1, …).
    pub marker: u8,
    /// Offset of the 0xFF that starts the marker.
    pub start: usize,
    /// Offset one past the segment's payload (for SOS: one past its entropy-coded data).
    pub end: usize,
    /// The payload after the length field (empty for markers without one).
    pub payload: std::ops::Range<usize>,
    /// True when the segment comes after the first SOS.
    pub after_first_scan: bool,
}

/// The segments of the primary image and where it ends.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Every segment between SOI and EOI, in file order.
    pub segments: Vec<Segment>,
    /// Offset one past the EOI marker; bytes from here on are a trailer.
    pub end: usize,
}

/// Markers that stand alone (no length field).
fn standalone(marker: u8) -> bool {
    matches!(marker, 0x01 | 0xD0..=0xD7)
}

/// Walks the file from SOI to EOI.
pub fn layout(b: &[u8]) -> Result<Layout> {
    let corrupt = |msg: String| Error::new(Stage::Metadata, msg);
    if !b.starts_with(&[0xFF, 0xD8]) {
        return Err(corrupt("not a JPEG: no start-of-image marker".into()));
    }
    let truncated =
        || Error::new(Stage::Decode, "truncated JPEG: the file ends before its end-of-image marker");
    let mut segments = Vec::new();
    let mut seen_scan = false;
    let mut pos = 2;
    loop {
        if pos >= b.len() {
            return Err(truncated());
        }
        if b[pos] != 0xFF {
            return Err(corrupt(format!("corrupt JPEG: expected a marker at byte {pos}")));
        }
        // Any number of 0xFF fill bytes may precede a marker.
        while pos + 1 < b.len() && b[pos + 1] == 0xFF {
            pos += 1;
        }
        let Some(&marker) = b.get(pos + 1) else { return Err(truncated()) };
        if marker == EOI {
            return Ok(Layout { segments, end: pos + 2 });
        }
        if standalone(marker) {
            segments.push(Segment {
                marker,
                start: pos,
                end: pos + 2,
                payload: pos + 2..pos + 2,
                after_first_scan: seen_scan,
            });
            pos += 2;
            continue;
        }
        if marker == 0x00 || marker == 0xD8 {
            return Err(corrupt(format!("corrupt JPEG: unexpected marker 0x{marker:02X} at byte {pos}")));
        }
        let len = be16(b, pos + 2).ok_or_else(truncated)? as usize;
        if len < 2 {
            return Err(corrupt(format!("corrupt JPEG: segment length {len} at byte {pos}")));
        }
        let payload = pos + 4..pos + 2 + len;
        if payload.end > b.len() {
            return Err(truncated());
        }
        let mut end = payload.end;
        if marker == SOS {
            end = scan_end(b, end).ok_or_else(truncated)?;
        }
        segments.push(Segment { marker, start: pos, end, payload, after_first_scan: seen_scan });
        seen_scan |= marker == SOS;
        pos = end;
    }
}

/// Follows entropy-coded data from `from` to the next real marker. Inside scan data,
/// 0xFF is followed by 0x00 (a stuffed byte), a restart marker, or more fill bytes.
fn scan_end(b: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i + 1 < b.len() {
        if b[i] == 0xFF {
            match b[i + 1] {
                0x00 | 0xD0..=0xD7 => i += 2,
                0xFF => i += 1,
                _ => return Some(i),
            }
        } else {
            i += 1;
        }
    }
    None
}

/// Markers whose segments make up or decode the picture: frame headers (SOF0–3, 5–7,
/// 9–11, 13–15), Huffman and arithmetic tables (DHT, DAC), quantisation tables (DQT),
/// restart interval (DRI), scans (SOS), number of lines (DNL) and restart markers. A
/// canonical rewrite keeps these, the APPn kinds the design allows, and nothing else:
/// reserved markers (JPG 0xC8, DHP 0xDE, EXP 0xDF, JPG0–13 0xF0–0xFD, RES 0x02–0xBF, TEM)
/// decode nothing in a baseline or progressive file, so a decoder skips them and they
/// can carry anything.
pub fn displays(marker: u8) -> bool {
    matches!(marker, 0xC0..=0xC7 | 0xC9..=0xCF | 0xD0..=0xD7 | 0xDA..=0xDD)
}

/// Length of the 12-byte "Adobe" APP14 payload (identifier, version, two flag words,
/// colour transform). Bytes after it decode nothing.
pub const ADOBE_LEN: usize = 12;

/// The JFIF APP0 header before its thumbnail: identifier, version, units, densities,
/// thumbnail size.
pub const JFIF_HEADER: usize = 14;

/// The tables (DQT, DHT) of a file, one by one, and which of them a scan uses.
#[derive(Debug, Clone, Default)]
pub struct Tables {
    /// For each DQT/DHT segment (by index into [`Layout::segments`]), the payload byte
    /// ranges of the tables some scan uses: what a canonical rewrite keeps.
    pub used: Vec<(usize, Vec<std::ops::Range<usize>>)>,
    /// What no scan uses, described: tables defined and never used (or redefined before
    /// any use), bytes after the last table of a segment.
    pub unused: Vec<String>,
}

/// Splits every DQT and DHT segment into its tables and follows the frame and scans to
/// see which are used: a DQT table when a scan codes a component quantised with it, a
/// DC Huffman table when a scan codes DC coefficients (not a progressive DC refinement,
/// which is raw bits), an AC table when a scan codes AC coefficients.
pub fn tables(b: &[u8], layout: &Layout) -> Tables {
    // Per (class, slot): the definition not yet used, as (segment index, range).
    let mut pending: std::collections::HashMap<(u8, u8), (usize, std::ops::Range<usize>)> =
        Default::default();
    let mut used: std::collections::BTreeMap<usize, Vec<std::ops::Range<usize>>> = Default::default();
    let mut unused = Vec::new();
    let mut frame_quant: Vec<(u8, u8)> = Vec::new(); // (component id, DQT slot)
    let mut progressive = false;
    let name = |class: u8, slot: u8| match class {
        0 => format!("DQT table {slot}"),
        1 => format!("DC Huffman table {slot}"),
        _ => format!("AC Huffman table {slot}"),
    };
    for (i, seg) in layout.segments.iter().enumerate() {
        let p = &b[seg.payload.clone()];
        let base = seg.payload.start;
        match seg.marker {
            0xDB | 0xC4 => {
                used.entry(i).or_default();
                let mut at = 0;
                while at < p.len() {
                    let (class, slot, len) = if seg.marker == 0xDB {
                        (0, p[at] & 0x0F, 1 + 64 * (1 + usize::from(p[at] >> 4 != 0)))
                    } else {
                        let counts = p.get(at + 1..at + 17).map(|c| c.iter().map(|&n| usize::from(n)).sum());
                        let class = if p[at] >> 4 == 0 { 1 } else { 2 };
                        (class, p[at] & 0x0F, counts.map_or(usize::MAX, |n: usize| 17 + n))
                    };
                    if at.saturating_add(len) > p.len() {
                        unused.push(format!(
                            "{} bytes after the last table of a segment at byte {}",
                            p.len() - at,
                            seg.start
                        ));
                        break;
                    }
                    if let Some((_, old)) = pending.insert((class, slot), (i, base + at..base + at + len)) {
                        unused.push(format!(
                            "{} redefined before any scan used it (byte {})",
                            name(class, slot),
                            old.start
                        ));
                    }
                    at += len;
                }
            }
            0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => {
                progressive = matches!(seg.marker, 0xC2 | 0xC6 | 0xCA | 0xCE);
                let n = usize::from(p.get(5).copied().unwrap_or(0));
                frame_quant = (0..n).filter_map(|k| Some((*p.get(6 + 3 * k)?, *p.get(8 + 3 * k)?))).collect();
            }
            0xDA => {
                let n = usize::from(p.first().copied().unwrap_or(0));
                let tail = 1 + 2 * n;
                let (ss, se, ah) = (
                    p.get(tail).copied().unwrap_or(0),
                    p.get(tail + 1).copied().unwrap_or(63),
                    p.get(tail + 2).map_or(0, |a| a >> 4),
                );
                let mut take = |key: (u8, u8)| {
                    if let Some((seg_i, range)) = pending.remove(&key) {
                        used.entry(seg_i).or_default().push(range);
                    }
                };
                for k in 0..n {
                    let (Some(&id), Some(&td_ta)) = (p.get(1 + 2 * k), p.get(2 + 2 * k)) else { continue };
                    if let Some(&(_, q)) = frame_quant.iter().find(|(c, _)| *c == id) {
                        take((0, q));
                    }
                    if ss == 0 && !(progressive && ah != 0) {
                        take((1, td_ta >> 4));
                    }
                    if se > 0 {
                        take((2, td_ta & 0x0F));
                    }
                }
            }
            _ => {}
        }
    }
    let mut left: Vec<_> = pending.into_iter().collect();
    left.sort_by_key(|(_, (_, r))| r.start);
    for ((class, slot), (_, range)) in left {
        unused.push(format!(
            "{} defined at byte {} and never used by a scan",
            name(class, slot),
            range.start
        ));
    }
    for ranges in used.values_mut() {
        ranges.sort_by_key(|r| r.start);
    }
    Tables { used: used.into_iter().collect(), unused }
}

/// The identifier an APPn payload starts with, for known kinds.
pub fn app_kind(marker: u8, payload: &[u8]) -> AppKind {
    let starts = |p: &[u8]| payload.starts_with(p);
    match marker {
        0xE0 if starts(b"JFIF\0") => AppKind::Jfif,
        0xE0 if starts(b"JFXX\0") => AppKind::JfifExtension,
        0xE1 if starts(b"Exif\0") => AppKind::Exif,
        0xE1 if starts(b"http://ns.adobe.com/xap/1.0/\0") => AppKind::Xmp,
        0xE1 if starts(b"http://ns.adobe.com/xmp/extension/\0") => AppKind::ExtendedXmp,
        0xE2 if starts(b"ICC_PROFILE\0") => AppKind::Icc,
        0xE2 if starts(b"MPF\0") => AppKind::Mpf,
        0xED if starts(b"Photoshop 3.0\0") => AppKind::Photoshop,
        0xEE if starts(b"Adobe") => AppKind::Adobe,
        0xE0..=0xEF => AppKind::Other,
        _ => AppKind::NotApp,
    }
}

/// Kinds of APPn segment medscrub tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppKind {
    Jfif,
    JfifExtension,
    Exif,
    Xmp,
    ExtendedXmp,
    Icc,
    Mpf,
    Photoshop,
    Adobe,
    Other,
    NotApp,
}

/// The IJG quality (1–100) the luminance quantisation table was made with, so that a
/// redacted copy is re-encoded at the quality the camera chose.
pub fn estimate_quality(b: &[u8], layout: &Layout) -> Option<u8> {
    const STD_LUMA: [u32; 64] = [
        16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14,
        17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49,
        64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
    ];
    let dqt = layout.segments.iter().find(|s| s.marker == 0xDB)?;
    let p = &b[dqt.payload.clone()];
    let (precision, table) = (p.first()? >> 4, p.get(1..)?);
    let values: Vec<u32> = if precision == 0 {
        table.get(..64)?.iter().map(|&v| u32::from(v)).collect()
    } else {
        table.get(..128)?.chunks(2).map(|c| u32::from(u16::from_be_bytes([c[0], c[1]]))).collect()
    };
    // Zig-zag order does not matter for a sum.
    let scale = values.iter().sum::<u32>() as f64 * 100.0 / STD_LUMA.iter().sum::<u32>() as f64;
    let q = if scale <= 100.0 { (200.0 - scale) / 2.0 } else { 5000.0 / scale };
    Some(q.round().clamp(1.0, 100.0) as u8)
}

/// Reads the metadata of a JPEG.
pub fn read(b: &[u8], facts: &mut MetaFacts, deadline: &Deadline) -> Result<()> {
    let layout = layout(b)?;
    let mut icc_chunks: Vec<(u8, &[u8])> = Vec::new();
    for (i, seg) in layout.segments.iter().enumerate() {
        if i % 256 == 255 {
            deadline.check("reading JPEG segments")?;
        }
        let payload = &b[seg.payload.clone()];
        let before = where_found(facts);
        match (seg.marker, app_kind(seg.marker, payload)) {
            (COM, _) => facts.comments.push(Comment { source: "JPEG COM", text: lossy_text(payload) }),
            (_, AppKind::Exif) => {
                if seg.after_first_scan {
                    // Viewers read EXIF before the image data only: this block never
                    // orients the picture, however early it is.
                    facts.exif_blocks += 1;
                }
                super::exif::read(&payload[6..], facts);
            }
            (_, AppKind::Xmp) => {
                facts.xmp_packets += 1;
                super::xmp::read(&payload[29..], facts, deadline)?;
            }
            (_, AppKind::ExtendedXmp) => {
                facts.xmp_packets += 1;
                // GUID (32) + full length (4) + offset (4) follow the identifier.
                let body = payload.get(35 + 40..).unwrap_or_default();
                super::xmp::read(body, facts, deadline)?;
            }
            (_, AppKind::Icc) => {
                if payload.len() >= 14 {
                    icc_chunks.push((payload[12], &payload[14..]));
                }
            }
            (_, AppKind::Photoshop) => {
                let found = facts.iptc.len() + facts.photoshop_resources.len();
                let read = super::iptc::read_photoshop(&payload[14..], facts);
                let left = payload.len() - 14 - read;
                if left > 0 {
                    // Not an 8BIM list (or more after it): nothing medscrub can read, so
                    // nothing it can vouch for.
                    facts.other.push(format!(
                        "APP13 Photoshop segment with {left} bytes that are not Photoshop image resources"
                    ));
                } else if facts.iptc.len() + facts.photoshop_resources.len() == found {
                    facts.other.push("empty APP13 Photoshop segment".into());
                }
            }
            (_, AppKind::Jfif) => {
                // JFIF can carry its own uncompressed thumbnail after the 14-byte header.
                let thumb = payload.get(12..14).map_or(0, |t| 3 * usize::from(t[0]) * usize::from(t[1]));
                if thumb > 0 && payload.len() > JFIF_HEADER {
                    facts.thumbnails.push(Thumbnail {
                        source: "JFIF APP0",
                        jpeg: None,
                        bytes: payload.len() - JFIF_HEADER,
                    });
                }
                if payload.len() > JFIF_HEADER + thumb {
                    facts.non_display.push(format!(
                        "JFIF APP0 segment with {} bytes after its header and thumbnail",
                        payload.len() - JFIF_HEADER - thumb
                    ));
                }
            }
            (_, AppKind::Adobe) if payload.len() > ADOBE_LEN => facts.non_display.push(format!(
                "APP14 Adobe segment with {} bytes after its 12-byte header",
                payload.len() - ADOBE_LEN
            )),
            (_, AppKind::JfifExtension) => facts.thumbnails.push(Thumbnail {
                source: "JFIF extension (JFXX)",
                jpeg: None,
                bytes: payload.len(),
            }),
            (m, AppKind::Mpf) => facts.other.push(format!(
                "APP{} MPF index of secondary images ({} bytes)",
                m - 0xE0,
                payload.len()
            )),
            (m, AppKind::Other) => facts.other.push(format!(
                "APP{} segment{} ({} bytes)",
                m - 0xE0,
                app_label(payload),
                payload.len()
            )),
            (m, AppKind::NotApp) if !displays(m) => facts.non_display.push(format!(
                "reserved marker 0x{m:02X} segment ({} bytes) at byte {}",
                seg.end - seg.start,
                seg.start
            )),
            (_, AppKind::Adobe | AppKind::NotApp) => {}
        }
        if seg.after_first_scan && where_found(facts) != before {
            facts.after_scan.push(format!("marker 0x{:02X} at byte {}", seg.marker, seg.start));
        }
    }
    if let Some(slack) = super::jpeg_scan::slack(b, &layout, deadline)? {
        for unused in slack.iter().filter(|s| !s.only_fill) {
            facts.non_display.push(format!(
                "{} bytes of scan data after the last block that uses them, at byte {}",
                unused.range.len(),
                unused.range.start
            ));
        }
        facts.scan_slack = slack.into_iter().map(|s| s.range).collect();
    }
    facts.jpeg_quality = estimate_quality(b, &layout);
    facts.non_display.extend(tables(b, &layout).unused);
    if !icc_chunks.is_empty() {
        icc_chunks.sort_by_key(|(seq, _)| *seq);
        facts.icc_profile = Some(icc_chunks.iter().flat_map(|(_, d)| d.iter().copied()).collect());
    }
    if layout.end < b.len() {
        let tail = &b[layout.end..];
        facts.trailer =
            Some(Trailer { offset: layout.end, bytes: tail.len(), holds: describe_trailer(tail) });
    }
    Ok(())
}

/// A count of everything found so far, to tell whether a segment added metadata.
fn where_found(f: &MetaFacts) -> usize {
    f.comments.len()
        + f.exif.len()
        + f.xmp.len()
        + f.xmp_packets
        + f.iptc.len()
        + f.other.len()
        + f.unreadable_exif.len()
}

/// A printable label for an unknown APPn identifier, e.g. ` "Ducky"`.
fn app_label(payload: &[u8]) -> String {
    let id: String = payload.iter().take_while(|&&c| c != 0).take(24).map(|&c| c as char).collect();
    if !id.is_empty() && id.chars().all(|c| c.is_ascii_graphic() || c == ' ') {
        format!(" \"{id}\"")
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SOI, APP0 JFIF, DQT(stub), SOS with entropy bytes incl. stuffing and RST, EOI.
    fn tiny() -> Vec<u8> {
        let mut v = vec![0xFF, 0xD8];
        v.extend([0xFF, 0xE0, 0, 16]);
        v.extend(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
        v.extend([0xFF, SOS, 0, 3, 0]);
        v.extend([0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56]);
        v.extend([0xFF, COM, 0, 5, b'M', b'R', b'N']);
        v.extend([0xFF, SOS, 0, 3, 0, 0x78, 0xFF, 0xFF, EOI]);
        v
    }

    #[test]
    fn walks_through_scan_data_to_eoi() {
        let b = tiny();
        let l = layout(&b).unwrap();
        assert_eq!(l.end, b.len());
        let markers: Vec<u8> = l.segments.iter().map(|s| s.marker).collect();
        assert_eq!(markers, vec![0xE0, SOS, COM, SOS]);
        assert!(l.segments[2].after_first_scan);
    }

    #[test]
    fn finds_metadata_after_the_first_scan_and_trailers() {
        let mut b = tiny();
        b.extend(b"\xFF\xD8\xFF\xE0 second image");
        let mut facts = MetaFacts::new();
        read(&b, &mut facts, &Deadline::unlimited()).unwrap();
        assert_eq!(facts.comments[0].text, "MRN");
        assert_eq!(facts.after_scan.len(), 1);
        let t = facts.trailer.unwrap();
        assert_eq!(t.bytes, 17);
        assert_eq!(t.holds.as_deref(), Some("a JPEG image"));
    }

    fn encoded(colour: image::ColorType) -> Vec<u8> {
        let img = image::DynamicImage::new(16, 16, colour);
        let mut out = Vec::new();
        img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Jpeg).unwrap();
        out
    }

    #[test]
    fn tables_every_scan_uses_are_not_findings_and_spare_ones_are() {
        // Near misses: what our own encoder writes (redacted and HEIC copies), grey and colour.
        for colour in [image::ColorType::L8, image::ColorType::Rgb8] {
            let b = encoded(colour);
            let mut facts = MetaFacts::new();
            read(&b, &mut facts, &Deadline::unlimited()).unwrap();
            assert!(facts.non_display.is_empty(), "{colour:?}: {:?}", facts.non_display);
        }
        // A spare DQT table (slot 3) and a reserved JPG5 segment after SOI.
        let b = encoded(image::ColorType::Rgb8);
        let mut spare = vec![0xFF, 0xD8];
        spare.extend([0xFF, 0xF5, 0, 6, b'n', b'o', b't', b'e']);
        spare.extend([0xFF, 0xDB, 0, 67, 3]);
        spare.extend([1u8; 64]);
        spare.extend(&b[2..]);
        let mut facts = MetaFacts::new();
        read(&spare, &mut facts, &Deadline::unlimited()).unwrap();
        let all = facts.non_display.join("; ");
        assert!(all.contains("reserved marker 0xF5"), "{all}");
        assert!(all.contains("DQT table 3 defined at byte"), "{all}");
        assert_eq!(facts.non_display.len(), 2, "{all}");
    }

    #[test]
    fn truncation_is_an_error_not_a_guess() {
        let b = tiny();
        for cut in [3, 10, 24, b.len() - 1] {
            let err = layout(&b[..cut]).unwrap_err();
            assert!(err.message.contains("truncated"), "{cut}: {err}");
        }
    }
}
