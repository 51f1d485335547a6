/// The state of one batch line. Stored as the raw value; the database's `CHECK` lists the same names.
public enum LineState: String, CaseIterable, Codable, Hashable, Sendable {
    /// Waiting to be sent. Valid transitions to: processing, cancelled.
    case pending = "PENDING"
    /// Claimed, key and attempt written; the request may be on the wire or may have been acted on.
    /// Valid transitions to: success, failed, pending (provably not applied), unknown.
    case processing = "PROCESSING"
    /// The provider applied the top-up. Final.
    case success = "SUCCESS"
    /// The provider definitely refused it. Valid transitions to: pending (operator retry, new key generation).
    case failed = "FAILED"
    /// Cancelled by an operator before it was ever sent. Final.
    case cancelled = "CANCELLED"
    /// The outcome could not be established; needs an operator's decision. Valid transitions to: success, failed.
    case unknown = "UNKNOWN"

    /// Whether no further automatic work is done on a line in this state.
    public var isSettled: Bool {
        switch self {
        case .success, .failed, .cancelled, .unknown: true
        case .pending, .processing: false
        }
    }
}
