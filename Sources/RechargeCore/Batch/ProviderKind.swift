/// The card provider APIs the processor speaks. An account in the configuration has one kind.
public enum ProviderKind: String, CaseIterable, Codable, Hashable, Sendable {
    case vcc
    case hypercard
    case pagsmile
    case uqpay
    case paycertify
}
