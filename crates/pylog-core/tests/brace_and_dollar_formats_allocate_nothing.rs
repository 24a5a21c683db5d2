//! After warm-up, formatting a record with a `{`-style or `$`-style format allocates nothing, as
//! with `%`: the formats are compiled at construction, numbers are laid out in reused per-thread
//! buffers, and the time text is cached per second.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use pylog_core::{Formatter, Level, LogRecord, Style, Value};

struct CountingAllocator;

thread_local! {
    // Per thread, so tests running in parallel do not count each other's allocations.
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count() {
    if COUNTING.try_with(Cell::get).unwrap_or(false) {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
    }
}

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// Formats many records (warm-up first) and returns the allocations of the measured ones, with the
/// last line written.
fn allocations_formatting(formatter: &Formatter) -> (usize, String) {
    let extras = [("user", Value::Int(7)), ("ratio", Value::Float(0.25))];
    let mut out = String::with_capacity(512);
    let mut record = LogRecord::new("app.db", Level::WARNING, "saved");
    record.extras = &extras;
    record.created = 1795536741.7239;
    for _ in 0..10 {
        out.clear();
        formatter.format(&record, &mut out).expect("formats");
    }
    ALLOCATIONS.with(|n| n.set(0));
    COUNTING.with(|c| c.set(true));
    for i in 0..1000 {
        record.created = 1795536741.7239 + f64::from(i) / 1000.0;
        out.clear();
        let _ = formatter.format(&record, &mut out);
    }
    COUNTING.with(|c| c.set(false));
    (ALLOCATIONS.with(Cell::get), out)
}

fn formatter(style: Style, format: &str) -> Formatter {
    Formatter::builder(format)
        .style(style)
        .utc(true)
        .build()
        .expect("a valid format")
}

#[test]
fn brace_format_allocates_nothing() {
    let f = formatter(
        Style::Brace,
        "{asctime} {levelname:<8} {name:>10} [{threadName}] {user:05d} {ratio:.1%} \
         {msecs:03.0f} {created:f} {lineno:,} {message!r}",
    );
    let (allocations, line) = allocations_formatting(&f);
    assert!(
        line.ends_with(" 00007 25.0% 722 1795536742.722900 0 'saved'"),
        "{line}"
    );
    assert_eq!(allocations, 0, "{line}");
}

#[test]
fn dollar_format_allocates_nothing() {
    let f = formatter(
        Style::Dollar,
        "$asctime ${levelname} $name [$threadName] $user $ratio $msecs $$ $message",
    );
    let (allocations, line) = allocations_formatting(&f);
    assert!(line.ends_with(" 7 0.25 722.0 $ saved"), "{line}");
    assert_eq!(allocations, 0, "{line}");
}
