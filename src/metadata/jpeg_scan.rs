//! Where each JPEG scan's coded blocks end.
//!
//! A marker walk (`jpeg::layout`) knows where a scan's entropy-coded data stops: at the
//! next marker. Decoders stop earlier, after the last block of the last MCU, and skip
//! whatever lies between there and the marker (or a restart marker). Bytes there
//! display nothing and survive a container rewrite that copies scans whole, so they
//! can carry anything. This walk decodes each scan's Huffman codes (baseline,
//! extended and progressive; not arithmetic or lossless coding), block by block,
//! without computing a single pixel, and reports the byte ranges no block uses.

use super::jpeg::{Layout, SOS};
use crate::error::Result;
use crate::limits::Deadline;
use std::ops::Range;

/// Bytes inside scan data that no block uses: after a restart interval's last block
/// (before its restart marker) or after the scan's last block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slack {
    pub range: Range<usize>,
    /// True when the bytes are all 0xFF, the fill a marker may legally be preceded by.
    pub only_fill: bool,
}

/// Largest picture whose progressive scans are followed (their refinement scans need
/// one bit per coefficient of every block): 150 million pixels, the decode limit.
const MAX_BLOCKS: usize = 150_000_000 / 64 * 3;

/// The unused byte ranges of every scan, in file order; `None` when the scans cannot be
/// followed (arithmetic or lossless coding, a table or header missing, codes that do
/// not decode, or data that ends early): then nothing is claimed either way.
pub fn slack(b: &[u8], layout: &Layout, deadline: &Deadline) -> Result<Option<Vec<Slack>>> {
    let found = follow(b, layout, deadline);
    // A walk cut short by the deadline is not a finding either way: the photo's time is up.
    deadline.check("following JPEG scan data")?;
    Ok(found)
}

fn follow(b: &[u8], layout: &Layout, deadline: &Deadline) -> Option<Vec<Slack>> {
    let mut walk = Walk::default();
    let mut found = Vec::new();
    for seg in &layout.segments {
        let p = b.get(seg.payload.clone())?;
        match seg.marker {
            0xC4 => walk.define_tables(p)?,
            0xDD => walk.restart_interval = usize::from(u16::from_be_bytes([*p.first()?, *p.get(1)?])),
            0xC0..=0xC2 => walk.frame(p, seg.marker == 0xC2)?,
            // Lossless, hierarchical and arithmetic-coded frames: not followed.
            0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => return None,
            SOS => {
                let data = seg.payload.end..seg.end;
                found.extend(walk.scan(b, p, data, deadline)?);
            }
            _ => {}
        }
    }
    Some(found)
}

/// One component of the frame.
#[derive(Debug, Clone, Default)]
struct Component {
    id: u8,
    h: usize,
    v: usize,
    /// Blocks across and down in a scan of this component alone.
    blocks_wide: usize,
    blocks_high: usize,
    /// Per block (non-interleaved order), which zig-zag coefficients are non-zero so
    /// far: what a progressive refinement scan reads a correction bit for.
    nonzero: Vec<u64>,
}

/// A Huffman table as canonical code ranges per length.
#[derive(Debug, Clone)]
struct Huffman {
    /// For each length 1–16: (first code, code count, index of its first symbol).
    lengths: [(u32, u32, usize); 17],
    symbols: Vec<u8>,
    /// (length, symbol) of the code the next `FAST_BITS` bits start with, where it is
    /// no longer than that (length 0: a longer code).
    fast: Vec<(u8, u8)>,
}

/// Bits looked up at once: most codes are shorter.
const FAST_BITS: u32 = 9;

#[derive(Debug, Default)]
struct Walk {
    dc: [Option<Huffman>; 4],
    ac: [Option<Huffman>; 4],
    restart_interval: usize,
    components: Vec<Component>,
    progressive: bool,
    /// MCUs across and down in an interleaved scan.
    mcus_wide: usize,
    mcus_high: usize,
}

