//! Rules on blocks embedded in the file: the EXIF thumbnail, XMP, IPTC, comments and text
//! chunks.

use super::exif::XMP_LOCATION;
use super::{detection, meta_doc, tags};
use crate::decode::ThumbnailMatch;
use crate::metadata::exif::ExifClass;
use crate::report::mask;
use crate::rules::{Detection, Evidence, FnRule};

/// `meta.thumbnail`: embedded previews, which may show what the photo no longer does.
pub static THUMBNAIL: FnRule = FnRule {
    doc: meta_doc(
        "meta.thumbnail",
        "Embedded preview images, and whether they still match the photo",
        "## What it finds\nEXIF IFD1 thumbnails, JFIF/JFXX thumbnails, Photoshop preview resources and HEIF thumbnail \
         items. EXIF thumbnails are decoded, turned like the photo and compared with it: a mean grey difference over \
         10/255, or a different shape, means the preview is stale.\n\n## Why it matters\nEditors often crop the photo \
         and leave the preview alone, so the preview can show the uncropped original: the patient's face, the \
         wristband, the whiteboard that was cropped out.\n\n## Remedy\n`clean` removes every preview.\n\n## Where it \
         fails\nPreviews other than EXIF JPEG are reported but not compared.",
    ),
    check: check_thumbnail,
};

fn check_thumbnail(ev: &Evidence<'_>, out: &mut Vec<Detection>) {
    let f = ev.facts;
    let mut found = Vec::new();
    let mut stale = false;
    for (i, t) in f.thumbnails.iter().enumerate() {
        let state = match ev.thumbnails.get(i).copied().flatten() {
            Some(ThumbnailMatch::Same { .. }) => "matches the photo".to_string(),
            Some(ThumbnailMatch::Differs { difference }) => {
                stale = true;
                format!(
                    "DIFFERS from the photo (mean difference {difference:.0}/255): it may show the uncropped original"
                )
            }
            Some(ThumbnailMatch::OtherShape) => {
                stale = true;
                "has a different shape from the photo: the photo was cropped after the preview was made"
                    .into()
            }
            Some(ThumbnailMatch::Unreadable) => "cannot be decoded, so what it shows is unknown".into(),
            None => "not compared".into(),
        };
        let size = if t.bytes > 0 { format!(" ({} bytes)", t.bytes) } else { String::new() };
        found.push(format!("{} preview{size} {state}", t.source));
    }
    if f.photoshop_resources.iter().any(|&id| id == 0x0409 || id == 0x040C) {
        found.push("Photoshop preview resource (not compared)".into());
    }
    if found.is_empty() {
        return;
    }
    let summary = if stale {
        format!("embedded preview differs from the photo: {}", found.join("; "))
    } else {
        format!("embedded preview: {}", found.join("; "))
    };
    out.push(detection(THUMBNAIL.doc.id, summary, found));
}

/// `meta.xmp`: XMP packets, with people, places and edit history.
pub static XMP: FnRule = FnRule {
    doc: meta_doc(
        "meta.xmp",
        "XMP packets, including face/person regions, location fields and edit history",
        "## What it finds\nEvery XMP packet (JPEG APP1 standard and extended, PNG iTXt, WebP XMP chunk, TIFF tag 700, \
         GIF application extension, HEIF mime item). It calls out face and person regions (MWG, Microsoft Photo, IPTC \
         PersonInImage), location fields and editing history.\n\n## Why it matters\nPhoto managers write the names of \
         recognised faces and places into XMP; a tagged face region names the patient.\n\n## Remedy\n`clean` removes \
         every packet. Names are masked in reports.",
    ),
    check: check_xmp,
};

fn check_xmp(ev: &Evidence<'_>, out: &mut Vec<Detection>) {
    let f = ev.facts;
    if f.xmp_packets == 0 && f.xmp.is_empty() {
        return;
    }
    let people: Vec<String> = f
        .xmp
        .iter()
        .filter(|p| {
            let person_region = (p.path.contains("Regions") || p.path.contains("RegionInfo"))
                && matches!(p.name(), "mwg-rs:Name" | "MPReg:PersonDisplayName");
            person_region || p.name() == "Iptc4xmpExt:PersonInImage"
        })
        .map(|p| mask::maybe(&p.value, ev.show_text))
        .collect();
    let places: Vec<&str> = f.xmp.iter().map(|p| p.name()).filter(|n| XMP_LOCATION.contains(n)).collect();
    let history = f.xmp.iter().filter(|p| p.path.starts_with("xmpMM:History")).count();
    let mut parts = vec![format!("{} packet(s), {} properties", f.xmp_packets.max(1), f.xmp.len())];
    if !people.is_empty() {
        parts.push(format!("{} face/person region(s) named {}", people.len(), people.join(", ")));
    }
    if !places.is_empty() {
        parts.push(format!("location fields {}", places.join(", ")));
    }
    if history > 0 {
        parts.push("edit history".into());
    }
    let details = f.xmp.iter().map(|p| p.path.clone()).collect();
    out.push(detection(XMP.doc.id, parts.join("; "), details));
}

