//! GIF: a block walk (extensions, image descriptors, trailer).

use super::{Comment, MetaFacts, Trailer, describe_trailer};
use crate::error::{Error, Result, Stage};
use crate::limits::Deadline;
use memchr::memmem;

/// Application extensions that only control animation: kept.
const ANIMATION_APPS: [&[u8]; 2] = [b"NETSCAPE2.0", b"ANIMEXTS1.0"];

/// Reads the metadata of a GIF.
pub fn read(b: &[u8], facts: &mut MetaFacts, deadline: &Deadline) -> Result<()> {
    let truncated = || Error::new(Stage::Decode, "truncated GIF: the file ends before its trailer");
    if b.len() < 13 {
        return Err(truncated());
    }
    let flags = b[10];
    let mut pos = 13 + color_table_len(flags);
    let mut frames = 0usize;
    loop {
        match *b.get(pos).ok_or_else(truncated)? {
            0x3B => {
                if frames > 1 {
                    // Only the first frame is decoded and read for text, so only the
                    // first frame may leave: `clean` writes a still of it.
                    facts.frames.push(format!(
                        "animated GIF: {} more frames after the first, which alone was checked",
                        frames - 1
                    ));
                }
                let end = pos + 1;
                if end < b.len() {
                    let tail = &b[end..];
                    facts.trailer =
                        Some(Trailer { offset: end, bytes: tail.len(), holds: describe_trailer(tail) });
                }
                return Ok(());
            }
            0x21 => {
                let label = *b.get(pos + 1).ok_or_else(truncated)?;
                let (data, next) = sub_blocks(b, pos + 2).ok_or_else(truncated)?;
                match label {
                    0xFE => {
                        facts.comments.push(Comment { source: "GIF comment", text: super::lossy_text(&data) })
                    }
                    0x01 => facts.comments.push(Comment {
                        source: "GIF plain text",
                        text: super::lossy_text(data.get(12..).unwrap_or_default()),
                    }),
                    0xFF => application(&b[pos + 2..next], &data, facts, deadline)?,
                    _ => {}
                }
                pos = next;
            }
            0x2C => {
                frames += 1;
                let flags = *b.get(pos + 9).ok_or_else(truncated)?;
                let lzw_at = pos + 10 + color_table_len(flags);
                let (_, next) = sub_blocks(b, lzw_at + 1).ok_or_else(truncated)?;
                pos = next;
            }
            other => {
                return Err(Error::new(
                    Stage::Metadata,
                    format!("corrupt GIF: unknown block 0x{other:02X} at byte {pos}"),
                ));
            }
        }
    }
}

fn color_table_len(flags: u8) -> usize {
    if flags & 0x80 != 0 { 3 * (2usize << (flags & 0x07)) } else { 0 }
}

/// Concatenated sub-block data from `pos` and the offset after the terminator.
fn sub_blocks(b: &[u8], mut pos: usize) -> Option<(Vec<u8>, usize)> {
    let mut data = Vec::new();
    loop {
        let n = *b.get(pos)? as usize;
        pos += 1;
        if n == 0 {
            return Some((data, pos));
        }
        data.extend_from_slice(b.get(pos..pos + n)?);
        pos += n;
    }
}

/// An application extension: the first sub-block is the 11-byte identifier.
/// `raw` is the extension's own bytes (sub-blocks as stored): searching only them keeps
/// a GIF of many small extensions linear (a search to the end of the file per extension
/// was quadratic).
fn application(raw: &[u8], data: &[u8], facts: &mut MetaFacts, deadline: &Deadline) -> Result<()> {
    deadline.check("reading GIF extensions")?;
    let id = data.get(..11).unwrap_or(data);
    if ANIMATION_APPS.contains(&id) {
        return Ok(());
    }
    if id == b"XMP DataXMP" {
        facts.xmp_packets += 1;
        // XMP in GIF is written raw; its bytes happen to form the sub-blocks, so read
        // the packet from the file itself, not from the de-blocked data.
        if let (Some(s), Some(e)) = (memmem::find(raw, b"<x:xmpmeta"), memmem::find(raw, b"</x:xmpmeta>"))
            && s < e
        {
            super::xmp::read(&raw[s..e + 12], facts, deadline)?;
        }
        return Ok(());
    }
    facts.other.push(format!(
        "GIF application extension \"{}\" ({} bytes)",
        String::from_utf8_lossy(id),
        data.len()
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gif_with(ext: &[u8]) -> Vec<u8> {
        let mut g = b"GIF89a\x01\0\x01\0\x80\0\0".to_vec();
        g.extend([0, 0, 0, 255, 255, 255]); // 2-colour global table
        g.extend(ext);
        g.extend(b"\x2C\0\0\0\0\x01\0\x01\0\0\x02\x02\x44\x01\0");
        g.push(0x3B);
        g
    }

    #[test]
    fn comments_and_unknown_apps_are_found() {
        let mut ext = b"\x21\xFE\x05J Doe\0".to_vec();
        ext.extend(b"\x21\xFF\x0BNETSCAPE2.0\x03\x01\0\0\0");
        ext.extend(b"\x21\xFF\x0BFOOBARAPP1\x30\x01\x01\0");
        let mut f = MetaFacts::default();
        read(&gif_with(&ext), &mut f, &Deadline::unlimited()).unwrap();
        assert_eq!(f.comments[0].text, "J Doe");
        assert_eq!(f.other.len(), 1, "{:?}", f.other);
        assert!(f.trailer.is_none());
    }

    #[test]
    fn truncation_is_an_error() {
        let g = gif_with(b"");
        assert!(read(&g[..g.len() - 1], &mut MetaFacts::default(), &Deadline::unlimited()).is_err());
    }
}
