import AsyncHTTPClient
import Foundation
import NIOHTTP1
import RechargeCore

/// UQPay card issuing v1.6: `POST /api/v1/issuing/cards/{card_id}/recharge` with a token from
/// `/v1/connect/token`, `x-idempotency-key` (the line's key in UUID v4 form) and `x-on-behalf-of`.
///
/// In-doubt resolution: the order query `GET /api/v1/issuing/cards/{card_order_id}/order` (read-only, ``UQPayLookup``)
/// once any answer has carried the `card_order_id`. Without it, UQPay offers no read-only way to tell: the engine may
/// replay the identical request under the same key, but only within the 24 hours during which UQPay answers a replay
/// with the cached original result and creates nothing new [DOC integration FAQ]; past that, a replay would be a
/// second top-up, and the line goes UNKNOWN. The replay is a send, so it is this type's, never the lookup's.
public struct UQPayClient: ProviderClient {
    let account: ProviderAccount
    let baseURL: String
    let clientID: Secret
    let apiKey: Secret
    let transport: HTTPTransport
    let timeout: Duration
    let tokens: UQPayTokenCache
    let orders: UQPayLookup

    /// - Throws: ``ConfigurationError`` naming the base URL when the account has none.
    public init(
        account: ProviderAccount, credentials: UQPayCredentials, client: HTTPClient, environment: AdapterEnvironment = .live
    ) throws(ConfigurationError) {
        let clientID = credentials.clientID
        let apiKey = credentials.apiKey
        let baseURL = try UQPayProfile().baseURL(for: account)
        self.account = account
        self.baseURL = baseURL
        self.clientID = clientID
        self.apiKey = apiKey
        let transport = HTTPTransport(client: client)
        self.transport = transport
        let timeout = Duration.milliseconds(account.timeoutMilliseconds)
        self.timeout = timeout
        let tokenURL = self.baseURL + "/v1/connect/token"
        self.tokens = UQPayTokenCache(now: environment.now) {
            let exchange = await transport.send(
                .POST, tokenURL, headers: [("x-client-id", clientID.value), ("x-api-key", apiKey.value)], body: nil, timeout: timeout)
            guard case .response(200, _, let body) = exchange,
                let object = ExactJSON.parse(body), let token = object["auth_token"]?.string,
                // A time, not money: seconds since 1970, whole or not.
                let expiresAt = object["expired_at"]?.text.flatMap(TimeInterval.init)
            else { throw UQPayLoginFailure(exchange: exchange) }
            return (token, Date(timeIntervalSince1970: expiresAt))
        }
        self.orders = UQPayLookup(
            baseURL: baseURL, transport: ReadOnlyTransport(transport, reads: [(.GET, "v1/issuing/cards/*/order")]), timeout: timeout,
            tokens: self.tokens)
    }

    /// Logs in before the run's first request: the token request's wait would otherwise bunch the first sends.
    public func prepare() async {
        _ = try? await self.tokens.current()
    }

    /// The adapter from resolved credential values, decoded by ``UQPayProfile``.
    ///
    /// - Throws: ``ConfigurationError`` naming the base URL or the credential that is missing.
    public init(
        account: ProviderAccount, credentials: [String: Secret], client: HTTPClient, environment: AdapterEnvironment = .live
    ) throws(ConfigurationError) {
        try self.init(
            account: account, credentials: UQPayProfile().decodeCredentials(credentials, account: account), client: client,
            environment: environment)
    }

    public var lookup: any ProviderLookup { self.orders }

    /// ``UQPayProfile/executionRules(for:)``: the order query, or within the replay window a same-key replay.
    public var executionRules: ExecutionRules { UQPayProfile().executionRules(for: self.account) }

