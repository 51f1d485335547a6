import Foundation
import Logging
import RechargeCore

/// Asks the providers, where they offer a status query, about every settled line of a batch, and records each
/// line whose stored state the provider contradicts — a FAILED or CANCELLED line the provider applied, a SUCCESS
/// it refunded or does not know. Queries go through each account's rate limiter and in-flight slots, like a run's,
/// and wait out a 429's `Retry-After`.
///
/// It holds only ``LookupLane``s: read-only lookups, never a provider's send capability. A same-key replay is a
/// send (past UQPay's 24 hours it is a new top-up), so a line whose provider can only be asked by replaying is
/// counted as unverifiable, never replayed.
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

    let store: any ReconcileStore
    let lanes: [String: LookupLane<C>]
    let clock: C
    let now: @Sendable () -> Date
    let logger: Logger
    /// Lookups per line answered 429, before the line is counted unverifiable.
    let throttledAttempts = 5
    /// The wait after a 429 without `Retry-After`.
    let throttlePause = Duration.seconds(1)

    package init(
        store: any ReconcileStore, lanes: [LookupLane<C>], clock: C, now: @escaping @Sendable () -> Date = { Date() }, logger: Logger
    ) {
        self.store = store
        self.lanes = Dictionary(uniqueKeysWithValues: lanes.map { ($0.name, $0) })
        self.clock = clock
        self.now = now
        self.logger = logger
    }

    package func verify(batchID: Int64) async throws -> Result {
        let lines = try await self.store.settledSentLines(batchID: batchID)
        let known = try await self.store.recordedMismatches(batchID: batchID)
        let findings = await withTaskGroup(of: (LineRecord, Finding).self) { group in
            for sent in lines {
                guard let lane = self.lanes[sent.line.account] else { continue }
                group.addTask { (sent.line, await self.check(sent, lane: lane)) }
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
                    try await self.store.recordMismatch(lineID: line.id, kind: kind, detail: detail, now: self.now())
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

    /// A line against the provider's word under each key it was sent with: any contradiction counts; it agrees only
    /// when every key agrees.
    private func check(_ sent: SentLine, lane: LookupLane<C>) async -> Finding {
        var findings: [Finding] = []
        for hex in sent.keys {
            guard let key = IdempotencyKey(hex: hex) else { return .unverifiable }
            let finding = await self.check(sent.line, key: key, lane: lane)
            if case .contradicts = finding { return finding }
            findings.append(finding)
        }
        guard !findings.isEmpty, findings.allSatisfy({ if case .agrees = $0 { true } else { false } }) else { return .unverifiable }
        return .agrees
    }

    private func check(_ line: LineRecord, key: IdempotencyKey, lane: LookupLane<C>) async -> Finding {
        guard let request = line.request(account: lane.account, key: key) else { return .unverifiable }
        // No card snapshot: one taken before a send long ago says nothing about the card now. The provider's
        // reference belongs to the line's current key only.
        let recorded = RecordedSend(providerReference: key.hex == line.idempotencyKey ? line.providerReference : nil)
        for _ in 1...self.throttledAttempts {
            do {
                try await lane.slots.acquire()
            } catch { return .unverifiable }
            do {
                try await lane.limiter.acquire()
            } catch {
                lane.slots.release()
                return .unverifiable
            }
            let status = await lane.lookup.status(request, recorded: recorded)
            lane.slots.release()
            guard case .throttled(let retryAfter) = status else { return Self.compare(line.state, with: status) }
            let pause = retryAfter ?? self.throttlePause
            await lane.limiter.pause(until: self.clock.now.advanced(by: pause))
            do {
                try await self.clock.sleep(for: pause)
            } catch { return .unverifiable }
        }
        return .unverifiable
    }

    /// A settled line against the provider's word.
    static func compare(_ state: LineState, with status: StatusOutcome) -> Finding {
        switch (state, status) {
        case (.success, .applied), (.failed, .rejected), (.failed, .notApplied), (.cancelled, .rejected), (.cancelled, .notApplied):
            return .agrees
        case (.success, .rejected(let code, let message)):
            return .contradicts(kind: "success-reversed", detail: "the provider now reports it refused or reversed: \(code) \(message)")
        case (.success, .notApplied):
            return .contradicts(kind: "success-unknown", detail: "the provider has no record of this top-up")
        case (.failed, .applied(let receipt)):
            return .contradicts(
                kind: "failed-but-applied",
                detail: "the provider applied it (reference \(receipt.providerReference ?? "none")): money moved for a FAILED line")
        case (.cancelled, .applied(let receipt)):
            return .contradicts(
                kind: "cancelled-but-applied",
                detail: "the provider applied it (reference \(receipt.providerReference ?? "none")): money moved for a CANCELLED line")
        case (_, .pending), (_, .cannotTell), (_, .throttled):
            return .unverifiable
        default:
            return .unverifiable
        }
    }
}
