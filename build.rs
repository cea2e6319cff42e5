//! Links the `charter` executable at a fixed address (not position-independent)
//! on x86-64 Linux, as Go links Helm's binary. A position-independent
//! executable has the dynamic loader patch some 65,000 pointers in its
//! read-only data at every start, which touches ~400 pages and costs about a
//! millisecond: a sixth of a typical `charter template` run. See
//! docs/benchmarks.md.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    if os == "linux" && arch == "x86_64" {
        println!("cargo::rustc-link-arg-bin=charter=-no-pie");
    }
}