    public func recharge(_ request: RechargeRequest) async -> RechargeOutcome {
        let exchange: HTTPExchange
        do {
            exchange = try await self.authorized { token in await self.sendRecharge(request, token: token) }
        } catch let failure as UQPayLoginFailure {
            // No token, so nothing was sent. Refused credentials stay refused: final, and safe to fail.
            if case .response(401, _, _) = failure.exchange {
                return .rejected(code: "login/unauthorized", message: "\(failure): check the client id and api key")
            }
            if case .response(429, _, _) = failure.exchange {
                return .throttled(code: "http:429", message: "\(failure)", retryAfter: retryAfter(failure.exchange))
            }
            return .notApplied(code: "login", message: "\(failure)", retryAfter: nil)
        } catch {
            return .notApplied(code: "login", message: "\(error)", retryAfter: nil)
        }
        return Self.classify(exchange, request: request)
    }

    private func authorized(_ send: (String) async -> HTTPExchange) async throws -> HTTPExchange {
        try await self.tokens.authorized(send)
    }

    private func sendRecharge(_ request: RechargeRequest, token: String) async -> HTTPExchange {
        var headers = [
            ("x-auth-token", "Bearer " + token), ("x-idempotency-key", request.key.uuidV4), ("content-type", "application/json"),
        ]
        if let onBehalfOf = request.onBehalfOf { headers.append(("x-on-behalf-of", onBehalfOf)) }
        return await self.transport.send(
            .POST, "\(self.baseURL)/v1/issuing/cards/\(request.cardID)/recharge", headers: headers,
            body: Self.rechargeBody(request.amount), timeout: self.timeout)
    }

    /// `{"amount":100.02}`: a JSON number written from the exact decimal text.
    static func rechargeBody(_ amount: Money) -> [UInt8] {
        Array(#"{"amount":\#(amount.decimalString)}"#.utf8)
    }

    /// Turns an answer (or its absence) into an outcome.
    static func classify(_ exchange: HTTPExchange, request: RechargeRequest) -> RechargeOutcome {
        let shared = Self.classification.sharedOutcome(
            exchange, message: { ExactJSON.parse($0)?["message"]?.string })
        if let shared { return shared }
        switch exchange {
        case .failed(let sent, let reason):
            return Self.classification.outcome(code: sent ? "transport:failed" : "transport:not-sent", message: reason)
        case .response(let status, _, let body):
            let object = ExactJSON.parse(body)
            if status == 200 || status == 201 {
                guard let object, let orderID = object["card_order_id"]?.string, let orderStatus = object["order_status"]?.string
                else {
                    return .inDoubt(code: "malformed", message: "a success status without an order: \(Self.excerpt(body))")
                }
                switch orderStatus {
                case "SUCCESS":
                    return .applied(ProviderReceipt(providerReference: orderID, credited: request.amount))
                case "FAILED":
                    return .rejected(code: "order:FAILED", message: "order \(orderID) failed")
                case "PENDING", "PROCESSING":
                    // Taken, not finished [DOC order_status]. The order id is what the read-only lookup follows.
                    return .accepted(reference: orderID, code: "order:\(orderStatus)", message: "order \(orderID) is \(orderStatus)")
                default:
                    return .inDoubt(code: "order:\(orderStatus)", message: "order \(orderID) has an undocumented status \(orderStatus)")
                }
            }
            let message = object?["message"]?.string ?? Self.excerpt(body)
            if let type = object?["type"]?.string {
                let code = object?["code"]?.string.map { "\(type)/\($0)" } ?? type
                return Self.classification.rule(for: type).answerClass.outcome(code: code, message: message)
            }
            return Self.classification.outcome(code: "http:\(status)", message: message)
        }
    }

    static func excerpt(_ body: [UInt8]) -> String {
        String(decoding: body.prefix(200), as: UTF8.self)
    }
}

/// The token endpoint did not give a token.
struct UQPayLoginFailure: Error, CustomStringConvertible {
    let exchange: HTTPExchange

    var description: String {
        switch self.exchange {
        case .response(let status, _, let body): "token request answered \(status): \(UQPayClient.excerpt(body))"
        case .failed(_, let reason): "token request failed: \(reason)"
        }
    }
}
