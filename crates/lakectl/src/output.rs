//! Writing to stdout without panicking when the reader goes away (`lakectl plan | head`).
//!
//! `println!` panics on a closed pipe. Output here is a report of work that goes on regardless,
//! so a write that fails is dropped: a deploy whose reader quit still finishes and releases its
//! lock.

use std::fmt::Arguments;
use std::io::Write;

/// Writes `args` to stdout; errors (a closed pipe) are ignored.
pub fn write_stdout(args: Arguments<'_>) {
    let _ = std::io::stdout().lock().write_fmt(args);
}

/// `print!` that does not panic on a closed pipe.
macro_rules! out {
    ($($arg:tt)*) => { $crate::output::write_stdout(format_args!($($arg)*)) };
}

/// `println!` that does not panic on a closed pipe.
macro_rules! outln {
    () => { $crate::output::write_stdout(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::output::write_stdout(format_args!("{}\n", format_args!($($arg)*))) };
}

pub(crate) use {out, outln};
