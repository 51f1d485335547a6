import Foundation

/// A pending line that is due, with what its send needs: the batch's uid and the key the line is sent under.
@dynamicMemberLookup
public struct DueLine: Hashable, Sendable {
    public var line: LineRecord
    public var batchUID: String
    /// Derived from the batch uid, line number and key generation, once, where the line is read.
    public var key: IdempotencyKey
    /// For a provider that takes one recharge per card at a time, on a store shared by several runners: the card's
    /// turn counter when the line was read. The claim goes through only if no claim of the card came in between
    /// (so a card read taken meanwhile is still the card's state before this send); `nil` where the store needs none.
    public var cardTurn: Int64?

    public init(line: LineRecord, batchUID: String, cardTurn: Int64? = nil) {
        self.line = line
        self.batchUID = batchUID
        self.key = IdempotencyKey(batchUID: batchUID, lineNumber: line.lineNumber, generation: line.generation)
        self.cardTurn = cardTurn
    }

    public subscript<Value>(dynamicMember keyPath: KeyPath<LineRecord, Value>) -> Value { self.line[keyPath: keyPath] }
}

/// A due line to claim, with the evidence recorded before sending (a card read), if any.
public struct LineClaim: Hashable, Sendable {
    public var line: DueLine
    public var evidence: String?

    public init(_ line: DueLine, evidence: String? = nil) {
        self.line = line
        self.evidence = evidence
    }
}

/// A line taken for sending: its record after the claim, and the key and attempt it is sent under.
public struct ClaimedLine: Hashable, Sendable {
    public var line: LineRecord
    public var batchUID: String
    public var key: IdempotencyKey
    public var attemptNumber: Int
    /// The claim's fencing token: every outcome of this attempt names it, and a store shared by several runners
    /// refuses one under a token that is no longer the line's. 0 where the store has one runner.
    public var fence: Int64

    public init(line: LineRecord, batchUID: String, key: IdempotencyKey, attemptNumber: Int, fence: Int64 = 0) {
        self.line = line
        self.batchUID = batchUID
        self.key = key
        self.attemptNumber = attemptNumber
        self.fence = fence
    }
}

/// A line in flight, as recovery finds it: the key it was sent under and the evidence recorded before sending.
public struct InFlightLine: Hashable, Sendable {
    public var line: LineRecord
    public var key: IdempotencyKey
    public var attemptNumber: Int
    public var evidence: String?
    /// When the latest attempt was claimed.
    public var claimedAt: String
    /// When its request actually left, if that was recorded (it is, with any answer); `nil` after a crash while
    /// the request was on its way.
    public var sentAt: String?
    /// The fencing token this runner now holds the line under (a new one when it adopted the line from a runner
    /// whose lease expired); 0 where the store has one runner.
    public var fence: Int64

    public init(
        line: LineRecord, key: IdempotencyKey, attemptNumber: Int, evidence: String?, claimedAt: String, sentAt: String?, fence: Int64 = 0
    ) {
        self.line = line
        self.key = key
        self.attemptNumber = attemptNumber
        self.evidence = evidence
        self.claimedAt = claimedAt
        self.sentAt = sentAt
        self.fence = fence
    }
}

/// What became of one attempt, for ``EngineStore/recordOutcomes(_:now:)``.
public struct OutcomeRecord: Sendable {
    public var lineID: Int64
    public var attemptNumber: Int
    /// The line event: `applied`, `rejected`, `notApplied`, `inDoubt` or `unresolvable`.
    public var event: LineEvent
    public var outcome: String
    public var errorCode: String?
    public var errorMessage: String?
    public var providerReference: String?
    public var receipt: ProviderReceipt?
    /// When a line sent back to PENDING may be claimed again (backoff, `Retry-After`).
    public var nextAttemptAt: Date?
    /// When the attempt's request actually left (after admission), recorded on the attempt.
    public var sentAt: Date?
    public var actor: String
    /// The fencing token the line was claimed or adopted under (``ClaimedLine/fence``); 0 where the store has one runner.
    public var fence: Int64

    public init(
        lineID: Int64, attemptNumber: Int, event: LineEvent, outcome: String, errorCode: String? = nil, errorMessage: String? = nil,
        providerReference: String? = nil, receipt: ProviderReceipt? = nil, nextAttemptAt: Date? = nil, sentAt: Date? = nil,
        actor: String = "engine", fence: Int64 = 0
    ) {
        self.fence = fence
        self.lineID = lineID
        self.attemptNumber = attemptNumber
        self.event = event
        self.outcome = outcome
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.providerReference = providerReference
        self.receipt = receipt
        self.nextAttemptAt = nextAttemptAt
        self.sentAt = sentAt
        self.actor = actor
    }
}

/// What is left to do for one provider account.
public struct AccountWork: Hashable, Sendable {
    public var pending: Int
    public var processing: Int
    /// The earliest `next_attempt_at` among pending lines that are not due yet; `nil` when none is deferred.
    public var earliestDeferred: Date?

    public init(pending: Int, processing: Int, earliestDeferred: Date?) {
        self.pending = pending
        self.processing = processing
        self.earliestDeferred = earliestDeferred
    }

    public var isEmpty: Bool { self.pending == 0 && self.processing == 0 }
}

/// A settled line that was sent, with the keys it was sent under that verification asks about.
public struct SentLine: Hashable, Sendable {
    public var line: LineRecord
    public var keys: [String]

    public init(line: LineRecord, keys: [String]) {
        self.line = line
        self.keys = keys
    }
}

/// A runner asking for the lease: its name, host and process id, and how long the lease lives unrenewed.
public struct LeaseClaim: Hashable, Sendable {
    public var holder: String
    public var host: String
    public var pid: Int
    public var ttl: TimeInterval

    public init(holder: String, host: String, pid: Int, ttl: TimeInterval) {
        self.holder = holder
        self.host = host
        self.pid = pid
        self.ttl = ttl
    }
}

/// Who holds the runner lease of a database.
public struct LeaseHolder: Hashable, Sendable, Codable {
    public var holder: String
    public var host: String
    public var pid: Int
    public var acquiredAt: String
    public var heartbeatAt: String
    public var expiresAt: String

    enum CodingKeys: String, CodingKey {
        case holder, host, pid
        case acquiredAt = "acquired_at"
        case heartbeatAt = "heartbeat_at"
        case expiresAt = "expires_at"
    }
}

/// The result of asking for the lease.
public enum LeaseResult: Hashable, Sendable {
    /// This runner holds it; `tookOverFrom` names a previous holder whose lease had expired.
    case acquired(tookOverFrom: LeaseHolder?)
    /// Another runner holds it and its heartbeat is fresh.
    case held(by: LeaseHolder)
}