impl Walk {
    fn define_tables(&mut self, mut p: &[u8]) -> Option<()> {
        while !p.is_empty() {
            let (class, slot) = (p[0] >> 4, usize::from(p[0] & 0x0F));
            let counts = p.get(1..17)?;
            let total: usize = counts.iter().map(|&c| usize::from(c)).sum();
            let symbols = p.get(17..17 + total)?.to_vec();
            let mut lengths = [(0u32, 0u32, 0usize); 17];
            let (mut code, mut index) = (0u32, 0usize);
            for (len, &count) in counts.iter().enumerate() {
                lengths[len + 1] = (code, u32::from(count), index);
                code = (code + u32::from(count)) << 1;
                index += usize::from(count);
            }
            let mut fast = vec![(0u8, 0u8); 1 << FAST_BITS];
            for len in 1..=FAST_BITS {
                let (first, count, index) = lengths[len as usize];
                for k in 0..count {
                    let shift = FAST_BITS - len;
                    let at = ((first + k) << shift) as usize;
                    let symbol = *symbols.get(index + k as usize)?;
                    // A code longer than its length allows (more codes than fit) is
                    // not a table anything could decode.
                    fast.get_mut(at..at + (1 << shift))?.fill((len as u8, symbol));
                }
            }
            let table = Some(Huffman { lengths, symbols, fast });
            match (class, slot) {
                (0, 0..=3) => self.dc[slot] = table,
                (1, 0..=3) => self.ac[slot] = table,
                _ => return None,
            }
            p = &p[17 + total..];
        }
        Some(())
    }

    fn frame(&mut self, p: &[u8], progressive: bool) -> Option<()> {
        let height = usize::from(u16::from_be_bytes([*p.get(1)?, *p.get(2)?]));
        let width = usize::from(u16::from_be_bytes([*p.get(3)?, *p.get(4)?]));
        let n = usize::from(*p.get(5)?);
        if width == 0 || height == 0 || n == 0 {
            return None; // a height given later (DNL) is not followed
        }
        let mut components: Vec<Component> = (0..n)
            .map(|k| {
                let c = p.get(6 + 3 * k..9 + 3 * k)?;
                let (h, v) = (usize::from(c[1] >> 4), usize::from(c[1] & 0x0F));
                (1..=4).contains(&h).then_some(())?;
                (1..=4).contains(&v).then_some(())?;
                Some(Component { id: c[0], h, v, ..Component::default() })
            })
            .collect::<Option<_>>()?;
        let h_max = components.iter().map(|c| c.h).max()?;
        let v_max = components.iter().map(|c| c.v).max()?;
        self.mcus_wide = width.div_ceil(8 * h_max);
        self.mcus_high = height.div_ceil(8 * v_max);
        let mut blocks = 0;
        for c in &mut components {
            c.blocks_wide = (width * c.h).div_ceil(h_max).div_ceil(8);
            c.blocks_high = (height * c.v).div_ceil(v_max).div_ceil(8);
            blocks += c.blocks_wide * c.blocks_high;
        }
        if progressive {
            if blocks > MAX_BLOCKS {
                return None;
            }
            for c in &mut components {
                c.nonzero = vec![0; c.blocks_wide * c.blocks_high];
            }
        }
        self.components = components;
        self.progressive = progressive;
        Some(())
    }

