/// Where a batch stands with approval, beside its lines' states. Only NOT_REQUIRED and APPROVED batches run.
public enum BatchApprovalState: String, Sendable, Hashable, Codable, CaseIterable {
    /// Inside the import's transaction, while the lines go in; never committed.
    case importing = "IMPORTING"
    /// The policy asked for no approval (or the batch predates approval).
    case notRequired = "NOT_REQUIRED"
    case awaitingApproval = "AWAITING_APPROVAL"
    case approved = "APPROVED"
    /// Rejected by an approver: its lines are cancelled, none was sent.
    case rejected = "REJECTED"

    /// Whether the batch's lines may be sent.
    public var allowsSending: Bool { self == .notRequired || self == .approved }
}
