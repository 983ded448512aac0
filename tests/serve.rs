//! `medscrub serve` on an ephemeral port, spoken to with a few lines of HTTP/1.1 over a
//! plain TcpStream (no client library needed for what these tests send).

mod common;

use common::*;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(extra: &[&str]) -> Server {
        Server::start_in(&std::env::temp_dir(), extra)
    }

    /// With `tmp` as the server's temporary folder (where uploads are staged).
    fn start_in(tmp: &std::path::Path, extra: &[&str]) -> Server {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin!("medscrub"))
            .args(["serve", "--bind", "127.0.0.1:0"])
            .args(extra)
            .env("OMP_THREAD_LIMIT", "1")
            .env("TMPDIR", tmp)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("medscrub starts");
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let first = lines.next().expect("a line on stderr").unwrap();
        let addr = first
            .strip_prefix("medscrub: serving on ")
            .and_then(|rest| rest.split(':').take(2).collect::<Vec<_>>().join(":").into())
            .unwrap_or_else(|| panic!("unexpected first line: {first}"));
        // Keep draining stderr so the server never blocks on it.
        std::thread::spawn(move || for _ in lines {});
        Server { child, addr }
    }

    fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Response {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n", self.addr);
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
        stream.write_all(head.as_bytes()).unwrap();
        // The server may answer (413) before reading all of a large body.
        let _ = stream.write_all(body);
        let mut raw = Vec::new();
        let _ = stream.read_to_end(&mut raw);
        Response::parse(&raw)
    }

    fn post(&self, path: &str, body: &[u8]) -> Response {
        self.request("POST", path, &[("Content-Type", "application/octet-stream")], body)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Response {
    status: u16,
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
}

impl Response {
    fn parse(raw: &[u8]) -> Response {
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete HTTP response");
        let head = String::from_utf8_lossy(&raw[..split]).into_owned();
        let mut lines = head.lines();
        let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
        let headers: BTreeMap<String, String> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let mut body = raw[split + 4..].to_vec();
        if headers.get("transfer-encoding").is_some_and(|v| v == "chunked") {
            body = dechunk(&body);
        }
        Response { status, headers, body }
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = body.windows(2).position(|w| w == b"\r\n").unwrap();
        let size = usize::from_str_radix(std::str::from_utf8(&body[..line_end]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&body[line_end + 2..line_end + 2 + size]);
        body = &body[line_end + 4 + size..];
    }
}

fn photo(name: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(name)).unwrap()
}

#[test]
fn check_returns_the_report_and_clean_the_share_safe_bytes() {
    let s = Server::start(&[]);
    let health = s.request("GET", "/healthz", &[], b"");
    assert_eq!((health.status, health.body.as_slice()), (200, b"ok\n".as_slice()));

    let r = s.post("/v1/check?name=gps_only.jpg", &photo("photos/gps_only.jpg"));
    assert_eq!(r.status, 200);
    assert_eq!(r.headers["content-type"], "application/json");
    let report = r.json();
    assert_eq!(report["verdict"], "strip");
    assert_eq!(report["path"], "gps_only.jpg", "the name sent, not a temporary path");
    assert_eq!(report["findings"][0]["rule"], "meta.gps");

    let r = s.post("/v1/check?policy=umn", &photo("photos/clean.png"));
    assert_eq!(r.status, 200);
    assert_eq!((r.json()["verdict"].as_str(), r.json()["policy"].as_str()), (Some("share"), Some("umn")));

    let r = s.post("/v1/clean?name=gps_only.jpg", &photo("photos/gps_only.jpg"));
    assert_eq!(r.status, 200);
    assert_eq!(r.headers["content-type"], "image/jpeg");
    assert_eq!(r.headers["x-medscrub-verdict"], "strip");
    assert_eq!(r.headers["x-medscrub-rules"], "meta.gps");
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.jpg");
    std::fs::write(&copy, &r.body).unwrap();
    let tags = exiftool(&copy);
    assert!(!tags.keys().any(|k| k.starts_with("GPS:")), "GPS left: {tags:?}");
    assert_eq!(image::load_from_memory(&r.body).unwrap().width(), 320);

    let r = s.post("/v1/clean", &photo("photos/clean.png"));
    assert_eq!((r.status, r.headers["content-type"].as_str()), (200, "image/png"));
    assert_eq!(r.body, photo("photos/clean.png"), "shareable: the same bytes back");
}

#[test]
fn blocked_photos_are_422_and_bad_requests_are_4xx_with_a_message() {
    let s = Server::start(&["--max-upload-mb", "1"]);
    let r = s.post("/v1/clean?name=IMG_1.jpg", &photo("broken/truncated.jpg"));
    assert_eq!(r.status, 422);
    let report = r.json();
    assert_eq!(report["verdict"], "block");
    assert!(report["error"].as_str().unwrap().starts_with("IMG_1.jpg: truncated JPEG"), "{report}");
    // A blocked photo checked is an answer, not an error.
    assert_eq!(s.post("/v1/check", &photo("broken/not_an_image.jpg")).status, 200);

    let empty = s.post("/v1/check", b"");
    assert_eq!(empty.status, 400);
    assert!(empty.json()["error"].as_str().unwrap().contains("empty body"));
    let policy = s.post("/v1/check?policy=nowhere", &photo("photos/clean.jpg"));
    assert_eq!(policy.status, 400);
    assert!(policy.json()["error"].as_str().unwrap().contains("unknown policy"));
    let form = s.request(
        "POST",
        "/v1/check",
        &[("Content-Type", "multipart/form-data; boundary=x")],
        b"--x\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nabc\r\n--x--\r\n",
    );
    assert_eq!(form.status, 415);
    assert!(form.json()["error"].as_str().unwrap().contains("--data-binary"));
    let big = s.post("/v1/check", &vec![0xFF; 1024 * 1024 + 1]);
    assert_eq!(big.status, 413);
    assert_eq!(s.request("GET", "/v1/check", &[], b"").status, 405);
    assert_eq!(s.request("GET", "/nope", &[], b"").status, 404);
}

/// A 12 MP photo full of fine detail: OCR reads it in full-resolution tiles, which takes
/// several seconds, far past a one-second deadline.
fn slow_photo() -> Vec<u8> {
    let img = image::RgbImage::from_fn(4000, 3000, |x, y| {
        let v = ((x * 7919 + y * 104_729) ^ (x * y)) % 256;
        image::Rgb([v as u8, (v * 3 % 256) as u8, (255 - v) as u8])
    });
    let mut jpeg = Vec::new();
    img.write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 80)).unwrap();
    jpeg
}