    /// Follows one scan's blocks through `data` (its entropy-coded bytes, restart
    /// markers included); the ranges no block uses.
    fn scan(
        &mut self,
        b: &[u8],
        header: &[u8],
        data: Range<usize>,
        deadline: &Deadline,
    ) -> Option<Vec<Slack>> {
        let n = usize::from(*header.first()?);
        let mut members = Vec::with_capacity(n);
        for k in 0..n {
            let (id, tables) = (*header.get(1 + 2 * k)?, *header.get(2 + 2 * k)?);
            let index = self.components.iter().position(|c| c.id == id)?;
            members.push((index, usize::from(tables >> 4), usize::from(tables & 0x0F)));
        }
        let tail = 1 + 2 * n;
        let (ss, se) = (usize::from(*header.get(tail)?), usize::from(*header.get(tail + 1)?));
        // Which bit a progressive scan refines changes values, not which bits are coded.
        let ah = header.get(tail + 2)? >> 4;
        if members.is_empty() || ss > se || se > 63 || (!self.progressive && (ss, se) != (0, 63)) {
            return None;
        }
        let kind = match (self.progressive, ss, ah) {
            (false, _, _) => Kind::Sequential,
            (true, 0, 0) => Kind::DcFirst,
            (true, 0, _) => Kind::DcRefine,
            (true, _, 0) if n == 1 => Kind::AcFirst,
            (true, _, _) if n == 1 => Kind::AcRefine,
            _ => return None,
        };
        let table = |set: &[Option<Huffman>; 4], slot: usize| set.get(slot).and_then(Option::as_ref).cloned();
        let mut coders = Vec::with_capacity(n);
        for &(index, dc, ac) in &members {
            let dc_table = if matches!(kind, Kind::Sequential | Kind::DcFirst) {
                Some(table(&self.dc, dc)?)
            } else {
                None
            };
            let ac_table = if matches!(kind, Kind::Sequential | Kind::AcFirst | Kind::AcRefine) {
                Some(table(&self.ac, ac)?)
            } else {
                None
            };
            coders.push((index, dc_table, ac_table));
        }
        // Interleaved scans code whole MCUs; a scan of one component codes its blocks.
        let (units, per_unit): (usize, Vec<(usize, usize, usize)>) = if n == 1 {
            let c = &self.components[members[0].0];
            (c.blocks_wide * c.blocks_high, vec![(0, 1, 1)])
        } else {
            let shape = coders
                .iter()
                .enumerate()
                .map(|(k, (i, _, _))| (k, self.components[*i].h, self.components[*i].v));
            (self.mcus_wide * self.mcus_high, shape.collect())
        };
        let mut bits = Bits::new(b, data.clone());
        let mut slack = Vec::new();
        let mut eob_run = 0u32;
        let interval = if self.restart_interval == 0 { usize::MAX } else { self.restart_interval };
        for unit in 0..units {
            if unit % 4096 == 4095 && deadline.check("following JPEG scan data").is_err() {
                return None;
            }
            if unit > 0 && unit % interval == 0 {
                if let Some(unused) = bits.restart()? {
                    slack.push(unused);
                }
                eob_run = 0;
            }
            for &(k, h, v) in &per_unit {
                let (index, dc, ac) = &coders[k];
                for _ in 0..h * v {
                    match kind {
                        Kind::Sequential => {
                            let size = bits.decode(dc.as_ref()?)?;
                            bits.skip(u32::from(size))?;
                            let ac = ac.as_ref()?;
                            let mut z = 1;
                            while z < 64 {
                                let rs = bits.decode(ac)?;
                                let (run, size) = (usize::from(rs >> 4), u32::from(rs & 0x0F));
                                if size == 0 {
                                    if run != 15 {
                                        break;
                                    }
                                    z += 16;
                                    continue;
                                }
                                z += run + 1;
                                bits.skip(size)?;
                            }
                        }
                        Kind::DcFirst => {
                            let size = bits.decode(dc.as_ref()?)?;
                            bits.skip(u32::from(size))?;
                        }
                        Kind::DcRefine => bits.skip(1)?,
                        Kind::AcFirst => {
                            let block = &mut self.components[*index].nonzero[unit];
                            ac_first(&mut bits, &Band { ac: ac.as_ref()?, ss, se }, &mut eob_run, block)?;
                        }
                        Kind::AcRefine => {
                            let block = &mut self.components[*index].nonzero[unit];
                            ac_refine(&mut bits, &Band { ac: ac.as_ref()?, ss, se }, &mut eob_run, block)?;
                        }
                    }
                }
            }
        }
        slack.extend(bits.rest());
        Some(slack)
    }
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Sequential,
    DcFirst,
    DcRefine,
    AcFirst,
    AcRefine,
}

