import Foundation
import GRDB
import RechargeCore
import Testing

@testable import RechargeStore

/// Acceptance 5: the schema itself refuses impossible data, whatever the code does. Plain SQL only.
@Suite struct SchemaInvariantTests {
    let database: RechargeDatabase
    let batchID: Int64
    let otherBatchID: Int64

    init() throws {
        self.database = try RechargeDatabase.inMemory()
        (self.batchID, self.otherBatchID) = try self.database.writer.write { db in
            (try Self.insertBatch(db), try Self.insertBatch(db))
        }
    }

    static func insertBatch(_ db: Database) throws -> Int64 {
        try db.execute(
            sql: """
                INSERT INTO batch (uid, name, source_file, source_sha256, source_format, source_bytes, line_count, imported_at)
                VALUES (?, 'batch', 'batch.csv', ?, 'csv', 0, 0, '2026-11-22T04:30:00.000Z')
                """,
            arguments: [UUID().uuidString.lowercased(), String(repeating: "a", count: 64)])
        return db.lastInsertedRowID
    }

    @discardableResult
    func insertLine(
        batch: Int64? = nil, number: Int, reference: String? = nil, amount: Int64 = 1000, state: String = "PENDING",
        key: String? = nil, generation: Int = 0
    ) throws -> Int64 {
        try self.database.writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO line (batch_id, line_number, reference, account, card_id, amount_minor, currency, state,
                        idempotency_key, generation, updated_at)
                    VALUES (?, ?, ?, 'vcc', '100029775', ?, 'USD', ?, ?, ?, '2026-11-22T04:30:00.000Z')
                    """,
                arguments: [batch ?? self.batchID, number, reference ?? "REF-\(number)", amount, state, key, generation])
            return db.lastInsertedRowID
        }
    }

    func execute(_ sql: String, _ arguments: StatementArguments = []) throws {
        try self.database.writer.write { db in try db.execute(sql: sql, arguments: arguments) }
    }

    func state(of id: Int64) throws -> String? {
        try self.database.writer.read { db in try String.fetchOne(db, sql: "SELECT state FROM line WHERE id = ?", arguments: [id]) }
    }

    /// Expects `body` to fail with a constraint error of the given extended code, and returns its message.
    @discardableResult
    func expectConstraint(
        _ code: ResultCode, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
    ) -> String? {
        let error = #expect(throws: DatabaseError.self, sourceLocation: sourceLocation) { try body() }
        #expect(error?.extendedResultCode == code, sourceLocation: sourceLocation)
        return error?.message
    }

    // MARK: State transitions

    struct StatePair: Sendable, CustomTestStringConvertible {
        let from: LineState
        let to: LineState
        var testDescription: String { "\(self.from.rawValue) → \(self.to.rawValue)" }
    }

    /// The transitions of the line state machine, written out independently of `LineStateMachine`.
    static let legalPairs: Set<String> = [
        "PENDING→PROCESSING", "PENDING→CANCELLED",
        "PROCESSING→SUCCESS", "PROCESSING→FAILED", "PROCESSING→PENDING", "PROCESSING→UNKNOWN",
        "FAILED→PENDING",
        "UNKNOWN→SUCCESS", "UNKNOWN→FAILED",
    ]

    static let allPairs: [StatePair] = LineState.allCases.flatMap { from in
        LineState.allCases.filter { $0 != from }.map { StatePair(from: from, to: $0) }
    }

    @Test(arguments: allPairs)
    func aStateUpdateIsAllowedOnlyAlongTheStateMachine(pair: StatePair) throws {
        let id = try self.insertLine(number: 1, state: pair.from.rawValue, key: "key-1")
        let update = "UPDATE line SET state = ? WHERE id = ?"
        if Self.legalPairs.contains("\(pair.from.rawValue)→\(pair.to.rawValue)") {
            try self.execute(update, [pair.to.rawValue, id])
            #expect(try self.state(of: id) == pair.to.rawValue)
        } else {
            let message = self.expectConstraint(.SQLITE_CONSTRAINT_TRIGGER) { try self.execute(update, [pair.to.rawValue, id]) }
            #expect(message == "illegal line state transition")
            #expect(try self.state(of: id) == pair.from.rawValue)
        }
    }

    @Test func successCannotGoBackToPending() throws {
        let id = try self.insertLine(number: 1, state: "SUCCESS", key: "done")
        self.expectConstraint(.SQLITE_CONSTRAINT_TRIGGER) {
            try self.execute("UPDATE line SET state = 'PENDING', idempotency_key = NULL WHERE id = ?", [id])
        }
        #expect(try self.state(of: id) == "SUCCESS")
    }

    @Test(arguments: ["DONE", "pending", "Success", ""])
    func aStateOutsideTheListFailsTheCheck(state: String) throws {
        self.expectConstraint(.SQLITE_CONSTRAINT_CHECK) { try self.insertLine(number: 1, state: state) }
        #expect(try self.database.count("line") == 0)
    }

    @Test func updatingToAStateOutsideTheListFails() throws {
        let id = try self.insertLine(number: 1)
        #expect(throws: DatabaseError.self) { try self.execute("UPDATE line SET state = 'DONE' WHERE id = ?", [id]) }
        #expect(try self.state(of: id) == "PENDING")
    }

    // MARK: Amounts

    @Test(arguments: [0, -1, -10_000] as [Int64])
    func anAmountMustBePositive(amount: Int64) throws {
        self.expectConstraint(.SQLITE_CONSTRAINT_CHECK) { try self.insertLine(number: 1, amount: amount) }
        let id = try self.insertLine(number: 2, amount: 1)
        // No amount changes after the import at all, positive or not: what was approved is what is sent.
        for changed in [amount, 2] {
            self.expectConstraint(.SQLITE_CONSTRAINT_TRIGGER) {
                try self.execute("UPDATE line SET amount_minor = ? WHERE id = ?", [changed, id])
            }
        }
    }

    // MARK: Uniqueness

    @Test func aLineNumberIsUniqueWithinABatch() throws {
        try self.insertLine(number: 7, reference: "A")
        self.expectConstraint(.SQLITE_CONSTRAINT_UNIQUE) { try self.insertLine(number: 7, reference: "B") }
        try self.insertLine(batch: self.otherBatchID, number: 7, reference: "A")
        #expect(try self.database.count("line") == 2)
    }

    @Test func aReferenceIsUniqueWithinABatch() throws {
        try self.insertLine(number: 1, reference: "TOPUP-1")
        self.expectConstraint(.SQLITE_CONSTRAINT_UNIQUE) { try self.insertLine(number: 2, reference: "TOPUP-1") }
        try self.insertLine(batch: self.otherBatchID, number: 2, reference: "TOPUP-1")
        #expect(try self.database.count("line") == 2)
    }

    @Test func anIdempotencyKeyIsUniqueAcrossAllBatches() throws {
        try self.insertLine(number: 1, state: "PROCESSING", key: "K-1")
        self.expectConstraint(.SQLITE_CONSTRAINT_UNIQUE) {
            try self.insertLine(batch: self.otherBatchID, number: 1, state: "PROCESSING", key: "K-1")
        }
        let id = try self.insertLine(number: 2, state: "PROCESSING", key: "K-2")
        self.expectConstraint(.SQLITE_CONSTRAINT_UNIQUE) { try self.execute("UPDATE line SET idempotency_key = 'K-1' WHERE id = ?", [id]) }
        // Lines without a key are many.
        try self.insertLine(number: 3)
        try self.insertLine(number: 4)
        #expect(try self.database.count("line") == 4)
    }

    // MARK: Keys and generations

    @Test func aProcessingLineMustHaveAKey() throws {
        self.expectConstraint(.SQLITE_CONSTRAINT_CHECK) { try self.insertLine(number: 1, state: "PROCESSING", key: nil) }
        let id = try self.insertLine(number: 2)
        self.expectConstraint(.SQLITE_CONSTRAINT_CHECK) { try self.execute("UPDATE line SET state = 'PROCESSING' WHERE id = ?", [id]) }
        #expect(try self.state(of: id) == "PENDING")
        let processing = try self.insertLine(number: 3, state: "PROCESSING", key: "K")
        self.expectConstraint(.SQLITE_CONSTRAINT_CHECK) {
            try self.execute("UPDATE line SET idempotency_key = NULL WHERE id = ?", [processing])
        }
    }

    @Test func theGenerationCannotDecrease() throws {
        let id = try self.insertLine(number: 1, generation: 2)
        let message = self.expectConstraint(.SQLITE_CONSTRAINT_TRIGGER) {
            try self.execute("UPDATE line SET generation = 1 WHERE id = ?", [id])
        }
        #expect(message == "a line key generation cannot go down")
        try self.execute("UPDATE line SET generation = 3 WHERE id = ?", [id])
        let generation = try self.database.writer.read { db in
            try Int.fetchOne(db, sql: "SELECT generation FROM line WHERE id = ?", arguments: [id])
        }
        #expect(generation == 3)
    }

    // MARK: The event log

    func insertEvent() throws -> Int64 {
        try self.database.writer.write { db in
            try db.execute(
                sql:
                    "INSERT INTO event (batch_id, at, actor, kind, detail) VALUES (?, '2026-11-22T04:30:00.000Z', 'test', 'note', 'original')",
                arguments: [self.batchID])
            return db.lastInsertedRowID
        }
    }

    @Test func anEventCannotBeUpdated() throws {
        let id = try self.insertEvent()
        let message = self.expectConstraint(.SQLITE_CONSTRAINT_TRIGGER) {
            try self.execute("UPDATE event SET detail = 'rewritten' WHERE id = ?", [id])
        }
        #expect(message == "the event log is append-only")
        let detail = try self.database.writer.read { db in
            try String.fetchOne(db, sql: "SELECT detail FROM event WHERE id = ?", arguments: [id])
        }
        #expect(detail == "original")
    }

    @Test func anEventCannotBeDeleted() throws {
        let id = try self.insertEvent()
        let message = self.expectConstraint(.SQLITE_CONSTRAINT_TRIGGER) { try self.execute("DELETE FROM event WHERE id = ?", [id]) }
        #expect(message == "the event log is append-only")
        self.expectConstraint(.SQLITE_CONSTRAINT_TRIGGER) { try self.execute("DELETE FROM event") }
        #expect(try self.database.count("event") == 1)
    }
}
