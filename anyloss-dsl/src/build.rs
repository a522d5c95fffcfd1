//! The `build.rs` API: compile a formula at build time into Rust source in `OUT_DIR`, to
//! `include!` in a `no_std` crate.
//!
//! ```no_run
//! // build.rs of a firmware crate, with `anyloss-dsl` as a build-dependency:
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     anyloss_dsl::build::FormulaType::new("MyF2", "(1+beta^2)*TP/((1+beta^2)*TP + beta^2*FN + FP)")
//!         .param("beta", 2.0)
//!         .write_to_out_dir("my_f2.rs")?;
//!     Ok(())
//! }
//! ```
//! and in the crate: `include!(concat!(env!("OUT_DIR"), "/my_f2.rs"));`, which defines
//! `pub struct MyF2;` implementing `anyloss_core::Metric`.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostic;
use crate::metric::FormulaMetric;

/// A formula to compile into a named Rust type implementing `anyloss_core::Metric`.
#[derive(Debug, Clone)]
pub struct FormulaType {
    name: String,
    source: String,
    params: Vec<(String, f64)>,
    watched: Option<PathBuf>,
}

/// Why generating the source failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum BuildError {
    /// The formula (or the type name) is wrong.
    Formula(Diagnostic),
    /// Reading the formula file or writing the output failed.
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// `OUT_DIR` is not set: not running inside a build script.
    NoOutDir,
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::Formula(d) => write!(f, "metric formula error: {d}"),
            BuildError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            BuildError::NoOutDir => {
                write!(f, "OUT_DIR is not set; call this from a build script")
            }
        }
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BuildError::Formula(d) => Some(d),
            BuildError::Io { source, .. } => Some(source),
            BuildError::NoOutDir => None,
        }
    }
}

impl From<Diagnostic> for BuildError {
    fn from(d: Diagnostic) -> Self {
        BuildError::Formula(d)
    }
}

impl FormulaType {
    /// The type `name` (UpperCamelCase) computing the formula `source`.
    pub fn new(name: &str, source: &str) -> Self {
        Self {
            name: name.to_string(),
            source: source.to_string(),
            params: Vec::new(),
            watched: None,
        }
    }

    /// The type `name` computing the formula in the file `path`; the build script reruns
    /// when the file changes.
    pub fn from_file(name: &str, path: impl AsRef<Path>) -> Result<Self, BuildError> {
        let path = path.as_ref();
        let source = std::fs::read_to_string(path).map_err(|source| BuildError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(Self {
            watched: Some(path.to_path_buf()),
            ..Self::new(name, &source)
        })
    }

    /// Binds a parameter of the formula.
    pub fn param(mut self, name: &str, value: f64) -> Self {
        self.params.push((name.to_string(), value));
        self
    }

    /// The generated Rust source.
    pub fn to_source(&self) -> Result<String, BuildError> {
        let params: Vec<(&str, f64)> = self.params.iter().map(|(n, v)| (n.as_str(), *v)).collect();
        Ok(FormulaMetric::compile(&self.source, &params)?.to_rust(&self.name)?)
    }

    /// Writes the source to `dir/file_name` and returns the path.
    pub fn write_to(&self, dir: impl AsRef<Path>, file_name: &str) -> Result<PathBuf, BuildError> {
        let code = self.to_source()?;
        let path = dir.as_ref().join(file_name);
        // Unchanged output keeps its timestamp, so dependants are not rebuilt.
        if std::fs::read_to_string(&path).ok().as_deref() != Some(code.as_str()) {
            std::fs::write(&path, code).map_err(|source| BuildError::Io {
                path: path.clone(),
                source,
            })?;
        }
        Ok(path)
    }

    /// Writes the source to `$OUT_DIR/file_name`, for
    /// `include!(concat!(env!("OUT_DIR"), "/file_name"))`, and returns the path.
    pub fn write_to_out_dir(&self, file_name: &str) -> Result<PathBuf, BuildError> {
        let dir = std::env::var_os("OUT_DIR").ok_or(BuildError::NoOutDir)?;
        if let Some(p) = &self.watched {
            println!("cargo:rerun-if-changed={}", p.display());
        }
        self.write_to(dir, file_name)
    }
}
