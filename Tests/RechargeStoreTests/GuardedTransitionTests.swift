import Foundation
import GRDB
import RechargeCore
import Testing

@testable import RechargeStore

/// Acceptance 4: `transition(...)` applies legal events as guarded updates with an event row, and refuses the rest.
@Suite struct GuardedTransitionTests {
    let database: RechargeDatabase
    let batchID: Int64
    /// Line ids of the imported sample, in file order.
    let lineIDs: [Int64]

    init() throws {
        self.database = try RechargeDatabase.inMemory()
        let batch = try self.database.importValid(Samples.csv)
        self.batchID = batch.id
        self.lineIDs = try self.database.lines(batchID: batch.id).map(\.id)
    }

    func line(_ id: Int64) throws -> LineRecord {
        try #require(
            try self.database.writer.read { db in
                try LineRecord.fetchOne(db, sql: "SELECT * FROM line WHERE id = ?", arguments: [id])
            })
    }

    /// Takes a pending line through `events`, claiming with a fresh key each time.
    func drive(_ id: Int64, through events: [LineEvent]) throws {
        var state = LineState.pending
        for (step, event) in events.enumerated() {
            let changes = event == .claim ? LineChanges(idempotencyKey: "key-\(id)-\(step)") : LineChanges()
            state = try self.database.transition(lineID: id, from: state, on: event, changes: changes, actor: "setup", now: fixedNow)
        }
    }

    struct Legal: Sendable, CustomTestStringConvertible {
        /// Events taking a pending line to `from`.
        let path: [LineEvent]
        let from: LineState
        let event: LineEvent
        let to: LineState
        var testDescription: String { "\(self.from.rawValue) --\(self.event)--> \(self.to.rawValue)" }
    }

    static let legal: [Legal] = [
        Legal(path: [], from: .pending, event: .claim, to: .processing),
        Legal(path: [], from: .pending, event: .cancel, to: .cancelled),
        Legal(path: [.claim], from: .processing, event: .applied, to: .success),
        Legal(path: [.claim], from: .processing, event: .rejected, to: .failed),
        Legal(path: [.claim], from: .processing, event: .notApplied, to: .pending),
        Legal(path: [.claim], from: .processing, event: .inDoubt, to: .processing),
        Legal(path: [.claim], from: .processing, event: .unresolvable, to: .unknown),
        Legal(path: [.claim, .rejected], from: .failed, event: .retryFailed, to: .pending),
        Legal(path: [.claim, .unresolvable], from: .unknown, event: .operatorResolved(succeeded: true), to: .success),
        Legal(path: [.claim, .unresolvable], from: .unknown, event: .operatorResolved(succeeded: false), to: .failed),
    ]

    @Test(arguments: legal)
    func aLegalEventMovesTheLineAndAppendsAnEvent(legal: Legal) throws {
        let id = self.lineIDs[0]
        try self.drive(id, through: legal.path)
        let before = try self.line(id)
        let eventsBefore = try self.database.events(lineID: id)
        #expect(before.state == legal.from)

        let changes = legal.event == .claim ? LineChanges(idempotencyKey: "claim-key") : LineChanges()
        let later = fixedNow.addingTimeInterval(60)
        let result = try self.database.transition(
            lineID: id, from: legal.from, on: legal.event, changes: changes, actor: "worker-1", detail: "test detail", now: later)

        #expect(result == legal.to)
        let after = try self.line(id)
        #expect(after.state == legal.to)
        #expect(after.generation == before.generation + (legal.event == .retryFailed ? 1 : 0))
        #expect(after.amountMinor == before.amountMinor && after.reference == before.reference)

        let events = try self.database.events(lineID: id)
        try #require(events.count == eventsBefore.count + 1, "exactly one event is appended")
        #expect(Array(events.dropLast()) == eventsBefore)
        let event = try #require(events.last)
        #expect(event.batchID == self.batchID)
        #expect(event.lineID == id)
        #expect(event.kind == legal.event.description)
        #expect(event.fromState == legal.from.rawValue)
        #expect(event.toState == legal.to.rawValue)
        #expect(event.actor == "worker-1")
        #expect(event.detail == "test detail")
        #expect(event.at == "2026-11-22T04:31:00.123Z")
    }

    @Test func claimingStoresTheKeyAndOutcomesStoreTheirDetails() throws {
        let id = self.lineIDs[1]
        try self.database.transition(
            lineID: id, from: .pending, on: .claim, changes: LineChanges(idempotencyKey: "k-1"), actor: "engine")
        #expect(try self.line(id).idempotencyKey == "k-1")

        try self.database.transition(
            lineID: id, from: .processing, on: .rejected,
            changes: LineChanges(providerReference: "PRV-9", errorCode: "card_frozen", errorMessage: "The card is frozen"),
            actor: "engine")
        let failed = try self.line(id)
        #expect(failed.state == .failed)
        #expect(failed.idempotencyKey == "k-1")
        #expect(failed.providerReference == "PRV-9")
        #expect(failed.lastErrorCode == "card_frozen")
        #expect(failed.lastErrorMessage == "The card is frozen")
    }

    @Test func retryFailedBumpsTheGenerationAndClearsTheKey() throws {
        let id = self.lineIDs[2]
        try self.database.transition(lineID: id, from: .pending, on: .claim, changes: LineChanges(idempotencyKey: "gen0"), actor: "engine")
        try self.database.transition(lineID: id, from: .processing, on: .rejected, actor: "engine")
        #expect(try self.line(id).generation == 0)

        try self.database.transition(lineID: id, from: .failed, on: .retryFailed, actor: "operator", detail: "card unfrozen")
        let retried = try self.line(id)
        #expect(retried.state == .pending)
        #expect(retried.generation == 1)
        #expect(retried.idempotencyKey == nil)

        // The next send uses a new key under the new generation; the old key stays unused.
        try self.database.transition(lineID: id, from: .pending, on: .claim, changes: LineChanges(idempotencyKey: "gen1"), actor: "engine")
        let reclaimed = try self.line(id)
        #expect(reclaimed.state == .processing)
        #expect(reclaimed.generation == 1)
        #expect(reclaimed.idempotencyKey == "gen1")
    }

    @Test func claimingWithoutAKeyFailsAndChangesNothing() throws {
        let id = self.lineIDs[3]
        let before = try self.line(id)

        let error = #expect(throws: DatabaseError.self) {
            try self.database.transition(lineID: id, from: .pending, on: .claim, actor: "engine")
        }
        #expect(error?.extendedResultCode == .SQLITE_CONSTRAINT_CHECK)
        #expect(try self.line(id) == before)
        #expect(try self.database.events(lineID: id).isEmpty)
    }

    @Test func claimingARetriedLineWithoutANewKeyFails() throws {
        let id = self.lineIDs[4]
        try self.drive(id, through: [.claim, .rejected, .retryFailed])
        let before = try self.line(id)
        let eventCount = try self.database.events(lineID: id).count

        #expect(throws: DatabaseError.self) {
            try self.database.transition(lineID: id, from: .pending, on: .claim, actor: "engine")
        }
        #expect(try self.line(id) == before)
        #expect(try self.database.events(lineID: id).count == eventCount)
    }

    @Test func aSecondClaimerFindsTheStateChanged() throws {
        let id = self.lineIDs[5]
        try self.database.transition(
            lineID: id, from: .pending, on: .claim, changes: LineChanges(idempotencyKey: "winner"), actor: "worker-1")
        let before = try self.line(id)
        let events = try self.database.events(lineID: id)

        let error = #expect(throws: StoreError.self) {
            try self.database.transition(
                lineID: id, from: .pending, on: .claim, changes: LineChanges(idempotencyKey: "loser"), actor: "worker-2")
        }
        #expect(error?.code == .stateChanged)
        #expect(try self.line(id) == before)
        #expect(try self.line(id).idempotencyKey == "winner")
        #expect(try self.database.events(lineID: id) == events)
    }

    struct Stale: Sendable, CustomTestStringConvertible {
        let expected: LineState
        let event: LineEvent
        var testDescription: String { "expects \(self.expected.rawValue), \(self.event)" }
    }

    /// The line is PENDING; each call expects another state in which the event would be legal.
    @Test(arguments: [
        Stale(expected: .processing, event: .applied),
        Stale(expected: .processing, event: .inDoubt),
        Stale(expected: .failed, event: .retryFailed),
        Stale(expected: .unknown, event: .operatorResolved(succeeded: true)),
    ])
    func aTransitionFromAStaleStateThrowsStateChanged(stale: Stale) throws {
        let id = self.lineIDs[6]
        let before = try self.line(id)

        let error = #expect(throws: StoreError.self) {
            try self.database.transition(lineID: id, from: stale.expected, on: stale.event, actor: "engine")
        }
        #expect(error?.code == .stateChanged)
        #expect(error?.message.contains("PENDING") == true)
        #expect(try self.line(id) == before)
        #expect(try self.database.events(lineID: id).isEmpty)
    }

    struct Illegal: Sendable, CustomTestStringConvertible {
        let path: [LineEvent]
        let from: LineState
        let event: LineEvent
        var testDescription: String { "\(self.from.rawValue) refuses \(self.event)" }
    }

    @Test(arguments: [
        Illegal(path: [], from: .pending, event: .applied),
        Illegal(path: [], from: .pending, event: .retryFailed),
        Illegal(path: [.claim], from: .processing, event: .claim),
        Illegal(path: [.claim], from: .processing, event: .cancel),
        Illegal(path: [.claim, .applied], from: .success, event: .retryFailed),
        Illegal(path: [.claim, .applied], from: .success, event: .claim),
        Illegal(path: [.claim, .rejected], from: .failed, event: .applied),
        Illegal(path: [.cancel], from: .cancelled, event: .claim),
        Illegal(path: [.claim, .unresolvable], from: .unknown, event: .retryFailed),
    ])
    func anIllegalEventThrowsIllegalTransition(illegal: Illegal) throws {
        let id = self.lineIDs[7]
        try self.drive(id, through: illegal.path)
        let before = try self.line(id)
        let events = try self.database.events(lineID: id)

        let error = #expect(throws: StoreError.self) {
            try self.database.transition(
                lineID: id, from: illegal.from, on: illegal.event, changes: LineChanges(idempotencyKey: "illegal"), actor: "engine")
        }
        #expect(error?.code == .illegalTransition)
        #expect(try self.line(id) == before)
        #expect(try self.database.events(lineID: id) == events)
    }

    @Test func anUnknownLineThrowsNotFound() throws {
        let error = #expect(throws: StoreError.self) {
            try self.database.transition(lineID: 999_999, from: .pending, on: .cancel, actor: "operator")
        }
        #expect(error?.code == .notFound)
        #expect(try self.database.count("event") == 1)  // only the import's
    }
}
