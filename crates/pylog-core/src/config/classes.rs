//! Python's handler classes, by the dotted names configuration files use, with their constructor
//! parameters in Python's order (fileConfig passes `args` positionally) and their keyword names.

use super::args::Args;
use super::refs::ExtObject;
use super::{ConfigError, ConfigValue};
use crate::handler::{
    FileHandler, FileMode, Handler, MemoryHandler, NullHandler, RotatingFileHandler,
    RotatingFileHandlerBuilder, StreamHandler, StreamTarget, TimedRotatingFileHandler,
    WatchedFileHandler, When,
};
use crate::level::Level;

/// The parameters of CPython's `RotatingFileHandler`, in its order, then `$extra`.
macro_rules! rotating_params {
    ($($extra:literal),* $(,)?) => {
        &[
            "filename",
            "mode",
            "maxBytes",
            "backupCount",
            "encoding",
            "delay",
            "errors",
            $($extra,)*
        ]
    };
}

/// Builds a handler from its keyword arguments.
pub(crate) type BuildHandler = fn(&mut Args<'_>) -> Result<Handler, ConfigError>;

/// One of Python's handler classes.
pub(crate) struct HandlerClass {
    /// Python's class name, as its `TypeError`s print it (`RotatingFileHandler`).
    pub(crate) name: &'static str,
    /// The constructor's parameters in Python's order.
    pub(crate) params: &'static [&'static str],
    /// `MemoryHandler`: its `target` names another handler.
    pub(crate) has_target: bool,
    pub(crate) build: BuildHandler,
}

/// The classes of `logging` and `logging.handlers`, by the module each lives in.
const CLASSES: &[(&str, HandlerClass)] = &[
    (
        "logging",
        HandlerClass {
            name: "StreamHandler",
            params: &["stream"],
            has_target: false,
            build: stream,
        },
    ),
    (
        "logging",
        HandlerClass {
            name: "FileHandler",
            params: &["filename", "mode", "encoding", "delay", "errors"],
            has_target: false,
            build: file,
        },
    ),
    (
        "logging",
        HandlerClass {
            name: "NullHandler",
            params: &[],
            has_target: false,
            build: null,
        },
    ),
    (
        "logging.handlers",
        HandlerClass {
            name: "RotatingFileHandler",
            params: rotating_params!(),
            has_target: false,
            build: rotating,
        },
    ),
    (
        "pylog",
        HandlerClass {
            name: "RotatingFileHandler",
            params: PYLOG_ROTATING_PARAMS,
            has_target: false,
            build: pylog_rotating,
        },
    ),
    (
        "logging.handlers",
        HandlerClass {
            name: "TimedRotatingFileHandler",
            params: &[
                "filename",
                "when",
                "interval",
                "backupCount",
                "encoding",
                "delay",
                "utc",
                "atTime",
                "errors",
            ],
            has_target: false,
            build: timed,
        },
    ),
    (
        "logging.handlers",
        HandlerClass {
            name: "WatchedFileHandler",
            params: &["filename", "mode", "encoding", "delay", "errors"],
            has_target: false,
            build: watched,
        },
    ),
    (
        "logging.handlers",
        HandlerClass {
            name: "MemoryHandler",
            params: &["capacity", "flushLevel", "target", "flushOnClose"],
            has_target: true,
            build: memory,
        },
    ),
    (
        "concurrent_log_handler",
        HandlerClass {
            name: "ConcurrentRotatingFileHandler",
            params: &[
                "filename",
                "mode",
                "maxBytes",
                "backupCount",
                "encoding",
                "debug",
                "delay",
                "use_gzip",
                "owner",
                "chmod",
                "umask",
                "newline",
                "terminator",
                "unicode_error_policy",
                "lock_file_directory",
                "keep_file_open",
            ],
            has_target: false,
            build: concurrent_rotating,
        },
    ),
    #[cfg(feature = "smtp")]
    (
        "logging.handlers",
        HandlerClass {
            name: "SMTPHandler",
            params: &[
                "mailhost",
                "fromaddr",
                "toaddrs",
                "subject",
                "credentials",
                "secure",
                "timeout",
            ],
            has_target: false,
            build: network::smtp,
        },
    ),
    #[cfg(feature = "http")]
    (
        "logging.handlers",
        HandlerClass {
            name: "HTTPHandler",
            params: &["host", "url", "method", "secure", "credentials", "context"],
            has_target: false,
            build: network::http,
        },
    ),
    #[cfg(feature = "syslog")]
    (
        "logging.handlers",
        HandlerClass {
            name: "SysLogHandler",
            params: &["address", "facility", "socktype"],
            has_target: false,
            build: network::syslog,
        },
    ),
    #[cfg(feature = "socket")]
    (
        "logging.handlers",
        HandlerClass {
            name: "SocketHandler",
            params: &["host", "port"],
            has_target: false,
            build: network::socket,
        },
    ),
    #[cfg(feature = "socket")]
    (
        "logging.handlers",
        HandlerClass {
            name: "DatagramHandler",
            params: &["host", "port"],
            has_target: false,
            build: network::datagram,
        },
    ),
    #[cfg(all(feature = "journald", target_os = "linux"))]
    (
        "systemd.journal",
        HandlerClass {
            name: "JournalHandler",
            params: &[],
            has_target: false,
            build: journal,
        },
    ),
    #[cfg(all(feature = "journald", target_os = "linux"))]
    (
        "pylog",
        HandlerClass {
            name: "JournalHandler",
            params: &[],
            has_target: false,
            build: journal,
        },
    ),
    #[cfg(feature = "otlp")]
    (
        "pylog",
        HandlerClass {
            name: "OtlpHandler",
            params: &[
                "endpoint",
                "protocol",
                "headers",
                "compression",
                "timeout",
                "certificate",
                "service_name",
                "resource_attributes",
                "capacity",
                "batch_size",
                "batch_timeout",
            ],
            has_target: false,
            build: network::otlp,
        },
    ),
    #[cfg(feature = "otlp")]
    (
        "opentelemetry.sdk._logs",
        HandlerClass {
            name: "LoggingHandler",
            params: &["level", "logger_provider"],
            has_target: false,
            build: network::otel_logging_handler,
        },
    ),
];

