import Foundation
import Testing

@testable import RechargeCore

#if canImport(Glibc)
import Glibc
import RechargeProviders
#endif

/// Inputs that never end or are not batch files at all: refused before reading, at the byte limit while reading,
/// or at their first impossible byte — never read for ever.
@Suite(.timeLimit(.minutes(1)))
struct HostileInputTests {
    @Test(arguments: [("/dev/zero", "a character device"), ("/dev/null", "a character device")])
    func aDeviceIsRefusedBeforeItIsRead(path: String, kind: String) {
        let reader = BatchReader(configuration: .builtInDefault, profiles: .all)
        for format in BatchFormat.allCases {
            #expect(
                throws: BatchInputError(
                    path: path, message: "is not a regular file (\(kind)); give the path of a batch file (.csv, .json or .ndjson)")
            ) {
                try reader.read(path: path, format: format)
            }
        }
    }

    @Test func aNamedPipeIsRefusedWithoutWaitingForAWriter() throws {
        let file = try TemporaryFile(named: "placeholder", text: "")
        let fifo = URL(fileURLWithPath: file.path).deletingLastPathComponent().appendingPathComponent("batch.csv").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let error = #expect(throws: BatchInputError.self) {
            try BatchReader(configuration: .builtInDefault, profiles: .all).read(path: fifo)
        }
        #expect(error?.message.hasPrefix("is not a regular file (a named pipe)") == true)
    }

    @Test(arguments: BatchFormat.allCases)
    func aFileLargerThanTheLimitIsRefusedWhileStreaming(format: BatchFormat) throws {
        let text: String
        switch format {
        case .csv: text = csvBatch((1...400).map { ValidLine.vcc("R-\($0)", amount: "\($0).00") }.joined(separator: "\n"))
        case .json:
            text = jsonBatch((1...400).map { vccItem("R-\($0)", amount: "\"\($0).00\"") }.joined(separator: ",\n"))
        case .ndjson: text = (1...400).map { vccItem("R-\($0)", amount: "\"\($0).00\"") + "\n" }.joined()
        }
        let file = try TemporaryFile(named: "batch.\(format.rawValue)", text: text)
        var reader = BatchReader(configuration: .builtInDefault, profiles: .all)
        #expect(throws: Never.self) { try reader.read(path: file.path) }

        reader.maximumFileBytes = text.utf8.count - 1
        var handed = 0
        let error = #expect(throws: BatchInputError.self) {
            try reader.read(path: file.path) { _ in handed += 1 }
        }
        #expect(error?.isRefusedContent == true)
        #expect(
            error?.message.hasPrefix("refused: the file is larger than \(text.utf8.count - 1) bytes") == true,
            "\(String(describing: error))")
        // The same from memory: the limit is on what is read, not on a size on disk.
        #expect(throws: BatchInputError.self) {
            try reader.read(bytes: Array(text.utf8), name: "batch", format: format)
        }
    }

    @Test(arguments: [
        ([0x00, 0x00], "the file is not JSON: it starts with byte 0x00 where a JSON batch starts with '{'"),
        (Array("PK\u{3}\u{4}".utf8), "the file is not JSON: it starts with 'P' where a JSON batch starts with '{'"),
        (Array("\n\n  provider,card_id".utf8), "the file is not JSON: it starts with 'p' where a JSON batch starts with '{'"),
    ])
    func aJSONFileStopsAtItsFirstImpossibleByte(start: [UInt8], message: String) throws {
        // Far more than one read's worth after the bad byte: none of it is read.
        let bytes = start + [UInt8](repeating: 0, count: 3 * ByteInput.chunkSize)
        let file = try TemporaryFile(named: "batch.json", contents: bytes)
        let result = try BatchReader(configuration: .builtInDefault, profiles: .all).read(path: file.path)
        #expect(result.diagnostics.errorCount == 1)
        let error = try #require(result.diagnostics.errors.first)
        #expect(error.message.hasPrefix(message), "\(error)")
        #expect(error.line == (start.first == 0x0A ? 3 : 1))
        #expect(error.character == (start.first == 0x0A ? 3 : 1))
        #expect(result.byteCount <= ByteInput.chunkSize, "read \(result.byteCount) bytes")
    }

    @Test func anNDJSONFileStopsAtAnImpossibleFirstLine() throws {
        let bytes = Array("\u{1}".utf8) + [UInt8](repeating: 0x41, count: 3 * ByteInput.chunkSize)
        let file = try TemporaryFile(named: "batch.ndjson", contents: bytes)
        let result = try BatchReader(configuration: .builtInDefault, profiles: .all).read(path: file.path)
        #expect(result.diagnostics.errorCount == 1)
        let error = try #require(result.diagnostics.errors.first)
        #expect(error.message.hasPrefix("the file is not JSON: it starts with byte 0x01 where an NDJSON line starts with '{'"))
        #expect((error.line, error.character) == (1, 1))
        #expect(result.byteCount <= ByteInput.chunkSize)
    }

    @Test func laterNDJSONLinesAreStillEachReportedWithTheirPlace() throws {
        let outcome = try readBatch(vccItem("R-1") + "\n" + "x\n" + #"{"provider": "vcc",, }"# + "\n", format: .ndjson)
        #expect(outcome.errors.map(\.line) == [2, 3])
        #expect(outcome.errors.map(\.character) == [1, 20])
        #expect(outcome.errors.first?.description.hasPrefix("batch.ndjson:2:1: error: expected a value, found 'x'") == true)
    }

    @Test func aByteOrderMarkBeforeAJSONDocumentIsAccepted() throws {
        let outcome = try readBatch(bytes: [0xEF, 0xBB, 0xBF] + Array(jsonBatch(vccItem("R-1")).utf8), format: .json)
        #expect(outcome.errors.isEmpty, "\(outcome.errorMessages)")
        #expect(outcome.lines.count == 1)
    }

    @Test func aJSONSyntaxErrorHasItsLineAndCharacter() throws {
        let outcome = try readBatch("{\"items\": [\n  {\"provider\": \"vcc\" \"card_id\": \"1\"}\n]}\n", format: .json)
        let error = try #require(outcome.errors.first)
        #expect((error.line, error.character) == (2, 22))
        #expect(error.description.hasPrefix("batch.json:2:22: error: expected ',' or '}' in an object, found '\"'"))
    }

    @Test func aWindows1252StringInJSONShowsTheByte() throws {
        let bytes = Array(#"{"items": [{"provider": "vcc", "remark": "Caf"#.utf8) + [0xE9] + Array(#""}]}"#.utf8)
        let outcome = try readBatch(bytes: bytes, format: .json)
        let error = try #require(outcome.errors.first)
        #expect((error.line, error.character) == (1, 46))
        #expect(error.message.hasPrefix("a string is not UTF-8 text (byte 0xE9 at character 46); the file is probably Windows-1252"))
    }
}
