//! The `charter` binary: tunes the allocator for a one-command process, runs the
//! program in `lib.rs` and maps its result to an exit code.

fn main() -> std::process::ExitCode {
    tune_allocator();
    charter::main()
}

/// glibc's allocator settings for a process that lives for one command: large
/// blocks (file contents, rendered files, growing strings) come from the heap and
/// are reused instead of each getting a fresh mapping (and its page faults) and
/// being unmapped on free; freed memory is not handed back mid-run; the heap
/// grows 16 MB of address space at a time (pages are still touched only as used).
/// Large charts render 3-6% faster with the same peak memory (docs/benchmarks.md).
fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator parameters; no other thread exists yet.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 256 << 20);
        libc::mallopt(libc::M_TOP_PAD, 16 << 20);
    }
}
