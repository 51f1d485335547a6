import Foundation
import RechargeCore

#if canImport(Glibc)
import Glibc
#endif

extension ProviderAccount {
    /// Reads every credential the account's kind needs (its profile's ``ProviderProfile/credentialRequirements``)
    /// from its sources.
    ///
    /// - Throws: ``ConfigurationError`` naming the account and credential when one is missing, an environment
    ///   variable is unset or empty, or a key file cannot be read or is readable by group or others.
    public func resolveCredentials(
        profiles: ProviderProfiles, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigurationError) -> [String: Secret] {
        var resolved: [String: Secret] = [:]
        for requirement in try self.credentialRequirements(profiles) {
            resolved[requirement.name] = try self.resolveCredential(requirement, environment: environment)
        }
        return resolved
    }

    /// Every credential problem of the account, one per credential, without stopping at the first: what
    /// `recharge config check` reports. No value is kept or shown.
    public func credentialProblems(
        path: String, profiles: ProviderProfiles, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> [ConfigurationError] {
        let requirements: [CredentialRequirement]
        do {
            requirements = try self.credentialRequirements(profiles)
        } catch {
            return [ConfigurationError(path: path, key: error.key, message: error.message)]
        }
        var problems: [ConfigurationError] = []
        for requirement in requirements {
            do {
                _ = try self.resolveCredential(requirement, environment: environment)
            } catch {
                problems.append(ConfigurationError(path: path, key: error.key, message: error.message))
            }
        }
        return problems
    }

    private func credentialRequirements(_ profiles: ProviderProfiles) throws(ConfigurationError) -> [CredentialRequirement] {
        guard let profile = profiles[self.kind] else {
            throw ConfigurationError(
                path: "configuration", key: "accounts.\(self.name).kind", message: "no provider profile for \(self.kind.rawValue)")
        }
        return profile.credentialRequirements
    }

    private func resolveCredential(
        _ requirement: CredentialRequirement, environment: [String: String]
    ) throws(ConfigurationError) -> Secret {
        func problem(_ message: String) -> ConfigurationError { .credential(requirement.name, of: self.name, message) }
        guard let source = self.credentials[requirement.name] else {
            throw problem(ConfigurationError.missingCredential)
        }
        switch source {
        case .environment(let name):
            guard let value = environment[name], !value.isEmpty else {
                throw problem("environment variable \(name) is not set")
            }
            return Secret(value)
        case .file(let path):
            do {
                return Secret(try Self.readKeyFile(path, mustBePrivate: requirement.isSecret))
            } catch {
                throw problem(error.message)
            }
        case .value(let value):
            guard !requirement.isSecret else {
                throw problem("a secret is read from the environment or a key file, never written in the configuration")
            }
            return Secret(value)
        }
    }

    private struct KeyFileProblem: Error {
        let message: String
    }

    private static func readKeyFile(_ path: String, mustBePrivate: Bool) throws(KeyFileProblem) -> String {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw KeyFileProblem(message: "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        if let problem = FilePermissions.othersCanWrite(file: path) ?? FilePermissions.othersCanReplace(fileIn: path) {
            throw KeyFileProblem(message: problem)
        }
        if mustBePrivate && (status.st_mode & 0o077) != 0 {
            throw KeyFileProblem(
                message: "\(path) is readable by group or others (mode \(String(status.st_mode & 0o777, radix: 8))); chmod 600 it")
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw KeyFileProblem(message: "cannot read \(path) as text")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
