/// Totals a batch's author expects, checked against the lines: the number of lines and the sum per currency.
public struct ControlTotals: Hashable, Sendable {
    public var lineCount: Int?
    /// Currency code → expected sum, as decimal text.
    public var sums: [String: String]

    public init(lineCount: Int? = nil, sums: [String: String] = [:]) {
        self.lineCount = lineCount
        self.sums = sums
    }

    public var isEmpty: Bool { self.lineCount == nil && self.sums.isEmpty }

    /// Parses `USD=1234.56` as given to `--expect-total`.
    public static func parseSum(_ text: String) -> (currency: String, amount: String)? {
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        return (parts[0].trimmingASCIISpaces(), parts[1].trimmingASCIISpaces())
    }
}

/// What a JSON batch says about itself in its `batch` object (or an NDJSON file's first line).
public struct BatchMetadata: Hashable, Sendable {
    public var name: String?
    public var reference: String?
    public var description: String?
    public var control = ControlTotals()

    public init() {}

    static let keys: Set<String> = ["name", "reference", "description", "expected_line_count", "expected_totals"]
}
