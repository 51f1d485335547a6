import Foundation
import NIOSSL
import PostgresNIO
import RechargeCore

/// Where a PostgreSQL store is: `postgres://USER@HOST:PORT/DATABASE?sslmode=disable|require`.
///
/// The password is never part of what is shown: it comes from the URL (discouraged: a URL ends up in shell histories
/// and process lists), else from `RECHARGE_PG_PASSWORD`, else from the file `RECHARGE_PG_PASSWORD_FILE` names (the
/// configuration's `store.passwordFile` sets that file). TLS is required to any host but loopback unless
/// `sslmode=disable` says otherwise, as for providers.
package struct PostgresLocation: Sendable, Hashable {
    package var host: String
    package var port: Int
    package var user: String
    package var database: String
    package var password: String?
    package var requireTLS: Bool

    /// Whether `text` names a PostgreSQL store rather than a SQLite file.
    package static func isPostgresURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Parses `text`; the password, when the URL has none, from `environment` (see the type's documentation).
    package init(url text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(StoreError) {
        guard Self.isPostgresURL(text), let components = URLComponents(string: text), let host = components.host, !host.isEmpty else {
            throw StoreError(
                .databaseUnavailable,
                "not a PostgreSQL URL; expected postgres://USER@HOST:PORT/DATABASE (the password from RECHARGE_PG_PASSWORD)")
        }
        self.host = host
        self.port = components.port ?? 5432
        self.user = components.user?.removingPercentEncoding ?? "recharge"
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        self.database = path.isEmpty ? self.user : path
        let loopback = ["127.0.0.1", "::1", "localhost"].contains(host)
        switch components.queryItems?.first(where: { $0.name == "sslmode" })?.value {
        case nil: self.requireTLS = !loopback
        case "disable":
            guard loopback || environment["RECHARGE_PG_ALLOW_PLAINTEXT"] == "1" else {
                throw StoreError(
                    .databaseUnavailable,
                    "sslmode=disable is refused for \(host), which is not loopback: card ids and amounts would cross the network in clear; use sslmode=require (or set RECHARGE_PG_ALLOW_PLAINTEXT=1 on a private network)"
                )
            }
            self.requireTLS = false
        case "require", "verify-full": self.requireTLS = true
        case let other?:
            throw StoreError(.databaseUnavailable, "sslmode=\(other) is not supported; use require (the default off loopback) or disable")
        }
        if let password = components.password?.removingPercentEncoding {
            self.password = password
        } else if let password = environment["RECHARGE_PG_PASSWORD"] {
            self.password = password
        } else if let file = environment["RECHARGE_PG_PASSWORD_FILE"] {
            do {
                self.password = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .newlines)
            } catch {
                throw StoreError(.databaseUnavailable, "cannot read the PostgreSQL password file \(file): \(error.localizedDescription)")
            }
        } else {
            self.password = nil
        }
    }

    /// The URL without its password: what messages and logs show.
    package var displayName: String {
        "postgres://\(self.user)@\(self.host):\(self.port)/\(self.database)\(self.requireTLS ? "" : "?sslmode=disable")"
    }

    var clientConfiguration: PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS = self.requireTLS ? .require(.makeClientConfiguration()) : .disable
        var configuration = PostgresClient.Configuration(
            host: self.host, port: self.port, username: self.user, password: self.password, database: self.database, tls: tls)
        configuration.options.maximumConnections = 8
        configuration.options.connectTimeout = .seconds(10)
        return configuration
    }

    /// The same server, user and TLS as ``clientConfiguration``, for a single connection outside the pool.
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS =
            self.requireTLS ? .require(try NIOSSLContext(configuration: .makeClientConfiguration())) : .disable
        var configuration = PostgresConnection.Configuration(
            host: self.host, port: self.port, username: self.user, password: self.password, database: self.database, tls: tls)
        configuration.options.connectTimeout = .seconds(10)
        return configuration
    }
}
