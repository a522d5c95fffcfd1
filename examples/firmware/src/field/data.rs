//! The field scenario's data, embedded in flash by `build.rs` from `field/stream.csv` and
//! `field/test.csv` (made by `field/drift.py`: the device's half of yeast3, with a sensor
//! drift on two features).

/// The labelled samples the device receives one by one.
#[allow(dead_code)] // NAME and FEATURE_NAMES
pub mod stream {
    include!(concat!(env!("OUT_DIR"), "/field_stream.rs"));
}

/// The held-out part of the drifted data: test F1 before and after fine-tuning.
#[allow(dead_code)] // NAME and FEATURE_NAMES
pub mod test {
    include!(concat!(env!("OUT_DIR"), "/field_test.rs"));
}
