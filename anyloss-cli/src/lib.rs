//! Library half of the `anyloss` command-line tool.
#![forbid(unsafe_code)]
