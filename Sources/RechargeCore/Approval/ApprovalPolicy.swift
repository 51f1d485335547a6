/// Which batches need approval before any of their lines is sent, and by how many people (configuration `approval`).
///
/// The person who imports a batch never approves it; the store enforces that, whatever the policy. The policy only
/// decides how many *other* people must approve: none, one or two. It is applied once, when a batch is imported,
/// to the batch's own totals per currency, and the answer is stored with the batch.
public struct ApprovalPolicy: Hashable, Sendable {
    /// Every batch needs one approval (`"required": true`).
    public var required: Bool
    /// A batch needs one approval when its total in any of these currencies is above the amount (`"above"`). A
    /// currency the list does not name always needs one: a threshold nobody set is not a threshold of zero risk.
    public var above: [String: Money]?
    /// A batch needs two approvals (two people, neither the uploader) when its total in one of these currencies is
    /// above the amount (`"twoApproversAbove"`). Currencies not listed never need a second approval.
    public var twoApproversAbove: [String: Money]

    public init(required: Bool = false, above: [String: Money]? = nil, twoApproversAbove: [String: Money] = [:]) {
        self.required = required
        self.above = above
        self.twoApproversAbove = twoApproversAbove
    }

    /// How many approvals a batch with these totals (minor units per currency code) needs: 0, 1 or 2.
    public func approvalsRequired(totals: [String: Int64]) -> Int {
        let two = totals.contains { code, minor in
            guard let limit = self.twoApproversAbove[code] else { return false }
            return minor > limit.minorUnits
        }
        if two { return 2 }
        if self.required { return 1 }
        if let above = self.above {
            let one = totals.contains { code, minor in
                guard let limit = above[code] else { return true }
                return minor > limit.minorUnits
            }
            if one { return 1 }
        }
        return 0
    }

    /// Why a batch with these totals needs its approvals, in words, for the import's output and the event log.
    public func reason(totals: [String: Int64]) -> String {
        let sorted = totals.sorted { $0.key < $1.key }
        if let (code, minor) = sorted.first(where: { code, minor in self.twoApproversAbove[code].map { minor > $0.minorUnits } ?? false }) {
            return
                "its \(code) total \(Self.render(minor, code)) is above \(self.twoApproversAbove[code]!.decimalString) (twoApproversAbove)"
        }
        if self.required { return "every batch needs approval (approval.required)" }
        if let above = self.above {
            for (code, minor) in sorted {
                guard let limit = above[code] else { return "approval.above sets no threshold for \(code)" }
                if minor > limit.minorUnits {
                    return "its \(code) total \(Self.render(minor, code)) is above \(limit.decimalString) (approval.above)"
                }
            }
        }
        return "no approval is needed"
    }

    private static func render(_ minor: Int64, _ code: String) -> String {
        Money.decimalString(minorUnits: minor, currencyCode: code)
    }
}
