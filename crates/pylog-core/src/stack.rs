//! A captured stack in Python's `stack_info` layout. Python: the `sinfo` text `findCaller` builds
//! with `traceback.print_stack` when a call passes `stack_info=True`.

use std::backtrace::Backtrace;
use std::fmt::Write as _;

/// CPython's first line of a `stack_info` text.
pub const STACK_HEADER: &str = "Stack (most recent call last):";

/// One frame read from the backtrace's text.
struct Frame<'a> {
    function: &'a str,
    location: Option<(&'a str, &'a str)>,
}

/// Formats `stack` in Python's `stack_info` layout; no trailing newline, as CPython strips it.
///
/// CPython's text starts with `Stack (most recent call last):` and lists the frames from the
/// outermost to the logging call, each as `  File "path", line N, in function` followed by the
/// source line. Here the frames come from a [`std::backtrace::Backtrace`]: the same `File` lines,
/// with the Rust function's path as the function name, and no source line (a compiled program does
/// not carry its source). Frames of the backtrace machinery and of the logging call itself (with
/// the `core`/`std` frames between them) are left out at the inner end, and the runtime's start-up
/// frames (from `__rust_begin_short_backtrace` on, and the library frames just inside it) at the
/// outer end, as CPython's stack starts at the caller and
/// ends at `<module>`. A frame without a known location shows CPython's `(unknown file)`, line 0.
///
/// ```
/// let stack = std::backtrace::Backtrace::force_capture();
/// let text = pylog_core::format_stack(&stack);
/// assert!(text.starts_with("Stack (most recent call last):"));
/// ```
pub fn format_stack(stack: &Backtrace) -> String {
    let text = stack.to_string();
    let frames = parse_frames(&text);
    // The innermost frames: the backtrace machinery, the logging call, and the library glue
    // between them (`bool::then`, closures), up to the first frame of other code.
    let mut inner_end = 0;
    for (index, frame) in frames.iter().enumerate() {
        if is_capture_frame(frame.function) {
            inner_end = index + 1;
        } else if !is_library_frame(frame.function) {
            break;
        }
    }
    let mut outer_end = frames
        .iter()
        .position(|f| f.function.contains("__rust_begin_short_backtrace"))
        .unwrap_or(frames.len())
        .max(inner_end);
    // The runtime's glue between the start-up frames and `main` (or a thread's function).
    while outer_end > inner_end && is_library_frame(frames[outer_end - 1].function) {
        outer_end -= 1;
    }
    let mut out = String::from(STACK_HEADER);
    for frame in frames[inner_end..outer_end].iter().rev() {
        let (file, line) = frame.location.unwrap_or(("(unknown file)", "0"));
        let _ = write!(
            out,
            "\n  File \"{file}\", line {line}, in {}",
            frame.function
        );
    }
    out
}

/// Frames of the backtrace machinery and of this crate's logging call, above the caller.
fn is_capture_frame(function: &str) -> bool {
    function.starts_with("std::backtrace")
        || function.starts_with("<std::backtrace")
        || function.starts_with("pylog_core::logger::")
        || function.starts_with("pylog_core::adapter::")
        || function.starts_with("<pylog_core::logger::")
        || function.starts_with("<pylog_core::adapter::")
}

/// Frames of Rust's own libraries (`core`, `alloc`, `std`).
fn is_library_frame(function: &str) -> bool {
    let path = function.strip_prefix('<').unwrap_or(function);
    let path = path.strip_prefix("fn(").map_or(path, |_| "core::");
    ["core::", "alloc::", "std::"]
        .iter()
        .any(|library| path.starts_with(library))
}

/// Reads `   N: function` lines, each optionally followed by `             at path:line:col`.
fn parse_frames(text: &str) -> Vec<Frame<'_>> {
    let mut frames: Vec<Frame<'_>> = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        if let Some(location) = trimmed.strip_prefix("at ") {
            if let Some(frame) = frames.last_mut().filter(|f| f.location.is_none()) {
                frame.location = split_location(location);
            }
            continue;
        }
        let Some((number, function)) = trimmed.split_once(": ") else {
            continue;
        };
        if !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) {
            frames.push(Frame {
                function,
                location: None,
            });
        }
    }
    frames
}

/// `path:line:col` into the path and the line (the path may itself hold colons).
fn split_location(location: &str) -> Option<(&str, &str)> {
    let (rest, _column) = location.rsplit_once(':')?;
    let (path, line) = rest.rsplit_once(':')?;
    line.bytes()
        .all(|b| b.is_ascii_digit())
        .then_some((path, line))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_read_with_their_locations() {
        let text = "   0: std::backtrace::Backtrace::force_capture\n             at /rustc/x/library/std/src/backtrace.rs:312:13\n   1: pylog_core::logger::LogCall::log\n             at ./src/logger.rs:10:5\n   2: app::handler\n             at ./src/main.rs:7:9\n   3: app::main\n             at C:\\src\\main.rs:3:5\n   4: libc_frame\n";
        let frames = parse_frames(text);
        assert_eq!(frames.len(), 5);
        assert_eq!(frames[2].function, "app::handler");
        assert_eq!(frames[2].location, Some(("./src/main.rs", "7")));
        assert_eq!(frames[3].location, Some(("C:\\src\\main.rs", "3")));
        assert_eq!(frames[4].location, None);
        assert!(is_capture_frame(frames[0].function));
        assert!(is_capture_frame(frames[1].function));
        assert!(!is_capture_frame(frames[2].function));
    }

    #[inline(never)]
    fn captured_here() -> String {
        format_stack(&Backtrace::force_capture())
    }

    #[test]
    fn a_real_stack_lists_the_caller_last_and_stops_before_the_runtime() {
        let text = captured_here();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some(STACK_HEADER));
        let frames: Vec<&str> = lines.collect();
        assert!(frames.iter().all(|f| f.starts_with("  File \"")), "{text}");
        // Debug builds keep the frames; the innermost is the function that captured.
        if let Some(last) = frames.last() {
            assert!(last.contains("captured_here"), "{text}");
            assert!(last.contains("stack.rs"), "{text}");
        }
        assert!(!text.contains("__rust_begin_short_backtrace"), "{text}");
    }
}
