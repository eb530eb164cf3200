//! A map over a slice on all cores (at most 8 threads), results in the slice's order.

/// `items.iter().map(f).collect()`, with the items split in contiguous chunks, one per thread; the
/// calling thread works on the first chunk itself (its allocator's free memory is warm).
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8).min(items.len());
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let mut parts = items.chunks(chunk);
        let first = parts.next().unwrap_or_default();
        let handles: Vec<_> = parts.map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<R>>())).collect();
        let mut out: Vec<R> = first.iter().map(f).collect();
        // A panic in a worker is a bug: re-raise it here rather than lose results.
        for h in handles {
            out.extend(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        }
        out
    })
}
