//! Pass 1 of the binary loss with the `parallel` feature: long calls across threads, with
//! the one-thread path's blocks, block sums and running totals in the same order (see
//! `parallel.rs`), so the same results bit for bit; short calls, and builds without the
//! feature, run [`crate::pass1`] itself.

use crate::amplifier::Amplifier;
use crate::confusion::Confusion;
use crate::error::Error;
use crate::kernel::Kernel;
use crate::pass1;
use crate::sample_weights::SampleWeights;
#[cfg(feature = "parallel")]
use crate::{
    lanes::{block_len, Compensated, WIDE},
    pass1::{block_entries, total_of},
};

/// [`pass1::entries`], across threads for long calls.
#[inline(always)]
pub(crate) fn entries<K: Kernel, S: SampleWeights, const W: usize>(
    amp: &Amplifier,
    labels: &[u8],
    xs: &[f32],
    weights: S,
) -> Result<Confusion, Error> {
    #[cfg(feature = "parallel")]
    if crate::parallel::splits(labels.len()) {
        pass1::check_lengths(labels, xs, &weights)?;
        return across_threads::<K, S, W>(amp, labels, xs, weights, None);
    }
    pass1::entries::<K, S, W>(amp, labels, xs, weights)
}

/// [`pass1::entries_into`], across threads for long calls.
#[inline(always)]
pub(crate) fn entries_into<K: Kernel, S: SampleWeights, const W: usize>(
    amp: &Amplifier,
    labels: &[u8],
    xs: &[f32],
    weights: S,
    cache: &mut [f32],
) -> Result<Confusion, Error> {
    #[cfg(feature = "parallel")]
    if crate::parallel::splits(labels.len()) {
        pass1::check_lengths(labels, xs, &weights)?;
        pass1::check_cache(labels, cache)?;
        return across_threads::<K, S, W>(amp, labels, xs, weights, Some(cache));
    }
    pass1::entries_into::<K, S, W>(amp, labels, xs, weights, cache)
}

#[cfg(feature = "parallel")]
/// [`entries`] and [`entries_into`] across threads, with the same blocks, the same block
/// sums and the same running totals in the same order as on one thread (see
/// `parallel.rs`), so the same results bit for bit.
fn across_threads<K: Kernel, S: SampleWeights, const W: usize>(
    amp: &Amplifier,
    labels: &[u8],
    xs: &[f32],
    weights: S,
    cache: Option<&mut [f32]>,
) -> Result<Confusion, Error> {
    let len = block_len(W);
    let n = labels.len();
    let task = |first: usize, sums: &mut [[f32; 4]], mut cache: Option<&mut [f32]>| {
        let mut scratch = [0.0f32; block_len(WIDE)];
        for (i, sum) in sums.iter_mut().enumerate() {
            let start = (first + i) * len;
            let end = n.min(start + len);
            let (Some(ys), Some(xs)) = (labels.get(start..end), xs.get(start..end)) else {
                return Err(Error::LengthMismatch {
                    expected: n,
                    found: end,
                });
            };
            let out = match cache.as_deref_mut() {
                Some(cache) => cache.get_mut(i * len..i * len + ys.len()),
                None => scratch.get_mut(..ys.len()),
            }
            .unwrap_or(&mut []);
            let ws = weights.block(start, ys.len());
            *sum = block_entries::<K, S, W>(amp, ys, xs, ws, out, start)?;
        }
        Ok(())
    };
    let (sums, results) = crate::parallel::blocks(n.div_ceil(len), len, cache, task);
    crate::parallel::first_error(&results)?;
    let mut totals = [Compensated::default(); 4];
    for sum in &sums {
        for (total, &entry) in totals.iter_mut().zip(sum) {
            total.add(entry);
        }
    }
    Ok(total_of(&totals))
}
