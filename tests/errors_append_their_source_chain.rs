//! A field recorded as an error (`error = &e as &dyn std::error::Error`) fills the record's
//! `exc_text` with the error and its `source()` chain in Python's chained-exception layout (deepest
//! cause first), which the formatter appends on a new line, as Python appends a traceback.

mod common;

use std::fmt;

use common::{tree_with_format, with_tree};

#[derive(Debug)]
struct ConfigError(std::io::Error);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("cannot load config")
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

const CAUSE: &str = "\n\nThe above exception was the direct cause of the following exception:\n\n";

#[test]
fn the_source_chain_follows_the_message_on_a_new_line() {
    let (tree, out) = tree_with_format("%(levelname)s:%(name)s:%(message)s");
    let e = ConfigError(std::io::Error::new(
        std::io::ErrorKind::NotFound,
        "no such file",
    ));

    with_tree(&tree, || {
        tracing::error!(target: "app", error = &e as &dyn std::error::Error, "failed");
    });

    assert_eq!(
        out.contents(),
        format!("ERROR:app:failed\nno such file{CAUSE}cannot load config\n")
    );
}

#[test]
fn an_error_without_a_source_is_one_line_and_the_field_is_its_display() {
    let (tree, out) = tree_with_format("%(message)s (%(error)s) exc_text=%(exc_text)r");
    let e = std::io::Error::other("disk full");

    with_tree(&tree, || {
        tracing::error!(target: "app", error = &e as &dyn std::error::Error, "save failed");
        tracing::error!(target: "app", error = "just text", "no error value");
    });

    assert_eq!(
        out.contents(),
        "save failed (disk full) exc_text='disk full'\ndisk full\n\
         no error value (just text) exc_text=None\n"
    );
}

#[test]
fn exc_text_ends_the_record_even_after_other_fields() {
    let (tree, out) = tree_with_format("[%(user)s] %(message)s");
    let e = ConfigError(std::io::Error::other("boom"));

    with_tree(&tree, || {
        tracing::warn!(target: "app", user = 7, err = &e as &dyn std::error::Error, "retrying");
    });

    assert_eq!(
        out.contents(),
        format!("[7] retrying\nboom{CAUSE}cannot load config\n")
    );
}
