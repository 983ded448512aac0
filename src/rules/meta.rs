//! Metadata rules: what a photo carries besides its pixels.
//!
//! Each rule reads [`MetaFacts`]; `clean` removes everything these rules can find
//! (lossless container surgery), so their default remedy is `strip`.

use super::{Detection, Evidence, Rule, RuleDoc};
use crate::decode::ThumbnailMatch;
use crate::metadata::exif::{ExifClass, classify};
use crate::metadata::{ExifTag, MetaFacts};
use crate::report::Source;
use crate::report::mask;
use crate::verdict::Verdict;

fn tags(facts: &MetaFacts, class: ExifClass) -> impl Iterator<Item = &ExifTag> {
    facts.exif.iter().filter(move |t| classify(t) == class)
}

fn detection(rule: &'static str, summary: String, details: Vec<String>) -> Detection {
    Detection {
        rule,
        source: Source::Metadata,
        origin: "metadata".into(),
        summary,
        details,
        bbox: None,
        confidence: 1.0,
        identifier: None,
    }
}

const fn meta_doc(id: &'static str, summary: &'static str, explain: &'static str) -> RuleDoc {
    RuleDoc { id, source: Source::Metadata, default_remedy: Verdict::Strip, summary, explain }
}

/// XMP property names that hold a place.
const XMP_LOCATION: [&str; 10] = [
    "photoshop:City",
    "photoshop:State",
    "photoshop:Country",
    "Iptc4xmpCore:Location",
    "Iptc4xmpCore:CountryCode",
    "Iptc4xmpExt:LocationShown",
    "Iptc4xmpExt:LocationCreated",
    "exif:GPSLatitude",
    "exif:GPSLongitude",
    "Iptc4xmpExt:Sublocation",
];
/// XMP property names that hold a date.
const XMP_DATES: [&str; 7] = [
    "xmp:CreateDate",
    "xmp:ModifyDate",
    "xmp:MetadataDate",
    "photoshop:DateCreated",
    "exif:DateTimeOriginal",
    "exif:DateTimeDigitized",
    "exif:GPSTimeStamp",
];
/// XMP property names that name the photographer or owner.
const XMP_OWNER: [&str; 6] = [
    "dc:creator",
    "dc:rights",
    "xmpRights:Owner",
    "photoshop:AuthorsPosition",
    "photoshop:Credit",
    "aux:OwnerName",
];
/// IPTC datasets that name the photographer or owner.
const IPTC_OWNER: [&str; 5] = ["By-line", "CopyrightNotice", "Credit", "Contact", "Writer-Editor"];

// ---------------------------------------------------------------------------------------

/// `meta.gps`: a recorded location.
pub struct Gps;
static GPS: RuleDoc = meta_doc(
    "meta.gps",
    "GPS position (and altitude, direction, speed) recorded by the camera",
    "## What it finds\nEXIF GPS fields, and GPS coordinates in XMP.\n\n## Why it matters\nA location inside a \
     hospital, a clinic or a patient's home identifies the place, and with it who could have been photographed \
     there. The report shows the position rounded to 0.01° (about 1 km) so the report is not itself a locator.\n\n\
     ## Remedy\n`clean` removes every GPS field.",
);
impl Rule for Gps {
    fn doc(&self) -> &RuleDoc {
        &GPS
    }
    fn check(&self, ev: &Evidence<'_>, out: &mut Vec<Detection>) {
        let f = ev.facts;
        let gps_tags: Vec<&ExifTag> = tags(f, ExifClass::Gps).collect();
        let xmp_gps = f.xmp.iter().any(|p| p.name().starts_with("exif:GPS"));
        if gps_tags.is_empty() && !xmp_gps && f.gps.is_none() {
            return;
        }
        let mut summary = match f.gps {
            Some(fix) => format!("location ≈ {:.2}, {:.2} (rounded to 0.01°)", fix.latitude, fix.longitude),
            None if xmp_gps => "GPS coordinates in XMP".to_string(),
            None => "GPS block without a position".to_string(),
        };
        let has = |name: &str| gps_tags.iter().any(|t| t.name == name);
        let extras: Vec<&str> = [
            ("GPSAltitude", "altitude"),
            ("GPSImgDirection", "direction"),
            ("GPSSpeed", "speed"),
            ("GPSAreaInformation", "area name"),
            ("GPSDestLatitude", "destination"),
        ]
        .into_iter()
        .filter(|(tag, _)| has(tag))
        .map(|(_, word)| word)
        .collect();
        if !extras.is_empty() {
            summary.push_str(&format!("; also {}", extras.join(", ")));
        }
        let mut details: Vec<String> = gps_tags.iter().map(|t| format!("EXIF {}", t.name)).collect();
        if xmp_gps {
            details.push("XMP exif:GPS* properties".into());
        }
        out.push(detection(GPS.id, summary, details));
    }
}