/// `meta.iptc`: IPTC IIM records and Photoshop resources.
pub static IPTC: FnRule = FnRule {
    doc: meta_doc(
        "meta.iptc",
        "IPTC captions, keywords, names, places and dates (JPEG APP13, TIFF)",
        "## What it finds\nIPTC IIM datasets inside Photoshop APP13 (or TIFF tag 33723): captions, keywords, by-line, \
         city, dates; and other Photoshop image resources.\n\n## Why it matters\nCaptions and keywords are free text \
         written by people, and people write patients' names and bed numbers into them.\n\n## Remedy\n`clean` removes \
         the whole APP13 segment. Values are masked in reports.",
    ),
    check: check_iptc,
};

fn check_iptc(ev: &Evidence<'_>, out: &mut Vec<Detection>) {
    let f = ev.facts;
    if f.iptc.is_empty() && f.photoshop_resources.is_empty() {
        return;
    }
    let details: Vec<String> = f
        .iptc
        .iter()
        .filter(|d| d.dataset != 0 && d.record == 2)
        .map(|d| format!("{} {}", d.name, mask::maybe(&d.value, ev.show_text)))
        .collect();
    let mut summary = format!("{} IPTC dataset(s)", f.iptc.len());
    if !details.is_empty() {
        summary.push_str(&format!(": {}", details.join("; ")));
    }
    if !f.photoshop_resources.is_empty() {
        summary.push_str(&format!("; {} Photoshop resource(s)", f.photoshop_resources.len()));
    }
    out.push(detection(IPTC.doc.id, summary, details));
}

/// `meta.comment`: free-text comments and descriptions.
pub static COMMENT: FnRule = FnRule {
    doc: meta_doc(
        "meta.comment",
        "Free-text comments and descriptions: JPEG COM, EXIF UserComment/ImageDescription, GIF comments",
        "## What it finds\nJPEG COM segments (anywhere in the file, including after the first scan), EXIF \
         ImageDescription, UserComment and the Windows XP* text tags, GIF comment and plain-text extensions.\n\n## Why \
         it matters\nFree text is where people and software write names, MRNs and ward numbers.\n\n## Remedy\n`clean` \
         removes them. Text is masked in reports.",
    ),
    check: check_comment,
};

fn check_comment(ev: &Evidence<'_>, out: &mut Vec<Detection>) {
    let f = ev.facts;
    let m = |v: &str| mask::maybe(v, ev.show_text);
    let mut found: Vec<String> =
        f.comments.iter().map(|c| format!("{} \"{}\"", c.source, m(&c.text))).collect();
    found.extend(tags(f, ExifClass::Comment).map(|t| format!("EXIF {} \"{}\"", t.name, m(&t.value))));
    if !found.is_empty() {
        out.push(detection(COMMENT.doc.id, found.join("; "), found.clone()));
    }
}

/// `meta.text-chunk`: PNG text chunks.
pub static TEXT_CHUNK: FnRule = FnRule {
    doc: meta_doc(
        "meta.text-chunk",
        "PNG tEXt, zTXt, iTXt and eXIf chunks",
        "## What it finds\nPNG text chunks (compressed ones are inflated, with a size cap against zlib bombs) and the \
         eXIf chunk. Their content is also read by the other rules (XMP in iTXt, EXIF in eXIf, Author text).\n\n## Why \
         it matters\nScreenshot tools and editors write titles, authors, software and source file paths into PNG text \
         chunks.\n\n## Remedy\n`clean` keeps only the chunks that affect display (IHDR, PLTE, IDAT, tRNS, gAMA, cHRM, \
         sRGB, iCCP, sBIT, pHYs, APNG frames, IEND).",
    ),
    check: check_text_chunk,
};

fn check_text_chunk(ev: &Evidence<'_>, out: &mut Vec<Detection>) {
    let chunks = &ev.facts.text_chunks;
    if chunks.is_empty() {
        return;
    }
    let found: Vec<String> = chunks
        .iter()
        .map(|c| {
            if c.keyword.is_empty() {
                format!("{} ({} bytes)", c.kind, c.bytes)
            } else {
                format!("{} \"{}\" ({} bytes)", c.kind, c.keyword, c.bytes)
            }
        })
        .collect();
    out.push(detection(TEXT_CHUNK.doc.id, format!("{} chunk(s): {}", found.len(), found.join(", ")), found));
}
