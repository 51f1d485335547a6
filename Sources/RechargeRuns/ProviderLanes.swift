import AsyncHTTPClient
import NIOSSL
import RechargeConfig
import RechargeCore
import RechargeEngine
import RechargeProviders
import RechargeStore

/// The provider side of a run or a verification: the configured accounts that lines name, one HTTP client for
/// them, and a lane per account.
package enum ProviderLanes {
    /// The configured accounts with these names; a name the configuration lacks is a configuration error.
    package static func accounts(named names: Set<String>, in configuration: RechargeConfiguration) throws -> [ProviderAccount] {
        var accounts: [ProviderAccount] = []
        for name in names.sorted() {
            guard let account = configuration.account(named: name) else {
                throw RechargeFailure(
                    exitCode: .configError,
                    message: "the batch's lines name the provider account '\(name)', which the configuration does not define")
            }
            accounts.append(account)
        }
        return accounts
    }

    /// The configured accounts the unsettled lines of `batchID` (or of every batch) refer to; a line naming an
    /// account the configuration lacks is a configuration error, reported before anything is sent.
    package static func accountsWithWork(
        batchID: Int64?, in database: RechargeDatabase, configuration: RechargeConfiguration
    ) throws -> [ProviderAccount] {
        let rows = try database.status(batchID: batchID)
        return try Self.accounts(named: Set(rows.filter { !$0.state.isSettled }.map(\.account)), in: configuration)
    }

    /// One lane per account: its adapter with credentials resolved, its limiter (the store's shared budget, when
    /// several runners share the store), slots and breaker.
    package static func lanes(
        for accounts: [ProviderAccount], client: HTTPClient, policy: ExecutionPolicy, sharedBudget: (any SharedRateBudget)? = nil
    ) throws -> [AccountLane<ContinuousClock>] {
        var lanes: [AccountLane<ContinuousClock>] = []
        for account in accounts {
            do {
                let credentials = try account.resolveCredentials(profiles: .all)
                let adapter = try ProviderClients.make(account: account, credentials: credentials, client: client)
                lanes.append(
                    AccountLane(account: account, client: adapter, policy: policy, clock: ContinuousClock(), sharedBudget: sharedBudget))
            } catch {
                throw RechargeFailure(exitCode: .configError, message: "configuration: \(error.description)")
            }
        }
        return lanes
    }

    /// One read-only lane per account, for verification: the adapter's lookup only (it never holds the send
    /// capability), with the account's limiter and slots.
    package static func lookupLanes(for accounts: [ProviderAccount], client: HTTPClient) throws -> [LookupLane<ContinuousClock>] {
        var lanes: [LookupLane<ContinuousClock>] = []
        for account in accounts {
            do {
                let credentials = try account.resolveCredentials(profiles: .all)
                let lookup = try ProviderClients.lookup(account: account, credentials: credentials, client: client)
                lanes.append(LookupLane(account: account, lookup: lookup, clock: ContinuousClock()))
            } catch {
                throw RechargeFailure(exitCode: .configError, message: "configuration: \(error.description)")
            }
        }
        return lanes
    }

    /// The HTTP client's settings: a connection pool with as many connections per host as the accounts' in-flight
    /// limits together, and a private CA added to the trusted roots when one is configured.
    package static func clientConfiguration(for accounts: [ProviderAccount], trustedCAFile: String?) -> HTTPClient.Configuration {
        // Accounts may share a host (two sub-accounts of one provider; the simulator serves all five): the pool's
        // per-host limit must cover them all.
        let connections = max(8, accounts.reduce(0) { $0 + $1.maxInFlight })
        var settings = HTTPClient.Configuration()
        settings.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = connections
        // Certificates are always verified; a private CA is added to the trusted roots, never a way around them.
        if let trustedCAFile {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.additionalTrustRoots = [.file(trustedCAFile)]
            settings.tlsConfiguration = tls
        }
        return settings
    }
}

/// Runs `body` with an HTTP client for `accounts` (see ``ProviderLanes/clientConfiguration(for:trustedCAFile:)``)
/// and shuts the client down when `body` returns or throws.
package func withHTTPClient<Result>(
    for accounts: [ProviderAccount], trustedCAFile: String?, isolation: isolated (any Actor)? = #isolation,
    _ body: (HTTPClient) async throws -> Result
) async throws -> Result {
    try await HTTPClient.withHTTPClient(
        configuration: ProviderLanes.clientConfiguration(for: accounts, trustedCAFile: trustedCAFile), isolation: isolation, body)
}