/// `meta.datetime`: when the photo was taken or edited.
pub struct DateTime;
static DATETIME: RuleDoc = meta_doc(
    "meta.datetime",
    "Capture, digitised, modified and GPS times (EXIF, XMP, IPTC, PNG tIME)",
    "## What it finds\nEXIF DateTimeOriginal/DateTimeDigitized/DateTime (ModifyDate) with their UTC offsets, GPS \
     date and time, XMP and IPTC dates, PNG tIME.\n\n## Why it matters\nA time stamp ties a photo to a shift, a \
     case or an admission; policies name time stamps and case timing explicitly. The capture time is kept in the \
     report (`capture_time`), read before anything is stripped, because the one-month rule needs it.\n\n## Remedy\n\
     `clean` removes every date field.",
);
impl Rule for DateTime {
    fn doc(&self) -> &RuleDoc {
        &DATETIME
    }
    fn check(&self, ev: &Evidence<'_>, out: &mut Vec<Detection>) {
        let f = ev.facts;
        let mut details: Vec<String> =
            tags(f, ExifClass::DateTime).map(|t| format!("EXIF {} = {}", t.name, t.value)).collect();
        details.extend(
            f.xmp
                .iter()
                .filter(|p| XMP_DATES.contains(&p.name()))
                .map(|p| format!("XMP {} = {}", p.name(), p.value)),
        );
        details.extend(
            f.iptc
                .iter()
                .filter(|d| matches!(d.dataset, 55 | 60 | 62 | 63))
                .map(|d| format!("IPTC {} = {}", d.name, d.value)),
        );
        if let Some(t) = &f.png_time {
            details.push(format!("PNG tIME = {t}"));
        }
        if details.is_empty() {
            return;
        }
        let summary = match f.capture_time() {
            Some(t) => format!("taken {} ({}); {} date field(s) in all", t.value, t.source, details.len()),
            None => format!("{} date field(s); no capture time among them", details.len()),
        };
        out.push(detection(DATETIME.id, summary, details));
    }
}

/// `meta.device`: the camera, lens and software.
pub struct Device;
static DEVICE: RuleDoc = meta_doc(
    "meta.device",
    "Camera make and model, lens, software and capture settings",
    "## What it finds\nEXIF Make, Model, LensMake, LensModel, Software, HostComputer and the capture settings \
     (exposure, focal length, flash).\n\n## Why it matters\nA device model narrows down who took the photo; with \
     other posts it links accounts and places.\n\n## Remedy\n`clean` removes it.",
);
impl Rule for Device {
    fn doc(&self) -> &RuleDoc {
        &DEVICE
    }
    fn check(&self, ev: &Evidence<'_>, out: &mut Vec<Detection>) {
        let all: Vec<&ExifTag> = tags(ev.facts, ExifClass::Device).collect();
        if all.is_empty() {
            return;
        }
        let get = |n: &str| all.iter().find(|t| t.name == n).map(|t| t.value.as_str());
        let named: Vec<String> =
            [("Make", ""), ("Model", ""), ("LensModel", "lens "), ("Software", "software ")]
                .into_iter()
                .filter_map(|(tag, prefix)| get(tag).map(|v| format!("{prefix}{v}")))
                .collect();
        let settings = all
            .iter()
            .filter(|t| {
                !["Make", "Model", "LensMake", "LensModel", "Software", "HostComputer", "LensSpecification"]
                    .contains(&t.name.as_str())
            })
            .count();
        let mut summary = if named.is_empty() { "device fields".to_string() } else { named.join(", ") };
        if settings > 0 {
            summary.push_str(&format!(" (+{settings} capture setting(s))"));
        }
        let details = all.iter().map(|t| format!("EXIF {} = {}", t.name, t.value)).collect();
        out.push(detection(DEVICE.id, summary, details));
    }
}

