import Foundation
import RechargeCore

/// One entry of `accounts`: the account, or `nil` when it cannot be used (its problems recorded).
///
/// Its credentials are checked against the profile of its kind: each name must be one the provider needs, and a
/// secret must not be written as a literal value.
struct AccountEntry: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, kind, baseURL, defaultPayCoin, defaultPayAccountNumber, credentials, timeoutMilliseconds, requestsPerSecond, burst
        case maxInFlight, readCardBeforeSend
    }

    let account: ProviderAccount?

    init(from decoder: any Decoder) throws {
        let context = try ConfigurationDecoding.of(decoder)
        let before = context.problemCount
        guard let entry = ConfigurationObject<CodingKeys>(decoder, context: context) else {
            self.account = nil
            return
        }
        var name = (try? entry.values.decodeIfPresent(String.self, forKey: .name)) ?? ""
        if !Self.isValidAccountName(name) {
            entry.problem(.name, "required: 1 to 64 letters, digits, '-', '_' or '.'")
            name = ""
        } else if context.isAccountNameTaken(name) {
            entry.problem(.name, "account '\(name)' is configured twice")
        }
        guard let kindText = try? entry.values.decodeIfPresent(String.self, forKey: .kind), let kind = ProviderKind(rawValue: kindText),
            let profile = context.profiles[kind]
        else {
            let kinds = context.profiles.list.map(\.kind.rawValue).joined(separator: ", ")
            entry.problem(.kind, "required, one of: \(kinds)")
            self.account = nil
            return
        }
        var account = ProviderAccount(name: name, kind: kind)
        account.baseURL = entry.string(.baseURL)
        account.defaultPayCoin = entry.string(.defaultPayCoin)
        account.defaultPayAccountNumber = entry.string(.defaultPayAccountNumber)
        if let baseURL = account.baseURL {
            if let url = URL(string: baseURL), url.scheme == "https" || url.scheme == "http", let host = url.host {
                // Plain HTTP only to this machine (the simulator): anything else would send keys and card ids in clear.
                if url.scheme != "https" && !["127.0.0.1", "localhost", "::1", "[::1]"].contains(host.lowercased()) {
                    entry.problem(.baseURL, "'\(baseURL)': plain http is allowed only to 127.0.0.1 or localhost; use https")
                }
            } else {
                entry.problem(.baseURL, "'\(baseURL)' is not an http(s) URL")
            }
        }
        account.timeoutMilliseconds = entry.integer(.timeoutMilliseconds, in: 100...600_000, default: account.timeoutMilliseconds)
        account.maxInFlight = entry.integer(.maxInFlight, in: 1...1_024, default: account.maxInFlight)
        if entry.has(.burst) {
            let burst = entry.integer(.burst, in: 1...100_000, default: 0)
            account.burst = burst == 0 ? nil : burst
        }
        if entry.has(.requestsPerSecond) {
            if let rate = try? entry.values.decode(Double.self, forKey: .requestsPerSecond), rate > 0, rate <= 100_000 {
                account.requestsPerSecond = rate
            } else {
                entry.problem(.requestsPerSecond, "must be a number above 0 and at most 100000")
            }
        }
        if entry.has(.readCardBeforeSend) {
            if let reads = try? entry.values.decode(Bool.self, forKey: .readCardBeforeSend) {
                if profile.executionRules(for: account).readsCardBeforeSend {
                    account.readCardBeforeSend = reads
                } else {
                    entry.problem(.readCardBeforeSend, "\(kind.rawValue) reads no card before a top-up; remove this key")
                }
            } else {
                entry.problem(.readCardBeforeSend, "must be true or false")
            }
        }
        account.credentials = entry.part(CredentialsEntry.self, .credentials)?.sources ?? [:]
        let requirements = profile.credentialRequirements
        for (credential, source) in account.credentials.sorted(by: { $0.key < $1.key }) {
            let key = "\(entry.key(.credentials)).\(credential)"
            guard let requirement = requirements.first(where: { $0.name == credential }) else {
                context.add(key, "\(kind.rawValue) has no such credential; expected: \(requirements.map(\.name).joined(separator: ", "))")
                continue
            }
            if requirement.isSecret, case .value = source {
                context.add(key, "a secret is read from the environment or a key file, never written in the configuration")
            }
        }
        self.account = context.problemCount == before ? account : nil
    }

    static func isValidAccountName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64
            && name.unicodeScalars.allSatisfy {
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0))
            }
    }
}

/// `{"apiKey": {"env": "UQPAY_API_KEY"}, "privateKey": {"file": "/etc/recharge/hc.pem"}, "companyID": {"value": "4101"}}`:
/// where each credential comes from. The values themselves are read only when a run needs them.
struct CredentialsEntry: Decodable {
    let sources: [String: CredentialSource]

    init(from decoder: any Decoder) throws {
        let context = try ConfigurationDecoding.of(decoder)
        let at = keyPath(decoder.codingPath)
        guard let values = try? decoder.container(keyedBy: AnyCodingKey.self) else {
            context.add(at, "must be an object of credential name → source")
            self.sources = [:]
            return
        }
        var sources: [String: CredentialSource] = [:]
        for member in values.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
            let name = member.stringValue
            guard let source = try? values.nestedContainer(keyedBy: AnyCodingKey.self, forKey: member), source.allKeys.count == 1,
                let kind = source.allKeys.first, let text = try? source.decode(String.self, forKey: kind), !text.isEmpty
            else {
                context.add("\(at).\(name)", "must be {\"env\": NAME}, {\"file\": PATH} or {\"value\": TEXT}")
                continue
            }
            switch kind.stringValue {
            case "env": sources[name] = .environment(text)
            case "file": sources[name] = .file(text)
            case "value": sources[name] = .value(text)
            default: context.add("\(at).\(name).\(kind.stringValue)", "unknown source; use env, file or value")
            }
        }
        self.sources = sources
    }
}
