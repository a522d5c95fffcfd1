//! The safe step: an update is applied only if every new parameter and every new optimizer
//! state value is finite. Otherwise nothing is written, so the model and the optimizer stay
//! bit-identical and a bad batch (a glitching sensor, an overflow) cannot corrupt them.

use crate::error::Error;

/// Checks, then applies, `candidate(param, grad, state) -> (new_param, new_state)` to every
/// parameter. `state` holds the optimizer's `K` per-parameter buffers.
///
/// The candidate is computed twice (check pass, write pass) rather than buffered: it is a
/// pure function, so both passes give the same bits, and no `O(P)` scratch is needed.
/// Errors: [`Error::LengthMismatch`] for buffers of different lengths, and
/// [`Error::NonFiniteUpdate`] when a gradient, a new parameter or a new state is NaN or
/// infinite; in both cases nothing was written.
pub(crate) fn guarded_step<const K: usize>(
    params: &mut [f32],
    grad: &[f32],
    state: [&mut [f32]; K],
    candidate: impl Fn(f32, f32, [f32; K]) -> (f32, [f32; K]),
) -> Result<(), Error> {
    let n = params.len();
    for len in core::iter::once(grad.len()).chain(state.iter().map(|s| s.len())) {
        if len != n {
            return Err(Error::LengthMismatch {
                expected: n,
                found: len,
            });
        }
    }
    let read = |state: &[&mut [f32]; K], i: usize| -> [f32; K] {
        core::array::from_fn(|k| state.get(k).and_then(|s| s.get(i)).copied().unwrap_or(0.0))
    };
    for (i, (&p, &g)) in params.iter().zip(grad).enumerate() {
        if !g.is_finite() {
            return Err(Error::NonFiniteUpdate);
        }
        let (np, ns) = candidate(p, g, read(&state, i));
        if !np.is_finite() || !ns.iter().all(|v| v.is_finite()) {
            return Err(Error::NonFiniteUpdate);
        }
    }
    let mut state = state;
    for (i, (p, &g)) in params.iter_mut().zip(grad).enumerate() {
        let (np, ns) = candidate(*p, g, read(&state, i));
        *p = np;
        for (buffer, v) in state.iter_mut().zip(ns) {
            if let Some(slot) = buffer.get_mut(i) {
                *slot = v;
            }
        }
    }
    Ok(())
}