/// `meta.serial`: serial numbers that tie photos to one physical camera.
pub struct Serial;
static SERIAL: RuleDoc = meta_doc(
    "meta.serial",
    "Camera body and lens serial numbers, unique image ids, maker notes",
    "## What it finds\nEXIF BodySerialNumber, LensSerialNumber, ImageUniqueID, DNG CameraSerialNumber, and the \
     vendor MakerNote (where phones and cameras keep internal serials).\n\n## Why it matters\nA serial number ties \
     every photo from one camera together, across accounts and years.\n\n## Remedy\n`clean` removes them. Values \
     are masked in reports.",
);
impl Rule for Serial {
    fn doc(&self) -> &RuleDoc {
        &SERIAL
    }
    fn check(&self, ev: &Evidence<'_>, out: &mut Vec<Detection>) {
        let found: Vec<String> = tags(ev.facts, ExifClass::Serial)
            .map(|t| {
                if t.name == "MakerNote" {
                    "maker note (vendor data; may hold internal serial numbers)".to_string()
                } else {
                    format!("{} {}", t.name, mask::maybe(&t.value, ev.show_text))
                }
            })
            .collect();
        if !found.is_empty() {
            out.push(detection(SERIAL.id, found.join("; "), found.clone()));
        }
    }
}

/// `meta.owner`: who took or owns the photo.
pub struct Owner;
static OWNER: RuleDoc = meta_doc(
    "meta.owner",
    "Photographer and owner names: Artist, Copyright, OwnerName, XMP creator, IPTC by-line",
    "## What it finds\nEXIF Artist, Copyright, CameraOwnerName, XPAuthor; XMP dc:creator, dc:rights, \
     xmpRights:Owner; IPTC By-line, Copyright, Credit, Contact; PNG Author/Copyright text.\n\n## Why it matters\n\
     The photographer's name links the photo to a clinician, their unit and their shifts, and some policies \
     forbid disclosing colleagues' affiliations.\n\n## Remedy\n`clean` removes them. Names are masked in reports.",
);
impl Rule for Owner {
    fn doc(&self) -> &RuleDoc {
        &OWNER
    }
    fn check(&self, ev: &Evidence<'_>, out: &mut Vec<Detection>) {
        let f = ev.facts;
        let m = |v: &str| mask::maybe(v, ev.show_text);
        let mut found: Vec<String> =
            tags(f, ExifClass::Owner).map(|t| format!("EXIF {} {}", t.name, m(&t.value))).collect();
        found.extend(
            f.xmp
                .iter()
                .filter(|p| XMP_OWNER.contains(&p.name()))
                .map(|p| format!("XMP {} {}", p.name(), m(&p.value))),
        );
        found.extend(
            f.iptc
                .iter()
                .filter(|d| IPTC_OWNER.contains(&d.name))
                .map(|d| format!("IPTC {} {}", d.name, m(&d.value))),
        );
        found.extend(
            f.text_chunks
                .iter()
                .filter(|c| matches!(c.keyword.as_str(), "Author" | "Copyright" | "Artist"))
                .map(|c| format!("PNG {} {}", c.keyword, m(c.text.as_deref().unwrap_or("")))),
        );
        if !found.is_empty() {
            out.push(detection(
                OWNER.id,
                format!("{} name field(s): {}", found.len(), found.join("; ")),
                found,
            ));
        }
    }
}

/// `meta.thumbnail`: embedded previews, which may show what the photo no longer does.
pub struct Thumbnail;
static THUMBNAIL: RuleDoc = meta_doc(
    "meta.thumbnail",
    "Embedded preview images, and whether they still match the photo",
    "## What it finds\nEXIF IFD1 thumbnails, JFIF/JFXX thumbnails, Photoshop preview resources and HEIF thumbnail \
     items. EXIF thumbnails are decoded, turned like the photo and compared with it: a mean grey difference over \
     10/255, or a different shape, means the preview is stale.\n\n## Why it matters\nEditors often crop the photo \
     and leave the preview alone, so the preview can show the uncropped original: the patient's face, the \
     wristband, the whiteboard that was cropped out.\n\n## Remedy\n`clean` removes every preview.\n\n## Where it \
     fails\nPreviews other than EXIF JPEG are reported but not compared.",
);
impl Rule for Thumbnail {
    fn doc(&self) -> &RuleDoc {
        &THUMBNAIL
    }
    fn check(&self, ev: &Evidence<'_>, out: &mut Vec<Detection>) {
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
        out.push(detection(THUMBNAIL.id, summary, found));
    }
}

