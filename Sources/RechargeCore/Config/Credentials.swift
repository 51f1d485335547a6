import Foundation

#if canImport(Glibc)
import Glibc
#endif

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

/// The credentials each provider kind needs, and which of them are secrets.
public enum CredentialRequirements {
    public struct Requirement: Hashable, Sendable {
        public let name: String
        public let isSecret: Bool
    }

    public static func of(_ kind: ProviderKind) -> [Requirement] {
        switch kind {
        case .vcc: [.init(name: "companyID", isSecret: false), .init(name: "apiKey", isSecret: true)]
        case .hypercard: [.init(name: "apiKey", isSecret: false), .init(name: "privateKey", isSecret: true)]
        case .pagsmile:
            [
                .init(name: "appID", isSecret: false), .init(name: "partnerID", isSecret: false),
                .init(name: "platformPublicKey", isSecret: false), .init(name: "merchantPrivateKey", isSecret: true),
            ]
        case .uqpay: [.init(name: "clientID", isSecret: false), .init(name: "apiKey", isSecret: true)]
        case .paycertify: [.init(name: "token", isSecret: true)]
        }
    }
}

extension ProviderAccount {
    /// Reads every credential the account's kind needs from its sources.
    ///
    /// - Throws: ``ConfigurationError`` naming the account and credential when one is missing, an environment
    ///   variable is unset or empty, or a key file cannot be read or is readable by group or others.
    public func resolveCredentials(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigurationError) -> [String: Secret] {
        var resolved: [String: Secret] = [:]
        for requirement in CredentialRequirements.of(self.kind) {
            resolved[requirement.name] = try self.resolveCredential(requirement, environment: environment)
        }
        return resolved
    }

    /// Every credential problem of the account, one per credential, without stopping at the first: what
    /// `recharge config check` reports. No value is kept or shown.
    public func credentialProblems(
        path: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> [ConfigurationError] {
        var problems: [ConfigurationError] = []
        for requirement in CredentialRequirements.of(self.kind) {
            do {
                _ = try self.resolveCredential(requirement, environment: environment)
            } catch {
                problems.append(ConfigurationError(path: path, key: error.key, message: error.message))
            }
        }
        return problems
    }

    private func resolveCredential(
        _ requirement: CredentialRequirements.Requirement, environment: [String: String]
    ) throws(ConfigurationError) -> Secret {
        let key = "accounts.\(self.name).credentials.\(requirement.name)"
        guard let source = self.credentials[requirement.name] else {
            throw ConfigurationError(path: "configuration", key: key, message: "missing; give {\"env\": NAME} or {\"file\": PATH}")
        }
        switch source {
        case .environment(let name):
            guard let value = environment[name], !value.isEmpty else {
                throw ConfigurationError(path: "configuration", key: key, message: "environment variable \(name) is not set")
            }
            return Secret(value)
        case .file(let path):
            return Secret(try Self.readKeyFile(path, key: key, mustBePrivate: requirement.isSecret))
        case .value(let value):
            guard !requirement.isSecret else {
                throw ConfigurationError(
                    path: "configuration", key: key,
                    message: "a secret is read from the environment or a key file, never written in the configuration")
            }
            return Secret(value)
        }
    }

    private static func readKeyFile(_ path: String, key: String, mustBePrivate: Bool) throws(ConfigurationError) -> String {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw ConfigurationError(path: "configuration", key: key, message: "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        if let problem = FilePermissions.othersCanWrite(file: path) ?? FilePermissions.othersCanReplace(fileIn: path) {
            throw ConfigurationError(path: "configuration", key: key, message: problem)
        }
        if mustBePrivate && (status.st_mode & 0o077) != 0 {
            throw ConfigurationError(
                path: "configuration", key: key,
                message: "\(path) is readable by group or others (mode \(String(status.st_mode & 0o777, radix: 8))); chmod 600 it")
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigurationError(path: "configuration", key: key, message: "cannot read \(path) as text")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
