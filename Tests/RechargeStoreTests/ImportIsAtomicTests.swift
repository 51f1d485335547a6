import Foundation
import RechargeCore
import TestSupport
import Testing

@testable import RechargeStore

/// Acceptance 2: one bad line, even the very last of a large file, stores nothing at all.
@Suite struct ImportIsAtomicTests {
    static let validLineCount = 50_000

    /// A CSV batch of `validLineCount` valid lines (header on line 1), then `lastLine` if given.
    static func largeCSV(lastLine: String?) -> String {
        var text = "provider,card_id,amount,currency,reference,remark\n"
        text.reserveCapacity(validLineCount * 48)
        for index in 1...validLineCount {
            let cents = 100 + index % 9_900
            text += "vcc,\(100_000_000 + index),\(cents / 100).\(cents % 100 < 10 ? "0" : "")\(cents % 100),USD,REF-\(index),\n"
        }
        if let lastLine { text += lastLine + "\n" }
        return text
    }

    struct BadLastLine: Sendable, CustomTestStringConvertible {
        let line: String
        let column: String?
        let message: String
        var testDescription: String { self.line }
    }

    static let badLastLines: [BadLastLine] = [
        BadLastLine(line: "vcc,200000001,\"12,50\",USD,REF-LAST,", column: "amount", message: "decimal comma"),
        BadLastLine(line: "visa,200000001,12.50,USD,REF-LAST,", column: "provider", message: "no provider account"),
        BadLastLine(line: "vcc,200000001,12.50,USD,REF-1,", column: "reference", message: "already used by line 2"),
        BadLastLine(line: "vcc,200000001,12.50,USD,REF-LAST,\"unterminated", column: nil, message: "never closed"),
    ]

    @Test(arguments: badLastLines)
    func aBadLastLineRollsBackEverything(bad: BadLastLine) throws {
        try withTemporaryDirectory { directory in
            let path = try writeFile(Self.largeCSV(lastLine: bad.line), named: "large.csv", in: directory)
            let databasePath = directory.appendingPathComponent("store.sqlite").path
            let database = try RechargeDatabase(path: databasePath)

            let outcome = try database.importBatch(ImportRequest(path: path), reader: makeReader(), now: fixedNow)
            let result = try #require(outcome.rejected, "a file with a bad last line must be rejected")
            #expect(result.diagnostics.errorCount == 1)
            let error = try #require(result.diagnostics.errors.first)
            #expect(error.line == Self.validLineCount + 2)
            #expect(error.column == bad.column)
            #expect(error.message.contains(bad.message))

            #expect(try database.batches().isEmpty)
            #expect(try database.status(batchID: nil).isEmpty)
            #expect(try database.tableCounts() == ["batch": 0, "line": 0, "batch_control_total": 0, "event": 0, "attempt": 0])

            // Nothing reached the file either: a second connection sees an empty store.
            let reopened = try RechargeDatabase(path: databasePath, mustExist: true)
            #expect(try reopened.count("line") == 0)
            #expect(try reopened.count("batch") == 0)
        }
    }

    /// The same file without the bad line imports whole, so the rejection above is not vacuous.
    @Test func theSameLargeFileWithoutTheBadLineImportsEveryLine() throws {
        try withTemporaryDirectory { directory in
            let path = try writeFile(Self.largeCSV(lastLine: nil), named: "large.csv", in: directory)
            let database = try RechargeDatabase.inMemory()
            let batch = try database.importValid(path)
            #expect(batch.lineCount == Self.validLineCount)
            #expect(try database.count("line") == Self.validLineCount)
            let last = try #require(try database.line(batchID: batch.id, lineNumber: Self.validLineCount + 1))
            #expect(last.reference == "REF-\(Self.validLineCount)")
        }
    }

    /// A rejected import leaves earlier batches exactly as they were.
    @Test func aRejectedImportLeavesEarlierBatchesAlone() throws {
        try withTemporaryDirectory { directory in
            let database = try RechargeDatabase.inMemory()
            let first = try database.importValid(Samples.csv)
            let before = try database.tableCounts()
            let statusBefore = try database.status(batchID: nil)

            let bad = try writeFile(
                "provider,card_id,amount,currency,reference\nvcc,100000001,10.00,USD,R-1\nvcc,100000002,0,USD,R-2\n",
                named: "bad.csv", in: directory)
            let outcome = try database.importBatch(ImportRequest(path: bad), reader: makeReader(), now: fixedNow)
            #expect(outcome.rejected != nil)
            #expect(try database.tableCounts() == before)
            #expect(try database.status(batchID: nil) == statusBefore)
            #expect(try database.batches().map(\.id) == [first.id])
        }
    }
}
