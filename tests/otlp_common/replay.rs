//! The cases of `tests/golden/otlp/expected.json`, logged through a handler as the golden script
//! logs them through opentelemetry-python's `LoggingHandler`: one record each, made with the
//! case's logger name, level, message, extras, source location, error and formatter. Shared by
//! the comparison test and the `otlp_replay` example the script runs.

use std::fmt;

use pylog::{Formatter, Handler, Level, LogRecord, Value};

/// An error with a cause, as the script's `ValueError(...) from ConnectionResetError(...)`.
#[derive(Debug)]
pub struct GoldenError {
    message: String,
    cause: Cause,
}

#[derive(Debug)]
struct Cause(String);

impl fmt::Display for GoldenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Cause {}

impl std::error::Error for GoldenError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.cause)
    }
}

/// Logs every case of the golden file through `handler`, in order; a case's `formatter` is set
/// on the handler for that record.
#[allow(dead_code)]
pub fn replay(golden: &serde_json::Value, handler: &Handler) {
    replay_with(golden, handler, |format| {
        Formatter::new(format).expect("a valid format")
    });
}

/// As [`replay`], with the formatter for a case's `formatter` made by `make`; cases without
/// one get `make`'s output for no format restored to the handler's first formatter.
pub fn replay_with(
    golden: &serde_json::Value,
    handler: &Handler,
    make: impl Fn(&str) -> Formatter,
) {
    let original = handler.formatter();
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
    let pathname = text(&golden["pathname"]);
    let func = text(&golden["func"]);
    let lineno = golden["lineno"].as_u64().unwrap_or(0) as u32;
    for case in golden["cases"].as_array().into_iter().flatten() {
        let name = text(&case["name"]);
        let msg = text(&case["msg"]);
        let level = Level::new(case["levelno"].as_i64().unwrap_or(0) as i32);
        let pairs: Vec<(String, serde_json::Value)> = case["extra"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|pair| (text(&pair[0]), pair[1].clone()))
            .collect();
        let extras: Vec<(&str, Value<'_>)> = pairs
            .iter()
            .map(|(key, value)| {
                let value = match value {
                    serde_json::Value::Bool(b) => Value::Bool(*b),
                    serde_json::Value::Number(n) if n.is_i64() => {
                        Value::Int(n.as_i64().unwrap_or(0))
                    }
                    serde_json::Value::Number(n) => Value::Float(n.as_f64().unwrap_or(0.0)),
                    serde_json::Value::String(s) => Value::Str(s),
                    _ => Value::None,
                };
                (key.as_str(), value)
            })
            .collect();
        let error = case.get("exc").map(|exc| GoldenError {
            message: text(&exc["message"]),
            cause: Cause(text(&exc["cause"])),
        });
        let mut record = LogRecord::new(&name, level, &msg);
        record.pathname = &pathname;
        record.lineno = lineno;
        record.func_name = Some(&func);
        record.extras = &extras;
        if let Some(error) = &error {
            record.exc_info = Some(error);
            record.exc_type = Some(std::any::type_name::<GoldenError>());
        }
        let formatter = case.get("formatter").map(|f| make(&text(f)));
        handler.set_formatter(formatter.or_else(|| original.clone()));
        handler.handle(&record);
    }
    handler.set_formatter(original);
}