/// `meta.xmp`: XMP packets, with people, places and edit history.
pub struct Xmp;
static XMP: RuleDoc = meta_doc(
    "meta.xmp",
    "XMP packets, including face/person regions, location fields and edit history",
    "## What it finds\nEvery XMP packet (JPEG APP1 standard and extended, PNG iTXt, WebP XMP chunk, TIFF tag 700, \
     GIF application extension, HEIF mime item). It calls out face and person regions (MWG, Microsoft Photo, IPTC \
     PersonInImage), location fields and editing history.\n\n## Why it matters\nPhoto managers write the names of \
     recognised faces and places into XMP; a tagged face region names the patient.\n\n## Remedy\n`clean` removes \
     every packet. Names are masked in reports.",
);
impl Rule for Xmp {
    fn doc(&self) -> &RuleDoc {
        &XMP
    }
    fn check(&self, ev: &Evidence<'_>, out: &mut Vec<Detection>) {
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
        out.push(detection(XMP.id, parts.join("; "), details));
    }
}

/// `meta.iptc`: IPTC IIM records and Photoshop resources.
pub struct Iptc;
static IPTC: RuleDoc = meta_doc(
    "meta.iptc",
    "IPTC captions, keywords, names, places and dates (JPEG APP13, TIFF)",
    "## What it finds\nIPTC IIM datasets inside Photoshop APP13 (or TIFF tag 33723): captions, keywords, by-line, \
     city, dates; and other Photoshop image resources.\n\n## Why it matters\nCaptions and keywords are free text \
     written by people, and people write patients' names and bed numbers into them.\n\n## Remedy\n`clean` removes \
     the whole APP13 segment. Values are masked in reports.",
);
impl Rule for Iptc {
    fn doc(&self) -> &RuleDoc {
        &IPTC
    }
    fn check(&self, ev: &Evidence<'_>, out: &mut Vec<Detection>) {
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
        out.push(detection(IPTC.id, summary, details));
    }
}

/// `meta.comment`: free-text comments and descriptions.
pub struct Comment;
static COMMENT: RuleDoc = meta_doc(
    "meta.comment",
    "Free-text comments and descriptions: JPEG COM, EXIF UserComment/ImageDescription, GIF comments",
    "## What it finds\nJPEG COM segments (anywhere in the file, including after the first scan), EXIF \
     ImageDescription, UserComment and the Windows XP* text tags, GIF comment and plain-text extensions.\n\n## Why \
     it matters\nFree text is where people and software write names, MRNs and ward numbers.\n\n## Remedy\n`clean` \
     removes them. Text is masked in reports.",
);
impl Rule for Comment {
    fn doc(&self) -> &RuleDoc {
        &COMMENT
    }
    fn check(&self, ev: &Evidence<'_>, out: &mut Vec<Detection>) {
        let f = ev.facts;
        let m = |v: &str| mask::maybe(v, ev.show_text);
        let mut found: Vec<String> =
            f.comments.iter().map(|c| format!("{} \"{}\"", c.source, m(&c.text))).collect();
        found.extend(tags(f, ExifClass::Comment).map(|t| format!("EXIF {} \"{}\"", t.name, m(&t.value))));
        if !found.is_empty() {
            out.push(detection(COMMENT.id, found.join("; "), found.clone()));
        }
    }
}

