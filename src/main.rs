//! The `charter` binary: runs the program in `lib.rs` and maps its result to an exit code.

/// mimalloc: rendering allocates many small strings and values; the system
/// allocator spent a quarter of a large render in malloc/free.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    charter::main()
}