/// The class a dictConfig `class` names: a full dotted path (`logging.StreamHandler`,
/// `logging.handlers.RotatingFileHandler`).
pub(crate) fn by_dotted_name(dotted: &str) -> Option<&'static HandlerClass> {
    let (module, name) = dotted.rsplit_once('.')?;
    CLASSES
        .iter()
        .find(|(m, class)| *m == module && class.name == name)
        .map(|(_, class)| class)
}

/// The class a fileConfig `class` names. CPython evaluates it in the `logging` module's
/// namespace, so `StreamHandler` and `handlers.RotatingFileHandler` work as well as full paths.
pub(crate) fn by_ini_name(name: &str) -> Option<&'static HandlerClass> {
    if let Some(class) = by_dotted_name(name) {
        return Some(class);
    }
    if let Some(rest) = name.strip_prefix("handlers.") {
        return by_dotted_name(&format!("logging.handlers.{rest}"));
    }
    by_dotted_name(&format!("logging.{name}"))
}

/// The names of the classes that need a network feature this build lacks, so that the error can
/// say which feature to enable.
pub(crate) fn feature_for(class_name: &str) -> Option<&'static str> {
    let name = class_name.rsplit('.').next().unwrap_or(class_name);
    let feature = match name {
        "SMTPHandler" => "smtp",
        "HTTPHandler" => "http",
        "SysLogHandler" => "syslog",
        "SocketHandler" | "DatagramHandler" => "socket",
        "JournalHandler" => "journald",
        "OtlpHandler" | "LoggingHandler" => "otlp",
        _ => return None,
    };
    let compiled = CLASSES.iter().any(|(_, c)| c.name == name);
    (!compiled).then_some(feature)
}

/// python-systemd's `JournalHandler(**kwargs)`: every key is a field sent with each record
/// (`SYSLOG_IDENTIFIER: billing`), and must be a valid journal field name, as python-systemd
/// checks (`ValueError: Invalid field name: ..`). A value that is not a string is sent as
/// Python's `str()` of it.
#[cfg(all(feature = "journald", target_os = "linux"))]
fn journal(args: &mut Args<'_>) -> Result<Handler, ConfigError> {
    use crate::handler::JournalHandler;
    use crate::handler::journald::is_valid_field_name;
    let mut builder = JournalHandler::builder();
    let keys: Vec<String> = args.remaining().into_iter().map(str::to_owned).collect();
    for key in keys {
        if key == "sender_function" {
            return Err(ConfigError::new(
                "JournalHandler: 'sender_function' names a Python function; it has no counterpart here",
            )
            .at(args.key_path(&key)));
        }
        if !is_valid_field_name(&key) {
            return Err(
                ConfigError::new(format!("Invalid field name: {key}")).at(args.key_path(&key))
            );
        }
        let value = match args.value(&key)? {
            None => "None".to_owned(),
            Some(ConfigValue::Str(s)) => s,
            Some(ConfigValue::Int(i)) => i.to_string(),
            Some(ConfigValue::Bool(b)) => if b { "True" } else { "False" }.to_owned(),
            Some(ConfigValue::Float(x)) => {
                let mut text = String::new();
                crate::format::pyvalue::write_str_form(
                    &mut text,
                    crate::format::pyvalue::PyVal::Float(x),
                );
                text
            }
            Some(other) => return Err(args.invalid(&key, "a string or a number", &other)),
        };
        builder = builder.field(key, value);
    }
    builder
        .build()
        .map_err(|e| ConfigError::new(e.to_string()).at(args.path().to_owned()))
}

/// Python's `encoding` and `errors` file arguments: UTF-8 is the only encoding; `errors` has no
/// effect on text that is already valid UTF-8, so its known values are accepted.
fn text_options(args: &mut Args<'_>) -> Result<Option<String>, ConfigError> {
    let encoding = args.string("encoding")?;
    if let Some(errors) = args.string("errors")? {
        const KNOWN: [&str; 7] = [
            "strict",
            "ignore",
            "replace",
            "backslashreplace",
            "surrogateescape",
            "xmlcharrefreplace",
            "namereplace",
        ];
        if !KNOWN.contains(&errors.as_str()) {
            return Err(args.invalid(
                "errors",
                "an error handler name such as 'strict'",
                &ConfigValue::Str(errors),
            ));
        }
    }
    if let Some(e) = &encoding {
        crate::handler::file::check_encoding(e)
            .map_err(|err| ConfigError::new(err.to_string()).at(args.key_path("encoding")))?;
    }
    Ok(encoding)
}

