// mimalloc: the scan makes millions of small, short-lived allocations (YAML trees,
// findings, per-file facts) from several threads; glibc malloc spent ~10% of the scan in
// allocation and page faults (README, "Performance").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    no_transparent_huge_pages();
    std::process::exit(envgate::cli::main());
}

/// mimalloc asks for transparent huge pages (`madvise(MADV_HUGEPAGE)`) on its arenas. On the
/// common `madvise` THP setting the kernel then zeroes (and may first compact memory for)
/// 2 MiB per page fault, however little of it a scan touches: on the 20,000-file benchmark
/// tree that was 0.2–0.4 s of system time, a third of the full scan, and most of the
/// run-to-run spread. A short-lived scanner gains nothing from huge pages, so the process
/// opts out first thing in `main` (pages first touched after that are ordinary ones).
#[cfg(target_os = "linux")]
fn no_transparent_huge_pages() {
    // SAFETY: prctl with PR_SET_THP_DISABLE only sets a flag on this process; it reads no
    // memory of ours. A failure (old kernel) leaves the default, which is only slower.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[cfg(not(target_os = "linux"))]
fn no_transparent_huge_pages() {}
