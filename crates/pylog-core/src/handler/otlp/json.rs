//! OTLP/JSON: the protobuf messages in the JSON mapping the OTLP specification fixes: keys in
//! lowerCamelCase, `traceId`/`spanId` as lowercase hex (not base64), enums as integers, 64-bit
//! integers as decimal strings (proto3's JSON mapping, which receivers accept), fields at their
//! default value left out.

use std::fmt::Write as _;

use super::proto::{self, any_value::Value as Any};
use crate::format::write_json_str;

/// Writes `request` as one JSON object (no newline).
pub fn write_request(out: &mut String, request: &proto::ExportLogsServiceRequest) {
    out.push_str("{\"resourceLogs\":[");
    for (i, rl) in request.resource_logs.iter().enumerate() {
        comma(out, i);
        out.push('{');
        let mut first = true;
        if let Some(resource) = &rl.resource {
            field(out, &mut first, "resource");
            out.push('{');
            let mut inner = true;
            attributes(out, &mut inner, &resource.attributes);
            uint(
                out,
                &mut inner,
                "droppedAttributesCount",
                resource.dropped_attributes_count,
            );
            out.push('}');
        }
        field(out, &mut first, "scopeLogs");
        out.push('[');
        for (j, sl) in rl.scope_logs.iter().enumerate() {
            comma(out, j);
            scope_logs(out, sl);
        }
        out.push(']');
        string(out, &mut first, "schemaUrl", &rl.schema_url);
        out.push('}');
    }
    out.push_str("]}");
}

fn scope_logs(out: &mut String, sl: &proto::ScopeLogs) {
    out.push('{');
    let mut first = true;
    if let Some(scope) = &sl.scope {
        field(out, &mut first, "scope");
        out.push('{');
        let mut inner = true;
        string(out, &mut inner, "name", &scope.name);
        string(out, &mut inner, "version", &scope.version);
        attributes(out, &mut inner, &scope.attributes);
        uint(
            out,
            &mut inner,
            "droppedAttributesCount",
            scope.dropped_attributes_count,
        );
        out.push('}');
    }
    field(out, &mut first, "logRecords");
    out.push('[');
    for (k, record) in sl.log_records.iter().enumerate() {
        comma(out, k);
        log_record(out, record);
    }
    out.push(']');
    string(out, &mut first, "schemaUrl", &sl.schema_url);
    out.push('}');
}

/// One `LogRecord` object.
pub(crate) fn log_record(out: &mut String, r: &proto::LogRecord) {
    out.push('{');
    let mut first = true;
    fixed64(out, &mut first, "timeUnixNano", r.time_unix_nano);
    fixed64(
        out,
        &mut first,
        "observedTimeUnixNano",
        r.observed_time_unix_nano,
    );
    if r.severity_number != 0 {
        field(out, &mut first, "severityNumber");
        let _ = write!(out, "{}", r.severity_number);
    }
    string(out, &mut first, "severityText", &r.severity_text);
    if let Some(body) = &r.body {
        field(out, &mut first, "body");
        any_value(out, body);
    }
    attributes(out, &mut first, &r.attributes);
    uint(
        out,
        &mut first,
        "droppedAttributesCount",
        r.dropped_attributes_count,
    );
    uint(out, &mut first, "flags", r.flags);
    hex(out, &mut first, "traceId", &r.trace_id);
    hex(out, &mut first, "spanId", &r.span_id);
    string(out, &mut first, "eventName", &r.event_name);
    out.push('}');
}

fn comma(out: &mut String, index: usize) {
    if index > 0 {
        out.push(',');
    }
}

fn field(out: &mut String, first: &mut bool, key: &str) {
    if !*first {
        out.push(',');
    }
    *first = false;
    out.push('"');
    out.push_str(key);
    out.push_str("\":");
}

fn string(out: &mut String, first: &mut bool, key: &str, value: &str) {
    if !value.is_empty() {
        field(out, first, key);
        write_json_str(out, value);
    }
}

fn uint(out: &mut String, first: &mut bool, key: &str, value: u32) {
    if value != 0 {
        field(out, first, key);
        let _ = write!(out, "{value}");
    }
}

fn fixed64(out: &mut String, first: &mut bool, key: &str, value: u64) {
    if value != 0 {
        field(out, first, key);
        let _ = write!(out, "\"{value}\"");
    }
}

