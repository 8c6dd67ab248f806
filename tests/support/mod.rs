//! Shared by the integration tests: golden-file comparison.

pub mod golden;
