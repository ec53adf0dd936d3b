//! The `sp` binary: parse the command line, run, map the outcome to an exit code.

/// jemalloc instead of the system allocator: a compile is many small allocations on two
/// threads, where glibc's malloc and free took a sixth of the time (see Cargo.toml).
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    sp::cli::main()
}
