import Foundation
import RechargeCore

/// The configuration file's top level, decoded in one pass that records every problem (in
/// ``ConfigurationDecoding``) and goes on with the next setting: a bad setting keeps its default, a bad account
/// is left out.
struct ConfigurationFile: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case accounts, maximumPerLine, defaultMaximumMajorUnits, maximumFileBytes, retry, statusQueries, timeouts, paths, tls, approval,
            console, store
    }

    /// `nil` when the top level is not an object.
    let configuration: RechargeConfiguration?

    init(from decoder: any Decoder) throws {
        let context = try ConfigurationDecoding.of(decoder)
        guard let file = ConfigurationObject<CodingKeys>(decoder, context: context, notAnObject: "the top level must be a JSON object")
        else {
            self.configuration = nil
            return
        }
        var accounts: [ProviderAccount] = []
        if file.has(.accounts), var list = try? file.values.nestedUnkeyedContainer(forKey: .accounts), list.count != 0 {
            while !list.isAtEnd {
                guard let entry = try? list.decode(AccountEntry.self) else { break }
                if let account = entry.account {
                    accounts.append(account)
                    context.acceptAccountName(account.name)
                }
            }
        } else {
            file.problem(.accounts, "a non-empty array of provider accounts is required")
        }
        var configuration = RechargeConfiguration(accounts: accounts)
        if file.has(.defaultMaximumMajorUnits) {
            if let number = try? file.values.decode(Int.self, forKey: .defaultMaximumMajorUnits), number > 0 {
                configuration.defaultMaximumMajorUnits = Int64(number)
            } else {
                file.problem(.defaultMaximumMajorUnits, "must be a positive whole number")
            }
        }
        configuration.maximumFileBytes = file.integer(.maximumFileBytes, in: 1...(1 << 40), default: configuration.maximumFileBytes)
        if let maximums = file.part(MaximumsEntry.self, .maximumPerLine) {
            configuration.maximumPerLine = maximums.maximums
        }
        configuration.retry = file.part(RetryEntry.self, .retry)?.settings ?? configuration.retry
        configuration.statusQueries = file.part(RetryEntry.self, .statusQueries)?.settings ?? configuration.statusQueries
        configuration.timeouts = file.part(TimeoutsEntry.self, .timeouts)?.settings ?? configuration.timeouts
        configuration.paths = file.part(PathsEntry.self, .paths)?.settings ?? configuration.paths
        configuration.trustedCAFile = file.part(TLSEntry.self, .tls)?.trustedCAFile
        configuration.approval = file.part(ApprovalEntry.self, .approval)?.policy
        configuration.console = file.part(ConsoleEntry.self, .console)?.settings ?? configuration.console
        configuration.store = file.part(StoreEntry.self, .store)?.settings ?? configuration.store
        self.configuration = configuration
    }
}

/// `"maximumPerLine": {"USD": "50000.00", "JPY": "5000000"}`: amounts as decimal strings, parsed exactly.
struct MaximumsEntry: Decodable {
    let maximums: [String: Money]

    init(from decoder: any Decoder) throws {
        let context = try ConfigurationDecoding.of(decoder)
        let at = keyPath(decoder.codingPath)
        guard let values = try? decoder.container(keyedBy: AnyCodingKey.self) else {
            context.add(at, "must be an object of currency → amount")
            self.maximums = [:]
            return
        }
        var maximums: [String: Money] = [:]
        for member in values.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
            let code = member.stringValue
            let key = "\(at).\(code)"
            guard let currency = Currency(code: code) else {
                context.add(key, "'\(code)' is not an ISO 4217 currency code")
                continue
            }
            guard let text = try? values.decode(String.self, forKey: member) else {
                context.add(key, "must be a decimal string such as \"50000.00\"")
                continue
            }
            do {
                maximums[code] = try Money.parse(text, currency: currency)
            } catch {
                context.add(key, error.description)
            }
        }
        self.maximums = maximums
    }
}

