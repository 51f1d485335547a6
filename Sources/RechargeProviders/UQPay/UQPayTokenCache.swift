import Foundation

/// UQPay's access token, fetched by one caller at a time and refreshed before it expires.
///
/// UQPay invalidates every older token when a new one is issued, so concurrent refreshes would knock each
/// other's tokens out: the actor makes every caller wait for the single refresh in progress.
actor UQPayTokenCache {
    private var token: (value: String, expiresAt: Date)?
    private var refreshing: Task<String, any Error>?
    private let now: @Sendable () -> Date
    private let fetch: @Sendable () async throws -> (String, Date)
    /// Refresh this long before expiry (the UQPay SDK uses 60 s).
    private let margin: TimeInterval = 60

    init(now: @escaping @Sendable () -> Date, fetch: @escaping @Sendable () async throws -> (String, Date)) {
        self.now = now
        self.fetch = fetch
    }

    /// A token valid for at least the margin, fetching one if needed.
    func current() async throws -> String {
        if let token, token.expiresAt.timeIntervalSince(self.now()) > self.margin { return token.value }
        return try await self.refresh()
    }

    /// Forgets `rejected` (answered 401) and fetches a new token, unless another caller already did.
    func replace(_ rejected: String) async throws -> String {
        if let token, token.value != rejected { return token.value }
        self.token = nil
        return try await self.refresh()
    }

    private func refresh() async throws -> String {
        if let refreshing { return try await refreshing.value }
        let task = Task { try await self.fetch() }
        self.refreshing = Task { try await task.value.0 }
        defer { self.refreshing = nil }
        let (value, expiresAt) = try await task.value
        self.token = (value, expiresAt)
        return value
    }
}

extension UQPayTokenCache {
    /// Runs `send` with a token; on a 401 logs in again once and repeats.
    nonisolated func authorized(_ send: (String) async -> HTTPExchange) async throws -> HTTPExchange {
        let token = try await self.current()
        let exchange = await send(token)
        guard case .response(401, _, _) = exchange else { return exchange }
        return await send(try await self.replace(token))
    }
}
