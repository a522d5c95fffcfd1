//! The bundled dataset, embedded in flash by `build.rs`.

include!(concat!(env!("OUT_DIR"), "/dataset.rs"));
