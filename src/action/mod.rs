//! Action: make the verdict true. The bytes of a share-safe copy are made here (`strip`,
//! `redact`), read back (`verify`), and this module owns how a file is put in place
//! (`write::write_atomic`: temp file, fsync, rename, no-clobber). It decides no paths
//! and is not the only module that creates files: `pipeline::clean` chooses where a
//! copy goes and calls `write_atomic`; `watch` stages copies that way, hard-links them
//! into SAFE (`watch::publish`), writes held originals with `write_atomic` and appends
//! to its journal; the HTML report writes its own file (`report::html`); the CLI makes
//! the output folders and probes them with a temporary file. `serve` writes nothing:
//! uploads are analysed in memory, and it only removes upload folders that older
//! versions left.
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
