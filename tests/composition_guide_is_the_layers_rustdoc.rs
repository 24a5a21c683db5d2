//! The guide "Composing with tracing-subscriber" is also the layer crate's rustdoc: two copies of
//! one page (each crate packages its own), which must stay the same.

#[test]
fn both_copies_of_the_composition_guide_are_identical() {
    let facade = include_str!("../docs/guide/composing-with-tracing-subscriber.md");
    let layer = include_str!("../crates/tracing-pylog/docs/composing-with-tracing-subscriber.md");
    assert!(
        facade == layer,
        "docs/guide/composing-with-tracing-subscriber.md and \
         crates/tracing-pylog/docs/composing-with-tracing-subscriber.md differ: edit one, copy it \
         over the other"
    );
}
