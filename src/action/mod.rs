//! Action: make the verdict true. Every share-safe copy of a photo is written here
//! (`write`: temp file, fsync, rename, no-clobber). Other files medscrub makes are not
//! copies of photos and are written by their owners: the HTML report (`report::html`),
//! watch's journal and held originals (`watch`), serve's staged uploads (`serve`), and
//! the CLI's check that its output folders are writable.
//!
//! `strip` removes metadata by container surgery where the format allows it (JPEG,
//! PNG, WebP: the compressed pixel data is copied byte for byte) and re-encodes where
//! it does not (GIF and TIFF losslessly, HEIC as a high-quality JPEG). `verify` reads
//! every output back with medscrub's own reader before it is kept. `write` puts it in
//! place atomically.

pub mod redact;
pub mod strip;
pub mod verify;
pub mod write;

pub use redact::redact;
pub use strip::{Cleaned, flatten, strip};
pub use verify::verify;
pub use write::{Written, safe_name, sweep_stale_temps, write_atomic};
