//! Rebuilds when a built-in template or mapping changes: both are embedded in the binary,
//! and a file added to their folders is otherwise not noticed.

fn main() {
    println!("cargo:rerun-if-changed=templates");
    println!("cargo:rerun-if-changed=mappings");
}
