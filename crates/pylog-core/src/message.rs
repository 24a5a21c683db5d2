//! A logging call's message, written into the record's text once.
//!
//! The direct API takes any `impl Display`, and most calls pass `format_args!(..)`. Writing that
//! with `write!(text, "{msg}")` runs `core::fmt` twice: once for `"{}"`, whose one argument is
//! the `Arguments`, and again inside `Arguments`' own `Display`. [`Message::of`] recognises the
//! common message types at compile time (`fmt::Arguments`, `&str`, `String`) so that
//! [`Message::write_to`] writes them directly (`write_fmt` once, or a plain copy); any other type
//! goes through its `Display` as before. The text is the same either way: `Display` for
//! `Arguments`, `str` and `String` writes exactly what `write_fmt` or a copy writes.

use std::any::TypeId;
use std::fmt::{self, Write as _};
use std::marker::PhantomData;

/// A logging call's message, by what writing it costs.
#[derive(Clone, Copy)]
pub(crate) enum Message<'m> {
    /// Text as it is.
    Text(&'m str),
    /// `format_args!(..)`: formatted once, straight into the buffer.
    Args(fmt::Arguments<'m>),
    /// Anything else: its `Display`.
    Other(&'m dyn fmt::Display),
}

impl<'m> Message<'m> {
    /// The message `msg`, sorted by its type (resolved at compile time: the checks fold away).
    #[inline]
    pub(crate) fn of<T: fmt::Display>(msg: &'m T) -> Message<'m> {
        // SAFETY (every cast below): `same_type::<T, U>()` holds only when `T` is `U` up to
        // lifetimes, which do not change a type's layout, so `msg` points to a valid `U`. The
        // lifetimes the casts produce are no longer than `'m`: `msg: &'m T` requires `T: 'm`, so
        // the references and `Arguments` inside `*msg` live at least as long as `'m`, and all of
        // them are covariant.
        unsafe {
            if same_type::<T, fmt::Arguments<'static>>() {
                return Message::Args(*cast::<T, fmt::Arguments<'m>>(msg));
            }
            if same_type::<T, &fmt::Arguments<'static>>() {
                return Message::Args(**cast::<T, &'m fmt::Arguments<'m>>(msg));
            }
            if same_type::<T, &str>() {
                return Message::Text(cast::<T, &'m str>(msg));
            }
            if same_type::<T, &&str>() {
                return Message::Text(cast::<T, &'m &'m str>(msg));
            }
            if same_type::<T, String>() {
                return Message::Text(cast::<T, String>(msg));
            }
            if same_type::<T, &String>() {
                return Message::Text(cast::<T, &'m String>(msg));
            }
        }
        Message::Other(msg)
    }

    /// Appends the message's text to `buffer`.
    #[inline]
    pub(crate) fn write_to(self, buffer: &mut String) {
        match self {
            Message::Text(text) => buffer.push_str(text),
            Message::Args(args) => match args.as_str() {
                Some(text) => buffer.push_str(text),
                None => {
                    let _ = buffer.write_fmt(args);
                }
            },
            Message::Other(msg) => {
                let _ = write!(buffer, "{msg}");
            }
        }
    }
}

/// `msg` as a `&U`.
///
/// # Safety
///
/// `T` must be `U` up to lifetimes, and the lifetimes in `U` no longer than those in `T`.
#[inline]
unsafe fn cast<T, U>(msg: &T) -> &U {
    // SAFETY: the caller's contract: `*msg` is a valid `U`.
    unsafe { &*(msg as *const T).cast::<U>() }
}

/// Whether `T` and `U` are the same type once lifetimes are erased (`TypeId` for types that need
/// not be `'static`).
#[inline]
fn same_type<T: ?Sized, U: ?Sized>() -> bool {
    type_id::<T>() == type_id::<U>()
}

/// The `TypeId` of `T` with its lifetimes erased.
#[inline]
fn type_id<T: ?Sized>() -> TypeId {
    trait NonStaticAny {
        fn type_id(&self) -> TypeId
        where
            Self: 'static;
    }
    impl<T: ?Sized> NonStaticAny for PhantomData<T> {
        #[inline]
        fn type_id(&self) -> TypeId
        where
            Self: 'static,
        {
            TypeId::of::<T>()
        }
    }
    let marker = PhantomData::<T>;
    let erased: &dyn NonStaticAny = &marker;
    // SAFETY: only the lifetime bound of the trait object changes. `type_id` reads nothing from
    // `self` (a zero-sized marker) and only names `T` to the compiler, whose `TypeId` is the same
    // whatever its lifetimes are (they are erased before type ids are computed); nothing
    // outlives this call.
    let erased: &(dyn NonStaticAny + 'static) = unsafe { std::mem::transmute(erased) };
    erased.type_id()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written<T: fmt::Display>(msg: T) -> (String, &'static str) {
        let message = Message::of(&msg);
        let kind = match message {
            Message::Text(_) => "text",
            Message::Args(_) => "args",
            Message::Other(_) => "other",
        };
        let mut buffer = String::from("> ");
        message.write_to(&mut buffer);
        (buffer, kind)
    }

    // The borrows are the types under test (`&Arguments`, `&&str`).
    #[allow(clippy::needless_borrows_for_generic_args)]
    #[test]
    fn common_message_types_are_written_directly() {
        let id = 7;
        assert_eq!(
            written(format_args!("saved {id}")),
            ("> saved 7".into(), "args")
        );
        assert_eq!(
            written(&format_args!("saved {}", 8)),
            ("> saved 8".into(), "args")
        );
        assert_eq!(
            written(format_args!("literal")),
            ("> literal".into(), "args")
        );
        assert_eq!(written("plain"), ("> plain".into(), "text"));
        assert_eq!(written(&"plain"), ("> plain".into(), "text"));
        let owned = String::from("owned");
        assert_eq!(written(&owned), ("> owned".into(), "text"));
        assert_eq!(written(owned), ("> owned".into(), "text"));
    }

    #[test]
    fn other_types_go_through_display() {
        assert_eq!(written(42), ("> 42".into(), "other"));
        assert_eq!(written('x'), ("> x".into(), "other"));
        let text: &dyn fmt::Display = &"behind dyn";
        assert_eq!(written(text), ("> behind dyn".into(), "other"));
    }
}
