//! The binary device format of a model, through `anyloss_core::model` (the code a device
//! runs): the blob is checked whole (magic, length, CRC-32, version, contents) before
//! anything is copied out of it. The format carries no feature names.

use anyloss_core::model::{inspect, Model as Blob};

use crate::train::fit::Model;

/// Reads a binary model blob.
pub fn from_binary(bytes: &[u8]) -> Result<Model, String> {
    let shape = inspect(bytes).map_err(|e| e.to_string())?;
    let f = shape.features;
    let blob = Blob::from_bytes_in(bytes, vec![0.0; shape.params()], vec![0.0; f], vec![0.0; f])
        .map_err(|e| e.to_string())?;
    let scaling = blob.scaling();
    Ok(Model {
        shape,
        params: blob.params().to_vec(),
        mean: scaling.mean().to_vec(),
        inv_std: scaling.inv_std().to_vec(),
        threshold: blob.threshold(),
    })
}

/// The blob of `model`.
pub fn to_binary(model: &Model) -> Result<Vec<u8>, String> {
    let blob = Blob::new(
        model.shape,
        model.params.clone(),
        model.mean.clone(),
        model.inv_std.clone(),
        model.threshold,
    )
    .map_err(|e| format!("cannot encode the model: {e}"))?;
    let mut bytes = vec![0u8; blob.blob_len()];
    let n = blob.to_bytes(&mut bytes).map_err(|e| e.to_string())?;
    bytes.truncate(n);
    Ok(bytes)
}
