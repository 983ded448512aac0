//! PNG: a chunk walk from the signature to IEND, and what each ancillary chunk holds.

use super::{MetaFacts, TextChunk, Trailer, be32, describe_trailer};
use crate::error::{Error, Result, Stage};
use crate::limits::Deadline;

/// The PNG file signature.
pub const SIGNATURE: &[u8; 8] = b"\x89PNG\r\n\x1a\n";

/// Most bytes a compressed text chunk may inflate to: a zlib bomb in a zTXt chunk must
/// not take the machine down.
const MAX_INFLATED_TEXT: usize = 8 * 1024 * 1024;

/// Chunks that affect how pixels display (or are the pixels). `clean` keeps exactly
/// these; everything else is metadata or unknown and is dropped.
/// (APNG's acTL, fcTL and fdAT are not: only the default image is decoded and checked.)
pub const DISPLAY_CHUNKS: [&[u8; 4]; 12] = [
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT", b"pHYs",
    b"cICP",
];

/// One chunk, by byte ranges into the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    pub kind: [u8; 4],
    /// Offset of the length field.
    pub start: usize,
    /// The chunk's data.
    pub data: std::ops::Range<usize>,
    /// Offset one past the CRC.
    pub end: usize,
}

/// Walks the chunks up to and including IEND. Returns them and the end offset.
pub fn chunks(b: &[u8]) -> Result<(Vec<Chunk>, usize)> {
    if !b.starts_with(SIGNATURE) {
        return Err(Error::new(Stage::Metadata, "not a PNG: bad signature"));
    }
    let mut out = Vec::new();
    let mut pos = SIGNATURE.len();
    loop {
        let truncated = || Error::new(Stage::Decode, "truncated PNG: the file ends before its IEND chunk");
        let len = be32(b, pos).ok_or_else(truncated)? as usize;
        let kind: [u8; 4] = b.get(pos + 4..pos + 8).ok_or_else(truncated)?.try_into().unwrap_or_default();
        if !kind.iter().all(u8::is_ascii_alphabetic) {
            return Err(Error::new(Stage::Metadata, format!("corrupt PNG: bad chunk type at byte {pos}")));
        }
        let data = pos + 8..(pos + 8).checked_add(len).ok_or_else(truncated)?;
        let end = data.end + 4;
        if end > b.len() {
            return Err(truncated());
        }
        out.push(Chunk { kind, start: pos, data, end });
        pos = end;
        if &kind == b"IEND" {
            return Ok((out, end));
        }
    }
}

/// Reads the metadata of a PNG.
pub fn read(b: &[u8], facts: &mut MetaFacts, deadline: &Deadline) -> Result<()> {
    let (chunks, end) = chunks(b)?;
    // APNG: frames announced (acTL), frame controls (fcTL) and whether the first one
    // comes before IDAT (then the default image is the first frame).
    let (mut announced, mut controls, mut default_is_frame, mut seen_idat) = (None, 0usize, false, false);
    let mut image_data: Vec<u8> = Vec::new();
    for (i, chunk) in chunks.iter().enumerate() {
        if i % 256 == 255 {
            deadline.check("reading PNG chunks")?;
        }
        let data = &b[chunk.data.clone()];
        let kind = String::from_utf8_lossy(&chunk.kind).into_owned();
        match &chunk.kind {
            b"tEXt" | b"zTXt" | b"iTXt" => {
                let (keyword, text) = text_chunk(&chunk.kind, data);
                if keyword == "XML:com.adobe.xmp" {
                    facts.xmp_packets += 1;
                    if let Some(t) = &text {
                        super::xmp::read(t.as_bytes(), facts, deadline)?;
                    }
                }
                if keyword.eq_ignore_ascii_case("Raw profile type exif") {
                    facts.other.push("EXIF stored as hex text (ImageMagick)".into());
                }
                facts.text_chunks.push(TextChunk { kind, keyword, bytes: data.len(), text });
            }
            b"eXIf" => {
                super::exif::read(data, facts);
                facts.text_chunks.push(TextChunk {
                    kind,
                    keyword: String::new(),
                    bytes: data.len(),
                    text: None,
                });
            }
            b"tIME" if data.len() == 7 => {
                let year = u16::from_be_bytes([data[0], data[1]]);
                facts.png_time = Some(format!(
                    "{year:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                    data[2], data[3], data[4], data[5], data[6]
                ));
            }
            b"iCCP" => {
                // Name, NUL, method, then the zlib-compressed profile.
                if let Some(nul) = data.iter().position(|&c| c == 0) {
                    facts.icc_profile = inflate(data.get(nul + 2..).unwrap_or_default()).or(Some(Vec::new()));
                    facts.icc_name = Some(data[..nul].iter().map(|&c| c as char).collect()); // Latin-1
                }
            }
            b"acTL" => announced = be32(data, 0),
            b"fcTL" => {
                default_is_frame |= controls == 0 && !seen_idat;
                controls += 1;
            }
            b"fdAT" => {}
            b"IDAT" => {
                seen_idat = true;
                image_data.extend_from_slice(data);
            }
            k if DISPLAY_CHUNKS.contains(&k) => {}
            _ => facts.other.push(format!("PNG chunk {kind} ({} bytes)", data.len())),
        }
    }
    if announced.is_some() || controls > 0 {
        let frames =
            announced.map_or_else(|| "no acTL".to_string(), |n| format!("acTL announces {n} frames"));
        let default = if default_is_frame {
            "the first frame is the default image, which alone was checked"
        } else {
            "the default image, which alone was checked, is not one of them: browsers show only frames nobody checked"
        };
        facts.frames.push(format!("APNG animation ({frames}, {controls} frame controls); {default}"));
    }
    let ihdr = chunks.first().filter(|c| &c.kind == b"IHDR").map(|c| &b[c.data.clone()]);
    if let Some(expected) = ihdr.and_then(raw_size)
        && let Some(slack) = stream_slack(&image_data, expected, deadline)?
    {
        facts.non_display.push(slack);
        facts.rewrite_pixels = true;
    }
    if end < b.len() {
        let tail = &b[end..];
        facts.trailer = Some(Trailer { offset: end, bytes: tail.len(), holds: describe_trailer(tail) });
    }
    Ok(())
}