fn required_filename(args: &mut Args<'_>, class: &str) -> Result<String, ConfigError> {
    args.string("filename")?.ok_or_else(|| {
        ConfigError::new(format!(
            "{class}.__init__() missing 1 required positional argument: 'filename'"
        ))
        .at(args.path().to_owned())
    })
}

fn mode(args: &mut Args<'_>) -> Result<FileMode, ConfigError> {
    match args.string("mode")? {
        None => Ok(FileMode::Append),
        Some(mode) => FileMode::parse(&mode)
            .map_err(|e| ConfigError::new(e.to_string()).at(args.key_path("mode"))),
    }
}

fn open_error(args: &Args<'_>, error: crate::Error) -> ConfigError {
    ConfigError::from(error).at(args.key_path("filename"))
}

/// The stream a `stream` argument names (stderr when absent, as in Python).
pub(crate) fn stream_target(args: &mut Args<'_>) -> Result<StreamTarget, ConfigError> {
    Ok(match args.stream("stream")? {
        None | Some(ExtObject::Stderr) => StreamTarget::Stderr,
        Some(ExtObject::Stdout) => StreamTarget::Stdout,
        Some(ExtObject::Writer(make)) => StreamTarget::Writer(make()),
        Some(ExtObject::Value(v)) => return Err(args.invalid("stream", "a stream", &v)),
    })
}

fn stream(args: &mut Args<'_>) -> Result<Handler, ConfigError> {
    Ok(Handler::new(StreamHandler::for_target(stream_target(
        args,
    )?)))
}

/// `encoding` and `delay`, which every file handler's builder takes.
macro_rules! file_options {
    ($builder:ident, $args:ident) => {
        if let Some(encoding) = text_options($args)? {
            $builder = $builder.encoding(encoding);
        }
        if let Some(delay) = $args.bool("delay")? {
            $builder = $builder.delay(delay);
        }
    };
}

/// The time trigger's keys, shared by `TimedRotatingFileHandler` and `pylog.RotatingFileHandler`.
struct TimeTrigger {
    when: Option<When>,
    interval: Option<u32>,
    utc: Option<bool>,
    at_time: Option<(u32, u32, u32)>,
}

/// Reads `when`, `interval` (1 or more), `utc` and `atTime`.
fn time_trigger(args: &mut Args<'_>) -> Result<TimeTrigger, ConfigError> {
    let when = match args.string("when")? {
        Some(when) => Some(
            when.parse::<When>()
                .map_err(|e| ConfigError::new(e.to_string()).at(args.key_path("when")))?,
        ),
        None => None,
    };
    let interval = match args.count::<u32>("interval")? {
        // CPython accepts it, and its first rollover loops for ever holding the lock.
        Some(0) => {
            return Err(args.invalid(
                "interval",
                "an integer of 1 or more (0 would roll over without end)",
                &ConfigValue::Int(0),
            ));
        }
        interval => interval,
    };
    let utc = args.bool("utc")?;
    let at_time = match args.string("atTime")? {
        Some(at) => Some(parse_time_of_day(&at).ok_or_else(|| {
            args.invalid(
                "atTime",
                "a time of day 'HH:MM' or 'HH:MM:SS'",
                &ConfigValue::Str(at),
            )
        })?),
        None => None,
    };
    Ok(TimeTrigger {
        when,
        interval,
        utc,
        at_time,
    })
}

/// Sets the [`time_trigger`] keys on a builder with `when`, `interval`, `utc` and `at_time`.
macro_rules! time_trigger_options {
    ($builder:ident, $args:ident) => {
        let trigger = time_trigger($args)?;
        if let Some(when) = trigger.when {
            $builder = $builder.when(when);
        }
        if let Some(interval) = trigger.interval {
            $builder = $builder.interval(interval);
        }
        if let Some(utc) = trigger.utc {
            $builder = $builder.utc(utc);
        }
        if let Some((h, m, s)) = trigger.at_time {
            $builder = $builder.at_time(h, m, s);
        }
    };
}

fn file(args: &mut Args<'_>) -> Result<Handler, ConfigError> {
    let filename = required_filename(args, "FileHandler")?;
    let mut builder = FileHandler::builder(&filename).mode(mode(args)?);
    file_options!(builder, args);
    builder.build().map_err(|e| open_error(args, e))
}

fn rotating(args: &mut Args<'_>) -> Result<Handler, ConfigError> {
    rotating_builder(args)?
        .build()
        .map_err(|e| open_error(args, e))
}

/// A [`RotatingFileHandler`]'s builder with the parameters of CPython's `RotatingFileHandler` set.
fn rotating_builder(args: &mut Args<'_>) -> Result<RotatingFileHandlerBuilder, ConfigError> {
    let filename = required_filename(args, "RotatingFileHandler")?;
    let mut builder = RotatingFileHandler::builder(&filename).mode(mode(args)?);
    if let Some(max_bytes) = args.count::<u64>("maxBytes")? {
        builder = builder.max_bytes(max_bytes);
    }
    if let Some(count) = args.count::<u32>("backupCount")? {
        builder = builder.backup_count(count);
    }
    file_options!(builder, args);
    Ok(builder)
}

