/// The columns of a CSV batch and the fields of a JSON item. Names are matched case-insensitively.
public enum BatchField: Int, CaseIterable, Sendable {
    case provider
    case cardID
    case amount
    case currency
    case reference
    case remark
    case payCoin
    case payAccountNumber
    case onBehalfOf

    /// The name used in files.
    public var name: String {
        switch self {
        case .provider: "provider"
        case .cardID: "card_id"
        case .amount: "amount"
        case .currency: "currency"
        case .reference: "reference"
        case .remark: "remark"
        case .payCoin: "pay_coin"
        case .payAccountNumber: "pay_account_num"
        case .onBehalfOf: "on_behalf_of"
        }
    }

    /// The fields every line must have.
    public static let required: [BatchField] = [.provider, .cardID, .amount, .currency, .reference]

    /// The fields only some providers use (see ``ProviderExtra``), in the order they are checked.
    public static let providerExtras: [BatchField] = [.payCoin, .payAccountNumber, .onBehalfOf]

    /// The field with this name, ignoring case and surrounding spaces.
    public init?(name: String) {
        let normalized = name.trimmingASCIISpaces().lowercased()
        guard let field = Self.allCases.first(where: { $0.name == normalized }) else { return nil }
        self = field
    }
}

/// One line or item of a batch file with its values placed by field, before validation.
struct RawRecord {
    var line: Int
    var item: Int?
    var values: [String?] = Array(repeating: nil, count: BatchField.allCases.count)
    /// Fields whose value could not be read (already reported), so validation does not report them again.
    var unreadable: Set<Int> = []

    init(line: Int, item: Int? = nil) {
        self.line = line
        self.item = item
    }

    subscript(field: BatchField) -> String? {
        get { self.values[field.rawValue] }
        set { self.values[field.rawValue] = newValue }
    }
}

extension String {
    /// The string without leading and trailing ASCII spaces and tabs.
    func trimmingASCIISpaces() -> String {
        let utf8 = self.utf8
        guard let first = utf8.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }) else { return "" }
        guard let last = utf8.lastIndex(where: { $0 != 0x20 && $0 != 0x09 }) else { return "" }
        if first == utf8.startIndex && last == utf8.index(before: utf8.endIndex) { return self }
        return String(self[first...last])
    }
}
