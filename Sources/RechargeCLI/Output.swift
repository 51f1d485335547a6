import Foundation
import Synchronization

/// Writes to standard output and standard error without the non-Sendable C `stdout` global.
enum Output {
    // A closed pipe (`recharge status | head`) must not crash the command: the write error is ignored, as
    // a shell tool would ignore SIGPIPE's cause once the reader is gone.
    static func out(_ text: String) {
        try? FileHandle.standardOutput.write(contentsOf: Data((text + "\n").utf8))
    }

    static func err(_ text: String) {
        if Self.jsonStandardError.withLock({ $0 }) {
            let level = text.hasPrefix("recharge: error") || text.contains("configuration error") ? "error" : "notice"
            Self.errRaw(JSONLogHandler.line(date: Date(), level: level, label: "recharge", message: text, metadata: [:]))
            return
        }
        try? FileHandle.standardError.write(contentsOf: Data((text + "\n").utf8))
    }

    /// Writes `text` to standard error as it is (terminal control sequences, no newline added).
    static func errRaw(_ text: String) {
        try? FileHandle.standardError.write(contentsOf: Data(text.utf8))
    }

    /// Encodes a value as pretty, key-sorted JSON on standard output.
    static func json(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        out(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}

/// An error already explained to the user, ending the command with an exit code.
struct CommandFailure: Error {
    let exitCode: Int32
    let message: String
}
