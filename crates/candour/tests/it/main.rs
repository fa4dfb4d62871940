//! The one integration-test binary (link time matters on two cores): the store conformance suite run
//! against SQLite and PostgreSQL, the HTTP API, and the `candour` command.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod api;
mod cli;
mod delivery;
mod helpers;
mod store;
mod web;
