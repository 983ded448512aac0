//! Metadata rules: what a photo carries besides its pixels.
//!
//! Each rule reads [`MetaFacts`]; `clean` removes everything these rules can find
//! (lossless container surgery), so their default remedy is `strip`. The rules are in
//! three groups: `exif` (what the EXIF fields say: place, time, device, serial, owner),
//! `embedded` (thumbnails, XMP, IPTC, comments, text chunks) and `container` (trailer,
//! what cannot be interpreted, bytes that display nothing, ICC, transparency, frames).

mod container;
mod embedded;
mod exif;

use super::{Detection, RuleDoc};
use crate::metadata::exif::{ExifClass, classify};
use crate::metadata::{ExifTag, MetaFacts};
use crate::report::Source;
use crate::verdict::Verdict;
pub use container::{CONTAINER, FRAMES, ICC, OTHER, TRAILER, TRANSPARENCY};
pub use embedded::{COMMENT, IPTC, TEXT_CHUNK, THUMBNAIL, XMP};
pub use exif::{DATE_TIME, DEVICE, GPS, OWNER, SERIAL};

fn tags(facts: &MetaFacts, class: ExifClass) -> impl Iterator<Item = &ExifTag> {
    facts.exif.iter().filter(move |t| classify(t) == class)
}

fn detection(rule: &'static str, summary: String, details: Vec<String>) -> Detection {
    Detection {
        rule,
        source: Source::Metadata,
        found_in: "metadata".into(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::ThumbnailMatch;
    use crate::metadata::{
        Comment as Com, GpsFix, IptcDataset, TextChunk as Chunk, Thumbnail as Thumb, Trailer as Tail,
        XmpProperty,
    };
    use crate::rules::{Evidence, Rule};

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
        let d = run_rule(&GPS, &facts);
        assert_eq!(d.len(), 1);
        assert!(d[0].summary.contains("42.28, -83.74"), "{}", d[0].summary);
        assert!(d[0].summary.contains("altitude, direction"));
        assert!(!d[0].summary.contains("42.2808"));
        // Near miss: GPS date alone is a time, not a place.
        let time_only =
            MetaFacts { exif: vec![tag("GPS", "GPSDateStamp", "2026:11:20")], ..MetaFacts::default() };
        assert!(run_rule(&GPS, &time_only).is_empty());
        assert_eq!(run_rule(&DATE_TIME, &time_only).len(), 1);
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
        let d = run_rule(&DATE_TIME, &facts);
        assert_eq!(d[0].details.len(), 4);
        assert!(d[0].summary.starts_with("taken 2026-11-20T08:15:00 (EXIF DateTimeOriginal)"));
        // Near miss: an XMP rating is not a date.
        let rating = MetaFacts {
            xmp: vec![XmpProperty { path: "xmp:Rating".into(), value: "5".into() }],
            xmp_packets: 1,
            ..MetaFacts::default()
        };
        assert!(run_rule(&DATE_TIME, &rating).is_empty());
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
        let d = run_rule(&DEVICE, &facts);
        assert_eq!(d[0].summary, "Apple, iPhone 15 Pro (+1 capture setting(s))");
        assert!(run_rule(&DEVICE, &structural_only()).is_empty());
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
        let serial = run_rule(&SERIAL, &facts);
        assert!(!serial[0].summary.contains("1234567"), "{}", serial[0].summary);
        assert!(serial[0].summary.contains("maker note"));
        let owner = run_rule(&OWNER, &facts);
        assert!(owner[0].summary.starts_with("2 name field(s)"));
        assert!(!owner[0].summary.contains("Jane Example"));
        // Near miss: Make is a device, not an owner.
        let make = MetaFacts { exif: vec![tag("IFD0", "Make", "Jane")], ..MetaFacts::default() };
        assert!(run_rule(&OWNER, &make).is_empty());
    }

    #[test]
    fn thumbnail_says_when_it_is_stale() {
        let facts = MetaFacts {
            thumbnails: vec![Thumb { source: "EXIF IFD1", jpeg: None, bytes: 5000 }],
            ..MetaFacts::default()
        };
        let stale = run_with(&THUMBNAIL, &facts, &[Some(ThumbnailMatch::Differs { difference: 40.0 })]);
        assert!(stale[0].summary.contains("differs"), "{}", stale[0].summary);
        let fresh = run_with(&THUMBNAIL, &facts, &[Some(ThumbnailMatch::Same { difference: 2.0 })]);
        assert!(fresh[0].summary.contains("matches the photo"));
        assert!(run_rule(&THUMBNAIL, &MetaFacts::default()).is_empty());
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
        let d = run_rule(&XMP, &facts);
        assert!(d[0].summary.contains("1 face/person region(s)"), "{}", d[0].summary);
        assert!(d[0].summary.contains("photoshop:City"));
        assert!(!d[0].summary.contains("Patient Doe"));
        // Near miss: a person-like name outside a region is not a face region.
        let title = MetaFacts { xmp_packets: 1, xmp: vec![p("dc:title", "Doe")], ..MetaFacts::default() };
        assert!(!run_rule(&XMP, &title)[0].summary.contains("face"));
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
        let c = run_rule(&COMMENT, &facts);
        assert!(!c[0].summary.contains("12345678"));
        assert_eq!(run_rule(&IPTC, &facts).len(), 1);
        assert!(run_rule(&TEXT_CHUNK, &facts)[0].summary.contains("tEXt \"Comment\""));
        assert!(
            run_rule(&TRAILER, &facts)[0]
                .summary
                .contains("2048 bytes after the end of the image (from byte 1000), holding a JPEG image")
        );
        assert_eq!(run_rule(&OTHER, &facts)[0].details, vec!["APP4 segment (10 bytes)".to_string()]);
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
        let d = run_rule(&ICC, &extra);
        assert!(d[0].summary.contains("\"Priv\""), "{}", d[0].summary);
        // Near miss: a profile whose only text is its name.
        let plain = MetaFacts {
            icc: crate::metadata::icc::IccFacts {
                texts: vec![crate::metadata::icc::IccText { tag: "desc".into(), text: "Display P3".into() }],
                extra: vec![],
            },
            ..MetaFacts::default()
        };
        assert!(run_rule(&ICC, &plain).is_empty());
    }

    #[test]
    fn bytes_that_display_nothing_are_a_finding() {
        let slack = MetaFacts {
            non_display: vec!["reserved marker 0xF7 segment (40 bytes) at byte 20".into()],
            ..MetaFacts::default()
        };
        let d = run_rule(&CONTAINER, &slack);
        assert!(d[0].summary.starts_with("1 place(s)") && d[0].summary.contains("0xF7"), "{}", d[0].summary);
        // Near miss: a file whose every byte displays (no facts) is not a finding.
        assert!(run_rule(&CONTAINER, &MetaFacts::default()).is_empty());
    }
}
