//! A record dict that arrived from CPython's `SocketHandler`, as a [`LogRecord`]: what
//! `logging.makeLogRecord(d)` makes of it on a Python receiver.

use std::sync::Arc;

use crate::level::Level;
use crate::pickle::PickleValue;
use crate::record::{LogRecord, Value};

/// An extra attribute's value, owned.
#[derive(Debug, Clone, PartialEq)]
enum Extra {
    Str(String),
    Int(i64),
    BigInt(i128),
    Float(f64),
    Bool(bool),
    None,
}

impl Extra {
    fn from_pickle(value: PickleValue) -> Extra {
        match value {
            PickleValue::Str(s) => Extra::Str(s),
            PickleValue::Int(n) => i64::try_from(n).map_or(Extra::BigInt(n), Extra::Int),
            PickleValue::Float(v) => Extra::Float(v),
            PickleValue::Bool(b) => Extra::Bool(b),
            PickleValue::None => Extra::None,
            // `%(x)s` prints str(x): a list, a dict or a huge int keeps that text.
            other => Extra::Str(other.py_str()),
        }
    }

    fn as_value(&self) -> Value<'_> {
        match self {
            Extra::Str(s) => Value::Str(s),
            Extra::Int(n) => Value::Int(*n),
            Extra::BigInt(n) => Value::BigInt(*n),
            Extra::Float(v) => Value::Float(*v),
            Extra::Bool(b) => Value::Bool(*b),
            Extra::None => Value::None,
        }
    }
}

/// One received record, owning its data.
///
/// How CPython's attributes land:
/// - `name`, `msg`, `levelno`, `pathname`, `lineno`, `funcName`, `created`, `relativeCreated`,
///   `thread`, `threadName`, `process`, `processName`, `exc_text` and `stack_info` are the
///   record's own; `args`, `exc_info` and `message` are ignored (`makePickle` sends `msg`
///   already merged and `args`/`exc_info` as `None`).
/// - `levelname`, `filename`, `module` and `msecs` are derived here from `levelno`, `pathname`
///   and `created` as CPython 3.11 derives them. The level's name is therefore this process's:
///   a name the sender registered with `addLevelName` needs
///   [`add_level_name`](crate::add_level_name) here too, and level 5, which CPython calls
///   `Level 5`, prints as pylog's `TRACE`.
/// - `module_path` and `spans` (sent by pylog's own handlers) are the record's own.
/// - Every other key is an extra; a value that is not a string, number, bool or `None` is kept
///   as its `str()` (what `%(key)s` prints).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ReceivedRecord {
    name: String,
    msg: String,
    level: Level,
    pathname: String,
    lineno: u32,
    func_name: Option<String>,
    module_path: Option<String>,
    created: f64,
    relative_created: f64,
    thread: u64,
    thread_name: Arc<str>,
    process: u32,
    process_name: String,
    exc_text: Option<String>,
    stack_info: Option<String>,
    spans: String,
    extras: Vec<(String, Extra)>,
}

/// Why a dict is not a record.
pub(crate) type NotARecord = String;

fn text(key: &str, value: PickleValue) -> Result<String, NotARecord> {
    match value {
        PickleValue::Str(s) => Ok(s),
        other => Err(format!(
            "the record's {key:?} is {}, not a str",
            other.py_repr()
        )),
    }
}

/// A `str` or `None` (Python formats `None` as `None`).
fn opt_text(key: &str, value: PickleValue) -> Result<Option<String>, NotARecord> {
    match value {
        PickleValue::None => Ok(None),
        other => text(key, other).map(Some),
    }
}

fn int<T: TryFrom<i128>>(key: &str, value: PickleValue) -> Result<T, NotARecord> {
    match value {
        PickleValue::Int(n) => {
            T::try_from(n).map_err(|_| format!("the record's {key:?} ({n}) is out of range"))
        }
        PickleValue::Bool(b) => {
            T::try_from(i128::from(b)).map_err(|_| format!("the record's {key:?} is out of range"))
        }
        // CPython sends None for `thread`/`process` when logThreads/logProcesses is off.
        PickleValue::None => T::try_from(0).map_err(|_| format!("the record's {key:?} is None")),
        other => Err(format!(
            "the record's {key:?} is {}, not an int",
            other.py_repr()
        )),
    }
}

