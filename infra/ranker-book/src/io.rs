//! Reading and writing fixture files.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::Serialize;

/// Why a fixture could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum FixtureError {
    #[error("cannot open fixture {path}: {source}")]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("fixture {path} is not valid: {source}")]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("cannot write fixture {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

pub(crate) fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T, FixtureError> {
    let file = File::open(path).map_err(|source| FixtureError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_reader(BufReader::new(file)).map_err(|source| FixtureError::Parse {
        path: path.to_path_buf(),
        source,
    })
}

/// Compact JSON; struct fields in declaration order and maps sorted, so equal values give
/// equal bytes.
pub(crate) fn write_json<T: Serialize>(value: &T, path: &Path) -> Result<(), FixtureError> {
    let write_err = |source| FixtureError::Write {
        path: path.to_path_buf(),
        source,
    };
    let file = File::create(path).map_err(write_err)?;
    let mut out = BufWriter::new(file);
    serde_json::to_writer(&mut out, value).map_err(|e| write_err(std::io::Error::other(e)))?;
    out.flush().map_err(write_err)
}
