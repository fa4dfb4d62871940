//! The `candour` command's library: configuration, the operations behind each subcommand, the demo
//! data set and the benchmarks. `main.rs` only parses arguments and calls into here.

pub mod bench;
pub mod config;
pub mod demo;
pub mod ops;
pub mod redact;
pub mod safety_case;

pub use ops::CliError;
