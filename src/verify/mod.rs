//! Running compiled output on real engines, to compare their verdicts with the evaluator's.

pub mod sqlite;
