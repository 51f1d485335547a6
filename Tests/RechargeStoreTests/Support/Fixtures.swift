import Foundation
import GRDB
import RechargeCore
import RechargeProviders
import Testing

@testable import RechargeStore

/// The package's `samples/` directory, found from this file's location.
enum Samples {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Support
        .deletingLastPathComponent()  // RechargeStoreTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .appendingPathComponent("samples")

    static func path(_ name: String) -> String {
        self.directory.appendingPathComponent(name).path
    }

    static let csv = path("monthly-2026-11.csv")
    static let json = path("monthly-2026-11.json")
    static let ndjson = path("monthly-2026-11.ndjson")
}

/// A fixed clock: 2026-11-22T04:30:00.123Z.
let fixedNow = Date(timeIntervalSince1970: 1_795_321_800.123)
let fixedNowText = "2026-11-22T04:30:00.123Z"

/// A reader with the built-in accounts (vcc, hypercard, pagsmile, uqpay, paycertify).
func makeReader(control: ControlTotals = ControlTotals()) -> BatchReader {
    BatchReader(configuration: .builtInDefault, profiles: .all, control: control)
}

/// Expects the stored `record` to hold every field of `line` as the reader validated it.
func expectStored(_ record: LineRecord, asRead line: BatchLine, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(record.lineNumber == line.lineNumber, sourceLocation: sourceLocation)
    #expect(record.account == line.account, sourceLocation: sourceLocation)
    #expect(record.cardID == line.cardID, sourceLocation: sourceLocation)
    #expect(record.amountMinor == line.amount.minorUnits, sourceLocation: sourceLocation)
    #expect(record.currency == line.amount.currency.code, sourceLocation: sourceLocation)
    #expect(record.reference == line.reference, sourceLocation: sourceLocation)
    #expect(record.remark == line.remark, sourceLocation: sourceLocation)
    #expect(record.payCoin == line.payCoin, sourceLocation: sourceLocation)
    #expect(record.payAccountNumber == line.payAccountNumber, sourceLocation: sourceLocation)
    #expect(record.onBehalfOf == line.onBehalfOf, sourceLocation: sourceLocation)
}

/// Writes `text` to `name` in `directory` and returns the path.
func writeFile(_ text: String, named name: String, in directory: URL) throws -> String {
    let url = directory.appendingPathComponent(name)
    try Data(text.utf8).write(to: url)
    return url.path
}

extension ImportOutcome {
    var imported: (batch: BatchRecord, result: BatchReadResult)? {
        if case .imported(let batch, let result) = self { return (batch, result) }
        return nil
    }

    var rejected: BatchReadResult? {
        if case .rejected(let result) = self { return result }
        return nil
    }

    var duplicate: (existing: BatchRecord, reason: String)? {
        if case .duplicate(let existing, let reason, _) = self { return (existing, reason) }
        return nil
    }
}

extension RechargeDatabase {
    /// Imports a file that must import cleanly.
    @discardableResult
    func importValid(_ path: String, name: String? = nil, reader: BatchReader = makeReader()) throws -> BatchRecord {
        let outcome = try self.importBatch(ImportRequest(path: path, name: name), reader: reader, now: fixedNow)
        return try #require(outcome.imported, "expected \(path) to import").batch
    }

    /// The number of rows in a table, straight from SQLite.
    func count(_ table: String) throws -> Int {
        try self.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0 }
    }

    /// Row counts of every table that an import writes to.
    func tableCounts() throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for table in ["batch", "line", "batch_control_total", "event", "attempt"] {
            counts[table] = try self.count(table)
        }
        return counts
    }

    /// Every event of a batch (batch-level and line-level), oldest first.
    func allEvents(batchID: Int64) throws -> [EventRecord] {
        try self.writer.read { db in
            try EventRecord.fetchAll(db, sql: "SELECT * FROM event WHERE batch_id = ? ORDER BY id", arguments: [batchID])
        }
    }
}
