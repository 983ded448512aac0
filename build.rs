//! Links leptonica for the one call medscrub makes to it itself (`ocr::tesseract::silence_leptonica`):
//! Tesseract's pkg-config entry, which tesseract-rs links, names it only privately.

fn main() {
    if let Err(e) = pkg_config::Config::new().probe("lept") {
        panic!("leptonica not found by pkg-config ({e}): install libleptonica-dev (scripts/bootstrap does)");
    }
}
