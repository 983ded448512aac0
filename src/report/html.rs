//! The HTML report: one self-contained file (inline CSS, thumbnails as `data:` URIs, a
//! Content-Security-Policy that forbids loading anything), so it opens offline and
//! cannot call out when it is mailed around.
//!
//! The report is itself a document about patients, so it leaks no more than the text
//! report does: identifiers the findings located are painted over in the thumbnail
//! (unless `--show-text`), blocked photos are not shown at all, every untrusted string
//! (file names, OCR text, metadata) is sanitised and HTML-escaped, and the file is
//! created readable by its owner only.

use super::Report;
use super::sanitize::for_terminal;
use super::text::{Tally, cite_line};
use crate::decode::DisplayImage;
use crate::geometry::Rect;
use crate::verdict::Verdict;
use base64::Engine as _;
use std::fmt::Write as _;
use std::path::Path;

/// Width of the thumbnails, in pixels.
pub const THUMBNAIL_WIDTH: u32 = 480;
/// JPEG quality of the thumbnails: small files, boxes still legible.
const THUMBNAIL_QUALITY: u8 = 80;

/// A small JPEG of a photo as displayed.
#[derive(Debug, Clone)]
pub struct Thumbnail {
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// Downscales `image` to [`THUMBNAIL_WIDTH`] (never up) and paints each rect of `cover`
/// (displayed-image pixels) solid, so the report shows where identifiers are without
/// showing them.
pub fn thumbnail(image: &DisplayImage, cover: &[Rect]) -> Option<Thumbnail> {
    let (w, h) = (image.width(), image.height());
    if w == 0 || h == 0 {
        return None;
    }
    let scale = (THUMBNAIL_WIDTH as f64 / w as f64).min(1.0);
    let tw = ((w as f64 * scale).round() as u32).max(1);
    let th = ((h as f64 * scale).round() as u32).max(1);
    let mut small = image.pixels.resize_exact(tw, th, image::imageops::FilterType::Triangle).to_rgb8();
    for r in cover {
        // Grow by a pixel each side: resampling smears glyph edges past the box.
        let x0 = ((r.x as f64 * scale).floor() as u32).saturating_sub(1);
        let y0 = ((r.y as f64 * scale).floor() as u32).saturating_sub(1);
        let x1 = (((r.x + r.width) as f64 * scale).ceil() as u32 + 1).min(tw);
        let y1 = (((r.y + r.height) as f64 * scale).ceil() as u32 + 1).min(th);
        for y in y0..y1 {
            for x in x0..x1 {
                small.put_pixel(x, y, image::Rgb([40, 40, 40]));
            }
        }
    }
    let mut jpeg = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, THUMBNAIL_QUALITY);
    small.write_with_encoder(encoder).ok()?;
    Some(Thumbnail { jpeg, width: tw, height: th })
}

/// Escapes text for HTML element content and quoted attribute values, after making
/// controls and bidi overrides visible (a file name must not reorder the page).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in for_terminal(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn colour(v: Verdict) -> &'static str {
    match v {
        Verdict::Share => "#1b7f3b",
        Verdict::Strip => "#b05e00",
        Verdict::Redact => "#6a2c91",
        Verdict::Block => "#c0182b",
    }
}

