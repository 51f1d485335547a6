import Foundation
import RechargeCore
import RechargeStore
import Synchronization

/// A provider whose answers a test scripts per card, recording every call and what the database said at the moment
/// each recharge left: the runner's contract, observed from the provider's side.
final class ScriptedProvider: ProviderClient {
    enum Answer: Sendable {
        case applied, rejected, notApplied, throttled, inDoubt
        /// Taken and not finished: answered with an order reference (UQPay PENDING); applied at the provider.
        case accepted
    }

    struct Call: Hashable, Sendable {
        var kind: String
        var cardID: String
        var key: String
        /// When the provider received it (not part of a call's identity).
        var at = ContinuousClock.now

        static func == (lhs: Call, rhs: Call) -> Bool {
            (lhs.kind, lhs.cardID, lhs.key) == (rhs.kind, rhs.cardID, rhs.key)
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(self.kind)
            hasher.combine(self.cardID)
            hasher.combine(self.key)
        }
    }

    struct State {
        var recharges: [String: [Answer]] = [:]
        var statuses: [String: [StatusOutcome]] = [:]
        var calls: [Call] = []
        /// Recharges in flight now, per card, and the most ever seen at once.
        var inFlight: [String: Int] = [:]
        var mostInFlightPerCard = 0
        /// For each recharge, the line's state and key in the database when the request left.
        var recordedAtSend: [(state: String?, key: String?)] = []
        /// Cards whose recharge took effect, in order (what a ledger would hold).
        var applied: [String] = []
        /// The provider reference each status query was given.
        var statusReferences: [String?] = []
        /// The evidence each status query was given (what the claim recorded before the send).
        var statusEvidence: [ResolutionEvidence?] = []
        /// Answers for the successive card reads of a card (then a snapshot).
        var evidenceReads: [String: [EvidenceRead]] = [:]
        /// How often ``prepare()`` was called, and whether a recharge left before it.
        var prepared = 0
        var sentBeforePrepared = false
    }

    func prepare() async {
        self.state.withLock { $0.prepared += 1 }
    }

    let rules: ExecutionRules
    let database: RechargeDatabase
    let state = Mutex(State())
    let latency: Duration

    init(rules: ExecutionRules = ExecutionRules(), database: RechargeDatabase, latency: Duration = .milliseconds(1)) {
        self.rules = rules
        self.database = database
        self.latency = latency
    }

    var executionRules: ExecutionRules { self.rules }

    /// Answers for the successive recharges of `card` (then `applied`), and for its status queries (then
    /// `cannotTell`).
    func script(_ card: String, recharges: [Answer] = [], statuses: [StatusOutcome] = []) {
        self.state.withLock {
            $0.recharges[card] = recharges
            $0.statuses[card] = statuses
        }
    }

    /// Answers for the successive card reads of `card` before its sends (then a snapshot is read).
    func scriptCardReads(_ card: String, _ reads: [EvidenceRead]) {
        self.state.withLock { $0.evidenceReads[card] = reads }
    }

    var calls: [Call] { self.state.withLock { $0.calls } }
    var applied: [String] { self.state.withLock { $0.applied } }

    var lookup: any ProviderLookup { Lookup(provider: self) }

    /// The read-only half: card reads and status queries, recorded as calls like the sends.
    struct Lookup: ProviderLookup {
        let provider: ScriptedProvider

        func evidenceBeforeRecharge(_ request: RechargeRequest) async -> EvidenceRead {
            let scripted = self.provider.state.withLock { state -> EvidenceRead? in
                state.calls.append(Call(kind: "evidence", cardID: request.cardID, key: request.key.hex))
                guard let next = state.evidenceReads[request.cardID]?.first else { return nil }
                state.evidenceReads[request.cardID]!.removeFirst()
                return next
            }
            return scripted ?? .recorded(ResolutionEvidence(text: "{\"card\":\"\(request.cardID)\"}"))
        }

        func status(_ request: RechargeRequest, recorded: RecordedSend) async -> StatusOutcome {
            self.provider.state.withLock { state -> StatusOutcome in
                state.calls.append(Call(kind: "status", cardID: request.cardID, key: request.key.hex))
                state.statusReferences.append(recorded.providerReference)
                state.statusEvidence.append(recorded.evidence)
                guard let next = state.statuses[request.cardID]?.first else { return .cannotTell(reason: "no script") }
                state.statuses[request.cardID]!.removeFirst()
                return next
            }
        }
    }

    func recharge(_ request: RechargeRequest) async -> RechargeOutcome {
        let line = try? self.database.lines(batchID: 1).first { $0.cardID == request.cardID && $0.state == .processing }
        let answer = self.state.withLock { state -> Answer in
            state.calls.append(Call(kind: "recharge", cardID: request.cardID, key: request.key.hex))
            if state.prepared == 0 { state.sentBeforePrepared = true }
            state.recordedAtSend.append((line?.state.rawValue, line?.idempotencyKey))
            state.inFlight[request.cardID, default: 0] += 1
            state.mostInFlightPerCard = max(state.mostInFlightPerCard, state.inFlight[request.cardID]!)
            let next = state.recharges[request.cardID]?.first ?? .applied
            if !(state.recharges[request.cardID]?.isEmpty ?? true) { state.recharges[request.cardID]!.removeFirst() }
            if next == .applied || next == .inDoubt || next == .accepted { state.applied.append(request.cardID) }
            return next
        }
        try? await Task.sleep(for: self.latency)
        self.state.withLock { $0.inFlight[request.cardID]! -= 1 }
        switch answer {
        case .applied: return .applied(ProviderReceipt(providerReference: "ref-\(request.key.hex.prefix(8))"))
        case .rejected: return .rejected(code: "card_frozen", message: "the card is frozen")
        case .notApplied: return .notApplied(code: "http:503", message: "unavailable before applying", retryAfter: nil)
        case .throttled: return .throttled(code: "http:429", message: "too many requests", retryAfter: .milliseconds(5))
        // Applied at the provider, answer lost.
        case .inDoubt: return .inDoubt(code: "transport:failed", message: "connection reset after sending")
        case .accepted: return .accepted(reference: "order-\(request.cardID)", code: "order:PENDING", message: "pending")
        }
    }
}
