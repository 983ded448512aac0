//! Rules on the container itself: bytes after the picture, what medscrub cannot interpret,
//! bytes that display nothing, colour profiles, see-through pixels and extra frames.

use super::{detection, meta_doc, tags};
use crate::metadata::exif::ExifClass;
use crate::rules::{Detection, Evidence, FnRule};

/// `meta.trailer`: bytes after the end of the image.
pub static TRAILER: FnRule = FnRule {
    doc: meta_doc(
        "meta.trailer",
        "Data after the end of the image: second images, motion-photo videos, appended files",
        "## What it finds\nBytes after JPEG EOI, PNG IEND, the GIF trailer or the RIFF end of a WebP: how many, and \
         whether they hold a JPEG, PNG or MP4.\n\n## Why it matters\nPhones append depth maps, gain maps and motion-photo \
         videos; editors sometimes leave the original after the edited image. Viewers show only the first image, so \
         nobody sees what is appended, but anyone can extract it.\n\n## Remedy\n`clean` cuts the file at the end of \
         the primary image.",
    ),
    check: check_trailer,
};

fn check_trailer(ev: &Evidence<'_>, out: &mut Vec<Detection>) {
    if let Some(t) = &ev.facts.trailer {
        let holds = t.holds.as_deref().map(|h| format!(", holding {h}")).unwrap_or_default();
        out.push(detection(
            TRAILER.doc.id,
            format!("{} bytes after the end of the image (from byte {}){holds}", t.bytes, t.offset),
            vec![],
        ));
    }
}

/// `meta.other`: metadata medscrub does not interpret.
pub static OTHER: FnRule = FnRule {
    doc: meta_doc(
        "meta.other",
        "Other metadata blocks medscrub does not interpret (vendor segments, unknown chunks, unreadable EXIF)",
        "## What it finds\nUnknown JPEG APPn segments (vendor data, MPF indexes of secondary images), unknown PNG and \
         WebP chunks, GIF application extensions other than animation loops, EXIF fields outside the known classes, \
         EXIF blocks that could not be parsed, HEIF depth maps and extra images.\n\n## Why it matters\nWhat medscrub \
         cannot read, it cannot vouch for. `share` means the file holds nothing but the picture.\n\n## Remedy\n`clean` \
         drops these blocks whole.",
    ),
    check: check_other,
};

fn check_other(ev: &Evidence<'_>, out: &mut Vec<Detection>) {
    let f = ev.facts;
    let mut found = f.other.clone();
    found
        .extend(f.unreadable_exif.iter().map(|n| format!("EXIF block that could not be parsed ({n} bytes)")));
    found.extend(tags(f, ExifClass::Other).map(|t| format!("EXIF {} {}", t.ifd, t.name)));
    if !found.is_empty() {
        out.push(detection(OTHER.doc.id, found.join("; "), found.clone()));
    }
}

/// `meta.container`: container bytes that display nothing.
pub static CONTAINER: FnRule = FnRule {
    doc: meta_doc(
        "meta.container",
        "Container bytes that display nothing: reserved markers, unused tables, slack after headers and streams",
        "## What it finds\nBytes a canonical rewrite of the file would not write: JPEG segments with reserved markers \
         (0xC8, 0xDE, 0xDF, 0xF0–0xFD, 0x02–0xBF, TEM), quantisation or Huffman tables no scan uses (or bytes after \
         a segment's last table), APP14 Adobe and JFIF APP0 segments longer than their header (and thumbnail), \
         scan data no coded block uses (after a scan's last block or before a restart marker), an APP13 Photoshop segment that is not a list of image resources; bytes after the end of a PNG's zlib \
         image stream, or image data that inflates past the picture's rows; bytes inside a WebP's RIFF structure \
         that belong to no chunk, non-zero pad bytes, a VP8X header longer than its 10 bytes.\n\n## Why it \
         matters\nDecoders skip these bytes, so nobody sees them, and anyone can extract them: they are a place to \
         carry a name, a note or a second picture. `share` means the file holds only what displays the picture.\n\n\
         ## Remedy\n`clean` rewrites the container without them: JPEG keeps only its frame, the tables its scans \
         use, its scans (without the bytes no block uses), the JFIF and Adobe headers and the canonical colour profile; a PNG or WebP whose image \
         stream itself holds extra bytes is written again from its decoded pixels, losslessly.\n\n## Where it \
         fails\nScans coded arithmetically or losslessly are not followed (rare in photos); bytes after the end \
         of a WebP VP8/VP8L bitstream inside its chunk are found only by decoding it, and are not detected yet.",
    ),
    check: check_container,
};

