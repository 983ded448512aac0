//! TIFF: the file is itself an EXIF-style directory tree, so kamadak-exif reads it
//! whole; XMP, IPTC and Photoshop blocks live in tags of the first directory.

use super::MetaFacts;
use crate::error::{Error, Result, Stage};
use crate::limits::Deadline;
use exif::{In, Tag, Value};

/// Tags that describe the pixels of a TIFF: structure, not metadata.
pub const STRUCTURE_TAGS: [u16; 24] = [
    0x00FE, 0x00FF, 0x0100, 0x0101, 0x0102, 0x0103, 0x0106, 0x0107, 0x0111, 0x0115, 0x0116, 0x0117, 0x011A,
    0x011B, 0x011C, 0x0128, 0x013D, 0x0140, 0x0142, 0x0143, 0x0144, 0x0145, 0x0152, 0x0153,
];

/// Reads the metadata of a TIFF.
pub fn read(b: &[u8], facts: &mut MetaFacts, deadline: &Deadline) -> Result<()> {
    let Some(exif) = super::exif::read(b, facts) else {
        facts.unreadable_exif.clear();
        return Err(Error::new(Stage::Metadata, "corrupt TIFF: its directory could not be read"));
    };
    let bytes_of = |number: u16| -> Option<Vec<u8>> {
        let field = exif.get_field(Tag(exif::Context::Tiff, number), In::PRIMARY)?;
        match &field.value {
            Value::Byte(v) | Value::Undefined(v, _) => Some(v.clone()),
            Value::Ascii(v) => Some(v.concat()),
            Value::Long(v) => Some(v.iter().flat_map(|x| x.to_be_bytes()).collect()),
            _ => None,
        }
    };
    if let Some(xmp) = bytes_of(0x02BC) {
        facts.xmp_packets += 1;
        super::xmp::read(&xmp, facts, deadline)?;
    }
    if let Some(iim) = bytes_of(0x83BB) {
        super::iptc::read_iim(&iim, facts);
    }
    if let Some(ps) = bytes_of(0x8649) {
        let read = super::iptc::read_photoshop(&ps, facts);
        if read < ps.len() {
            facts
                .other
                .push(format!("{} bytes of Photoshop data that are not image resources", ps.len() - read));
        }
    }
    if let Some(icc) = bytes_of(0x8773) {
        facts.icc_profile = Some(icc);
    }
    if exif.fields().any(|f| f.ifd_num == In::THUMBNAIL && f.tag == Tag::ImageWidth) {
        facts.frames.push("a second image in the TIFF (page 2 or a preview); only page 1 was checked".into());
    }
    Ok(())
}
