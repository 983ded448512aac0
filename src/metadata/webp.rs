//! WebP: the RIFF chunk list and what each chunk holds.

use super::{MetaFacts, Trailer, describe_trailer, le32};
use crate::error::{Error, Result, Stage};
use crate::limits::Deadline;

/// Chunks that make up the picture (or its colour): kept by `clean`.
pub const IMAGE_CHUNKS: [&[u8; 4]; 7] = [b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF", b"ICCP"];

/// One RIFF chunk, by byte ranges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    pub fourcc: [u8; 4],
    pub data: std::ops::Range<usize>,
    /// Offset one past the chunk, including its pad byte.
    pub end: usize,
}

/// Walks the chunks inside the RIFF container. Returns them and the RIFF end offset.
pub fn chunks(b: &[u8]) -> Result<(Vec<Chunk>, usize)> {
    if b.len() < 12 || &b[0..4] != b"RIFF" || &b[8..12] != b"WEBP" {
        return Err(Error::new(Stage::Metadata, "not a WebP: bad RIFF header"));
    }
    let riff_end = (le32(b, 4).unwrap_or(0) as usize).saturating_add(8);
    if riff_end > b.len() {
        return Err(Error::new(Stage::Decode, "truncated WebP: the file is shorter than its RIFF size"));
    }
    let mut out = Vec::new();
    let mut pos = 12;
    while pos + 8 <= riff_end {
        let fourcc: [u8; 4] = b[pos..pos + 4].try_into().unwrap_or_default();
        let size = le32(b, pos + 4).unwrap_or(0) as usize;
        let data = pos + 8..(pos + 8).saturating_add(size);
        if data.end > riff_end {
            return Err(Error::new(Stage::Decode, "truncated WebP: a chunk runs past the end of the file"));
        }
        let end = data.end + (size & 1);
        out.push(Chunk { fourcc, data, end });
        pos = end;
    }
    Ok((out, riff_end))
}

/// Reads the metadata of a WebP.
pub fn read(b: &[u8], facts: &mut MetaFacts, deadline: &Deadline) -> Result<()> {
    let (chunks, riff_end) = chunks(b)?;
    let frames = chunks.iter().filter(|c| &c.fourcc == b"ANMF").count();
    if frames > 1 {
        // The decoder shows the first frame only; `clean` writes it as a still.
        facts.frames.push(format!(
            "animated WebP: {} more frames after the first, which alone was checked",
            frames - 1
        ));
    }
    for c in &chunks {
        let data = &b[c.data.clone()];
        match &c.fourcc {
            b"EXIF" => {
                // Some writers keep the JPEG "Exif\0\0" prefix inside the chunk.
                let tiff = data.strip_prefix(b"Exif\0\0").unwrap_or(data);
                super::exif::read(tiff, facts);
            }
            b"XMP " => {
                facts.xmp_packets += 1;
                super::xmp::read(data, facts, deadline)?;
            }
            b"ICCP" => facts.icc_profile = Some(data.to_vec()),
            k if IMAGE_CHUNKS.contains(&k) => {}
            k => {
                facts.other.push(format!("WebP chunk {} ({} bytes)", String::from_utf8_lossy(k), data.len()))
            }
        }
    }
    // Slack in the RIFF structure: bytes after the last chunk (too few for a chunk
    // header, so walkers skip them), pad bytes that are not zero, a VP8X header longer
    // than its 10 bytes. None displays anything.
    let mut slack = Vec::new();
    let last = chunks.last().map_or(12, |c| c.end);
    if last < riff_end {
        slack.push(format!("{} bytes after the last WebP chunk", riff_end - last));
    }
    for c in &chunks {
        if c.end > c.data.end && b[c.data.end] != 0 {
            slack
                .push(format!("a non-zero pad byte after WebP chunk {}", String::from_utf8_lossy(&c.fourcc)));
        }
        if &c.fourcc == b"VP8X" && c.data.len() > 10 {
            slack.push(format!("a VP8X header {} bytes longer than its 10", c.data.len() - 10));
        }
    }
    if !slack.is_empty() {
        facts.non_display.extend(slack);
        facts.rewrite_pixels = true;
    }
    if riff_end < b.len() {
        let tail = &b[riff_end..];
        facts.trailer = Some(Trailer { offset: riff_end, bytes: tail.len(), holds: describe_trailer(tail) });
    }
    Ok(())
}
