//! The spans around an event are part of its record: `%(spans)s` shows them from the outermost,
//! `outer{a=1}:inner{b=2}`, and their fields are extras. The event's own field wins a name clash,
//! then the innermost span's. `span.record(..)` updates a span's fields for later events.

mod common;

use common::{tree_with_format, with_tree};
use pylog_core::Level;

#[test]
fn spans_show_from_the_outermost_with_their_fields() {
    let (tree, out) = tree_with_format("[%(spans)s] %(message)s");

    with_tree(&tree, || {
        tracing::warn!(target: "app", "outside any span");
        let outer = tracing::warn_span!("outer", a = 1);
        let _outer = outer.enter();
        tracing::warn!(target: "app", "in outer");
        let inner = tracing::warn_span!("inner", b = 2);
        let _inner = inner.enter();
        tracing::warn!(target: "app", "in inner");
        let bare = tracing::warn_span!("bare");
        bare.in_scope(|| tracing::warn!(target: "app", "in a span without fields"));
    });

    assert_eq!(
        out.contents(),
        "[] outside any span\n\
         [outer{a=1}] in outer\n\
         [outer{a=1}:inner{b=2}] in inner\n\
         [outer{a=1}:inner{b=2}:bare] in a span without fields\n"
    );
}

#[test]
fn span_fields_render_like_tracing_fmt() {
    let (tree, out) = tree_with_format("%(spans)s");

    with_tree(&tree, || {
        let span = tracing::warn_span!("req", id = 7, path = "/a b", ok = true, ratio = 0.5, dbg = ?(1, 2));
        span.in_scope(|| tracing::warn!(target: "app", "x"));
    });

    assert_eq!(
        out.contents(),
        "req{id=7 path=\"/a b\" ok=true ratio=0.5 dbg=(1, 2)}\n"
    );
}

#[test]
fn a_span_field_named_levelno_is_an_ordinary_field() {
    let (tree, out) = tree_with_format("%(spans)s %(levelname)s %(message)s");

    with_tree(&tree, || {
        let span = tracing::warn_span!("job", levelno = 50);
        span.in_scope(|| tracing::warn!(target: "app", "only an event's levelno sets its level"));
    });

    assert_eq!(
        out.contents(),
        "job{levelno=50} WARNING only an event's levelno sets its level
"
    );
}

#[test]
fn span_fields_are_extras_and_the_nearest_definition_wins() {
    let (tree, out) = tree_with_format("%(a)s %(b)s %(c)s %(user)s|%(message)s");

    with_tree(&tree, || {
        let outer = tracing::warn_span!("outer", a = "outer-a", b = "outer-b", c = 3);
        let _outer = outer.enter();
        let inner = tracing::warn_span!("inner", b = "inner-b", user = "span-user");
        let _inner = inner.enter();
        tracing::warn!(target: "app", "spans only");
        tracing::warn!(target: "app", user = "event-user", "the event's field wins");
    });

    assert_eq!(
        out.contents(),
        "outer-a inner-b 3 span-user|spans only\n\
         outer-a inner-b 3 event-user|the event's field wins\n"
    );
}

#[test]
fn span_record_updates_the_fields_for_later_events() {
    let (tree, out) = tree_with_format("%(spans)s|%(user)s|%(n)s");

    with_tree(&tree, || {
        let span = tracing::warn_span!("req", user = tracing::field::Empty, n = 1);
        let _entered = span.enter();
        tracing::warn!(target: "app", user = "-", "before");
        span.record("user", "ann");
        tracing::warn!(target: "app", "user recorded");
        span.record("n", 2);
        tracing::warn!(target: "app", "n replaced");
    });

    assert_eq!(
        out.contents(),
        "req{n=1}|-|1\nreq{n=1 user=\"ann\"}|ann|1\nreq{n=2 user=\"ann\"}|ann|2\n"
    );
}

#[test]
fn spans_are_kept_whatever_their_target_and_level() {
    // The tree only wants WARNING and above on `app`; the spans are INFO and DEBUG, under this
    // test's module target, whose logger would refuse an event at their level. They are context
    // for the events inside them all the same.
    let (tree, out) = tree_with_format("%(spans)s|%(id)s|%(message)s");
    tree.get_logger("app").set_level(Level::DEBUG);

    with_tree(&tree, || {
        let request = tracing::info_span!("request", id = 42);
        let _request = request.enter();
        let step = tracing::debug_span!(target: "elsewhere", "step", n = 1);
        let _step = step.enter();
        tracing::warn!(target: "app", "inside");
    });

    assert_eq!(out.contents(), "request{id=42}:step{n=1}|42|inside\n");
}

#[test]
fn events_of_other_threads_do_not_see_this_threads_spans() {
    let (tree, out) = tree_with_format("[%(spans)s] %(message)s");
    let dispatch = tracing::Dispatch::new({
        use tracing_subscriber::prelude::*;
        tracing_subscriber::registry().with(tracing_pylog::layer_for(tree.clone()))
    });

    tracing::dispatcher::with_default(&dispatch, || {
        let span = tracing::warn_span!("main_only", a = 1);
        let _entered = span.enter();
        let dispatch = dispatch.clone();
        std::thread::spawn(move || {
            tracing::dispatcher::with_default(
                &dispatch,
                || tracing::warn!(target: "app", "from the other thread"),
            )
        })
        .join()
        .unwrap();
        tracing::warn!(target: "app", "from this thread");
    });

    assert_eq!(
        out.contents(),
        "[] from the other thread\n[main_only{a=1}] from this thread\n"
    );
}

#[test]
fn an_explicit_parent_is_context_even_outside_every_span() {
    let (tree, out) = tree_with_format("[%(spans)s] %(message)s");

    with_tree(&tree, || {
        let job = tracing::warn_span!("job", id = 3);
        tracing::warn!(target: "app", parent: &job, "with a parent, no span entered");
        job.in_scope(|| {
            tracing::warn!(target: "app", parent: None, "a root event inside a span");
        });
        job.in_scope(|| tracing::warn!(target: "app", "inside"));
        tracing::warn!(target: "app", "after the span was exited");
    });

    assert_eq!(
        out.contents(),
        "[job{id=3}] with a parent, no span entered\n\
         [] a root event inside a span\n\
         [job{id=3}] inside\n\
         [] after the span was exited\n"
    );
}
