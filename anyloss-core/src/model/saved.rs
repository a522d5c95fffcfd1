//! A model as it is saved and loaded: head sizes, parameters, standardiser and decision
//! threshold, in caller storage.

use crate::error::{Error, Parameter};
use crate::train::{HeadShape, Scaling, Standardizer};

use super::codec::{self, blob_len, Blob, Parts, FIXED_LEN};
use super::error::{Field, PersistError};
use super::head::ModelHead;
use super::kind::{checked_params, HeadKind};

/// A trained model: the head's sizes and parameters, the standardiser it expects and its
/// decision threshold (label 1 when the probability is at least it). `P` stores the
/// parameters and `S` the standardiser's two vectors: `[f32; N]` arrays on a device,
/// `Vec<f32>` on a host, or borrowed `&mut [f32]`.
///
/// It is always valid: a shape of one of the three heads, finite parameters, finite means,
/// finite nonzero `1/std`, a threshold in `[0, 1]`, a blob length that fits a `u32`.
#[derive(Debug, Clone, PartialEq)]
pub struct Model<P, S> {
    shape: HeadShape,
    params: P,
    scaler: Standardizer<S>,
    threshold: f32,
}

impl<P, S> Model<P, S>
where
    P: AsRef<[f32]> + AsMut<[f32]>,
    S: AsRef<[f32]> + AsMut<[f32]>,
{
    /// A model from its parts, checked: `InvalidParameter(Shape)` for a shape of no head
    /// ([`HeadKind::of`]), for a zero `1/std` or for a blob too large for its `u32` length
    /// field, [`Error::LengthMismatch`] for storage of the wrong size, [`Error::NonFinite`]
    /// (index into the parameters, then into the means) for NaN or infinity,
    /// `InvalidParameter(Threshold)` for a threshold outside `[0, 1]`.
    pub fn new(
        shape: HeadShape,
        params: P,
        mean: S,
        inv_std: S,
        threshold: f32,
    ) -> Result<Self, Error> {
        HeadKind::of(shape)?;
        let fits = checked_params(shape).and_then(|p| {
            let bytes = p
                .checked_mul(4)?
                .checked_add(shape.features.checked_mul(8)?)?;
            u32::try_from(bytes.checked_add(FIXED_LEN)?).ok()
        });
        if fits.is_none() {
            return Err(Error::InvalidParameter(Parameter::Shape));
        }
        for (expected, found) in [
            (shape.params(), params.as_ref().len()),
            (shape.features, mean.as_ref().len()),
        ] {
            if expected != found {
                return Err(Error::LengthMismatch { expected, found });
            }
        }
        if let Some(index) = params.as_ref().iter().position(|v| !v.is_finite()) {
            return Err(Error::NonFinite { index });
        }
        if !(0.0..=1.0).contains(&threshold) {
            return Err(Error::InvalidParameter(Parameter::Threshold));
        }
        let scaler = Standardizer::from_parts(mean, inv_std)?;
        Ok(Self {
            shape,
            params,
            scaler,
            threshold,
        })
    }

    /// Reads a blob into the caller's storage: `params` must hold the blob's parameter
    /// count and `mean`/`inv_std` its feature count (their values are overwritten). On a
    /// host, size them with [`super::inspect`]; on a device, see [`Model::from_bytes`].
    ///
    /// Errors: those of [`super::inspect`], and [`PersistError::WrongArchitecture`] when
    /// the storage does not fit the blob.
    pub fn from_bytes_in(
        bytes: &[u8],
        mut params: P,
        mut mean: S,
        mut inv_std: S,
    ) -> Result<Self, PersistError> {
        let blob = codec::parse(bytes)?;
        fits(&blob, params.as_ref().len(), mean.as_ref().len())?;
        fits(&blob, params.as_ref().len(), inv_std.as_ref().len())?;
        codec::read_f32s(blob.params, params.as_mut());
        codec::read_f32s(blob.mean, mean.as_mut());
        codec::read_f32s(blob.inv_std, inv_std.as_mut());
        // The blob was checked value by value, so this does not fail; if it did, the
        // blob would be the cause.
        Self::new(blob.shape, params, mean, inv_std, blob.threshold).map_err(|_| {
            PersistError::Malformed {
                field: Field::Shape,
                offset: 0,
            }
        })
    }

    /// Replaces this model with the blob's, in place. The blob is checked completely first:
    /// on any error the model is unchanged. The blob's model must fit this model's storage
    /// (the same parameter and feature counts; the sizes of the hidden layers may differ if
    /// the count is the same), else [`PersistError::WrongArchitecture`]. Other errors: those
    /// of [`super::inspect`].
    pub fn load(&mut self, bytes: &[u8]) -> Result<(), PersistError> {
        let blob = codec::parse(bytes)?;
        fits(&blob, self.params.as_ref().len(), self.shape.features)?;
        codec::read_f32s(blob.params, self.params.as_mut());
        let (mean, inv_std) = self.scaler.parts_mut();
        codec::read_f32s(blob.mean, mean);
        codec::read_f32s(blob.inv_std, inv_std);
        self.shape = blob.shape;
        self.threshold = blob.threshold;
        Ok(())
    }

    /// Writes the model's blob at the front of `out` and returns its length
    /// ([`Model::blob_len`]); [`PersistError::BufferTooSmall`] if `out` is shorter (nothing
    /// is written then). The layout is in the [module docs](super).
    pub fn to_bytes(&self, out: &mut [u8]) -> Result<usize, PersistError> {
        let scaling = self.scaler.scaling();
        let parts = Parts {
            shape: self.shape,
            threshold: self.threshold,
            mean: scaling.mean(),
            inv_std: scaling.inv_std(),
            params: self.params.as_ref(),
        };
        codec::write(&parts, out)
    }

    /// Bytes of this model's blob: [`blob_len`] of its shape.
    pub fn blob_len(&self) -> usize {
        blob_len(self.shape)
    }

    /// The head's sizes.
    pub fn shape(&self) -> HeadShape {
        self.shape
    }

    /// Which head the parameters belong to.
    pub fn kind(&self) -> HeadKind {
        // A model's shape is valid; `Logistic` is never reached.
        HeadKind::of(self.shape).unwrap_or(HeadKind::Logistic)
    }

    /// The head's parameters, in its layout.
    pub fn params(&self) -> &[f32] {
        self.params.as_ref()
    }

    /// The standardiser.
    pub fn standardizer(&self) -> &Standardizer<S> {
        &self.scaler
    }

    /// The standardisation, as the trainer and the heads take it.
    pub fn scaling(&self) -> Scaling<'_> {
        self.scaler.scaling()
    }

    /// The decision threshold.
    pub fn threshold(&self) -> f32 {
        self.threshold
    }

    /// Sets the decision threshold: `InvalidParameter(Threshold)` outside `[0, 1]`.
    pub fn set_threshold(&mut self, threshold: f32) -> Result<(), Error> {
        if !(0.0..=1.0).contains(&threshold) {
            return Err(Error::InvalidParameter(Parameter::Threshold));
        }
        self.threshold = threshold;
        Ok(())
    }

    /// The head over the model's parameters (trained in place) and the standardisation:
    /// what [`crate::train::Trainer::new`] takes. The errors of [`ModelHead::new`], which a
    /// valid model does not raise.
    pub fn head_and_scaling(&mut self) -> Result<(ModelHead<&mut [f32]>, Scaling<'_>), Error> {
        let head = ModelHead::new(self.shape, self.params.as_mut())?;
        Ok((head, self.scaler.scaling()))
    }
}