/// `pylog.RotatingFileHandler`: CPython's parameters of `RotatingFileHandler`, then what pylog's
/// builder adds, by camelCase keys (Python's own classes keep exactly Python's parameters).
const PYLOG_ROTATING_PARAMS: &[&str] = rotating_params!(
    "when",
    "interval",
    "utc",
    "atTime",
    "maxAge",
    "maxTotalBytes",
    "compression",
    "shared",
    "dated",
    "currentSymlink",
    "currentHardLink",
);

/// `pylog.RotatingFileHandler`: [`RotatingFileHandler`] with every option of its builder.
///
/// ```yaml
/// handlers:
///   file:
///     class: pylog.RotatingFileHandler
///     filename: logs/app.log
///     maxBytes: 104857600
///     when: midnight
///     dated: true                  # logs/app.2026-12-03.log
///     currentSymlink: logs/app.log # always the active file
///     maxAge: 1209600              # seconds
///     compression: gzip            # or zstd
///     shared: true
/// ```
fn pylog_rotating(args: &mut Args<'_>) -> Result<Handler, ConfigError> {
    let mut builder = rotating_builder(args)?;
    time_trigger_options!(builder, args);
    if let Some(age) = args.seconds("maxAge")? {
        builder = builder.max_age(age);
    }
    if let Some(total) = args.count::<u64>("maxTotalBytes")? {
        builder = builder.max_total_bytes(total);
    }
    if let Some(name) = args.string("compression")? {
        builder = builder.compression(rotation_compression(args, name)?);
    }
    if let Some(shared) = args.bool("shared")? {
        builder = builder.shared(shared);
    }
    let dated = args.bool("dated")?.unwrap_or(false);
    builder = builder.dated(dated);
    for key in ["currentSymlink", "currentHardLink"] {
        if let Some(path) = args.string(key)? {
            if !dated {
                return Err(ConfigError::new(format!(
                    "{key} needs 'dated: true': without it the log's name never changes"
                ))
                .at(args.key_path(key)));
            }
            builder = match key {
                "currentSymlink" => builder.current_symlink(path),
                _ => builder.current_hard_link(path),
            };
        }
    }
    if dated && !args.contains("when") {
        return Err(ConfigError::new(
            "'dated: true' needs a time trigger: set 'when' (midnight, H, W0 ...)",
        )
        .at(args.key_path("dated")));
    }
    builder.build().map_err(|e| open_error(args, e))
}

/// A `compression` value: `gzip` or `zstd`, if this build has the feature.
fn rotation_compression(
    args: &Args<'_>,
    name: String,
) -> Result<crate::handler::Compression, ConfigError> {
    match name.as_str() {
        #[cfg(feature = "gzip")]
        "gzip" => Ok(crate::handler::Compression::Gzip),
        #[cfg(feature = "zstd")]
        "zstd" => Ok(crate::handler::Compression::Zstd),
        #[cfg(not(feature = "gzip"))]
        "gzip" => Err(missing_feature(args, &name)),
        #[cfg(not(feature = "zstd"))]
        "zstd" => Err(missing_feature(args, &name)),
        _ => Err(args.invalid("compression", "'gzip' or 'zstd'", &ConfigValue::Str(name))),
    }
}

#[cfg(not(all(feature = "gzip", feature = "zstd")))]
fn missing_feature(args: &Args<'_>, name: &str) -> ConfigError {
    ConfigError::new(format!(
        "compression '{name}' needs pylog's `{name}` feature, which this build does not have"
    ))
    .at(args.key_path("compression"))
}

fn timed(args: &mut Args<'_>) -> Result<Handler, ConfigError> {
    let filename = required_filename(args, "TimedRotatingFileHandler")?;
    let mut builder = TimedRotatingFileHandler::builder(&filename);
    time_trigger_options!(builder, args);
    if let Some(count) = args.count::<u32>("backupCount")? {
        builder = builder.backup_count(count);
    }
    file_options!(builder, args);
    builder.build().map_err(|e| open_error(args, e))
}

/// concurrent-log-handler's `ConcurrentRotatingFileHandler`: the shared (multi-process)
/// rotation, with that package's lock file and rollover rule (see
/// [`RotatingFileHandlerBuilder::concurrent_log_handler_rules`](crate::handler::RotatingFileHandlerBuilder::concurrent_log_handler_rules)).
/// `debug`, `delay` (ignored by the package itself) and `keep_file_open` change nothing here;
/// `owner`, `chmod`, `umask` and `lock_file_directory` are not supported.
fn concurrent_rotating(args: &mut Args<'_>) -> Result<Handler, ConfigError> {
    let filename = required_filename(args, "ConcurrentRotatingFileHandler")?;
    let mut builder = RotatingFileHandler::builder(&filename)
        .mode(mode(args)?)
        .concurrent_log_handler_rules();
    if let Some(max_bytes) = args.count::<u64>("maxBytes")? {
        builder = builder.max_bytes(max_bytes);
    }
    if let Some(count) = args.count::<u32>("backupCount")? {
        builder = builder.backup_count(count);
    }
    if let Some(encoding) = args.string("encoding")? {
        crate::handler::file::check_encoding(&encoding)
            .map_err(|err| ConfigError::new(err.to_string()).at(args.key_path("encoding")))?;
        builder = builder.encoding(encoding);
    }
    let _ = args.bool("debug")?;
    let _ = args.value("delay")?;
    let _ = args.bool("keep_file_open")?;
    if let Some(policy) = args.string("unicode_error_policy")?
        && !["ignore", "replace", "strict"].contains(&policy.as_str())
    {
        return Err(args.invalid(
            "unicode_error_policy",
            "'ignore', 'replace' or 'strict'",
            &ConfigValue::Str(policy),
        ));
    }
    if let Some(gzip) = args.bool("use_gzip")? {
        #[cfg(feature = "gzip")]
        {
            builder = builder.gzip(gzip);
        }
        #[cfg(not(feature = "gzip"))]
        if gzip {
            return Err(ConfigError::new(
                "use_gzip needs pylog's `gzip` feature, which this build does not have",
            )
            .at(args.key_path("use_gzip")));
        }
    }
    for (key, allowed) in [("newline", &["", "\n"][..]), ("terminator", &["\n"][..])] {
        if let Some(text) = args.string(key)?
            && !allowed.contains(&text.as_str())
        {
            return Err(args.invalid(key, "'\\n' line endings", &ConfigValue::Str(text)));
        }
    }
    for key in ["owner", "chmod", "umask", "lock_file_directory"] {
        if let Some(value) = args.value(key)? {
            return Err(args.invalid(key, "null (not supported here)", &value));
        }
    }
    builder.build().map_err(|e| open_error(args, e))
}

