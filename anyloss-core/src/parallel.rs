//! Both passes across threads (feature `parallel`, host builds; it needs `std` and brings
//! in `rayon`).
//!
//! Entries are additive, so pass 1 splits into blocks that threads sum independently, and
//! pass 2 is element-wise. What makes the results independent of the thread count:
//!
//! - **The blocks are the sequential path's blocks** (`256·W` samples at `W` lanes, or each
//!   block of a (sample, class) row of a segmentation map), each summed from zero in lanes
//!   by the same code, whichever thread runs it. Threads only decide *which* blocks they
//!   run, never where a block starts.
//! - **The reduction is the sequential one, in the same order**: the block totals are
//!   stored (16 bytes per block, the one allocation of a call), then added into the
//!   compensated running totals block by block, in index order, on the calling thread.
//! - Pass 2 writes each element from its own inputs only.
//!
//! So entries, loss and gradient are **bit for bit the same** with 1, 2 or 64 threads, and
//! the same as a build without the feature. What still changes them in the last bits is
//! what already did: the lane count (8 with AVX2 under `dispatch`, 4 with SSE2), which
//! sets the block size and the order of the sums within a block. The first error is the
//! same too: each thread stops at the first bad block of its range, and the lowest range's
//! error is reported.
//!
//! Calls below [`MIN_SAMPLES`] samples (elements), or on a pool of one thread, stay on the
//! calling thread: the hand-off costs a few microseconds, which only pays from there.

extern crate std;

use std::vec::Vec;

use rayon::prelude::*;

/// Calls with fewer samples (elements) run sequentially: at about 1.3 ns per sample on one
/// core, 2^15 samples are 40 µs, several times a hand-off to the pool.
pub(crate) const MIN_SAMPLES: usize = 1 << 15;

/// Tasks per thread: enough that a slow thread (this is a shared machine) does not hold
/// up the call, few enough that each task is many blocks long.
const TASKS_PER_THREAD: usize = 4;

/// Whether a call over `n` samples is split across threads.
#[inline]
pub(crate) fn splits(n: usize) -> bool {
    n >= MIN_SAMPLES && rayon::current_num_threads() > 1
}

/// Blocks per task, for `blocks` blocks in all.
pub(crate) fn blocks_per_task(blocks: usize) -> usize {
    let tasks = rayon::current_num_threads().saturating_mul(TASKS_PER_THREAD);
    blocks.div_ceil(tasks.max(1)).max(1)
}

/// The first error of `results` in order, if any: the sequential path's error, as each
/// task stopped at the first bad block of its range.
pub(crate) fn first_error<E: Copy>(results: &[Result<(), E>]) -> Result<(), E> {
    results
        .iter()
        .copied()
        .find(Result::is_err)
        .unwrap_or(Ok(()))
}

/// `f(chunk of a, chunk of b)` over matching chunks of `a` and `b`, across threads.
pub(crate) fn zip_chunks<T: Sync>(a: &mut [f32], b: &[T], f: impl Fn(&mut [f32], &[T]) + Sync) {
    let chunk = a
        .len()
        .div_ceil(rayon::current_num_threads() * TASKS_PER_THREAD)
        .max(1);
    // Whole cache lines and whole SIMD vectors per chunk.
    let chunk = chunk.next_multiple_of(64);
    a.par_chunks_mut(chunk)
        .zip(b.par_chunks(chunk))
        .for_each(|(a, b)| f(a, b));
}

/// Runs `f(task, its sums, its part of cache)` over the tasks of a pass 1 of `blocks` blocks
/// of `block` samples, each task a run of whole blocks, and returns the block sums, in block
/// order, and the tasks' results, in task order.
pub(crate) fn blocks<S: Copy + Default + Send>(
    blocks: usize,
    block: usize,
    cache: Option<&mut [f32]>,
    f: impl Fn(usize, &mut [S], Option<&mut [f32]>) -> Result<(), crate::Error> + Sync,
) -> (Vec<S>, Vec<Result<(), crate::Error>>) {
    let per_task = blocks_per_task(blocks);
    let mut sums = std::vec![S::default(); blocks];
    let results = match cache {
        Some(cache) => sums
            .par_chunks_mut(per_task)
            .zip(cache.par_chunks_mut(per_task.saturating_mul(block)))
            .enumerate()
            .map(|(t, (s, c))| f(t * per_task, s, Some(c)))
            .collect(),
        None => sums
            .par_chunks_mut(per_task)
            .enumerate()
            .map(|(t, s)| f(t * per_task, s, None))
            .collect(),
    };
    (sums, results)
}

/// `rows` disjoint rows of `buf`, row `r` starting at `starts[r]` with `len` elements, in
/// the order of `starts`; `None` where rows overlap or run past the end (then the caller
/// stays sequential, which reports the shape error).
pub(crate) fn split_rows<'a>(
    buf: &'a mut [f32],
    starts: &[usize],
    len: usize,
) -> Option<Vec<&'a mut [f32]>> {
    let mut order: Vec<usize> = (0..starts.len()).collect();
    order.sort_unstable_by_key(|&r| starts.get(r).copied().unwrap_or(usize::MAX));
    let mut rows: Vec<Option<&'a mut [f32]>> = (0..starts.len()).map(|_| None).collect();
    let mut rest = buf;
    let mut offset = 0usize;
    for r in order {
        let start = *starts.get(r)?;
        let (_, tail) = rest.split_at_mut_checked(start.checked_sub(offset)?)?;
        let (row, tail) = tail.split_at_mut_checked(len)?;
        *rows.get_mut(r)? = Some(row);
        rest = tail;
        offset = start + len;
    }
    rows.into_iter().collect()
}

/// [`split_rows`] of an optional buffer: `None` rows when there is no buffer.
pub(crate) fn split_optional_rows<'a>(
    buf: Option<&'a mut [f32]>,
    starts: &[usize],
    len: usize,
) -> Option<Vec<Option<&'a mut [f32]>>> {
    match buf {
        Some(buf) => Some(
            split_rows(buf, starts, len)?
                .into_iter()
                .map(Some)
                .collect(),
        ),
        None => Some(starts.iter().map(|_| None).collect()),
    }
}

/// `f(row index, row)` over rows, across threads, results in row order.
pub(crate) fn map_rows<'a, R: Send>(
    rows: Vec<Option<&'a mut [f32]>>,
    f: impl Fn(usize, Option<&'a mut [f32]>) -> R + Sync,
) -> Vec<R> {
    rows.into_par_iter()
        .enumerate()
        .map(|(r, row)| f(r, row))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_split_in_any_order_and_overlaps_are_refused() {
        let mut buf: Vec<f32> = (0..20).map(|i| i as f32).collect();
        let rows = split_rows(&mut buf, &[10, 0, 15], 5).unwrap();
        assert_eq!(rows[0][0], 10.0);
        assert_eq!(rows[1][4], 4.0);
        assert_eq!(rows[2][4], 19.0);
        assert!(split_rows(&mut buf, &[0, 3], 5).is_none());
        assert!(split_rows(&mut buf, &[18], 5).is_none());
    }

    #[test]
    fn first_error_is_the_earliest() {
        let e = |index| crate::Error::NonFinite { index };
        assert_eq!(first_error(&[Ok(()), Err(e(7)), Err(e(3))]), Err(e(7)));
        assert_eq!(first_error::<crate::Error>(&[Ok(()), Ok(())]), Ok(()));
    }
}
