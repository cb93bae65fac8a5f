//! The `roundtable` binary: parse the command line, load the configuration, run the command.

mod commands;
mod import_cmd;
mod match_cmd;

use clap::Parser;

/// mimalloc instead of the system allocator: a page builds many small strings, and glibc's
/// malloc/free showed as ~20% of a member-list request's CPU (docs/performance.md). Blocking
/// threads are capped below, which keeps mimalloc's per-thread heaps (and RSS) small.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = commands::Cli::parse();
    // Blocking threads run SQLite queries and password hashing; a few more than the SQLite pool.
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().max_blocking_threads(16).build();
    let result = match runtime {
        Ok(rt) => rt.block_on(commands::run(cli)),
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
