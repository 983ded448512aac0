//! The integration tests, as one test binary (`autotests = false` in Cargo.toml): a
//! change to the library relinks one binary, not fourteen. Each module is one suite; run
//! one with `cargo test --test integration safety::` (or nextest's `-E 'test(/^safety::/)'`).

mod common;

mod check;
mod clean;
mod cli;
mod drop;
mod fuzz;
mod hostile;
mod html;
mod layers;
mod names;
mod safety;
mod serve;
mod text;
mod watch;
