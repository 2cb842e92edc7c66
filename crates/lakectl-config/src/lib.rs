//! Stack files to the desired graph, with diagnostics that point at file:line:col.
