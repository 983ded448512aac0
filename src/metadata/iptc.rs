//! IPTC IIM inside Photoshop image resources (JPEG APP13 "Photoshop 3.0").

use super::{CaptureTime, IptcDataset, MetaFacts, be16, be32, lossy_text};

/// Photoshop resource id that holds IPTC IIM records.
const IPTC_RESOURCE: u16 = 0x0404;

/// Walks the 8BIM resources of a Photoshop block. IPTC records become datasets; other
/// resources are listed by id (0x0409 and 0x040C are thumbnails). Returns how many bytes
/// were resources: the rest is not a resource list (and is reported by the caller).
pub fn read_photoshop(b: &[u8], facts: &mut MetaFacts) -> usize {
    let mut pos = 0;
    while pos + 12 <= b.len() && &b[pos..pos + 4] == b"8BIM" {
        let Some(id) = be16(b, pos + 4) else { return pos };
        // Pascal string name, padded so that length byte + name is even.
        let name_len = b[pos + 6] as usize;
        let name_total = (1 + name_len + 1) & !1;
        let size_at = pos + 6 + name_total;
        let Some(size) = be32(b, size_at) else { return pos };
        let data_start = size_at + 4;
        let Some(data_end) = data_start.checked_add(size as usize).filter(|&e| e <= b.len()) else {
            facts.other.push(format!("Photoshop resource 0x{id:04X} with a length past the end"));
            return b.len();
        };
        let data = &b[data_start..data_end];
        if id == IPTC_RESOURCE {
            read_iim(data, facts);
        } else {
            facts.photoshop_resources.push(id);
        }
        pos = (data_end + (size as usize & 1)).min(b.len());
    }
    pos
}

/// Parses IPTC IIM records: `0x1C record dataset length value`.
pub fn read_iim(b: &[u8], facts: &mut MetaFacts) {
    let mut pos = 0;
    while pos + 5 <= b.len() && b[pos] == 0x1C {
        let (record, dataset) = (b[pos + 1], b[pos + 2]);
        let Some(len) = be16(b, pos + 3) else { return };
        let (len, start) = if len & 0x8000 != 0 {
            // Extended dataset: the low bits say how many bytes hold the length.
            let n = (len & 0x7FFF) as usize;
            if n == 0 || n > 4 || pos + 5 + n > b.len() {
                return;
            }
            let l = b[pos + 5..pos + 5 + n].iter().fold(0usize, |a, &x| (a << 8) | x as usize);
            (l, pos + 5 + n)
        } else {
            (len as usize, pos + 5)
        };
        let Some(value) = b.get(start..start.saturating_add(len)) else { return };
        facts.iptc.push(IptcDataset {
            record,
            dataset,
            name: dataset_name(record, dataset),
            value: lossy_text(value),
        });
        pos = start + len;
    }
}

/// Names of the IPTC datasets phones and editors write.
pub fn dataset_name(record: u8, dataset: u8) -> &'static str {
    match (record, dataset) {
        (1, 90) => "CodedCharacterSet",
        (2, 0) => "RecordVersion",
        (2, 5) => "ObjectName",
        (2, 25) => "Keywords",
        (2, 40) => "SpecialInstructions",
        (2, 55) => "DateCreated",
        (2, 60) => "TimeCreated",
        (2, 62) => "DigitalCreationDate",
        (2, 63) => "DigitalCreationTime",
        (2, 80) => "By-line",
        (2, 85) => "By-lineTitle",
        (2, 90) => "City",
        (2, 92) => "Sub-location",
        (2, 95) => "Province-State",
        (2, 100) => "Country-PrimaryLocationCode",
        (2, 101) => "Country-PrimaryLocationName",
        (2, 105) => "Headline",
        (2, 110) => "Credit",
        (2, 115) => "Source",
        (2, 116) => "CopyrightNotice",
        (2, 118) => "Contact",
        (2, 120) => "Caption-Abstract",
        (2, 122) => "Writer-Editor",
        _ => "Dataset",
    }
}

/// The capture time from IPTC DateCreated (+ TimeCreated).
pub fn capture_time(sets: &[IptcDataset]) -> Option<CaptureTime> {
    let get = |n: &str| sets.iter().find(|s| s.name == n).map(|s| s.value.as_str());
    let date = get("DateCreated")?;
    let time = get("TimeCreated").unwrap_or("");
    let digits: String = time.chars().filter(char::is_ascii_digit).take(6).collect();
    let value = super::exif::normalise_datetime(&format!("{date}{digits}"))?;
    Some(CaptureTime { value, source: "IPTC DateCreated".into() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(ds: u8, v: &str) -> Vec<u8> {
        let mut r = vec![0x1C, 2, ds];
        r.extend((v.len() as u16).to_be_bytes());
        r.extend(v.as_bytes());
        r
    }

    #[test]
    fn reads_iim_inside_8bim() {
        let iim: Vec<u8> =
            [record(80, "Jane Example"), record(55, "20261120"), record(60, "081500-0500")].concat();
        let mut ps = b"8BIM\x04\x04\0\0".to_vec();
        ps.extend((iim.len() as u32).to_be_bytes());
        ps.extend(&iim);
        if iim.len() % 2 == 1 {
            ps.push(0);
        }
        ps.extend(b"8BIM\x04\x0C\0\0\0\0\0\x02ab");
        let mut facts = MetaFacts::default();
        read_photoshop(&ps, &mut facts);
        assert_eq!(facts.iptc.len(), 3);
        assert_eq!(facts.iptc[0].name, "By-line");
        assert_eq!(facts.iptc[0].value, "Jane Example");
        assert_eq!(facts.photoshop_resources, vec![0x040C]);
        assert_eq!(capture_time(&facts.iptc).unwrap().value, "2026-11-20T08:15:00");
    }

    #[test]
    fn lengths_past_the_end_stop_cleanly() {
        let mut facts = MetaFacts::default();
        read_iim(&[0x1C, 2, 80, 0xFF, 0x00, b'x'], &mut facts);
        assert!(facts.iptc.is_empty());
        read_photoshop(b"8BIM\x04\x04\0\0\xFF\xFF\xFF\xFF", &mut facts);
        assert_eq!(facts.other.len(), 1);
    }
}