fn float(key: &str, value: PickleValue) -> Result<f64, NotARecord> {
    match value {
        PickleValue::Float(v) => Ok(v),
        PickleValue::Int(n) => Ok(n as f64),
        other => Err(format!(
            "the record's {key:?} is {}, not a float",
            other.py_repr()
        )),
    }
}

impl ReceivedRecord {
    /// The record a dict describes. `name`, `msg` and `levelno` must be there; the other
    /// attributes take `makeLogRecord`'s defaults when missing.
    pub(crate) fn from_dict(dict: PickleValue) -> Result<ReceivedRecord, NotARecord> {
        let PickleValue::Dict(items) = dict else {
            return Err(format!("the payload is {}, not a dict", kind(&dict)));
        };
        let mut record = ReceivedRecord {
            name: String::new(),
            msg: String::new(),
            level: Level::NOTSET,
            pathname: String::new(),
            lineno: 0,
            func_name: None,
            module_path: None,
            created: crate::record::now(),
            relative_created: 0.0,
            thread: 0,
            thread_name: Arc::from("None"),
            process: 0,
            process_name: "None".to_owned(),
            exc_text: None,
            stack_info: None,
            spans: String::new(),
            extras: Vec::new(),
        };
        let mut seen = [false; 3];
        for (key, value) in items {
            let PickleValue::Str(key) = key else {
                return Err(format!(
                    "the record has a key that is not a str: {}",
                    key.py_repr()
                ));
            };
            match key.as_str() {
                "name" => {
                    record.name = text("name", value)?;
                    seen[0] = true;
                }
                "msg" => {
                    // getMessage() is str(msg) when args is None.
                    record.msg = value.py_str();
                    seen[1] = true;
                }
                "levelno" => {
                    record.level = Level::new(int("levelno", value)?);
                    seen[2] = true;
                }
                "pathname" => record.pathname = text("pathname", value)?,
                "lineno" => record.lineno = int("lineno", value)?,
                "funcName" => record.func_name = opt_text("funcName", value)?,
                "created" => record.created = float("created", value)?,
                "relativeCreated" => record.relative_created = float("relativeCreated", value)?,
                "thread" => record.thread = int("thread", value)?,
                "threadName" => {
                    let name = opt_text("threadName", value)?;
                    record.thread_name = Arc::from(name.as_deref().unwrap_or("None"));
                }
                "process" => record.process = int("process", value)?,
                "processName" => {
                    record.process_name =
                        opt_text("processName", value)?.unwrap_or_else(|| "None".to_owned());
                }
                "exc_text" => record.exc_text = opt_text("exc_text", value)?,
                "stack_info" => record.stack_info = opt_text("stack_info", value)?,
                "module_path" => record.module_path = opt_text("module_path", value)?,
                "spans" => record.spans = opt_text("spans", value)?.unwrap_or_default(),
                // Derived here, or not part of a sent record.
                "args" | "exc_info" | "message" | "levelname" | "filename" | "module" | "msecs" => {
                }
                _ => record.extras.push((key, Extra::from_pickle(value))),
            }
        }
        for (present, key) in seen.iter().zip(["name", "msg", "levelno"]) {
            if !present {
                return Err(format!("the record has no {key:?}"));
            }
        }
        Ok(record)
    }

