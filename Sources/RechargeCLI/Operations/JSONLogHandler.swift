import ArgumentParser
import Foundation
import Logging
import RechargeCore
import Synchronization

/// How log records are written to standard error.
enum LogFormat: String, CaseIterable, ExpressibleByArgument, Sendable {
    /// swift-log's plain lines, for a terminal.
    case text
    /// One JSON object per line (`timestamp`, `level`, `label`, `message`, `metadata`), for schedulers and log
    /// collectors (journald, Loki, CloudWatch).
    case json
}

/// A log handler writing each record as one line of JSON on standard error.
///
/// `{"timestamp":"2026-11-29T02:00:01.042Z","level":"debug","label":"recharge","message":"line settled","metadata":{"batch":"3","line":"17","key":"…"}}`
/// Keys always come in this order; metadata keys are sorted. One `write` per record, so concurrent records do not
/// interleave.
struct JSONLogHandler: LogHandler {
    var label: String
    var logLevel: Logger.Level = .notice
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = self.metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        Output.errRaw(
            Self.line(date: Date(), level: event.level.rawValue, label: self.label, message: "\(event.message)", metadata: merged))
    }

    /// One record, newline included.
    static func line(date: Date, level: String, label: String, message: String, metadata: Logger.Metadata) -> String {
        var text = "{\"timestamp\":\(Self.quote(Self.timestamp(date))),\"level\":\(Self.quote(level)),\"label\":\(Self.quote(label))"
        text += ",\"message\":\(Self.quote(message)),\"metadata\":\(Self.render(.dictionary(metadata)))}\n"
        return text
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }

    private static func render(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): Self.quote(text)
        case .stringConvertible(let value): Self.quote(value.description)
        case .array(let values): "[" + values.map(Self.render).joined(separator: ",") + "]"
        case .dictionary(let entries):
            "{" + entries.sorted { $0.key < $1.key }.map { Self.quote($0.key) + ":" + Self.render($0.value) }.joined(separator: ",") + "}"
        }
    }

    /// A JSON string literal: quotes, backslashes, control characters, C1 and bidi controls escaped as `\uXXXX`, so
    /// a log read on a terminal (`journalctl`, `tail`) carries no escape sequence; the decoded value is unchanged.
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where TerminalText.isUnsafe(scalar): out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

extension Output {
    /// Whether standard-error messages are JSON records too (set once, by `--log-format json`), so a scheduler's
    /// log holds nothing but JSON lines.
    static let jsonStandardError = Mutex(false)
}
