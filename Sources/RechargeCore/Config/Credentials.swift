/// Where one credential of a provider account comes from. Secrets come only from the environment or a key
/// file; a literal value is allowed for identifiers that are not secret (a company id, an app id).
public enum CredentialSource: Hashable, Sendable, CustomStringConvertible {
    case environment(String)
    case file(String)
    case value(String)

    /// Never shows a literal value: descriptions end up in logs.
    public var description: String {
        switch self {
        case .environment(let name): "environment variable \(name)"
        case .file(let path): "file \(path)"
        case .value: "a literal value"
        }
    }
}

/// A credential value that never prints itself.
public struct Secret: Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The value, for building a request. Do not log it.
    public let value: String

    public init(_ value: String) {
        self.value = value
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}
