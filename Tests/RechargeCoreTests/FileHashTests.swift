import Foundation
import RechargeProviders
import Testing

@testable import RechargeCore

@Suite struct FileHashTests {
    /// Hex digests from `sha256sum`.
    @Test(arguments: [
        (
            "provider,card_id,amount,currency,reference\nvcc,100029775,100.02,USD,REF-1\n",
            "e9268982312b69ec3d86a78dc0e60e1119257d4811256a9d4b898c3ef46219ee"
        ),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ])
    func sha256OfTheBytesRead(text: String, digest: String) throws {
        let outcome = try readBatch(text)
        #expect(outcome.result.sha256 == digest)
        #expect(outcome.result.byteCount == text.utf8.count)
    }

    @Test func aFileReadInChunksHashesLikeTheSameBytesInMemory() throws {
        // Over one 1 MiB chunk, with a CRLF placed across the chunk boundary.
        var text = fullHeader + "\r\n"
        var number = 0
        while text.utf8.count < ByteInput.chunkSize + 1_000 {
            number += 1
            let line = "vcc,100029775,\(number).00,USD,R-\(number),,,,"
            let boundary = ByteInput.chunkSize - 1 - text.utf8.count
            if boundary > line.utf8.count && boundary < line.utf8.count + 100 {
                // Pad the remark so this line's CR is the last byte of the first chunk.
                let padding = String(repeating: "p", count: boundary - line.utf8.count)
                text += "vcc,100029775,\(number).00,USD,R-\(number),\(padding),,,\r\n"
            } else {
                text += line + "\r\n"
            }
        }
        let bytes = Array(text.utf8)
        #expect(bytes[ByteInput.chunkSize - 1] == UInt8(ascii: "\r"))
        #expect(bytes[ByteInput.chunkSize] == UInt8(ascii: "\n"))

        let file = try TemporaryFile(named: "big.csv", contents: bytes)
        var fileLines: [Int] = []
        let fromFile = try BatchReader(configuration: .builtInDefault, profiles: .all).read(path: file.path) {
            fileLines.append($0.lineNumber)
        }
        let inMemory = try readBatch(bytes: bytes)

        #expect(fromFile.sha256 == inMemory.result.sha256)
        #expect(fromFile.byteCount == bytes.count)
        #expect(fromFile.lineCount == number)
        #expect(fromFile.sums == inMemory.result.sums)
        #expect(fromFile.diagnostics.errorCount == 0)
        #expect(fileLines == Array(2...(number + 1)))
        #expect(fileLines == inMemory.lines.map(\.lineNumber))
    }

    @Test func theHashCoversTheWholeFileWhenReadingStopsEarly() throws {
        var bytes = Array((fullHeader + "\n" + "vcc,\"1\"x,1.00,USD,R-1,,,,\n").utf8)
        bytes += [UInt8](repeating: UInt8(ascii: "z"), count: ByteInput.chunkSize + 10)
        let file = try TemporaryFile(named: "stops.csv", contents: bytes)
        let fromFile = try BatchReader(configuration: .builtInDefault, profiles: .all).read(path: file.path)
        let inMemory = try readBatch(bytes: bytes)
        #expect(fromFile.diagnostics.errors.map(\.line) == [2])
        #expect(fromFile.byteCount == bytes.count)
        #expect(fromFile.sha256 == inMemory.result.sha256)
    }

    @Test func byteInputReturnsEveryByteAcrossChunks() throws {
        let bytes = (0..<(ByteInput.chunkSize + 300)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let file = try TemporaryFile(named: "bytes.bin", contents: bytes)
        var input = try ByteInput(path: file.path)
        var read: [UInt8] = []
        read.reserveCapacity(bytes.count)
        while let peeked = input.peek() {
            guard input.next() == peeked else {
                Issue.record("next() differs from peek() at byte \(read.count)")
                break
            }
            read.append(peeked)
        }
        #expect(input.next() == nil)
        #expect(read == bytes)
        #expect(input.bytesRead == bytes.count)
        #expect(input.sha256Hex() == ByteInput(bytes: bytes).sha256Hex())
    }

    @Test func unreadablePaths() throws {
        let reader = BatchReader(configuration: .builtInDefault, profiles: .all)
        #expect(throws: BatchInputError.self) { try reader.read(path: "/nonexistent/batch.csv") }
        let file = try TemporaryFile(named: "batch.txt", text: fullHeader)
        #expect(throws: BatchInputError.self) { try reader.read(path: file.path) }
        let directory = URL(fileURLWithPath: file.path).deletingLastPathComponent().path
        #expect(
            throws: BatchInputError(
                path: directory, message: "is not a regular file (a directory); give the path of a batch file (.csv, .json or .ndjson)")
        ) {
            try reader.read(path: directory, format: .csv)
        }
    }

    @Test(arguments: [
        ("b.csv", BatchFormat.csv), ("B.CSV", .csv), ("b.json", .json), ("b.ndjson", .ndjson), ("b.jsonl", .ndjson),
    ])
    func formatFromTheFileName(path: String, format: BatchFormat) {
        #expect(BatchFormat.inferred(fromPath: path) == format)
    }
}
