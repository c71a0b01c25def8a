//! How many values this process has set out to seal or open, and how many it has: for a caller's
//! progress line. Files are the caller's unit, but one file can hold 200,000 values and seal for
//! seconds (issue 39), so the count moves within a file too. Two relaxed atomic additions per
//! value, against the tens of microseconds each value's X25519 and ChaCha20-Poly1305 take.

use std::sync::atomic::{AtomicUsize, Ordering};

static PLANNED: AtomicUsize = AtomicUsize::new(0);
static DONE: AtomicUsize = AtomicUsize::new(0);

/// `n` more values to seal or open.
pub(crate) fn plan(n: usize) {
    PLANNED.fetch_add(n, Ordering::Relaxed);
}

/// One value sealed or opened (or failed: it is done either way).
pub(crate) fn done_one() {
    DONE.fetch_add(1, Ordering::Relaxed);
}

/// Values (done, planned) since the process started.
pub fn counts() -> (usize, usize) {
    (DONE.load(Ordering::Relaxed), PLANNED.load(Ordering::Relaxed))
}