    /// The logger name the record was logged under.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// Calls `f` with the record as a [`LogRecord`].
    pub(crate) fn with_record<R>(&self, f: impl FnOnce(&LogRecord<'_>) -> R) -> R {
        let extras: Vec<(&str, Value<'_>)> = self
            .extras
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_value()))
            .collect();
        let mut record = LogRecord::new(&self.name, self.level, &self.msg);
        record.pathname = &self.pathname;
        record.lineno = self.lineno;
        record.func_name = self.func_name.as_deref();
        record.module_path = self.module_path.as_deref();
        record.created = self.created;
        record.set_relative_created(self.relative_created);
        record.thread_borrowed = Some((self.thread, &self.thread_name));
        record.set_process(self.process, &self.process_name);
        record.stack_info = self.stack_info.as_deref();
        record.spans = &self.spans;
        record.extras = &extras;
        if let Some(text) = &self.exc_text {
            record.set_exc_text(text.clone());
        }
        f(&record)
    }
}

fn kind(value: &PickleValue) -> &'static str {
    match value {
        PickleValue::None => "None",
        PickleValue::Bool(_) => "a bool",
        PickleValue::Int(_) | PickleValue::BigInt(_) => "an int",
        PickleValue::Float(_) => "a float",
        PickleValue::Str(_) => "a str",
        PickleValue::Bytes(_) => "bytes",
        PickleValue::List(_) => "a list",
        PickleValue::Tuple(_) => "a tuple",
        PickleValue::Dict(_) => "a dict",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> PickleValue {
        PickleValue::Str(text.to_owned())
    }

    #[test]
    fn cpythons_keys_become_the_records_attributes_and_the_rest_extras() {
        let dict = PickleValue::Dict(vec![
            (s("name"), s("app.db")),
            (s("msg"), s("saved 3 rows")),
            (s("args"), PickleValue::None),
            (s("levelname"), s("WARNING")),
            (s("levelno"), PickleValue::Int(30)),
            (s("pathname"), s("/srv/app/db.py")),
            (s("lineno"), PickleValue::Int(42)),
            (s("funcName"), s("save")),
            (s("created"), PickleValue::Float(1_700_000_000.25)),
            (s("relativeCreated"), PickleValue::Float(12.5)),
            (s("thread"), PickleValue::Int(139_674_955_561_856)),
            (s("threadName"), s("MainThread")),
            (s("process"), PickleValue::Int(4242)),
            (s("processName"), s("MainProcess")),
            (s("exc_text"), s("Traceback ...")),
            (s("user"), s("zoë")),
            (
                s("ids"),
                PickleValue::List(vec![PickleValue::Int(1), s("a")]),
            ),
        ]);
        let record = ReceivedRecord::from_dict(dict).unwrap();
        record.with_record(|r| {
            assert_eq!(
                (r.name, r.msg, r.level),
                ("app.db", "saved 3 rows", Level::WARNING)
            );
            assert_eq!((r.filename(), r.module(), r.lineno), ("db.py", "db", 42));
            assert_eq!((r.msecs(), r.relative_created()), (250.0, 12.5));
            assert_eq!(
                (r.thread(), r.thread_name(), r.process()),
                (139_674_955_561_856, "MainThread", 4242)
            );
            assert_eq!(r.exc_text(), Some("Traceback ..."));
            assert_eq!(r.func_name, Some("save"));
            assert_eq!(r.extra("user"), Some(Value::Str("zoë")));
            assert_eq!(r.extra("ids"), Some(Value::Str("[1, 'a']")));
            assert_eq!(r.extra("levelname"), None);
        });
    }

    #[test]
    fn a_dict_without_the_essentials_or_with_wrong_types_is_named() {
        let missing = PickleValue::Dict(vec![(s("name"), s("a")), (s("msg"), s("m"))]);
        assert_eq!(
            ReceivedRecord::from_dict(missing).unwrap_err(),
            "the record has no \"levelno\""
        );
        let wrong = PickleValue::Dict(vec![(s("name"), PickleValue::Int(1))]);
        assert_eq!(
            ReceivedRecord::from_dict(wrong).unwrap_err(),
            "the record's \"name\" is 1, not a str"
        );
        assert_eq!(
            ReceivedRecord::from_dict(PickleValue::List(vec![])).unwrap_err(),
            "the payload is a list, not a dict"
        );
    }
}
