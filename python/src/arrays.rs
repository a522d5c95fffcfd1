//! NumPy inputs: dtype and shape checks with errors that name the argument.

use std::borrow::Cow;

use numpy::{Element, PyArrayDyn, PyArrayMethods, PyReadonlyArrayDyn, PyUntypedArrayMethods};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;

/// `obj` as a read-only NumPy array of `T`, or a `TypeError` naming the argument `name`,
/// the `dtype` it needs and the one it got, followed by `hint`.
pub fn typed<'py, T: Element>(
    obj: &Bound<'py, PyAny>,
    name: &str,
    dtype: &str,
    hint: &str,
) -> PyResult<PyReadonlyArrayDyn<'py, T>> {
    let array = obj.cast::<PyArrayDyn<T>>().map_err(|_| {
        let found = match obj.getattr("dtype") {
            Ok(d) => format!("a numpy array of dtype {d}"),
            Err(_) => format!(
                "{} (not a numpy array)",
                obj.get_type()
                    .name()
                    .map_or_else(|_| "an object".to_string(), |n| n.to_string())
            ),
        };
        PyTypeError::new_err(format!(
            "{name} must be a numpy array of dtype {dtype}, got {found}{hint}"
        ))
    })?;
    Ok(array.readonly())
}

/// The elements in C order: borrowed when the array is C-contiguous, copied otherwise.
pub fn c_order<'a, T: Element + Copy>(array: &'a PyReadonlyArrayDyn<'_, T>) -> Cow<'a, [T]> {
    // `as_slice` also accepts Fortran order, whose memory order is not the logical one.
    match array.as_slice() {
        Ok(s) if array.is_c_contiguous() => Cow::Borrowed(s),
        _ => Cow::Owned(array.as_array().iter().copied().collect()),
    }
}

/// An error unless `array`'s shape equals `expected` (the outputs' shape).
pub fn same_shape<T: Element>(
    name: &str,
    array: &PyReadonlyArrayDyn<'_, T>,
    expected: &[usize],
) -> PyResult<()> {
    let shape = array.shape();
    if shape == expected {
        Ok(())
    } else {
        Err(PyValueError::new_err(format!(
            "{name} has shape {shape:?} but outputs have shape {expected:?}: they must match"
        )))
    }
}