fn check_container(ev: &Evidence<'_>, out: &mut Vec<Detection>) {
    let found = &ev.facts.non_display;
    if !found.is_empty() {
        out.push(detection(
            CONTAINER.doc.id,
            format!("{} place(s) holding bytes that display nothing: {}", found.len(), found.join("; ")),
            found.clone(),
        ));
    }
}

/// `meta.icc`: a colour profile that holds more than colour data.
pub static ICC: FnRule = FnRule {
    doc: meta_doc(
        "meta.icc",
        "ICC colour profile content beyond colour data: private tags, device text, hidden bytes",
        "## What it finds\nAn embedded ICC profile (JPEG APP2, PNG iCCP, WebP ICCP, TIFF, HEIF) with tags that are \
         not colour data (private tags, device manufacturer and model descriptions `dmnd`/`dmdd`, viewing \
         descriptions), a name or copyright text over 200 characters, bytes after a tag's data, or bytes no tag \
         points at. The profile's texts (`desc`, `cprt`, `dmnd`, `dmdd` in `desc`, `text` or `mluc` form, and a PNG \
         iCCP profile name) are also read by the text rules, so a name or MRN in them is a `text.*` finding.\n\n\
         ## Why it matters\nA profile is kept by every editor and most upload pipelines because it affects colour, \
         which makes it a quiet place to carry anything: device owner names, and in one file a whole JPEG in a \
         private tag.\n\n## Remedy\n`clean` writes a canonical profile: the same colour tags byte for byte, a \
         neutral description and copyright, and a header without its creator, device, platform and date fields. A \
         plain profile (colour data and a short name) is not a finding.",
    ),
    check: check_icc,
};

fn check_icc(ev: &Evidence<'_>, out: &mut Vec<Detection>) {
    let extra = &ev.facts.icc.extra;
    if !extra.is_empty() {
        out.push(detection(ICC.doc.id, format!("colour profile holds {}", extra.join("; ")), extra.clone()));
    }
}

/// `meta.transparency`: pixels a viewer's background shows through.
pub static TRANSPARENCY: FnRule = FnRule {
    doc: meta_doc(
        "meta.transparency",
        "See-through pixels: what shows depends on the background the picture is drawn on",
        "## What it finds\nPictures with an alpha channel (RGBA or grey-alpha PNG, palette PNG with tRNS, GIF with a \
         transparent colour, WebP, TIFF or HEIC with alpha) where at least one pixel is not fully opaque. An alpha \
         channel that is opaque everywhere is not a finding.\n\n## Why it matters\nA viewer draws a transparent picture \
         over its own background: white on most sites, black in dark mode. The colours stored under transparent pixels \
         are not what anyone sees (often 0,0,0, a black square), so text can hide there from a checker that drops the \
         alpha channel and appear when the file is posted. medscrub reads the picture over white and over black.\n\n\
         ## Remedy\n`clean` writes the picture flattened onto white, as it was checked (PNG, GIF and WebP become an \
         opaque PNG, PNG or lossless WebP); the copy is decoded again and must be opaque.",
    ),
    check: check_transparency,
};

fn check_transparency(ev: &Evidence<'_>, out: &mut Vec<Detection>) {
    let Some(t) = ev.transparency.filter(|t| t.see_through > 0) else { return };
    let share = t.see_through as f64 * 100.0 / t.total.max(1) as f64;
    out.push(detection(
        TRANSPARENCY.doc.id,
        format!(
            "{share:.1} % of the picture is see-through: viewers draw it over their own background; \
             the copy is flattened onto white, as checked"
        ),
        vec![format!("{} of {} pixels not fully opaque", t.see_through, t.total)],
    ));
}

/// `meta.frames`: animation frames and pages besides the picture that was checked.
pub static FRAMES: FnRule = FnRule {
    doc: meta_doc(
        "meta.frames",
        "Animation frames or pages besides the one picture that was checked",
        "## What it finds\nAPNG animations (acTL/fcTL/fdAT: the default image may not even be one of the frames \
         browsers play), animated GIFs, animated WebPs (ANIM/ANMF) and TIFFs with more than one page.\n\n\
         ## Why it matters\nmedscrub decodes and reads one picture: the PNG default image, the first GIF or WebP \
         frame, the first TIFF page. The other frames could show anything (a page with a name and MRN) and would be \
         shared unseen.\n\n## Remedy\n`clean` keeps only the checked picture, as a still: APNG loses its animation \
         chunks (the default image stays, byte for byte), a GIF becomes its first frame, a WebP its first frame \
         re-encoded losslessly, a TIFF its first page.",
    ),
    check: check_frames,
};

fn check_frames(ev: &Evidence<'_>, out: &mut Vec<Detection>) {
    let found = &ev.facts.frames;
    if !found.is_empty() {
        out.push(detection(FRAMES.doc.id, found.join("; "), found.clone()));
    }
}
