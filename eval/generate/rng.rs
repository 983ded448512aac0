//! Deterministic randomness: a fixed-seed LCG, seeded per photo from its file name.

/// 64-bit linear congruential generator (Knuth's MMIX constants); the output is the top 32 bits.
#[derive(Clone)]
pub(crate) struct Lcg(u64);

impl Lcg {
    pub(crate) fn new(seed: u64) -> Lcg {
        // Scramble the seed first (SplitMix64's finaliser): per-photo seeds are hashes of similar
        // file names, and an LCG only carries differences from low bits to high ones.
        let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        let mut rng = Lcg(z ^ (z >> 31));
        for _ in 0..4 {
            rng.next_u32();
        }
        rng
    }
    pub(crate) fn next_u32(&mut self) -> u32 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 32) as u32
    }
    /// Uniform in [0, 1).
    pub(crate) fn unit(&mut self) -> f32 {
        (self.next_u32() >> 8) as f32 / (1u32 << 24) as f32
    }
    pub(crate) fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.unit()
    }
    /// Uniform integer in lo..=hi.
    pub(crate) fn int(&mut self, lo: u32, hi: u32) -> u32 {
        lo + self.next_u32() % (hi - lo + 1)
    }
    pub(crate) fn chance(&mut self, p: f32) -> bool {
        self.unit() < p
    }
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.next_u32() as usize % items.len()]
    }
    /// `n` random decimal digits, the first one non-zero.
    pub(crate) fn digits(&mut self, n: usize) -> String {
        (0..n).map(|i| char::from(b'0' + self.int(u32::from(i == 0), 9) as u8)).collect()
    }
}

/// FNV-1a of a label: the per-photo seed.
pub(crate) fn seed_for(label: &str) -> u64 {
    label.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}