/// `HH:MM` or `HH:MM:SS` (Python takes a `datetime.time`, which a file cannot hold).
fn parse_time_of_day(text: &str) -> Option<(u32, u32, u32)> {
    let mut parts = text.trim().split(':').map(|p| p.parse::<u32>().ok());
    let h = parts.next()??;
    let m = parts.next()??;
    let s = parts.next().unwrap_or(Some(0))?;
    (parts.next().is_none() && h < 24 && m < 60 && s < 60).then_some((h, m, s))
}

fn watched(args: &mut Args<'_>) -> Result<Handler, ConfigError> {
    let filename = required_filename(args, "WatchedFileHandler")?;
    let mut builder = WatchedFileHandler::builder(&filename).mode(mode(args)?);
    file_options!(builder, args);
    builder.build().map_err(|e| open_error(args, e))
}

fn null(_: &mut Args<'_>) -> Result<Handler, ConfigError> {
    Ok(NullHandler::new())
}

/// A `MemoryHandler` without its target: the configurator sets it once every handler exists.
fn memory(args: &mut Args<'_>) -> Result<Handler, ConfigError> {
    let capacity = args.count::<usize>("capacity")?.ok_or_else(|| {
        ConfigError::new(
            "MemoryHandler.__init__() missing 1 required positional argument: 'capacity'",
        )
        .at(args.path().to_owned())
    })?;
    let mut builder = MemoryHandler::builder(capacity);
    if let Some(level) = args.level("flushLevel")? {
        builder = builder.flush_level(level);
    } else {
        builder = builder.flush_level(Level::ERROR);
    }
    if let Some(flush) = args.bool("flushOnClose")? {
        builder = builder.flush_on_close(flush);
    }
    Ok(builder.build())
}

#[cfg(any(
    feature = "smtp",
    feature = "http",
    feature = "syslog",
    feature = "socket"
))]
mod network {
    use super::*;

    /// A `(host, port)` pair, or a host alone.
    #[allow(dead_code)]
    fn host_and_port(
        args: &mut Args<'_>,
        key: &str,
    ) -> Result<Option<(String, Option<u16>)>, ConfigError> {
        match args.value(key)? {
            None => Ok(None),
            Some(ConfigValue::Str(host)) => Ok(Some((host, None))),
            Some(ConfigValue::List(items)) => match items.as_slice() {
                [ConfigValue::Str(host), ConfigValue::Int(port)] => {
                    let port = u16::try_from(*port).map_err(|_| {
                        args.invalid(key, "a port from 0 to 65535", &ConfigValue::Int(*port))
                    })?;
                    Ok(Some((host.clone(), Some(port))))
                }
                _ => Err(args.invalid(
                    key,
                    "a host or a [host, port] pair",
                    &ConfigValue::List(items),
                )),
            },
            Some(other) => Err(args.invalid(key, "a host or a [host, port] pair", &other)),
        }
    }

    #[allow(dead_code)]
    fn required<T>(
        args: &Args<'_>,
        class: &str,
        key: &str,
        value: Option<T>,
    ) -> Result<T, ConfigError> {
        value.ok_or_else(|| {
            ConfigError::new(format!(
                "{class}.__init__() missing 1 required positional argument: '{key}'"
            ))
            .at(args.path().to_owned())
        })
    }

    /// A `[user, password]` pair.
    #[allow(dead_code)]
    fn credentials(args: &mut Args<'_>) -> Result<Option<(String, String)>, ConfigError> {
        match args.value("credentials")? {
            None => Ok(None),
            Some(ConfigValue::List(items)) => match items.as_slice() {
                [ConfigValue::Str(user), ConfigValue::Str(password)] => {
                    Ok(Some((user.clone(), password.clone())))
                }
                _ => Err(args.invalid(
                    "credentials",
                    "a [user, password] pair",
                    &ConfigValue::List(items),
                )),
            },
            Some(other) => Err(args.invalid("credentials", "a [user, password] pair", &other)),
        }
    }

    fn built(
        args: &Args<'_>,
        result: Result<Handler, crate::Error>,
    ) -> Result<Handler, ConfigError> {
        result.map_err(|e| ConfigError::new(e.to_string()).at(args.path().to_owned()))
    }