/// How many bytes the image data inflates to for the IHDR `ihdr` (PNG section 7: one
/// filter byte per row, rows of whole bytes; Adam7's seven passes when interlaced).
fn raw_size(ihdr: &[u8]) -> Option<u64> {
    let (w, h) = (u64::from(be32(ihdr, 0)?), u64::from(be32(ihdr, 4)?));
    let (depth, colour, interlaced) = (u64::from(*ihdr.get(8)?), *ihdr.get(9)?, *ihdr.get(12)? == 1);
    let channels = match colour {
        0 | 3 => 1,
        2 => 3,
        4 => 2,
        6 => 4,
        _ => return None,
    };
    let row = |width: u64| 1 + (width * depth * channels).div_ceil(8);
    if !interlaced {
        return Some(h * row(w));
    }
    const PASSES: [(u64, u64, u64, u64); 7] =
        [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];
    let span =
        |size: u64, start: u64, step: u64| if size > start { (size - start).div_ceil(step) } else { 0 };
    Some(
        PASSES
            .iter()
            .map(|&(x0, y0, dx, dy)| (span(w, x0, dx), span(h, y0, dy)))
            .filter(|&(pw, ph)| pw > 0 && ph > 0)
            .map(|(pw, ph)| ph * row(pw))
            .sum(),
    )
}

/// What the image data (IDAT, concatenated) holds besides the picture: bytes after the
/// end of its zlib stream, or a stream that inflates past the `expected` bytes of the
/// picture's rows. Decoders stop at either end, so these bytes are never shown. The data
/// is inflated into a small wrapping window (nothing is kept), and the inflation stops
/// as soon as it passes `expected`. A stream that is corrupt or ends early is left to the
/// decoder, which refuses it.
fn stream_slack(data: &[u8], expected: u64, deadline: &Deadline) -> Result<Option<String>> {
    use miniz_oxide::inflate::TINFLStatus;
    use miniz_oxide::inflate::core::{DecompressorOxide, decompress, inflate_flags};
    let mut inflater = DecompressorOxide::new();
    let mut window = vec![0u8; 1 << 15];
    let (mut read, mut at, mut total, mut rounds) = (0usize, 0usize, 0u64, 0usize);
    loop {
        rounds += 1;
        if rounds.is_multiple_of(1024) {
            deadline.check("inflating PNG image data")?;
        }
        let flags = inflate_flags::TINFL_FLAG_PARSE_ZLIB_HEADER;
        let (status, used, made) = decompress(&mut inflater, &data[read..], &mut window, at, flags);
        read += used;
        total += made as u64;
        at = (at + made) & (window.len() - 1);
        if total > expected {
            return Ok(Some(format!(
                "PNG image data that inflates past the {expected} bytes of the picture's rows"
            )));
        }
        match status {
            TINFLStatus::Done => break,
            TINFLStatus::HasMoreOutput => {}
            _ => return Ok(None),
        }
    }
    Ok((read < data.len())
        .then(|| format!("{} bytes after the end of the PNG image data's zlib stream", data.len() - read)))
}

