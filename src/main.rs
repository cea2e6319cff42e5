//! The `charter` binary: sets the allocator up for a one-command process, runs the
//! program in `lib.rs` and maps its result to an exit code.

fn main() -> std::process::ExitCode {
    charter::heap::tune_for_one_command();
    charter::main()
}
