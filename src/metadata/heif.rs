//! HEIC/HEIF, read with libheif: EXIF and XMP metadata items, thumbnails, depth maps.

use super::{MetaFacts, Thumbnail};
use crate::error::{Error, Result, Stage};
use crate::limits::Deadline;
use libheif_rs::HeifContext;

/// Reads the metadata of a HEIF file.
pub fn read(b: &[u8], facts: &mut MetaFacts, deadline: &Deadline) -> Result<()> {
    let ctx = HeifContext::read_from_bytes(b)
        .map_err(|e| Error::new(Stage::Metadata, format!("corrupt HEIF container: {}", e.message)))?;
    let handle = ctx
        .primary_image_handle()
        .map_err(|e| Error::new(Stage::Metadata, format!("HEIF without a primary image: {}", e.message)))?;
    let mut ids = vec![0; 64];
    let n = handle.metadata_block_ids(&mut ids, 0u32);
    for &id in &ids[..n] {
        let kind = handle.metadata_type(id).unwrap_or("").to_string();
        let content = handle.metadata_content_type(id).unwrap_or("").to_string();
        let Ok(data) = handle.metadata(id) else { continue };
        if kind == "Exif" {
            // A 4-byte offset to the TIFF header precedes the EXIF data.
            let skip = super::be32(&data, 0).unwrap_or(0) as usize;
            let tiff = data.get(4 + skip..).unwrap_or_default();
            super::exif::read(tiff, facts);
        } else if content == "application/rdf+xml" {
            facts.xmp_packets += 1;
            super::xmp::read(&data, facts, deadline)?;
        } else {
            facts.other.push(format!("HEIF metadata item {kind} {content} ({} bytes)", data.len()));
        }
    }
    for _ in 0..handle.number_of_thumbnails() {
        facts.thumbnails.push(Thumbnail { source: "HEIF thumbnail item", jpeg: None, bytes: 0 });
    }
    if handle.has_depth_image() {
        facts.other.push("a depth map (portrait mode) that outlines the subject".into());
    }
    if ctx.number_of_top_level_images() > 1 {
        facts
            .other
            .push(format!("{} images in one HEIF (bursts or edits)", ctx.number_of_top_level_images()));
    }
    // libheif applies the HEIF rotation itself; EXIF Orientation in a HEIC is only
    // informational and must not be applied a second time.
    facts.orientation = 1;
    Ok(())
}
