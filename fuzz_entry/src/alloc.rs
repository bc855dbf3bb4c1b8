//! A global allocator that remembers the largest single allocation made on
//! the current thread, so the frame target can check that a reader never
//! allocates beyond its limit, whatever length prefix it is sent. Both the
//! fuzz targets and the replay test install it.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};

pub struct Tracking;

static INSTALLED: AtomicBool = AtomicBool::new(false);

thread_local! {
    // const-initialised and without Drop: touching it never allocates.
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

fn note(size: usize) {
    INSTALLED.store(true, Ordering::Relaxed);
    let _ = LARGEST.try_with(|l| l.set(l.get().max(size)));
}

// SAFETY: every call is passed unchanged to `System`, which upholds the
// GlobalAlloc contract; `note` only updates a thread-local counter.
unsafe impl GlobalAlloc for Tracking {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        // SAFETY: the caller's contract for `alloc` is `System.alloc`'s.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size);
        // SAFETY: `ptr` and `layout` come from this allocator, which is
        // `System` underneath; the caller's contract is `System.realloc`'s.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

/// Runs `f` and returns its result with the largest single allocation it
/// made on this thread. Panics when [`Tracking`] is not the global
/// allocator, so a check built on it cannot pass vacuously.
pub fn largest_during<R>(f: impl FnOnce() -> R) -> (R, usize) {
    drop(std::hint::black_box(Vec::<u8>::with_capacity(1)));
    assert!(
        INSTALLED.load(Ordering::Relaxed),
        "install monban_fuzz_entry::alloc::Tracking as the #[global_allocator]"
    );
    LARGEST.with(|l| l.set(0));
    let r = f();
    (r, LARGEST.with(Cell::get))
}
