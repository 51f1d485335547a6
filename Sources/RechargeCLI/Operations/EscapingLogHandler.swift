import Logging
import RechargeCore

/// swift-log's plain-line handler with every message and metadata value escaped for a terminal first.
///
/// `StreamLogHandler` writes text as it is; a file name or a provider's message in a log record could otherwise
/// carry an escape sequence to whoever reads the log on a terminal.
struct EscapingLogHandler: LogHandler {
    var wrapped: StreamLogHandler

    var logLevel: Logger.Level {
        get { self.wrapped.logLevel }
        set { self.wrapped.logLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { self.wrapped.metadata }
        set { self.wrapped.metadata = newValue.mapValues(Self.escape) }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.wrapped[metadataKey: key] }
        set { self.wrapped[metadataKey: key] = newValue.map(Self.escape) }
    }

    func log(event: LogEvent) {
        var event = event
        event.message = "\(TerminalText.escaped(event.message.description))"
        event.metadata = event.metadata?.mapValues(Self.escape)
        self.wrapped.log(event: event)
    }

    static func escape(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let text): .string(TerminalText.escaped(text))
        case .stringConvertible(let value): .string(TerminalText.escaped(value.description))
        case .array(let values): .array(values.map(Self.escape))
        case .dictionary(let entries): .dictionary(entries.mapValues(Self.escape))
        }
    }
}