/// `meta.text-chunk`: PNG text chunks.
pub struct TextChunk;
static TEXT_CHUNK: RuleDoc = meta_doc(
    "meta.text-chunk",
    "PNG tEXt, zTXt, iTXt and eXIf chunks",
    "## What it finds\nPNG text chunks (compressed ones are inflated, with a size cap against zlib bombs) and the \
     eXIf chunk. Their content is also read by the other rules (XMP in iTXt, EXIF in eXIf, Author text).\n\n## Why \
     it matters\nScreenshot tools and editors write titles, authors, software and source file paths into PNG text \
     chunks.\n\n## Remedy\n`clean` keeps only the chunks that affect display (IHDR, PLTE, IDAT, tRNS, gAMA, cHRM, \
     sRGB, iCCP, sBIT, pHYs, APNG frames, IEND).",
);
impl Rule for TextChunk {
    fn doc(&self) -> &RuleDoc {
        &TEXT_CHUNK
    }
    fn check(&self, ev: &Evidence<'_>, out: &mut Vec<Detection>) {
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
        out.push(detection(TEXT_CHUNK.id, format!("{} chunk(s): {}", found.len(), found.join(", ")), found));
    }
}

/// `meta.trailer`: bytes after the end of the image.
pub struct Trailer;
static TRAILER: RuleDoc = meta_doc(
    "meta.trailer",
    "Data after the end of the image: second images, motion-photo videos, appended files",
    "## What it finds\nBytes after JPEG EOI, PNG IEND, the GIF trailer or the RIFF end of a WebP: how many, and \
     whether they hold a JPEG, PNG or MP4.\n\n## Why it matters\nPhones append depth maps, gain maps and motion-photo \
     videos; editors sometimes leave the original after the edited image. Viewers show only the first image, so \
     nobody sees what is appended, but anyone can extract it.\n\n## Remedy\n`clean` cuts the file at the end of \
     the primary image.",
);
impl Rule for Trailer {
    fn doc(&self) -> &RuleDoc {
        &TRAILER
    }
    fn check(&self, ev: &Evidence<'_>, out: &mut Vec<Detection>) {
        if let Some(t) = &ev.facts.trailer {
            let holds = t.holds.as_deref().map(|h| format!(", holding {h}")).unwrap_or_default();
            out.push(detection(
                TRAILER.id,
                format!("{} bytes after the end of the image (from byte {}){holds}", t.bytes, t.offset),
                vec![],
            ));
        }
    }
}

/// `meta.other`: metadata medscrub does not interpret.
pub struct Other;
static OTHER: RuleDoc = meta_doc(
    "meta.other",
    "Other metadata blocks medscrub does not interpret (vendor segments, unknown chunks, unreadable EXIF)",
    "## What it finds\nUnknown JPEG APPn segments (vendor data, MPF indexes of secondary images), unknown PNG and \
     WebP chunks, GIF application extensions other than animation loops, EXIF fields outside the known classes, \
     EXIF blocks that could not be parsed, HEIF depth maps and extra images.\n\n## Why it matters\nWhat medscrub \
     cannot read, it cannot vouch for. `share` means the file holds nothing but the picture.\n\n## Remedy\n`clean` \
     drops these blocks whole.",
);
impl Rule for Other {
    fn doc(&self) -> &RuleDoc {
        &OTHER
    }
    fn check(&self, ev: &Evidence<'_>, out: &mut Vec<Detection>) {
        let f = ev.facts;
        let mut found = f.other.clone();
        found.extend(
            f.unreadable_exif.iter().map(|n| format!("EXIF block that could not be parsed ({n} bytes)")),
        );
        found.extend(tags(f, ExifClass::Other).map(|t| format!("EXIF {} {}", t.ifd, t.name)));
        if !found.is_empty() {
            out.push(detection(OTHER.id, found.join("; "), found.clone()));
        }
    }
}

/// `meta.container`: container bytes that display nothing.
pub struct Container;
static CONTAINER: RuleDoc = meta_doc(
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
);
impl Rule for Container {
    fn doc(&self) -> &RuleDoc {
        &CONTAINER
    }
    fn check(&self, ev: &Evidence<'_>, out: &mut Vec<Detection>) {
        let found = &ev.facts.non_display;
        if !found.is_empty() {
            out.push(detection(
                CONTAINER.id,
                format!("{} place(s) holding bytes that display nothing: {}", found.len(), found.join("; ")),
                found.clone(),
            ));
        }
    }
}

