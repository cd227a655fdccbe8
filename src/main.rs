// mimalloc: the scan makes millions of small, short-lived allocations (YAML trees,
// findings, per-file facts) from several threads; glibc malloc spent ~10% of the scan in
// allocation and page faults (see docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(envgate::cli::main());
}