const STYLE: &str = "
body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;background:#f4f5f7;color:#1d2330}
header{background:#1d2330;color:#fff;padding:18px 28px}
header h1{margin:0 0 6px;font-size:22px}
header p{margin:2px 0;color:#c9cfdb}
.totals{display:flex;gap:10px;margin-top:10px;flex-wrap:wrap}
.totals span{padding:4px 12px;border-radius:14px;color:#fff;font-weight:600}
main{padding:18px 28px}
article{background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.15);margin:0 0 18px;padding:16px;display:flex;gap:20px;flex-wrap:wrap}
.pic{position:relative;flex:none;align-self:flex-start;width:480px;max-width:100%}
.pic img{display:block;width:100%;height:auto;border-radius:4px}
.box{position:absolute;border:2px solid #ffd400;box-shadow:0 0 0 1px #000;box-sizing:border-box}
.box span{position:absolute;left:-2px;top:-20px;background:#ffd400;color:#000;font:600 11px/18px monospace;padding:0 4px;white-space:nowrap}
.withheld{width:480px;max-width:100%;height:200px;display:flex;align-items:center;justify-content:center;text-align:center;background:repeating-linear-gradient(45deg,#eceef2,#eceef2 12px,#e2e5ea 12px,#e2e5ea 24px);color:#555;border-radius:4px;padding:0 20px;box-sizing:border-box}
.facts{flex:1;min-width:320px}
.facts h2{margin:0 0 6px;font-size:16px;word-break:break-all}
.badge{display:inline-block;padding:2px 10px;border-radius:4px;color:#fff;font-weight:700;font-size:13px;letter-spacing:.04em;margin-right:8px;vertical-align:2px}
.meta{color:#555;margin:0 0 8px}
table{border-collapse:collapse;width:100%}
td{border-top:1px solid #e3e6eb;padding:6px 6px;vertical-align:top}
td.rule{font-family:monospace;white-space:nowrap;font-weight:600}
details{margin:3px 0 0;font-size:13px;color:#444}
summary{cursor:pointer}
ul.cites{margin:4px 0 0;padding-left:18px}
.note{color:#555;font-size:13px;margin:6px 0 0}
.out{margin:8px 0 0;font-weight:600}
";

/// One photo in the report.
#[derive(Debug, Clone)]
pub struct Entry {
    pub report: Report,
    /// `None` when the photo is blocked or could not be decoded.
    pub thumbnail: Option<Thumbnail>,
}

/// Renders the whole report. `title` names what was scanned; `seconds` is the run time.
pub fn render(entries: &[Entry], title: &str, seconds: f64) -> String {
    let mut tally = Tally::default();
    for e in entries {
        tally.add(&e.report);
    }
    let policy = entries.first().map(|e| e.report.policy.as_str()).unwrap_or("strictest");
    let mut s = String::new();
    s.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n");
    // Nothing may be fetched: images are inline, styles are inline, scripts do not exist.
    s.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">\n");
    s.push_str("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n");
    let _ = writeln!(s, "<title>medscrub report: {}</title>", escape(title));
    let _ = writeln!(s, "<style>{STYLE}</style></head><body>");
    let _ = writeln!(
        s,
        "<header><h1>medscrub report</h1><p>{}</p><p>policy <b>{}</b> · {} · {seconds:.2} s</p><div class=\"totals\">",
        escape(title),
        escape(policy),
        escape(&format!("{} photo{}", tally.total(), if tally.total() == 1 { "" } else { "s" })),
    );
    for (n, v) in [
        (tally.share, Verdict::Share),
        (tally.strip, Verdict::Strip),
        (tally.redact, Verdict::Redact),
        (tally.block, Verdict::Block),
    ] {
        let _ = writeln!(s, "<span style=\"background:{}\">{n} {}</span>", colour(v), v.as_str());
    }
    s.push_str("</div></header>\n<main>\n");
    for e in entries {
        article(&mut s, e);
    }
    s.push_str("</main></body></html>\n");
    s
}

fn article(s: &mut String, e: &Entry) {
    let r = &e.report;
    s.push_str("<article>\n");
    match &e.thumbnail {
        Some(t) if r.verdict != Verdict::Block => {
            let (w, h) =
                (r.width.unwrap_or(t.width).max(1) as f64, r.height.unwrap_or(t.height).max(1) as f64);
            let data = base64::engine::general_purpose::STANDARD.encode(&t.jpeg);
            let _ = writeln!(
                s,
                "<div class=\"pic\"><img alt=\"thumbnail of {}\" width=\"{}\" height=\"{}\" src=\"data:image/jpeg;base64,{data}\">",
                escape(r.display_path()),
                t.width,
                t.height
            );
            for f in &r.findings {
                let Some(b) = f.bbox else { continue };
                let _ = writeln!(
                    s,
                    "<div class=\"box\" style=\"left:{:.2}%;top:{:.2}%;width:{:.2}%;height:{:.2}%\"><span>{}</span></div>",
                    b.x as f64 / w * 100.0,
                    b.y as f64 / h * 100.0,
                    b.width as f64 / w * 100.0,
                    b.height as f64 / h * 100.0,
                    escape(&f.rule)
                );
            }
            s.push_str("</div>\n");
        }
        _ => {
            let why = match r.verdict {
                Verdict::Block if r.width.is_none() => "could not be decoded: no picture to show",
                Verdict::Block => "blocked: not shown",
                _ => "no picture to show",
            };
            let _ = writeln!(s, "<div class=\"withheld\">{why}</div>");
        }
    }
    s.push_str("<div class=\"facts\">\n");
    let _ = writeln!(
        s,
        "<h2><span class=\"badge\" style=\"background:{}\">{}</span>{}</h2>",
        colour(r.verdict),
        r.verdict.as_str().to_uppercase(),
        escape(r.display_path())
    );
    let mut facts = vec![super::text::headline(r).to_string()];
    if let Some(f) = r.format {
        facts.push(match (r.width, r.height) {
            (Some(w), Some(h)) => format!("{f} {w}×{h}"),
            _ => f.to_string(),
        });
    }
    if let Some(t) = &r.capture_time {
        facts.push(format!("taken {} ({})", t.value, t.source));
    }
    let _ = writeln!(s, "<p class=\"meta\">{}</p>", escape(&facts.join(" · ")));
    if !r.findings.is_empty() {
        s.push_str("<table>\n");
        for f in &r.findings {
            let _ = write!(
                s,
                "<tr><td class=\"rule\">{}</td><td><span class=\"badge\" style=\"background:{}\">{}</span>{}",
                escape(&f.rule),
                colour(f.remedy),
                f.remedy.as_str(),
                escape(&f.summary)
            );
            if !f.citations.is_empty() {
                // Folded: the clause list is long under `strictest`; the line says who.
                let _ = write!(
                    s,
                    "<details><summary>why: {}</summary><ul class=\"cites\">",
                    escape(&cite_line(&f.citations))
                );
                for c in &f.citations {
                    let _ = write!(
                        s,
                        "<li><b>{}</b> {}: {}</li>",
                        escape(&c.policy),
                        escape(&c.clause),
                        escape(&c.paraphrase)
                    );
                }
                s.push_str("</ul></details>");
            }
            s.push_str("</td></tr>\n");
        }
        s.push_str("</table>\n");
    }
    for n in &r.notes {
        let _ = writeln!(s, "<p class=\"note\">note: {}</p>", escape(n));
    }
    match (r.action, &r.output) {
        (Some(action), Some(out)) => {
            let how = action.describe();
            let _ = writeln!(s, "<p class=\"out\">→ wrote {} ({how})</p>", escape(out));
        }
        (Some(_), None) => s.push_str("<p class=\"out\">✗ not written</p>\n"),
        _ => {}
    }
    s.push_str("</div></article>\n");
}

/// Writes the report to `path` readable by its owner only (it describes patients'
/// photos): a temp file beside it (created 0600), then renamed into place; over an
/// existing file only when `replace` (the CLI's --force), never by accident.
pub fn write(path: &Path, html: &str, replace: bool) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new().prefix(".medscrub-").suffix(".tmp").tempfile_in(dir)?;
    tmp.write_all(html.as_bytes())?;
    tmp.as_file().sync_all()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file().set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    if replace {
        tmp.persist(path).map_err(|e| e.error)?;
    } else {
        tmp.persist_noclobber(path).map_err(|e| e.error)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Finding, Source};

    #[test]
    fn escapes_markup_quotes_and_bidi() {
        assert_eq!(
            escape("<script>\"x\" & 'y'</script>"),
            "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;"
        );
        assert_eq!(escape("a\u{202E}gpj.exe"), "a\\u{202e}gpj.exe");
    }

    #[test]
    fn covered_identifiers_are_painted_over_in_the_thumbnail() {
        let pixels = image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(
            960,
            480,
            image::Rgb([250, 250, 250]),
        ));
        let image = DisplayImage { pixels, orientation: 1 };
        let t = thumbnail(&image, &[Rect { x: 100, y: 100, width: 200, height: 100 }]).unwrap();
        assert_eq!((t.width, t.height), (480, 240));
        let small = image::load_from_memory(&t.jpeg).unwrap().to_rgb8();
        assert!(small.get_pixel(100, 75)[0] < 80, "inside the box is dark");
        assert!(small.get_pixel(300, 200)[0] > 200, "outside stays light");
    }

    #[test]
    fn a_report_has_badges_boxes_and_no_external_reference() {
        let mut r = Report::new("ward/<b>bed 4</b>.jpg".into(), "strictest");
        r.width = Some(960);
        r.height = Some(480);
        r.findings.push(Finding {
            rule: "text.mrn".into(),
            source: Source::Ocr,
            remedy: Verdict::Redact,
            summary: "MRN 12••••89".into(),
            details: vec![],
            bbox: Some(Rect { x: 96, y: 48, width: 480, height: 96 }),
            confidence: 0.9,
            citations: vec![],
            identifier: None,
        });
        r.settle_verdict();
        let pixels = image::DynamicImage::ImageRgb8(image::RgbImage::new(960, 480));
        let t = thumbnail(&DisplayImage { pixels, orientation: 1 }, &[]);
        let mut blocked = Report::new("x.jpg".into(), "strictest");
        blocked.verdict = Verdict::Block;
        // Decoded, but blocked by policy (a scene rule, say): still not shown.
        blocked.width = Some(960);
        let html = render(
            &[Entry { report: r, thumbnail: t.clone() }, Entry { report: blocked, thumbnail: t }],
            "scan of ward",
            1.0,
        );
        assert!(html.contains("ward/&lt;b&gt;bed 4&lt;/b&gt;.jpg") && !html.contains("<b>bed 4"));
        assert!(html.contains("left:10.00%;top:10.00%;width:50.00%;height:20.00%"), "box scaled");
        assert_eq!(html.matches("data:image/jpeg;base64,").count(), 1, "the blocked photo is not shown");
        assert!(html.contains("blocked: not shown"));
        assert!(html.contains(">REDACT</span>") && html.contains("1 redact"));
        assert!(!html.contains("http://") && !html.contains("https://"));
    }
}
