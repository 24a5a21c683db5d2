//! Event fields other than `message` are the record's extras, usable in `%`-formats by name with
//! Python's conversions: `%(user)s`, `%(user)05d`, `%(ratio).2f`, booleans as `True`/`False`.

mod common;

use common::{SeenExtras, tree_with_format, with_tree};
use pylog_core::{Manager, SharedWriter};

#[test]
fn integers_floats_booleans_and_strings_use_pythons_conversions() {
    let (tree, out) = tree_with_format(
        "%(user)s|%(user)05d|%(user)-4d|%(ratio).2f|%(ratio)s|%(ok)s|%(ok)d|%(who)s|%(who)r|%(big)d|%(message)s",
    );

    with_tree(&tree, || {
        tracing::warn!(
            target: "app",
            user = 7,
            ratio = 0.12345,
            ok = true,
            who = "alice",
            big = u64::MAX,
            "saved {} rows",
            3
        );
    });

    assert_eq!(
        out.contents(),
        "7|00007|7   |0.12|0.12345|True|1|alice|'alice'|18446744073709551615|saved 3 rows\n"
    );
}

#[derive(Debug)]
#[allow(dead_code)]
struct Point {
    x: i32,
    y: i32,
}

#[test]
fn debug_and_display_fields_are_text() {
    let (tree, out) = tree_with_format("%(point)s|%(path)s|%(neg)d|%(f)s|%(message)s");

    with_tree(&tree, || {
        let path = std::path::Path::new("/tmp/x y");
        tracing::warn!(
            target: "app",
            point = ?Point { x: 1, y: -2 },
            path = %path.display(),
            neg = -42i64,
            f = false,
            "done"
        );
    });

    assert_eq!(
        out.contents(),
        "Point { x: 1, y: -2 }|/tmp/x y|-42|False|done\n"
    );
}

#[test]
fn every_field_but_the_message_becomes_an_extra_in_order() {
    let tree = Manager::new();
    let seen = SeenExtras::default();
    tree.root().add_handler(
        common::stream(&SharedWriter::new(), "%(message)s").with_filter(seen.filter()),
    );

    with_tree(&tree, || {
        tracing::warn!(target: "app", a = 1, b = "two", c = 3.5, d = true, "msg {}", 1);
        tracing::warn!(target: "app", "no fields");
    });

    assert_eq!(
        seen.records(),
        vec![
            vec![
                "a=Int(1)".to_owned(),
                "b=Str(\"two\")".to_owned(),
                "c=Float(3.5)".to_owned(),
                "d=Bool(true)".to_owned()
            ],
            vec![],
        ]
    );
}

#[test]
fn a_field_named_message_is_the_message() {
    let (tree, out) = tree_with_format("%(levelname)s:%(message)s:%(n)d");

    with_tree(&tree, || {
        tracing::warn!(target: "app", message = "set as a field", n = 1);
        tracing::warn!(target: "app", n = 2, "{} {}", "formatted", "args");
    });

    assert_eq!(
        out.contents(),
        "WARNING:set as a field:1\nWARNING:formatted args:2\n"
    );
}
