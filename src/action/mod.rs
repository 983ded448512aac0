//! Action: make the verdict true. The only module that creates output files.
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
