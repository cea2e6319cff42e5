//! The `charter` binary: runs the program in `lib.rs` and maps its result to an exit code.

fn main() -> std::process::ExitCode {
    charter::main()
}
