//! The scenes: which exist, which class each belongs to, and what every scene function gets.

use crate::benign::{
    INSTITUTION_STREETS, STREETS, book, handout, institution_sign, lecture, menu, poster, price_tag, recipe,
    street_sign,
};
use crate::clinical::{door, label, monitor, radiograph, sticker, whiteboard, wristband};
use crate::degrade::{BED, DARK, DESK, OUTDOOR, Palette, TABLE, WALL};
use crate::documents::{discharge_summary, lab_report, prescription};
use crate::paint::{Fonts, Layer, Look};
use crate::people::Patient;
use crate::rng::Lcg;

/// What every scene function gets besides the RNG and the cap height.
pub(crate) struct Ctx<'a> {
    pub(crate) fonts: &'a Fonts,
    pub(crate) look: Look,
    pub(crate) patient: &'a Patient,
}

#[derive(Clone, Copy)]
pub(crate) enum Scene {
    Wristband,
    Whiteboard,
    Monitor,
    Label,
    Sticker,
    Door,
    Radiograph,
    Menu,
    StreetSign,
    Poster,
    Book,
    Lecture,
    PriceTag,
    Handout,
    InstitutionSign,
    PlaceSign,
    Recipe,
    LabReport,
    Prescription,
    DischargeSummary,
}

pub(crate) const PHI_SCENES: [Scene; 7] = [
    Scene::Wristband,
    Scene::Whiteboard,
    Scene::Monitor,
    Scene::Label,
    Scene::Sticker,
    Scene::Door,
    Scene::Radiograph,
];
pub(crate) const BENIGN_SCENES: [Scene; 6] =
    [Scene::Menu, Scene::StreetSign, Scene::Poster, Scene::Book, Scene::Lecture, Scene::PriceTag];
/// Institutional photos: no patient, but a brand or a document the policies keep in.
pub(crate) const INSTITUTIONAL_SCENES: [Scene; 2] = [Scene::Handout, Scene::InstitutionSign];
/// Benign near misses of the institutional rules, scored with the other benign photos.
pub(crate) const NEAR_MISS_SCENES: [Scene; 2] = [Scene::PlaceSign, Scene::Recipe];
/// Photographed medical documents (`--documents`): every one must be redacted or blocked.
pub(crate) const DOCUMENT_SCENES: [Scene; 3] =
    [Scene::LabReport, Scene::Prescription, Scene::DischargeSummary];

impl Scene {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Scene::Wristband => "wristband",
            Scene::Whiteboard => "whiteboard",
            Scene::Monitor => "monitor",
            Scene::Label => "label",
            Scene::Sticker => "sticker",
            Scene::Door => "door",
            Scene::Radiograph => "radiograph",
            Scene::Menu => "menu",
            Scene::StreetSign => "street_sign",
            Scene::Poster => "poster",
            Scene::Book => "book",
            Scene::Lecture => "lecture",
            Scene::PriceTag => "price_tag",
            Scene::Handout => "handout",
            Scene::InstitutionSign => "institution_sign",
            Scene::PlaceSign => "place_sign",
            Scene::Recipe => "recipe",
            Scene::LabReport => "lab_report",
            Scene::Prescription => "prescription",
            Scene::DischargeSummary => "discharge_summary",
        }
    }
    pub(crate) fn is_document(self) -> bool {
        matches!(self, Scene::LabReport | Scene::Prescription | Scene::DischargeSummary)
    }
    pub(crate) fn palette(self) -> &'static Palette {
        match self {
            Scene::Wristband | Scene::Label => &BED,
            Scene::Whiteboard | Scene::Door | Scene::Poster | Scene::Lecture | Scene::Monitor => &WALL,
            Scene::Sticker | Scene::Book | Scene::PriceTag | Scene::Handout => &DESK,
            Scene::Radiograph => &DARK,
            Scene::StreetSign | Scene::PlaceSign => &OUTDOOR,
            Scene::InstitutionSign => &WALL,
            Scene::Menu | Scene::Recipe => &TABLE,
            // Not used: a document's surface is drawn per photo (`Variation::document`).
            Scene::LabReport | Scene::Prescription | Scene::DischargeSummary => &DESK,
        }
    }
    pub(crate) fn build(self, rng: &mut Lcg, ctx: &Ctx<'_>, cap: f32) -> Layer {
        match self {
            Scene::Wristband => wristband(rng, ctx, cap),
            Scene::Whiteboard => whiteboard(rng, ctx, cap),
            Scene::Monitor => monitor(rng, ctx, cap),
            Scene::Label => label(rng, ctx, cap),
            Scene::Sticker => sticker(rng, ctx, cap),
            Scene::Door => door(rng, ctx, cap),
            Scene::Radiograph => radiograph(rng, ctx, cap),
            Scene::Menu => menu(rng, ctx, cap),
            Scene::StreetSign => street_sign(rng, ctx, cap, &STREETS),
            Scene::Poster => poster(rng, ctx, cap),
            Scene::Book => book(rng, ctx, cap),
            Scene::Lecture => lecture(rng, ctx, cap),
            Scene::PriceTag => price_tag(rng, ctx, cap),
            Scene::Handout => handout(rng, ctx, cap),
            Scene::InstitutionSign => institution_sign(rng, ctx, cap),
            Scene::PlaceSign => street_sign(rng, ctx, cap, &INSTITUTION_STREETS),
            Scene::Recipe => recipe(rng, ctx, cap),
            Scene::LabReport => lab_report(rng, ctx, cap),
            Scene::Prescription => prescription(rng, ctx, cap),
            Scene::DischargeSummary => discharge_summary(rng, ctx, cap),
        }
    }
    /// The rules a photo of this scene must fire beyond its identifiers (scored per rule).
    pub(crate) fn expected_rules(self) -> &'static [&'static str] {
        match self {
            // "Your nurse today" is on every board.
            Scene::Whiteboard => &["scene.patient-area"],
            Scene::Handout => &["doc.institutional", "brand.logo-text"],
            Scene::InstitutionSign => &["brand.logo-text"],
            _ => &[],
        }
    }
    /// The verdicts the photo as a whole must get, where its class alone does not say it.
    pub(crate) fn expected_verdict(self) -> &'static [&'static str] {
        if self.is_document() { &["redact", "block"] } else { &[] }
    }
}
