import Foundation
import Logging
import RechargeCore
import RechargeStore

/// Asks the providers, where they offer a status query, about every settled line of a batch, and records each
/// line whose stored state the provider contradicts — a FAILED line the provider applied, a SUCCESS it refunded
/// or does not know. Queries go through each account's rate limiter and in-flight slots, like a run's.
package struct Reconciler<C: Clock>: Sendable where C.Duration == Duration {
    /// What verification found.
    package struct Result: Sendable {
        package var checked = 0
        package var agreed = 0
        /// Lines the provider contradicts (recorded as mismatches, once per line and kind).
        package var mismatched: [(line: Int, kind: String, detail: String)] = []
        /// Lines the provider could not answer for now (its status query failed, or it keeps no record by key).
        package var unverifiable = 0
    }

    let database: RechargeDatabase
    let lanes: [String: AccountLane<C>]
    let now: @Sendable () -> Date
    let logger: Logger

    package init(database: RechargeDatabase, lanes: [AccountLane<C>], now: @escaping @Sendable () -> Date = { Date() }, logger: Logger) {
        self.database = database
        self.lanes = Dictionary(uniqueKeysWithValues: lanes.map { ($0.name, $0) })
        self.now = now
        self.logger = logger
    }

    package func verify(batchID: Int64) async throws -> Result {
        let lines = try self.database.settledSentLines(batchID: batchID)
        let known = try self.database.recordedMismatches(batchID: batchID)
        let findings = await withTaskGroup(of: (LineRecord, Finding).self) { group in
            for line in lines {
                guard let lane = self.lanes[line.account] else { continue }
                group.addTask { (line, await self.check(line, lane: lane)) }
            }
            var findings: [(LineRecord, Finding)] = []
            for await finding in group { findings.append(finding) }
            return findings.sorted { $0.0.lineNumber < $1.0.lineNumber }
        }
        var result = Result()
        for (line, finding) in findings {
            result.checked += 1
            switch finding {
            case .agrees: result.agreed += 1
            case .unverifiable: result.unverifiable += 1
            case .contradicts(let kind, let detail):
                result.mismatched.append((line.lineNumber, kind, detail))
                if !known.contains("\(line.id)/\(kind)") {
                    try self.database.recordMismatch(lineID: line.id, kind: kind, detail: detail, now: self.now())
                }
                self.logger.warning(
                    "the provider contradicts a settled line",
                    metadata: ["batch": "\(batchID)", "line": "\(line.lineNumber)", "kind": "\(kind)", "detail": "\(detail)"])
            }
        }
        return result
    }

    enum Finding: Sendable {
        case agrees
        case unverifiable
        case contradicts(kind: String, detail: String)
    }

    private func check(_ line: LineRecord, lane: AccountLane<C>) async -> Finding {
        guard let hex = line.idempotencyKey, let key = IdempotencyKey(hex: hex),
            let request = lane.request(for: line, key: key)
        else { return .unverifiable }
        do {
            try await lane.slots.acquire()
        } catch { return .unverifiable }
        defer { lane.slots.release() }
        do {
            try await lane.limiter.acquire()
        } catch { return .unverifiable }
        let status = await lane.client.status(request, evidence: nil)
        return Self.compare(line.state, with: status)
    }

    /// A settled line against the provider's word.
    static func compare(_ state: LineState, with status: StatusOutcome) -> Finding {
        switch (state, status) {
        case (.success, .applied), (.failed, .rejected), (.failed, .notApplied):
            return .agrees
        case (.success, .rejected(let code, let message)):
            return .contradicts(kind: "success-reversed", detail: "the provider now reports it refused or reversed: \(code) \(message)")
        case (.success, .notApplied):
            return .contradicts(kind: "success-unknown", detail: "the provider has no record of this top-up")
        case (.failed, .applied(let receipt)):
            return .contradicts(
                kind: "failed-but-applied",
                detail: "the provider applied it (reference \(receipt.providerReference ?? "none")): money moved for a FAILED line")
        case (_, .pending), (_, .cannotTell):
            return .unverifiable
        default:
            return .unverifiable
        }
    }
}
