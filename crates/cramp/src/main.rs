//! `cramp`: assess a case, and check or inspect the knowledge base (SPEC §5).
//!
//! Exit codes: 0 success, 2 bad input or usage (the message names the field or line and the fix),
//! 1 internal failure or a failed `kb check`. Results go to stdout, errors to stderr.

mod cli;
mod kb;

use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    match cli::run() {
        Ok(code) => code.into(),
        Err(e) => {
            eprintln!("error: {}", e.message);
            e.exit.into()
        }
    }
}