/// `approval`: `{"required": true}`, `{"above": {"USD": "10000.00"}}`, and optionally
/// `"twoApproversAbove": {"USD": "100000.00"}`.
struct ApprovalEntry: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case required, above, twoApproversAbove
    }

    /// `nil` when the section is not an object.
    let policy: ApprovalPolicy?

    init(from decoder: any Decoder) throws {
        let context = try ConfigurationDecoding.of(decoder)
        guard let section = ConfigurationObject<CodingKeys>(decoder, context: context) else {
            self.policy = nil
            return
        }
        var policy = ApprovalPolicy()
        if section.has(.required) {
            if let flag = try? section.values.decode(Bool.self, forKey: .required) {
                policy.required = flag
            } else {
                section.problem(.required, "must be true or false")
                // A setting that was meant to demand approval and cannot be read demands it.
                policy.required = true
            }
        }
        policy.above = section.part(MaximumsEntry.self, .above)?.maximums
        policy.twoApproversAbove = section.part(MaximumsEntry.self, .twoApproversAbove)?.maximums ?? [:]
        if !policy.required && policy.above == nil && policy.twoApproversAbove.isEmpty {
            section.problem(.required, "the approval section names no rule: set \"required\": true, \"above\" or \"twoApproversAbove\"")
        }
        self.policy = policy
    }
}

/// `retry` or `statusQueries`: capped exponential backoff, each key optional.
struct RetryEntry: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case maximumAttempts, baseMilliseconds, capMilliseconds
    }

    /// `nil` when the section is not an object or its cap is below its base (the defaults then stand).
    let settings: RetrySettings?

    init(from decoder: any Decoder) throws {
        let context = try ConfigurationDecoding.of(decoder)
        let defaults = RechargeConfiguration(accounts: [])
        let fallback = decoder.codingPath.last?.stringValue == "statusQueries" ? defaults.statusQueries : defaults.retry
        guard let section = ConfigurationObject<CodingKeys>(decoder, context: context) else {
            self.settings = nil
            return
        }
        var settings = fallback
        settings.maximumAttempts = section.integer(.maximumAttempts, in: 1...100, default: fallback.maximumAttempts)
        settings.baseMilliseconds = section.integer(.baseMilliseconds, in: 1...600_000, default: fallback.baseMilliseconds)
        settings.capMilliseconds = section.integer(.capMilliseconds, in: 1...3_600_000, default: fallback.capMilliseconds)
        guard settings.capMilliseconds >= settings.baseMilliseconds else {
            section.problem(.capMilliseconds, "must be at least \(section.key(.baseMilliseconds))")
            self.settings = nil
            return
        }
        self.settings = settings
    }
}

/// `timeouts`: the limits that are not per account.
struct TimeoutsEntry: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case stopGraceSeconds, inboxSettleMilliseconds, breakerGiveUpSeconds, leaseSeconds
    }

    let settings: TimeoutSettings?

    init(from decoder: any Decoder) throws {
        let context = try ConfigurationDecoding.of(decoder)
        guard let section = ConfigurationObject<CodingKeys>(decoder, context: context) else {
            self.settings = nil
            return
        }
        var settings = TimeoutSettings()
        settings.stopGraceSeconds = section.integer(.stopGraceSeconds, in: 0...3_600, default: settings.stopGraceSeconds)
        settings.inboxSettleMilliseconds = section.integer(
            .inboxSettleMilliseconds, in: 0...600_000, default: settings.inboxSettleMilliseconds)
        settings.breakerGiveUpSeconds = section.integer(.breakerGiveUpSeconds, in: 0...86_400, default: settings.breakerGiveUpSeconds)
        settings.leaseSeconds = section.integer(.leaseSeconds, in: 3...3_600, default: settings.leaseSeconds)
        self.settings = settings
    }
}