/// `meta.icc`: a colour profile that holds more than colour data.
pub struct Icc;
static ICC: RuleDoc = meta_doc(
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
);
impl Rule for Icc {
    fn doc(&self) -> &RuleDoc {
        &ICC
    }
    fn check(&self, ev: &Evidence<'_>, out: &mut Vec<Detection>) {
        let extra = &ev.facts.icc.extra;
        if !extra.is_empty() {
            out.push(detection(ICC.id, format!("colour profile holds {}", extra.join("; ")), extra.clone()));
        }
    }
}

/// `meta.transparency`: pixels a viewer's background shows through.
pub struct Transparency;
static TRANSPARENCY: RuleDoc = meta_doc(
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
);
impl Rule for Transparency {
    fn doc(&self) -> &RuleDoc {
        &TRANSPARENCY
    }
    fn check(&self, ev: &Evidence<'_>, out: &mut Vec<Detection>) {
        let Some(t) = ev.transparency.filter(|t| t.see_through > 0) else { return };
        let share = t.see_through as f64 * 100.0 / t.total.max(1) as f64;
        out.push(detection(
            TRANSPARENCY.id,
            format!(
                "{share:.1} % of the picture is see-through: viewers draw it over their own background; \
                 the copy is flattened onto white, as checked"
            ),
            vec![format!("{} of {} pixels not fully opaque", t.see_through, t.total)],
        ));
    }
}

