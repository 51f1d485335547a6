import ArgumentParser
import Foundation
import RechargeCore
import RechargeRuns
import Synchronization

/// Writes to standard output and standard error without the non-Sendable C `stdout` global.
///
/// Every message passes through `TerminalText.escapedKeepingLines`: whatever field a message interpolates (a file
/// name, a batch name, a provider's message), no control sequence reaches the operator's terminal. Fields are
/// also escaped one by one where they are printed (`terminalSafe`), so a newline inside one cannot forge a line.
enum Output {
    // A closed pipe (`recharge status | head`) must not crash the command: the write error is ignored, as
    // a shell tool would ignore SIGPIPE's cause once the reader is gone.
    static func out(_ text: String) {
        try? FileHandle.standardOutput.write(contentsOf: Data((TerminalText.escapedKeepingLines(text) + "\n").utf8))
    }

    static func err(_ text: String) {
        if Self.jsonStandardError.withLock({ $0 }) {
            let level = text.hasPrefix("recharge: error") || text.contains("configuration error") ? "error" : "notice"
            Self.errRaw(JSONLogHandler.line(date: Date(), level: level, label: "recharge", message: text, metadata: [:]))
            return
        }
        try? FileHandle.standardError.write(contentsOf: Data((TerminalText.escapedKeepingLines(text) + "\n").utf8))
    }

    /// Writes `text` to standard error as it is (terminal control sequences, no newline added).
    static func errRaw(_ text: String) {
        try? FileHandle.standardError.write(contentsOf: Data(text.utf8))
    }

    /// Encodes a value as pretty, key-sorted JSON on standard output. The encoder leaves C1 and bidi characters
    /// raw; they are written as `\uXXXX` escapes, which decode to the same value.
    static func json(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let text = String(decoding: try encoder.encode(value), as: UTF8.self)
        try? FileHandle.standardOutput.write(contentsOf: Data((Self.jsonEscapingUnsafe(text) + "\n").utf8))
    }

    /// JSON text with every scalar `TerminalText` calls unsafe written as a `\uXXXX` escape. Inside JSON text such
    /// a scalar can only occur in a string (the encoder escapes C0 itself), where the escape means the same.
    static func jsonEscapingUnsafe(_ json: String) -> String {
        guard json.unicodeScalars.contains(where: { $0 != "\n" && TerminalText.isUnsafe($0) }) else { return json }
        var out = ""
        for scalar in json.unicodeScalars {
            if scalar != "\n", TerminalText.isUnsafe(scalar) {
                out += String(format: "\\u%04x", scalar.value)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

extension OperatorMessages {
    /// Notes on standard output, problems on standard error, through ``Output``.
    static let standard = OperatorMessages(note: { Output.out($0) }, problem: { Output.err($0) })
}
