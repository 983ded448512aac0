//! Rules on what the EXIF fields (and the XMP and IPTC properties that repeat them) say:
//! place, capture time, device, serial numbers, owner.

use super::{detection, meta_doc, tags};
use crate::metadata::ExifTag;
use crate::metadata::exif::ExifClass;
use crate::report::mask;
use crate::rules::{Detection, Evidence, FnRule};

/// XMP property names that hold a place.
pub(super) const XMP_LOCATION: [&str; 10] = [
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
pub static GPS: FnRule = FnRule {
    doc: meta_doc(
        "meta.gps",
        "GPS position (and altitude, direction, speed) recorded by the camera",
        "## What it finds\nEXIF GPS fields, and GPS coordinates in XMP.\n\n## Why it matters\nA location inside a \
         hospital, a clinic or a patient's home identifies the place, and with it who could have been photographed \
         there. The report shows the position rounded to 0.01° (about 1 km) so the report is not itself a locator.\n\n\
         ## Remedy\n`clean` removes every GPS field.",
    ),
    check: check_gps,
};

fn check_gps(ev: &Evidence<'_>, out: &mut Vec<Detection>) {
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
    out.push(detection(GPS.doc.id, summary, details));
}

/// `meta.datetime`: when the photo was taken or edited.
pub static DATE_TIME: FnRule = FnRule {
    doc: meta_doc(
        "meta.datetime",
        "Capture, digitised, modified and GPS times (EXIF, XMP, IPTC, PNG tIME)",
        "## What it finds\nEXIF DateTimeOriginal/DateTimeDigitized/DateTime (ModifyDate) with their UTC offsets, GPS \
         date and time, XMP and IPTC dates, PNG tIME.\n\n## Why it matters\nA time stamp ties a photo to a shift, a \
         case or an admission; policies name time stamps and case timing explicitly. The capture time is kept in the \
         report (`capture_time`), read before anything is stripped, because the one-month rule needs it.\n\n## Remedy\n\
         `clean` removes every date field.",
    ),
    check: check_date_time,
};

fn check_date_time(ev: &Evidence<'_>, out: &mut Vec<Detection>) {
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
    out.push(detection(DATE_TIME.doc.id, summary, details));
}

/// `meta.device`: the camera, lens and software.
pub static DEVICE: FnRule = FnRule {
    doc: meta_doc(
        "meta.device",
        "Camera make and model, lens, software and capture settings",
        "## What it finds\nEXIF Make, Model, LensMake, LensModel, Software, HostComputer and the capture settings \
         (exposure, focal length, flash).\n\n## Why it matters\nA device model narrows down who took the photo; with \
         other posts it links accounts and places.\n\n## Remedy\n`clean` removes it.",
    ),
    check: check_device,
};

fn check_device(ev: &Evidence<'_>, out: &mut Vec<Detection>) {
    let all: Vec<&ExifTag> = tags(ev.facts, ExifClass::Device).collect();
    if all.is_empty() {
        return;
    }
    let get = |n: &str| all.iter().find(|t| t.name == n).map(|t| t.value.as_str());
    let named: Vec<String> = [("Make", ""), ("Model", ""), ("LensModel", "lens "), ("Software", "software ")]
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
    out.push(detection(DEVICE.doc.id, summary, details));
}

/// `meta.serial`: serial numbers that tie photos to one physical camera.
pub static SERIAL: FnRule = FnRule {
    doc: meta_doc(
        "meta.serial",
        "Camera body and lens serial numbers, unique image ids, maker notes",
        "## What it finds\nEXIF BodySerialNumber, LensSerialNumber, ImageUniqueID, DNG CameraSerialNumber, and the \
         vendor MakerNote (where phones and cameras keep internal serials).\n\n## Why it matters\nA serial number ties \
         every photo from one camera together, across accounts and years.\n\n## Remedy\n`clean` removes them. Values \
         are masked in reports.",
    ),
    check: check_serial,
};

fn check_serial(ev: &Evidence<'_>, out: &mut Vec<Detection>) {
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
        out.push(detection(SERIAL.doc.id, found.join("; "), found.clone()));
    }
}

/// `meta.owner`: who took or owns the photo.
pub static OWNER: FnRule = FnRule {
    doc: meta_doc(
        "meta.owner",
        "Photographer and owner names: Artist, Copyright, OwnerName, XMP creator, IPTC by-line",
        "## What it finds\nEXIF Artist, Copyright, CameraOwnerName, XPAuthor; XMP dc:creator, dc:rights, \
         xmpRights:Owner; IPTC By-line, Copyright, Credit, Contact; PNG Author/Copyright text.\n\n## Why it matters\n\
         The photographer's name links the photo to a clinician, their unit and their shifts, and some policies \
         forbid disclosing colleagues' affiliations.\n\n## Remedy\n`clean` removes them. Names are masked in reports.",
    ),
    check: check_owner,
};

fn check_owner(ev: &Evidence<'_>, out: &mut Vec<Detection>) {
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
            OWNER.doc.id,
            format!("{} name field(s): {}", found.len(), found.join("; ")),
            found,
        ));
    }
}
