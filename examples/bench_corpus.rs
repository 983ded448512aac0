//! Writes a corpus of phone-like photos for benchmarks: `cargo run --release --example
//! bench-corpus -- DIR N [WIDTH HEIGHT]`. Each is a JPEG (default 4032×3024, 12 MP,
//! quality 90) with the metadata a phone writes: EXIF camera, dates, GPS, serials and a
//! thumbnail, an XMP packet, a COM segment before the image and another after the scan
//! data, and a second small JPEG appended after EOI.
//! The pixels are synthetic and deterministic; no real photo is involved.

use exif::experimental::Writer;
use exif::{Field, In, Rational, Tag, Value};
use std::io::Cursor;

fn scene(w: u32, h: u32) -> image::RgbImage {
    let mut seed: u32 = 0x1234_5678;
    image::RgbImage::from_fn(w, h, |x, y| {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        // Smooth light with a little sensor noise and a few hard edges, so a 12 MP photo
        // compresses to about what a phone writes (3–4 MB at quality 90), not to noise.
        let noise = (seed >> 29) as u8;
        let (fx, fy) = (x as f32 / w as f32, y as f32 / h as f32);
        let shade = ((fx * 6.0).sin() * 40.0 + (fy * 4.0).cos() * 40.0 + 120.0) as u8;
        let edge = if ((x / 300) + (y / 300)) % 5 == 0 { 60 } else { 0 };
        // A cool grey, as a wall or a desk is: no colour any scene rule looks for (the
        // pink and violet this used to have read as stained tissue, and every photo was
        // blocked instead of stripped).
        let grey = shade.saturating_add(noise).saturating_add(edge).saturating_sub((fx * 30.0) as u8);
        let r = grey;
        let g = grey.saturating_add((fy * 12.0) as u8);
        let b = grey.saturating_add(24);
        image::Rgb([r, g, b])
    })
}

fn jpeg(img: &image::RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality).encode_image(img).expect("encode");
    out
}

fn exif_block(i: usize, thumbnail: &[u8]) -> Vec<u8> {
    let ascii = |s: String| Value::Ascii(vec![s.into_bytes()]);
    let rational =
        |v: &[(u32, u32)]| Value::Rational(v.iter().map(|&(num, denom)| Rational { num, denom }).collect());
    let fields = vec![
        Field { tag: Tag::Make, ifd_num: In::PRIMARY, value: ascii("Apple".into()) },
        Field { tag: Tag::Model, ifd_num: In::PRIMARY, value: ascii("iPhone 15 Pro".into()) },
        Field { tag: Tag::Software, ifd_num: In::PRIMARY, value: ascii("17.1.2".into()) },
        Field { tag: Tag::Orientation, ifd_num: In::PRIMARY, value: Value::Short(vec![1]) },
        Field {
            tag: Tag::DateTimeOriginal,
            ifd_num: In::PRIMARY,
            // A year back: a photo whose text makes it clinical (the MRN comment) and that
            // is under a month old is held back (time.recent-case), and nothing is written.
            value: ascii(format!("2025:11:{:02} 08:15:00", 1 + i % 28)),
        },
        Field { tag: Tag::BodySerialNumber, ifd_num: In::PRIMARY, value: ascii(format!("F2LXK{i:07}")) },
        Field { tag: Tag::GPSLatitudeRef, ifd_num: In::PRIMARY, value: ascii("N".into()) },
        Field {
            tag: Tag::GPSLatitude,
            ifd_num: In::PRIMARY,
            value: rational(&[(42, 1), (16, 1), (i as u32 % 60 * 100, 100)]),
        },
        Field { tag: Tag::GPSLongitudeRef, ifd_num: In::PRIMARY, value: ascii("W".into()) },
        Field {
            tag: Tag::GPSLongitude,
            ifd_num: In::PRIMARY,
            value: rational(&[(83, 1), (44, 1), (3480, 100)]),
        },
    ];
    let mut w = Writer::new();
    for f in &fields {
        w.push_field(f);
    }
    w.set_jpeg(thumbnail, In::THUMBNAIL);
    let mut out = Cursor::new(Vec::new());
    w.write(&mut out, false).expect("exif");
    out.into_inner()
}

fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
    let mut s = vec![0xFF, marker];
    s.extend(((payload.len() + 2) as u16).to_be_bytes());
    s.extend(payload);
    s
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = std::path::PathBuf::from(args.get(1).map(String::as_str).unwrap_or("corpus"));
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(200);
    let w: u32 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(4032);
    let h: u32 = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(3024);
    std::fs::create_dir_all(&dir).expect("corpus folder");
    let base = jpeg(&scene(w, h), 90);
    let thumb = jpeg(&image::imageops::thumbnail(&scene(w, h), 160, 120), 80);
    let tail = jpeg(&scene(320, 240), 80);
    for i in 0..n {
        let mut exif = b"Exif\0\0".to_vec();
        exif.extend(exif_block(i, &thumb));
        let xmp = format!(
            "http://ns.adobe.com/xap/1.0/\0<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\
             <rdf:Description xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:photoshop=\"http://ns.adobe.com/photoshop/1.0/\" \
             photoshop:City=\"Ann Arbor\"><dc:creator><rdf:Seq><rdf:li>Photographer {i}</rdf:li></rdf:Seq></dc:creator>\
             </rdf:Description></rdf:RDF></x:xmpmeta>"
        );
        let mut file = vec![0xFF, 0xD8];
        file.extend(segment(0xE1, &exif));
        file.extend(segment(0xE1, xmp.as_bytes()));
        file.extend(segment(0xFE, format!("bench photo {i}").as_bytes()));
        // The scan data, then a comment after it (before EOI): metadata that tools which
        // stop reading at the first SOS do not see.
        file.extend(&base[2..base.len() - 2]);
        file.extend(segment(0xFE, format!("MRN {:08} after the scan", 10_000_000 + i).as_bytes()));
        file.extend([0xFF, 0xD9]);
        file.extend(&tail);
        std::fs::write(dir.join(format!("IMG_{i:04}.jpg")), file).expect("write");
    }
    println!("wrote {n} photos of {w}×{h} to {}", dir.display());
}