/// One progressive AC scan: its table and its band of coefficients, `ss..=se`.
struct Band<'t> {
    ac: &'t Huffman,
    ss: usize,
    se: usize,
}

/// A progressive scan's first pass over the band's coefficients of one block.
fn ac_first(bits: &mut Bits<'_>, band: &Band<'_>, eob_run: &mut u32, block: &mut u64) -> Option<()> {
    if *eob_run > 0 {
        *eob_run -= 1;
        return Some(());
    }
    let Band { ac, ss, se } = *band;
    let mut z = ss;
    while z <= se {
        let rs = bits.decode(ac)?;
        let (run, size) = (usize::from(rs >> 4), u32::from(rs & 0x0F));
        if size == 0 {
            if run < 15 {
                *eob_run = (1 << run) - 1 + bits.take(run as u32)?;
                break;
            }
            z += 16;
            continue;
        }
        z += run;
        if z > 63 {
            return None;
        }
        bits.skip(size)?;
        *block |= 1 << z;
        z += 1;
    }
    Some(())
}

/// A progressive refinement pass over the band's coefficients of one block: one
/// correction bit for each coefficient already non-zero, and new ones of size one
/// (the order of libjpeg's `decode_mcu_AC_refine`).
fn ac_refine(bits: &mut Bits<'_>, band: &Band<'_>, eob_run: &mut u32, block: &mut u64) -> Option<()> {
    let Band { ac, ss, se } = *band;
    let mut z = ss;
    if *eob_run == 0 {
        while z <= se {
            let rs = bits.decode(ac)?;
            let (mut run, size) = (i32::from(rs >> 4), rs & 0x0F);
            let newly = match size {
                0 if run != 15 => {
                    *eob_run = (1 << run) + bits.take(run as u32)?;
                    break;
                }
                0 => false,
                1 => {
                    bits.skip(1)?;
                    true
                }
                _ => return None,
            };
            // Past the coefficients already non-zero (a correction bit each) and `run`
            // zero ones, to the one that becomes non-zero.
            while z <= se {
                if *block & (1 << z) != 0 {
                    bits.skip(1)?;
                } else {
                    run -= 1;
                    if run < 0 {
                        break;
                    }
                }
                z += 1;
            }
            if newly {
                if z > se {
                    return None;
                }
                *block |= 1 << z;
            }
            z += 1;
        }
    }
    if *eob_run > 0 {
        while z <= se {
            if *block & (1 << z) != 0 {
                bits.skip(1)?;
            }
            z += 1;
        }
        *eob_run -= 1;
    }
    Some(())
}

/// Reads scan data a word at a time, undoing byte stuffing; it stops loading at a
/// marker (or the end of the data), and a read past that is `None`.
struct Bits<'a> {
    b: &'a [u8],
    /// The next byte to load and the end of the scan data.
    at: usize,
    end: usize,
    /// Loaded bits not yet read, the next one highest, and how many.
    acc: u64,
    count: u32,
    /// How many bytes were loaded, and the file offset after each of the last eight:
    /// where the data read so far ends.
    loaded: usize,
    ends: [usize; 8],
    start: usize,
}

