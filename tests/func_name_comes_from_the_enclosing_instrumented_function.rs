//! `%(funcName)s` for `tracing` events: the innermost span's name when that span is an
//! `#[instrument]` span of the event's own module, `None` otherwise (never `<module>`, which
//! Python prints only for code outside any function).

mod common;

use common::{stream, with_tree};
use pylog_core::{Level, Manager, SharedWriter};
use tracing::instrument;

fn tree() -> (Manager, SharedWriter) {
    let tree = Manager::new();
    let out = SharedWriter::new();
    let app = tree.get_logger("app");
    app.set_level(Level::DEBUG);
    app.add_handler(stream(&out, "%(funcName)s: %(message)s"));
    (tree, out)
}

#[instrument(target = "app")]
fn load_user(id: u32) {
    tracing::info!(target: "app", "loading {id}");
    check_quota(id);
    tracing::info!(target: "app", "loaded {id}");
}

#[instrument(target = "app", skip(id))]
fn check_quota(id: u32) {
    tracing::info!(target: "app", "quota of {id}");
}

#[instrument(target = "app")]
async fn fetch() {
    tracing::info!(target: "app", "fetching");
}

mod storage {
    /// Not instrumented: its events are inside the caller's span, from another module.
    pub fn write_row() {
        tracing::info!(target: "app", "row written");
    }

    #[tracing::instrument(target = "app")]
    pub fn flush() {
        tracing::info!(target: "app", "flushed");
    }
}

#[instrument(target = "app")]
fn save() {
    storage::write_row();
    storage::flush();
    tracing::info!(target: "app", "saved");
}

#[test]
fn nested_instrumented_functions_give_the_innermost_name() {
    let (tree, out) = tree();
    with_tree(&tree, || load_user(7));
    assert_eq!(
        out.contents(),
        "load_user: loading 7\ncheck_quota: quota of 7\nload_user: loaded 7\n"
    );
}

#[test]
fn an_async_instrumented_function_gives_its_name() {
    let (tree, out) = tree();
    with_tree(&tree, || {
        let mut future = std::pin::pin!(fetch());
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        assert!(future.as_mut().poll(&mut cx).is_ready());
    });
    assert_eq!(out.contents(), "fetch: fetching\n");
}

#[test]
fn a_span_from_another_module_gives_no_name() {
    let (tree, out) = tree();
    with_tree(&tree, save);
    assert_eq!(
        out.contents(),
        "None: row written\nflush: flushed\nsave: saved\n"
    );
}

#[test]
fn without_a_span_or_with_a_phrase_span_there_is_no_name() {
    let (tree, out) = tree();
    with_tree(&tree, || {
        tracing::info!(target: "app", "no span");
        let span = tracing::info_span!(target: "app", "handling request");
        let _entered = span.enter();
        tracing::info!(target: "app", "phrase span");
    });
    assert_eq!(out.contents(), "None: no span\nNone: phrase span\n");
}

#[test]
fn the_direct_apis_macros_still_name_the_calling_function() {
    let (tree, out) = tree();
    let app = tree.get_logger("app");
    with_tree(&tree, || {
        let span = tracing::info_span!(target: "app", "other_name");
        let _entered = span.enter();
        pylog::info!(logger: &app, "direct");
    });
    assert_eq!(
        out.contents(),
        "the_direct_apis_macros_still_name_the_calling_function: direct\n"
    );
}