impl<const P: usize, const F: usize> Model<[f32; P], [f32; F]> {
    /// Reads a blob into arrays sized at compile time, typically from
    /// `include_bytes!` or a flash page:
    ///
    /// ```
    /// use anyloss_core::model::{blob_len, Model};
    /// use anyloss_core::train::HeadShape;
    ///
    /// const SHAPE: HeadShape = HeadShape::linear(2, 1);
    /// let host = Model::new(SHAPE, vec![0.5, -1.0, 0.25], vec![1.0, 2.0], vec![0.5, 4.0], 0.4)?;
    /// let mut blob = [0u8; blob_len(SHAPE)];
    /// host.to_bytes(&mut blob)?;
    ///
    /// let device = Model::<[f32; SHAPE.params()], [f32; SHAPE.features]>::from_bytes(&blob)?;
    /// assert_eq!(device.params(), host.params());
    /// assert_eq!(device.threshold(), 0.4);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// Errors: those of [`Model::from_bytes_in`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, PersistError> {
        Self::from_bytes_in(bytes, [0.0; P], [0.0; F], [0.0; F])
    }
}

fn fits(blob: &Blob<'_>, params: usize, features: usize) -> Result<(), PersistError> {
    if blob.shape.params() == params && blob.shape.features == features {
        Ok(())
    } else {
        Err(wrong_architecture(blob, params, features))
    }
}

fn wrong_architecture(blob: &Blob<'_>, params: usize, features: usize) -> PersistError {
    PersistError::WrongArchitecture {
        shape: blob.shape,
        params,
        features,
    }
}