#[test]
fn a_request_over_its_time_is_504_its_slot_stays_taken_and_sigterm_stops_the_server() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = Server::start_in(tmp.path(), &["--timeout", "1", "--max-concurrent", "1"]);
    let slow = slow_photo();
    let started = Instant::now();
    let r = s.post("/v1/check", &slow);
    assert_eq!(r.status, 504, "{}", String::from_utf8_lossy(&r.body));
    assert!(started.elapsed() < Duration::from_secs(5), "answered at the deadline, not after the work");
    // The timed-out analysis still runs and holds the only slot: the next photo waits
    // its second for it, then is told the server is busy.
    let busy = s.post("/v1/check", &photo("photos/clean.jpg"));
    assert_eq!(busy.status, 503, "{}", String::from_utf8_lossy(&busy.body));
    assert!(busy.json()["error"].as_str().unwrap().contains("busy"));
    assert_eq!(s.request("GET", "/healthz", &[], b"").status, 200, "still serving");

    let ok = Command::new("kill").args(["-TERM", &s.child.id().to_string()]).status().unwrap();
    assert!(ok.success());
    let start = Instant::now();
    let status = loop {
        if let Some(status) = s.child.try_wait().unwrap() {
            break status;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "serve did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert!(left.is_empty(), "uploads left behind: {left:?}");
}

#[test]
fn the_page_is_self_contained_and_its_script_runs_under_its_policy() {
    let s = Server::start(&[]);
    let r = s.request("GET", "/", &[], b"");
    assert_eq!(r.status, 200);
    assert_eq!(r.headers["content-type"], "text/html; charset=utf-8");
    assert!(r.headers["content-security-policy"].starts_with("default-src 'none'"));
    let html = String::from_utf8(r.body).unwrap();
    assert!(!html.contains("http://") && !html.contains("https://") && !html.contains("src=\""));
    assert!(!html.contains("innerHTML"), "untrusted text only through textContent");
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new("chromium")
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("http://{}/", s.addr))
        .output()
        .expect(
            "chromium is not installed: run scripts/bootstrap (it installs the Debian package `chromium`)",
        );
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(dom.contains("data-ready=\"yes\""), "the page's script did not run:\n{dom}");
    assert!(dom.contains("Drop photos here"));
}