/// Keyword and (decompressed) text of a tEXt, zTXt or iTXt chunk.
fn text_chunk(kind: &[u8; 4], data: &[u8]) -> (String, Option<String>) {
    let nul = data.iter().position(|&c| c == 0).unwrap_or(data.len());
    let keyword = String::from_utf8_lossy(&data[..nul]).into_owned();
    let rest = data.get(nul + 1..).unwrap_or_default();
    let text = match kind {
        b"tEXt" => Some(rest.iter().map(|&c| c as char).collect()), // Latin-1
        b"zTXt" => inflate(rest.get(1..).unwrap_or_default()).map(|t| t.iter().map(|&c| c as char).collect()),
        _ => {
            // iTXt: compression flag, method, language tag NUL, translated keyword NUL, text.
            let (flag, after) = (rest.first().copied().unwrap_or(0), rest.get(2..).unwrap_or_default());
            let mut parts = after.splitn(3, |&c| c == 0);
            let (_, _, body) = (parts.next(), parts.next(), parts.next().unwrap_or_default());
            if flag == 1 { inflate(body) } else { Some(body.to_vec()) }
                .map(|t| String::from_utf8_lossy(&t).into_owned())
        }
    };
    (keyword, text)
}

fn inflate(data: &[u8]) -> Option<Vec<u8>> {
    miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(data, MAX_INFLATED_TEXT).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut c = (data.len() as u32).to_be_bytes().to_vec();
        c.extend(kind);
        c.extend(data);
        c.extend([0, 0, 0, 0]); // CRC is not checked by the walk
        c
    }

    #[test]
    fn text_chunks_and_trailer() {
        let mut b = SIGNATURE.to_vec();
        b.extend(chunk(b"IHDR", &[0; 13]));
        b.extend(chunk(b"tEXt", b"Author\0Jane"));
        b.extend(chunk(b"tIME", &[0x07, 0xEA, 11, 20, 8, 15, 0]));
        b.extend(chunk(b"caBX", b"c2pa"));
        b.extend(chunk(b"IEND", b""));
        b.extend(b"junk");
        let mut f = MetaFacts::default();
        read(&b, &mut f, &Deadline::unlimited()).unwrap();
        assert_eq!(f.text_chunks[0].keyword, "Author");
        assert_eq!(f.text_chunks[0].text.as_deref(), Some("Jane"));
        assert_eq!(f.png_time.as_deref(), Some("2026-11-20T08:15:00Z"));
        assert_eq!(f.other, vec!["PNG chunk caBX (4 bytes)".to_string()]);
        assert_eq!(f.trailer.unwrap().bytes, 4);
    }

    #[test]
    fn zlib_bomb_in_ztxt_is_bounded() {
        let huge = vec![b'a'; MAX_INFLATED_TEXT + 10];
        let packed = miniz_oxide::deflate::compress_to_vec_zlib(&huge, 9);
        let mut data = b"Comment\0\0".to_vec();
        data.extend(packed);
        let (_, text) = text_chunk(b"zTXt", &data);
        assert!(text.is_none());
    }

    #[test]
    fn bytes_after_the_image_stream_are_found() {
        // 4×2 grey, 8 bits: two rows of one filter byte and four samples.
        let rows = [0u8, 1, 2, 3, 4, 0, 5, 6, 7, 8];
        let stream = miniz_oxide::deflate::compress_to_vec_zlib(&rows, 6);
        let ihdr = [0, 0, 0, 4, 0, 0, 0, 2, 8, 0, 0, 0, 0];
        let expected = raw_size(&ihdr).unwrap();
        assert_eq!(expected, 10);
        let none = Deadline::unlimited();
        // Near miss: the stream alone.
        assert_eq!(stream_slack(&stream, expected, &none).unwrap(), None);
        let with_tail = [stream.as_slice(), b"MRN 12345678"].concat();
        assert!(stream_slack(&with_tail, expected, &none).unwrap().unwrap().starts_with("12 bytes after"));
        let longer =
            miniz_oxide::deflate::compress_to_vec_zlib(&[rows.as_slice(), b"hidden rows"].concat(), 6);
        assert!(
            stream_slack(&longer, expected, &none).unwrap().unwrap().contains("inflates past the 10 bytes")
        );
        // Adam7 of 4×2: passes 1 (1×1), 2 (w: 4>4 no), 4 (1×1), 6 (2×1), 7 (4×1).
        let interlaced = [0, 0, 0, 4, 0, 0, 0, 2, 8, 0, 0, 0, 1];
        assert_eq!(raw_size(&interlaced), Some(2 + 2 + 3 + 5));
    }

    #[test]
    fn truncated_png_is_an_error() {
        let mut b = SIGNATURE.to_vec();
        b.extend(chunk(b"IHDR", &[0; 13]));
        assert!(chunks(&b).unwrap_err().message.contains("truncated"));
        assert!(chunks(&b[..20]).is_err());
    }
}
