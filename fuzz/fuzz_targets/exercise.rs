//! What every target does with its input: compile it as a format of one style, with and without
//! validation, and format records whose fields have every value type. Nothing may panic.

use pylog_core::{Formatter, Level, LogRecord, Style, Value};

/// Compiles `data` (when it is UTF-8) as a `style` format and formats two records with it.
pub fn exercise(style: Style, data: &[u8]) {
    let Ok(format) = std::str::from_utf8(data) else {
        return;
    };
    let extras = [
        ("user", Value::Str("alice")),
        ("count", Value::Int(-42)),
        ("big", Value::UInt(u64::MAX)),
        ("wide", Value::BigInt(i128::MIN)),
        ("ratio", Value::Float(-0.0)),
        ("inf", Value::Float(f64::INFINITY)),
        ("flag", Value::Bool(true)),
        ("nothing", Value::None),
    ];
    for validate in [true, false] {
        let built = Formatter::builder(format)
            .style(style)
            .validate(validate)
            .utc(true)
            .default_field("d", 7)
            .datefmt_opt((format.len() % 3 == 0).then(|| "%H:%M:%S".to_owned()))
            .build();
        let Ok(formatter) = built else { continue };
        let mut out = String::new();
        let mut record = LogRecord::new("app.db", Level::new(25), "hé {x} $y %(z)s");
        record.created = 1795536741.7239;
        let _ = formatter.format(&record, &mut out);
        record.extras = &extras;
        record.created = -1.5;
        let _ = formatter.format(&record, &mut out);
    }
}