/// `meta.frames`: animation frames and pages besides the picture that was checked.
pub struct Frames;
static FRAMES: RuleDoc = meta_doc(
    "meta.frames",
    "Animation frames or pages besides the one picture that was checked",
    "## What it finds\nAPNG animations (acTL/fcTL/fdAT: the default image may not even be one of the frames \
     browsers play), animated GIFs, animated WebPs (ANIM/ANMF) and TIFFs with more than one page.\n\n\
     ## Why it matters\nmedscrub decodes and reads one picture: the PNG default image, the first GIF or WebP \
     frame, the first TIFF page. The other frames could show anything (a page with a name and MRN) and would be \
     shared unseen.\n\n## Remedy\n`clean` keeps only the checked picture, as a still: APNG loses its animation \
     chunks (the default image stays, byte for byte), a GIF becomes its first frame, a WebP its first frame \
     re-encoded losslessly, a TIFF its first page.",
);
impl Rule for Frames {
    fn doc(&self) -> &RuleDoc {
        &FRAMES
    }
    fn check(&self, ev: &Evidence<'_>, out: &mut Vec<Detection>) {
        let found = &ev.facts.frames;
        if !found.is_empty() {
            out.push(detection(FRAMES.id, found.join("; "), found.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::{
        Comment as Com, GpsFix, IptcDataset, TextChunk as Chunk, Thumbnail as Thumb, Trailer as Tail,
        XmpProperty,
    };

    fn tag(ifd: &'static str, name: &str, value: &str) -> ExifTag {
        ExifTag { ifd, number: 0, name: name.into(), value: value.into() }
    }

    fn run_rule(rule: &dyn Rule, facts: &MetaFacts) -> Vec<Detection> {
        run_with(rule, facts, &[])
    }

    fn run_with(rule: &dyn Rule, facts: &MetaFacts, thumbs: &[Option<ThumbnailMatch>]) -> Vec<Detection> {
        let mut out = Vec::new();
        rule.check(&Evidence { thumbnails: thumbs, ..Evidence::of(facts) }, &mut out);
        out
    }

    /// A photo with only structural EXIF: the near miss for every metadata rule.
    fn structural_only() -> MetaFacts {
        MetaFacts {
            orientation: 6,
            icc_profile: Some(vec![0; 100]),
            exif: vec![
                tag("IFD0", "Orientation", "6"),
                tag("IFD0", "XResolution", "72"),
                tag("ExifIFD", "PixelXDimension", "640"),
            ],
            ..MetaFacts::default()
        }
    }

    #[test]
    fn structural_metadata_fires_no_rule() {
        for rule in crate::rules::RULES {
            assert!(run_rule(*rule, &structural_only()).is_empty(), "{}", rule.doc().id);
        }
    }

    #[test]
    fn gps_reports_rounded_position_and_extras() {
        let facts = MetaFacts {
            exif: vec![
                tag("GPS", "GPSLatitude", "42"),
                tag("GPS", "GPSAltitude", "270"),
                tag("GPS", "GPSImgDirection", "1"),
            ],
            gps: Some(GpsFix { latitude: 42.28081, longitude: -83.74302 }),
            ..MetaFacts::default()
        };
        let d = run_rule(&Gps, &facts);
        assert_eq!(d.len(), 1);
        assert!(d[0].summary.contains("42.28, -83.74"), "{}", d[0].summary);
        assert!(d[0].summary.contains("altitude, direction"));
        assert!(!d[0].summary.contains("42.2808"));
        // Near miss: GPS date alone is a time, not a place.
        let time_only =
            MetaFacts { exif: vec![tag("GPS", "GPSDateStamp", "2026:11:20")], ..MetaFacts::default() };
        assert!(run_rule(&Gps, &time_only).is_empty());
        assert_eq!(run_rule(&DateTime, &time_only).len(), 1);
    }

    #[test]
    fn datetime_collects_every_source_and_names_capture_time() {
        let facts = MetaFacts {
            exif: vec![tag("ExifIFD", "DateTimeOriginal", "2026:11:20 08:15:00")],
            xmp: vec![XmpProperty { path: "xmp:CreateDate".into(), value: "2026-11-20T08:15:00".into() }],
            iptc: vec![IptcDataset { record: 2, dataset: 55, name: "DateCreated", value: "20261120".into() }],
            png_time: Some("2026-11-20T08:15:00Z".into()),
            ..MetaFacts::default()
        };
        let d = run_rule(&DateTime, &facts);
        assert_eq!(d[0].details.len(), 4);
        assert!(d[0].summary.starts_with("taken 2026-11-20T08:15:00 (EXIF DateTimeOriginal)"));
        // Near miss: an XMP rating is not a date.
        let rating = MetaFacts {
            xmp: vec![XmpProperty { path: "xmp:Rating".into(), value: "5".into() }],
            xmp_packets: 1,
            ..MetaFacts::default()
        };
        assert!(run_rule(&DateTime, &rating).is_empty());
    }

    #[test]
    fn device_names_camera_and_counts_settings() {
        let facts = MetaFacts {
            exif: vec![
                tag("IFD0", "Make", "Apple"),
                tag("IFD0", "Model", "iPhone 15 Pro"),
                tag("ExifIFD", "ExposureTime", "1/60 s"),
            ],
            ..MetaFacts::default()
        };
        let d = run_rule(&Device, &facts);
        assert_eq!(d[0].summary, "Apple, iPhone 15 Pro (+1 capture setting(s))");
        assert!(run_rule(&Device, &structural_only()).is_empty());
    }

    #[test]
    fn serial_and_owner_values_are_masked() {
        let facts = MetaFacts {
            exif: vec![
                tag("ExifIFD", "BodySerialNumber", "F2LXK1234567"),
                tag("IFD0", "Artist", "Dr. Jane Example"),
                tag("ExifIFD", "MakerNote", "(9000 bytes)"),
            ],
            iptc: vec![IptcDataset { record: 2, dataset: 80, name: "By-line", value: "Jane Example".into() }],
            ..MetaFacts::default()
        };
        let serial = run_rule(&Serial, &facts);
        assert!(!serial[0].summary.contains("1234567"), "{}", serial[0].summary);
        assert!(serial[0].summary.contains("maker note"));
        let owner = run_rule(&Owner, &facts);
        assert!(owner[0].summary.starts_with("2 name field(s)"));
        assert!(!owner[0].summary.contains("Jane Example"));
        // Near miss: Make is a device, not an owner.
        let make = MetaFacts { exif: vec![tag("IFD0", "Make", "Jane")], ..MetaFacts::default() };
        assert!(run_rule(&Owner, &make).is_empty());
    }

    #[test]
    fn thumbnail_says_when_it_is_stale() {
        let facts = MetaFacts {
            thumbnails: vec![Thumb { source: "EXIF IFD1", jpeg: None, bytes: 5000 }],
            ..MetaFacts::default()
        };
        let stale = run_with(&Thumbnail, &facts, &[Some(ThumbnailMatch::Differs { difference: 40.0 })]);
        assert!(stale[0].summary.contains("differs"), "{}", stale[0].summary);
        let fresh = run_with(&Thumbnail, &facts, &[Some(ThumbnailMatch::Same { difference: 2.0 })]);
        assert!(fresh[0].summary.contains("matches the photo"));
        assert!(run_rule(&Thumbnail, &MetaFacts::default()).is_empty());
    }

    #[test]
    fn xmp_calls_out_faces_and_places() {
        let p = |path: &str, value: &str| XmpProperty { path: path.into(), value: value.into() };
        let facts = MetaFacts {
            xmp_packets: 1,
            xmp: vec![
                p("mwg-rs:Regions/mwg-rs:RegionList/mwg-rs:Name", "Patient Doe"),
                p("photoshop:City", "Ann Arbor"),
            ],
            ..MetaFacts::default()
        };
        let d = run_rule(&Xmp, &facts);
        assert!(d[0].summary.contains("1 face/person region(s)"), "{}", d[0].summary);
        assert!(d[0].summary.contains("photoshop:City"));
        assert!(!d[0].summary.contains("Patient Doe"));
        // Near miss: a person-like name outside a region is not a face region.
        let title = MetaFacts { xmp_packets: 1, xmp: vec![p("dc:title", "Doe")], ..MetaFacts::default() };
        assert!(!run_rule(&Xmp, &title)[0].summary.contains("face"));
    }

    #[test]
    fn comments_iptc_text_chunks_trailer_other() {
        let facts = MetaFacts {
            comments: vec![Com { source: "JPEG COM", text: "Patient J. Doe MRN 12345678".into() }],
            iptc: vec![IptcDataset {
                record: 2,
                dataset: 120,
                name: "Caption-Abstract",
                value: "Post-op day 1".into(),
            }],
            text_chunks: vec![Chunk {
                kind: "tEXt".into(),
                keyword: "Comment".into(),
                bytes: 9,
                text: Some("Ward 4B".into()),
            }],
            trailer: Some(Tail { offset: 1000, bytes: 2048, holds: Some("a JPEG image".into()) }),
            other: vec!["APP4 segment (10 bytes)".into()],
            ..MetaFacts::default()
        };
        let c = run_rule(&Comment, &facts);
        assert!(!c[0].summary.contains("12345678"));
        assert_eq!(run_rule(&Iptc, &facts).len(), 1);
        assert!(run_rule(&TextChunk, &facts)[0].summary.contains("tEXt \"Comment\""));
        assert!(
            run_rule(&Trailer, &facts)[0]
                .summary
                .contains("2048 bytes after the end of the image (from byte 1000), holding a JPEG image")
        );
        assert_eq!(run_rule(&Other, &facts)[0].details, vec!["APP4 segment (10 bytes)".to_string()]);
    }

    #[test]
    fn icc_beyond_colour_data_is_a_finding_and_a_plain_profile_is_not() {
        let extra = MetaFacts {
            icc: crate::metadata::icc::IccFacts {
                texts: vec![],
                extra: vec!["tag that is not colour data \"Priv\" (60 bytes)".into()],
            },
            ..MetaFacts::default()
        };
        let d = run_rule(&Icc, &extra);
        assert!(d[0].summary.contains("\"Priv\""), "{}", d[0].summary);
        // Near miss: a profile whose only text is its name.
        let plain = MetaFacts {
            icc: crate::metadata::icc::IccFacts {
                texts: vec![crate::metadata::icc::IccText { tag: "desc".into(), text: "Display P3".into() }],
                extra: vec![],
            },
            ..MetaFacts::default()
        };
        assert!(run_rule(&Icc, &plain).is_empty());
    }

    #[test]
    fn bytes_that_display_nothing_are_a_finding() {
        let slack = MetaFacts {
            non_display: vec!["reserved marker 0xF7 segment (40 bytes) at byte 20".into()],
            ..MetaFacts::default()
        };
        let d = run_rule(&Container, &slack);
        assert!(d[0].summary.starts_with("1 place(s)") && d[0].summary.contains("0xF7"), "{}", d[0].summary);
        // Near miss: a file whose every byte displays (no facts) is not a finding.
        assert!(run_rule(&Container, &MetaFacts::default()).is_empty());
    }
}
