//! Shared by the integration tests.

#![allow(dead_code)]

pub mod catalog;
pub mod golden;
