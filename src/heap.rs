//! The C allocator, set up for a process that runs one command and exits.
//!
//! charter allocates through the system allocator (glibc's malloc on Linux). Two
//! things make it faster for this process's shape, both measured on the large
//! corpus charts (docs/benchmarks.md):
//!
//! - [`tune_for_one_command`]: large blocks come from the heap and are reused
//!   rather than each getting a mapping of its own that is unmapped on free, and
//!   freed memory is not handed back mid-run.
//! - Transparent huge pages. A large chart touches 15-30 MiB of fresh heap, and
//!   each 4 KiB page costs a page fault (about a fifth of the CPU time of a large
//!   render). Heap marked `MADV_HUGEPAGE` faults in 2 MiB at a time. glibc does this
//!   itself only when started with `GLIBC_TUNABLES=glibc.malloc.hugetlb=1`, which a
//!   program cannot set for itself, so it is done here: [`tune_for_one_command`]
//!   for the main heap, [`advise_this_threads_heap`] at the start of each helper
//!   thread that allocates much, for its own heap.
//!   The advice is only a hint: where the kernel has huge pages disabled, or the
//!   allocator is not glibc's, nothing changes but the speed.

/// The size of a huge page on x86-64 and aarch64 (with 4 KiB base pages).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const HUGE_PAGE: usize = 2 << 20;

/// How far the main heap is grown (and marked for huge pages) up front: address
/// space only; pages are touched, and count as memory, only as they are used.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MAIN_HEAP_RESERVE: usize = 64 << 20;

/// glibc's `HEAP_MAX_SIZE` on 64-bit systems: a thread's arena is a heap of this
/// size, aligned to it.
#[cfg(all(target_os = "linux", target_env = "gnu", target_pointer_width = "64"))]
const THREAD_HEAP_SIZE: usize = 64 << 20;

/// Sets glibc's allocator up for this process; call first thing in `main`, before
/// any other thread exists.
pub fn tune_for_one_command() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator parameters, and no other thread exists
    // yet; the block from malloc is freed before anything else can see it, and
    // madvise only gives advice about pages of the heap it lies in.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 256 << 20);
        // The heap grows 16 MB of address space at a time.
        libc::mallopt(libc::M_TOP_PAD, 16 << 20);
        // Grow the heap now (below the mmap threshold, malloc extends the heap),
        // mark that span for huge pages, and free it: it stays as the heap's free
        // top (below the trim threshold), which later allocations are cut from.
        // The main heap's free top ends at the program break.
        let top = libc::sbrk(0) as usize - libc::mallinfo2().keepcost;
        fill_to_huge_page_boundary(top);
        let block = libc::malloc(MAIN_HEAP_RESERVE);
        if !block.is_null() {
            advise_huge_pages(block as usize, MAIN_HEAP_RESERVE);
            libc::free(block);
        }
    }
}

/// Marks the calling thread's heap for huge pages; call it first thing in a new
/// thread that will allocate much. It costs two system calls, so each helper
/// does it for itself: preparing heaps ahead on other threads, as glibc hands a
/// thread that has ended's heap to the next new one, made the thread that waited
/// for them lose milliseconds whenever the system was slow to start them.
pub fn advise_this_threads_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu", target_pointer_width = "64"))]
    {
        // A new arena has no free blocks: the probe is cut from its free top,
        // and goes back to it. In the heap of a thread that has ended (glibc
        // gives it to the next new thread), the probe may come from a free block
        // instead: the heap is still the one marked (heaps are aligned to their
        // size), and the fill below at worst keeps an unwritten block, which
        // takes no memory.
        let probe: Vec<u8> = Vec::with_capacity(PROBE);
        let top = probe.as_ptr() as usize - 16;
        advise_huge_pages(top & !(THREAD_HEAP_SIZE - 1), THREAD_HEAP_SIZE);
        drop(probe);
        // SAFETY: see the function.
        unsafe { fill_to_huge_page_boundary(top) };
    }
}

/// Allocates, and never frees, a block from the calling thread's heap whose free
/// top starts at `top`, up to the next huge page boundary. Pages the heap has used
/// so far are small ones, and a 2 MiB range that holds a small page can no longer
/// get a huge one: the block covers the rest of that range, so that what comes
/// after it starts on a huge page. The block is never written, so it takes no
/// memory.
///
/// # Safety
/// Calls the C allocator directly; leaks the block on purpose.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
unsafe fn fill_to_huge_page_boundary(top: usize) {
    // Room for the allocator's headers, so that the block ends just before the
    // boundary.
    // (A top at or just below a boundary leaves no room: nothing to fill.)
    let fill = top
        .next_multiple_of(HUGE_PAGE)
        .saturating_sub(top)
        .saturating_sub(64);
    if fill < PROBE {
        return;
    }
    // SAFETY: plain malloc (and free, when the block did not come from the top).
    unsafe {
        let block = libc::malloc(fill);
        // A free block elsewhere in the heap may have served the request: then
        // there is nothing to gain from keeping it.
        if block as usize != top + 16 {
            libc::free(block);
        }
    }
}

/// A block too large for the allocator's caches of small blocks: glibc cuts it
/// from the heap's free top (or a free block that fits), and gives it back there.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const PROBE: usize = 4096;

/// `madvise(MADV_HUGEPAGE)` on the whole huge pages inside `[start, start + len)`.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn advise_huge_pages(start: usize, len: usize) {
    let first = start.next_multiple_of(HUGE_PAGE);
    let end = (start + len) & !(HUGE_PAGE - 1);
    if end > first {
        // SAFETY: advice only: MADV_HUGEPAGE changes how pages in the range are
        // backed, never their contents; unmapped parts of the range are skipped
        // (the call then fails, which is ignored).
        unsafe {
            libc::madvise(first as *mut libc::c_void, end - first, libc::MADV_HUGEPAGE);
        }
    }
}
