//! Criterion benchmarks of the metadata path: reading a phone photo's metadata, stripping
//! it losslessly, and the whole `scan` of one photo (read, metadata, decode, rules),
//! on 2 MP and 12 MP photos made in memory.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use medscrub::intake::{Format, Input};
use medscrub::{AnalysisOptions, action, decode, metadata, pipeline, policy};
use std::hint::black_box;

/// A phone-like JPEG with EXIF (camera, dates, GPS) and an appended second image.
fn photo(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 251) as u8, (y % 241) as u8, ((x ^ y) % 256) as u8])
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90).encode_image(&img).unwrap();
    let fields = [
        exif::Field {
            tag: exif::Tag::Make,
            ifd_num: exif::In::PRIMARY,
            value: exif::Value::Ascii(vec![b"Apple".to_vec()]),
        },
        exif::Field {
            tag: exif::Tag::DateTimeOriginal,
            ifd_num: exif::In::PRIMARY,
            value: exif::Value::Ascii(vec![b"2026:11:20 08:15:00".to_vec()]),
        },
        exif::Field {
            tag: exif::Tag::GPSLatitudeRef,
            ifd_num: exif::In::PRIMARY,
            value: exif::Value::Ascii(vec![b"N".to_vec()]),
        },
    ];
    let mut writer = exif::experimental::Writer::new();
    fields.iter().for_each(|f| writer.push_field(f));
    let mut tiff = std::io::Cursor::new(Vec::new());
    writer.write(&mut tiff, false).unwrap();
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(tiff.into_inner());
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend(((app1.len() + 2) as u16).to_be_bytes());
    out.extend(app1);
    out.extend(&jpeg[2..]);
    out.extend(&jpeg[..4096.min(jpeg.len())]);
    out
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("photo");
    group.sample_size(20);
    let profile = policy::profile("strictest").unwrap();
    let options = AnalysisOptions::default();
    let dir = tempfile::tempdir().unwrap();
    for (name, w, h) in [("2MP", 1632, 1224), ("12MP", 4032, 3024)] {
        let bytes = photo(w, h);
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_with_input(BenchmarkId::new("metadata-read", name), &bytes, |b, bytes| {
            b.iter(|| metadata::read(black_box(bytes), Format::Jpeg).unwrap())
        });
        let facts = metadata::read(&bytes, Format::Jpeg).unwrap();
        group.bench_with_input(BenchmarkId::new("strip", name), &bytes, |b, bytes| {
            b.iter(|| action::strip(black_box(bytes), Format::Jpeg, &facts, None).unwrap())
        });
        group.bench_with_input(BenchmarkId::new("decode", name), &bytes, |b, bytes| {
            b.iter(|| decode::decode(black_box(bytes), Format::Jpeg, 1, &options.limits).unwrap())
        });
        let path = dir.path().join(format!("{name}.jpg"));
        std::fs::write(&path, &bytes).unwrap();
        let input = Input { path: path.clone(), relative: path.file_name().unwrap().into() };
        let engine = pipeline::Engine { options: &options, profile };
        group.bench_with_input(BenchmarkId::new("scan", name), &input, |b, input| {
            b.iter(|| engine.analyse(black_box(input)).report)
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
