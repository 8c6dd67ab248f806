//! Shared by the benches: `mod support;` in a bench file.

#![allow(dead_code)]

pub mod events;