    #[cfg(feature = "smtp")]
    pub(super) fn smtp(args: &mut Args<'_>) -> Result<Handler, ConfigError> {
        use crate::handler::{Security, SmtpHandler};
        let mailhost = host_and_port(args, "mailhost")?;
        let (host, port) = required(args, "SMTPHandler", "mailhost", mailhost)?;
        let fromaddr = args.string("fromaddr")?;
        let fromaddr = required(args, "SMTPHandler", "fromaddr", fromaddr)?;
        let toaddrs = match args.value("toaddrs")? {
            Some(ConfigValue::Str(one)) => Some(vec![one]),
            Some(ConfigValue::List(items)) => Some(
                items
                    .into_iter()
                    .map(|i| match i {
                        ConfigValue::Str(s) => Ok(s),
                        other => Err(args.invalid("toaddrs", "a list of addresses", &other)),
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            Some(other) => return Err(args.invalid("toaddrs", "a list of addresses", &other)),
            None => None,
        };
        let toaddrs = required(args, "SMTPHandler", "toaddrs", toaddrs)?;
        let subject = args.string("subject")?;
        let subject = required(args, "SMTPHandler", "subject", subject)?;
        let mut builder = SmtpHandler::builder(host, fromaddr, toaddrs, subject);
        if let Some(port) = port {
            builder = builder.port(port);
        }
        if let Some((user, password)) = credentials(args)? {
            builder = builder.credentials(user, password);
        }
        // Python: `secure` is None (plain) or a tuple (STARTTLS, with optional key and cert files).
        if args.contains("secure") {
            match args.value("secure")? {
                None => {}
                Some(ConfigValue::List(items)) if items.is_empty() => {
                    builder = builder.security(Security::StartTls);
                }
                Some(other) => {
                    return Err(args.invalid("secure", "null or an empty list (STARTTLS)", &other));
                }
            }
        }
        if let Some(timeout) = args.seconds("timeout")? {
            builder = builder.timeout(timeout);
        }
        built(args, builder.build())
    }

    #[cfg(feature = "http")]
    pub(super) fn http(args: &mut Args<'_>) -> Result<Handler, ConfigError> {
        use crate::handler::{HttpHandler, HttpMethod};
        let host = args.string("host")?;
        let host = required(args, "HTTPHandler", "host", host)?;
        let url = args.string("url")?;
        let url = required(args, "HTTPHandler", "url", url)?;
        let mut builder = HttpHandler::builder(host, url);
        if let Some(method) = args.string("method")? {
            let method = match method.as_str() {
                "GET" => HttpMethod::Get,
                "POST" => HttpMethod::Post,
                _ => {
                    return Err(
                        ConfigError::new("method must be GET or POST").at(args.key_path("method"))
                    );
                }
            };
            builder = builder.method(method);
        }
        if let Some(secure) = args.bool("secure")? {
            builder = builder.secure(secure);
        }
        if let Some((user, password)) = credentials(args)? {
            builder = builder.credentials(user, password);
        }
        if let Some(context) = args.value("context")? {
            return Err(args.invalid(
                "context",
                "null (an SSL context cannot come from a file)",
                &context,
            ));
        }
        built(args, builder.build())
    }

    /// `pylog.OtlpHandler`: the keys are those of the `OTEL_EXPORTER_OTLP_*` variables
    /// (`endpoint`, `protocol`, `headers`, `compression`, `timeout`, `certificate`), of
    /// `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES` (`service_name`, `resource_attributes`),
    /// with the same values, except `timeout`, in seconds as every timeout of a configuration;
    /// `headers` and `resource_attributes` are a mapping or the variable's `k=v,…` text. What
    /// the configuration leaves out comes from the environment.
    #[cfg(feature = "otlp")]
    pub(super) fn otlp(args: &mut Args<'_>) -> Result<Handler, ConfigError> {
        use crate::handler::otlp::{OtlpCompression, OtlpHandler, OtlpProtocol};
        let mut builder = OtlpHandler::builder();
        if let Some(endpoint) = args.string("endpoint")? {
            builder = builder.endpoint(endpoint);
        }
        if let Some(protocol) = args.string("protocol")? {
            let protocol: OtlpProtocol = protocol.parse().map_err(|e: crate::Error| {
                ConfigError::new(e.to_string()).at(args.key_path("protocol"))
            })?;
            builder = builder.protocol(protocol);
        }
        if let Some(compression) = args.string("compression")? {
            let compression: OtlpCompression = compression.parse().map_err(|e: crate::Error| {
                ConfigError::new(e.to_string()).at(args.key_path("compression"))
            })?;
            builder = builder.compression(compression);
        }
        for (key, value) in pairs(args, "headers")? {
            builder = builder.header(key, value);
        }
        if let Some(timeout) = args.seconds("timeout")? {
            builder = builder.timeout(timeout);
        }
        if let Some(path) = args.string("certificate")? {
            let pem = std::fs::read(&path).map_err(|e| {
                ConfigError::new(format!("cannot read {path:?}: {e}"))
                    .at(args.key_path("certificate"))
            })?;
            builder = builder.root_certificates(pem);
        }
        if let Some(name) = args.string("service_name")? {
            builder = builder.service_name(name);
        }
        for (key, value) in pairs(args, "resource_attributes")? {
            builder = builder.resource_attribute(key, value);
        }
        if let Some(capacity) = args.count::<usize>("capacity")? {
            builder = builder.capacity(capacity);
        }
        let size = args.count::<usize>("batch_size")?;
        let wait = args.seconds("batch_timeout")?;
        if size.is_some() || wait.is_some() {
            builder = builder.batch(
                size.unwrap_or(512),
                wait.unwrap_or(std::time::Duration::from_secs(1)),
            );
        }
        built(args, builder.build())
    }

    /// A mapping, or `k=v,…` text as the environment variables hold it.
    #[cfg(feature = "otlp")]
    fn pairs(args: &mut Args<'_>, key: &str) -> Result<Vec<(String, String)>, ConfigError> {
        match args.value(key)? {
            None => Ok(Vec::new()),
            Some(ConfigValue::Str(text)) => crate::handler::otlp::parse_pairs(&text)
                .map_err(|e| ConfigError::new(e.to_string()).at(args.key_path(key))),
            Some(ConfigValue::Map(map)) => map
                .iter()
                .map(|(k, v)| match v {
                    ConfigValue::Str(s) => Ok((k.to_owned(), s.clone())),
                    ConfigValue::Int(i) => Ok((k.to_owned(), i.to_string())),
                    other => Err(args.invalid(key, "a mapping of strings", other)),
                })
                .collect(),
            Some(other) => Err(args.invalid(key, "a mapping or 'key=value,...' text", &other)),
        }
    }

    /// `opentelemetry.sdk._logs.LoggingHandler`: Python's handler with the global logger
    /// provider, which OpenTelemetry's auto-configuration builds from the environment: here an
    /// [`OtlpHandler`](crate::handler::otlp::OtlpHandler) configured from the environment. A
    /// `logger_provider` cannot come from a file.
    #[cfg(feature = "otlp")]
    pub(super) fn otel_logging_handler(args: &mut Args<'_>) -> Result<Handler, ConfigError> {
        use crate::handler::otlp::OtlpHandler;
        let level = args.level("level")?;
        if let Some(provider) = args.value("logger_provider")? {
            return Err(args.invalid(
                "logger_provider",
                "null (a logger provider cannot come from a file; the environment configures it)",
                &provider,
            ));
        }
        let handler = built(args, OtlpHandler::builder().build())?;
        if let Some(level) = level {
            handler.set_level(level);
        }
        Ok(handler)
    }

    #[cfg(feature = "syslog")]
    pub(super) fn syslog(args: &mut Args<'_>) -> Result<Handler, ConfigError> {
        use crate::handler::SysLogHandler;
        use crate::handler::syslog::{Facility, SockType, SyslogAddress};
        let mut builder = SysLogHandler::builder();
        match args.value("address")? {
            None => {}
            Some(ConfigValue::Str(path)) => {
                builder = builder.address(SyslogAddress::Unix(path.into()));
            }
            Some(ConfigValue::List(items)) => match items.as_slice() {
                [ConfigValue::Str(host), ConfigValue::Int(port)] => {
                    let port = u16::try_from(*port).map_err(|_| {
                        args.invalid(
                            "address",
                            "a port from 0 to 65535",
                            &ConfigValue::Int(*port),
                        )
                    })?;
                    builder = builder.address((host.as_str(), port));
                }
                _ => {
                    return Err(args.invalid(
                        "address",
                        "a socket path or a [host, port] pair",
                        &ConfigValue::List(items),
                    ));
                }
            },
            Some(other) => {
                return Err(args.invalid(
                    "address",
                    "a socket path or a [host, port] pair",
                    &other,
                ));
            }
        }
        match args.value("facility")? {
            None => {}
            Some(ConfigValue::Int(code)) => {
                let code = u32::try_from(code).map_err(|_| {
                    args.invalid(
                        "facility",
                        "a facility number or name",
                        &ConfigValue::Int(code),
                    )
                })?;
                builder = builder.facility(Facility::new(code));
            }
            Some(ConfigValue::Str(name)) => {
                let facility: Facility =
                    name.parse()
                        .map_err(|e: crate::handler::syslog::UnknownName| {
                            ConfigError::new(e.to_string()).at(args.key_path("facility"))
                        })?;
                builder = builder.facility(facility);
            }
            Some(other) => {
                return Err(args.invalid("facility", "a facility number or name", &other));
            }
        }
        match args.value("socktype")? {
            None => {}
            Some(ConfigValue::Int(1)) => builder = builder.socktype(Some(SockType::Stream)),
            Some(ConfigValue::Int(2)) => builder = builder.socktype(Some(SockType::Datagram)),
            Some(other) => {
                return Err(args.invalid(
                    "socktype",
                    "ext://socket.SOCK_STREAM or ext://socket.SOCK_DGRAM",
                    &other,
                ));
            }
        }
        built(args, builder.build())
    }

    #[cfg(feature = "socket")]
    fn host_port(args: &mut Args<'_>, class: &str) -> Result<(String, u16), ConfigError> {
        let host = args.string("host")?;
        let host = required(args, class, "host", host)?;
        let port = args.int("port")?;
        let port = required(args, class, "port", port)?;
        let port = u16::try_from(port)
            .map_err(|_| args.invalid("port", "a port from 0 to 65535", &ConfigValue::Int(port)))?;
        Ok((host, port))
    }

    #[cfg(feature = "socket")]
    pub(super) fn socket(args: &mut Args<'_>) -> Result<Handler, ConfigError> {
        let (host, port) = host_port(args, "SocketHandler")?;
        built(
            args,
            crate::handler::SocketHandler::builder(host, port).build(),
        )
    }

    #[cfg(feature = "socket")]
    pub(super) fn datagram(args: &mut Args<'_>) -> Result<Handler, ConfigError> {
        let (host, port) = host_port(args, "DatagramHandler")?;
        built(
            args,
            crate::handler::DatagramHandler::builder(host, port).build(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_resolve_as_dict_config_and_file_config_resolve_them() {
        assert_eq!(
            by_dotted_name("logging.StreamHandler").map(|c| c.name),
            Some("StreamHandler")
        );
        assert!(by_dotted_name("StreamHandler").is_none());
        assert!(by_dotted_name("logging.handlers.StreamHandler").is_none());
        assert_eq!(
            by_ini_name("StreamHandler").map(|c| c.name),
            Some("StreamHandler")
        );
        assert_eq!(
            by_ini_name("handlers.RotatingFileHandler").map(|c| c.name),
            Some("RotatingFileHandler")
        );
        assert_eq!(parse_time_of_day("02:30"), Some((2, 30, 0)));
        assert_eq!(parse_time_of_day("25:00"), None);
    }

    #[test]
    fn a_timed_handler_with_interval_zero_is_refused_naming_its_key() {
        let dir = std::env::temp_dir().join(format!("pylog-interval0-{}", std::process::id()));
        let document = ConfigValue::map([
            ("version", ConfigValue::Int(1)),
            (
                "handlers",
                ConfigValue::map([(
                    "timed",
                    ConfigValue::map([
                        (
                            "class",
                            ConfigValue::from("logging.handlers.TimedRotatingFileHandler"),
                        ),
                        (
                            "filename",
                            ConfigValue::from(dir.join("app.log").display().to_string()),
                        ),
                        ("when", ConfigValue::from("S")),
                        ("interval", ConfigValue::Int(0)),
                    ]),
                )]),
            ),
        ]);
        let tree = crate::Manager::new();
        let error = super::super::Configurator::for_manager(&tree)
            .env_overrides(false)
            .dict_config(&super::super::Config::from_value(document))
            .unwrap_err();
        assert_eq!(error.path(), Some("handlers.timed.interval"));
        assert_eq!(
            error.message(),
            "interval: expected an integer of 1 or more (0 would roll over without end), got 0"
        );
        assert!(!dir.exists(), "nothing was opened");
    }

    #[cfg(feature = "json")]
    fn configure(dir: &std::path::Path, handler: &str) -> Result<crate::Manager, ConfigError> {
        let text = format!(
            r#"{{"version": 1,
                "handlers": {{"file": {handler}}},
                "root": {{"level": "INFO", "handlers": ["file"]}}}}"#
        )
        .replace("DIR", &dir.display().to_string());
        let tree = crate::Manager::new();
        super::super::Configurator::for_manager(&tree)
            .env_overrides(false)
            .dict_config(&super::super::Config::from_json(&text)?)?;
        Ok(tree)
    }

    #[cfg(all(unix, feature = "json"))]
    #[test]
    fn pylog_rotating_handler_takes_dated_names_and_a_stable_name() {
        let dir = tempfile::tempdir().unwrap();
        let tree = configure(
            dir.path(),
            r#"{"class": "pylog.RotatingFileHandler", "filename": "DIR/app.log",
                "maxBytes": 1000, "when": "midnight", "utc": true, "dated": true,
                "currentSymlink": "DIR/app.log", "maxAge": 86400, "backupCount": 3}"#,
        )
        .unwrap();
        tree.get_logger("app").info("hello");
        if let Some(handler) = tree.configured_handler("file") {
            handler.close();
        }
        let target = std::fs::read_link(dir.path().join("app.log")).unwrap();
        let name = target.to_str().unwrap();
        assert!(
            name.len() == "app.2026-12-03.log".len()
                && name.starts_with("app.20")
                && name.ends_with(".log"),
            "{name}"
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join(name)).unwrap(),
            "hello\n"
        );
    }

    #[cfg(feature = "json")]
    #[test]
    fn dated_keys_are_checked_naming_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let error = |handler: &str| configure(dir.path(), handler).err().unwrap();
        let e = error(
            r#"{"class": "pylog.RotatingFileHandler", "filename": "DIR/app.log",
                "currentSymlink": "DIR/current"}"#,
        );
        assert_eq!(e.path(), Some("handlers.file.currentSymlink"));
        assert!(e.message().contains("needs 'dated: true'"), "{e}");
        let e = error(
            r#"{"class": "pylog.RotatingFileHandler", "filename": "DIR/app.log", "dated": true}"#,
        );
        assert_eq!(e.path(), Some("handlers.file.dated"));
        assert!(e.message().contains("needs a time trigger"), "{e}");
        let e = error(
            r#"{"class": "pylog.RotatingFileHandler", "filename": "DIR/app.log",
                "compression": "lz4"}"#,
        );
        assert_eq!(e.path(), Some("handlers.file.compression"));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        // Python's own class keeps exactly Python's parameters.
        let e = error(
            r#"{"class": "logging.handlers.RotatingFileHandler", "filename": "DIR/app.log",
                "dated": true}"#,
        );
        assert!(e.to_string().contains("'dated'"), "{e}");
    }
}
