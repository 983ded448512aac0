//! Verify: read a cleaned copy back before it is kept.

use super::Cleaned;
use crate::error::{Error, Result, Stage};
use crate::{metadata, rules};

/// Reads `cleaned` with medscrub's own reader and runs every metadata rule over it.
/// Anything found, or an orientation other than the one intended, fails the photo:
/// better no copy than a copy that still leaks.
pub fn verify(cleaned: &Cleaned) -> Result<()> {
    let facts = metadata::read(&cleaned.bytes, cleaned.format).map_err(|e| {
        Error::new(Stage::Action, format!("the cleaned copy does not read back: {}", e.message))
    })?;
    let thumbnails = vec![None; facts.thumbnails.len()];
    let evidence = rules::Evidence { thumbnails: &thumbnails, ..rules::Evidence::of(&facts) };
    let left: Vec<&str> = rules::run(&evidence).iter().map(|d| d.rule).collect();
    if !left.is_empty() {
        return Err(Error::new(
            Stage::Action,
            format!("verification failed: the cleaned copy still holds {}", left.join(", ")),
        ));
    }
    if facts.orientation != cleaned.orientation {
        return Err(Error::new(
            Stage::Action,
            format!("verification failed: orientation {} became {}", cleaned.orientation, facts.orientation),
        ));
    }
    Ok(())
}