fn hex(out: &mut String, first: &mut bool, key: &str, bytes: &[u8]) {
    if !bytes.is_empty() {
        field(out, first, key);
        out.push('"');
        for b in bytes {
            let _ = write!(out, "{b:02x}");
        }
        out.push('"');
    }
}

fn attributes(out: &mut String, first: &mut bool, attributes: &[proto::KeyValue]) {
    if attributes.is_empty() {
        return;
    }
    field(out, first, "attributes");
    key_values(out, attributes);
}

fn key_values(out: &mut String, values: &[proto::KeyValue]) {
    out.push('[');
    for (i, kv) in values.iter().enumerate() {
        comma(out, i);
        out.push_str("{\"key\":");
        write_json_str(out, &kv.key);
        if let Some(value) = &kv.value {
            out.push_str(",\"value\":");
            any_value(out, value);
        }
        out.push('}');
    }
    out.push(']');
}

fn any_value(out: &mut String, value: &proto::AnyValue) {
    match &value.value {
        None => out.push_str("{}"),
        Some(Any::StringValue(s)) => {
            out.push_str("{\"stringValue\":");
            write_json_str(out, s);
            out.push('}');
        }
        Some(Any::BoolValue(b)) => {
            let _ = write!(out, "{{\"boolValue\":{b}}}");
        }
        Some(Any::IntValue(i)) => {
            let _ = write!(out, "{{\"intValue\":\"{i}\"}}");
        }
        Some(Any::DoubleValue(d)) => {
            if d.is_finite() {
                let _ = write!(out, "{{\"doubleValue\":{d:?}}}");
            } else {
                // proto3 JSON spells the IEEE specials as strings.
                let text = if d.is_nan() {
                    "NaN"
                } else if *d > 0.0 {
                    "Infinity"
                } else {
                    "-Infinity"
                };
                let _ = write!(out, "{{\"doubleValue\":\"{text}\"}}");
            }
        }
        Some(Any::ArrayValue(array)) => {
            out.push_str("{\"arrayValue\":{\"values\":[");
            for (i, v) in array.values.iter().enumerate() {
                comma(out, i);
                any_value(out, v);
            }
            out.push_str("]}}");
        }
        Some(Any::KvlistValue(list)) => {
            out.push_str("{\"kvlistValue\":{\"values\":");
            key_values(out, &list.values);
            out.push_str("}}");
        }
        Some(Any::BytesValue(bytes)) => {
            // proto3 JSON: bytes are base64 (standard alphabet, padded).
            out.push_str("{\"bytesValue\":\"");
            base64(out, bytes);
            out.push_str("\"}");
        }
    }
}

fn base64(out: &mut String, bytes: &[u8]) {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(TABLE[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_is_written_in_otlp_json() {
        let record = proto::LogRecord {
            time_unix_nano: 1_700_000_000_123_456_789,
            severity_number: 13,
            severity_text: "WARN".into(),
            body: Some(proto::AnyValue::string("disk \"full\"")),
            attributes: vec![
                proto::KeyValue::new("n", Any::IntValue(-3)),
                proto::KeyValue::new("f", Any::DoubleValue(0.5)),
                proto::KeyValue::new("b", Any::BoolValue(true)),
                proto::KeyValue::new("raw", Any::BytesValue(b"ab".to_vec())),
            ],
            trace_id: vec![0xab; 16],
            span_id: vec![1, 2, 3, 4, 5, 6, 7, 8],
            flags: 1,
            ..Default::default()
        };
        let mut out = String::new();
        log_record(&mut out, &record);
        assert_eq!(
            out,
            concat!(
                r#"{"timeUnixNano":"1700000000123456789","severityNumber":13,"severityText":"WARN","#,
                r#""body":{"stringValue":"disk \"full\""},"attributes":[{"key":"n","value":{"intValue":"-3"}},"#,
                r#"{"key":"f","value":{"doubleValue":0.5}},{"key":"b","value":{"boolValue":true}},"#,
                r#"{"key":"raw","value":{"bytesValue":"YWI="}}],"flags":1,"#,
                r#""traceId":"abababababababababababababababab","spanId":"0102030405060708"}"#
            )
        );
    }
}