/// `paths`: where things are, so a scheduled command line needs only `--config`.
struct PathsEntry: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case database, inbox, reports, metricsFile
    }

    let settings: PathSettings?

    init(from decoder: any Decoder) throws {
        let context = try ConfigurationDecoding.of(decoder)
        guard let section = ConfigurationObject<CodingKeys>(decoder, context: context) else {
            self.settings = nil
            return
        }
        var settings = PathSettings()
        settings.database = section.string(.database)
        settings.inbox = section.string(.inbox)
        settings.reports = section.string(.reports)
        settings.metricsFile = section.string(.metricsFile)
        self.settings = settings
    }
}

/// `store`: a PostgreSQL store several runners share. A password in the URL is refused: the configuration file is
/// not a secret, the password file is.
struct StoreEntry: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case url, passwordFile
    }

    let settings: StoreSettings?

    init(from decoder: any Decoder) throws {
        let context = try ConfigurationDecoding.of(decoder)
        guard let section = ConfigurationObject<CodingKeys>(decoder, context: context) else {
            self.settings = nil
            return
        }
        var settings = StoreSettings()
        if let url = section.string(.url) {
            if !(url.hasPrefix("postgres://") || url.hasPrefix("postgresql://")) {
                section.problem(.url, "must be a PostgreSQL URL, postgres://USER@HOST:PORT/DATABASE")
            } else if let components = URLComponents(string: url), components.password != nil {
                section.problem(.url, "must not hold a password: put it in a file named by store.passwordFile (mode 0600)")
            } else {
                settings.url = url
            }
        }
        if let file = section.string(.passwordFile) {
            if FileManager.default.isReadableFile(atPath: file) {
                settings.passwordFile = file
            } else {
                section.problem(.passwordFile, "'\(file)' is not a readable file")
            }
        }
        self.settings = settings
    }
}

/// `tls`: a private CA trusted in addition to the system's roots.
struct TLSEntry: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case trustedCAFile
    }

    let trustedCAFile: String?

    init(from decoder: any Decoder) throws {
        let context = try ConfigurationDecoding.of(decoder)
        guard let section = ConfigurationObject<CodingKeys>(decoder, context: context), let file = section.string(.trustedCAFile) else {
            self.trustedCAFile = nil
            return
        }
        if FileManager.default.isReadableFile(atPath: file),
            let pem = try? String(contentsOfFile: file, encoding: .utf8), pem.contains("-----BEGIN CERTIFICATE-----")
        {
            self.trustedCAFile = file
        } else {
            section.problem(.trustedCAFile, "'\(file)' is not a readable PEM file of CA certificates")
            self.trustedCAFile = nil
        }
    }
}

/// `console`: where `recharge serve` listens, its TLS certificate and key (PEM files), and its largest upload.
struct ConsoleEntry: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case listen, tlsCertificate, tlsPrivateKey, maxUploadBytes
    }

    let settings: ConsoleConfiguration

    init(from decoder: any Decoder) throws {
        let context = try ConfigurationDecoding.of(decoder)
        var settings = ConsoleConfiguration()
        guard let section = ConfigurationObject<CodingKeys>(decoder, context: context) else {
            self.settings = settings
            return
        }
        if let listen = section.string(.listen) { settings.listen = listen }
        for (key, marker) in [(CodingKeys.tlsCertificate, "CERTIFICATE-----"), (.tlsPrivateKey, "PRIVATE KEY-----")] {
            guard let file = section.string(key) else { continue }
            // The key file is only checked to be PEM; its content is never kept or shown.
            guard FileManager.default.isReadableFile(atPath: file),
                let pem = try? String(contentsOfFile: file, encoding: .utf8), pem.contains(marker)
            else {
                section.problem(key, "'\(file)' is not a readable PEM file")
                continue
            }
            if key == .tlsCertificate { settings.tlsCertificate = file } else { settings.tlsPrivateKey = file }
        }
        if (settings.tlsCertificate == nil) != (settings.tlsPrivateKey == nil) {
            section.problem(.tlsCertificate, "TLS needs both tlsCertificate and tlsPrivateKey")
        }
        settings.maxUploadBytes = section.integer(.maxUploadBytes, in: 1...(1 << 40), default: settings.maxUploadBytes)
        self.settings = settings
    }
}