impl<'a> Bits<'a> {
    fn new(b: &'a [u8], data: Range<usize>) -> Bits<'a> {
        let end = data.end.min(b.len());
        Bits { b, at: data.start, end, acc: 0, count: 0, loaded: 0, ends: [data.start; 8], start: data.start }
    }

    /// Loads whole bytes until 57 or more bits are held, a marker or the end.
    fn fill(&mut self) {
        while self.count <= 56 && self.at < self.end {
            let byte = self.b[self.at];
            if byte == 0xFF {
                // Stuffed 0xFF 0x00 is data; anything else is a marker.
                if self.b.get(self.at + 1) != Some(&0x00) {
                    return;
                }
                self.at += 2;
            } else {
                self.at += 1;
            }
            self.acc |= u64::from(byte) << (56 - self.count);
            self.count += 8;
            self.ends[self.loaded % 8] = self.at;
            self.loaded += 1;
        }
    }

    fn take(&mut self, n: u32) -> Option<u32> {
        if n == 0 {
            return Some(0);
        }
        if self.count < n {
            self.fill();
            if self.count < n {
                return None;
            }
        }
        let v = (self.acc >> (64 - n)) as u32;
        self.acc <<= n;
        self.count -= n;
        Some(v)
    }

    fn skip(&mut self, n: u32) -> Option<()> {
        self.take(n).map(|_| ())
    }

    fn decode(&mut self, table: &Huffman) -> Option<u8> {
        if self.count < 16 {
            self.fill();
        }
        // The next 16 bits (zeros past the data: a code must not need them).
        let peek = (self.acc >> 48) as u32;
        let (len, symbol) = table.fast[(peek >> (16 - FAST_BITS)) as usize];
        if len > 0 {
            self.skip(u32::from(len))?;
            return Some(symbol);
        }
        for len in FAST_BITS + 1..=16 {
            let code = peek >> (16 - len);
            let (first, count, index) = table.lengths[len as usize];
            if code.wrapping_sub(first) < count {
                self.skip(len)?;
                return table.symbols.get(index + (code - first) as usize).copied();
            }
        }
        None
    }

    /// The file offset after the last byte any bit has been read from.
    fn read_to(&self) -> usize {
        let unread = (self.count / 8) as usize;
        match self.loaded.checked_sub(unread + 1) {
            Some(last) => self.ends[last % 8],
            None => self.start,
        }
    }

    /// At a restart boundary: the rest of the byte is padding, and a restart marker
    /// must follow; bytes before it are unused.
    fn restart(&mut self) -> Option<Option<Slack>> {
        let from = self.read_to();
        let marker = (from..self.end.saturating_sub(1))
            .find(|&i| self.b[i] == 0xFF && (0xD0..=0xD7).contains(&self.b[i + 1]))?;
        (self.acc, self.count) = (0, 0);
        self.at = marker + 2;
        self.start = self.at;
        self.loaded = 0;
        Some(self.unused(from..marker))
    }

    /// Bytes after the last block, up to the end of the scan data.
    fn rest(&self) -> Option<Slack> {
        self.unused(self.read_to()..self.end)
    }

    fn unused(&self, range: Range<usize>) -> Option<Slack> {
        (!range.is_empty())
            .then(|| Slack { only_fill: self.b[range.clone()].iter().all(|&x| x == 0xFF), range })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::jpeg::layout;

    fn encoded() -> Vec<u8> {
        let img = image::RgbImage::from_fn(67, 45, |x, y| {
            image::Rgb([(x * 3) as u8, (y * 5) as u8, ((x ^ y) * 7) as u8])
        });
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85).encode_image(&img).unwrap();
        out
    }

    fn walk(b: &[u8]) -> Option<Vec<Slack>> {
        slack(b, &layout(b).unwrap(), &Deadline::unlimited()).unwrap()
    }

    #[test]
    fn an_encoders_scan_is_used_to_its_last_byte() {
        assert_eq!(walk(&encoded()), Some(vec![]));
    }

    #[test]
    fn bytes_hidden_after_the_last_block_are_found() {
        let b = encoded();
        let eoi = b.len() - 2;
        let mut hidden = b[..eoi].to_vec();
        hidden.extend(b"MRN 12345678");
        hidden.extend([0xFF, 0xD9]);
        let found = walk(&hidden).unwrap();
        assert_eq!(found, vec![Slack { range: eoi..eoi + 12, only_fill: false }]);
    }
}
