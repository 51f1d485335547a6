import AsyncHTTPClient
import Foundation
import NIOHTTP1
import RechargeCore

/// UQPay card issuing v1.6: `POST /api/v1/issuing/cards/{card_id}/recharge` with a token from
/// `/v1/connect/token`, `x-idempotency-key` (the line's key in UUID v4 form) and `x-on-behalf-of`.
///
/// In-doubt resolution: replay the identical request under the same key. Within 24 hours UQPay answers with
/// the cached original result and creates nothing new; if the original never arrived, the replay is the one
/// and only application. A pending order is then followed through its order query.
public struct UQPayClient: ProviderClient {
    let account: ProviderAccount
    let baseURL: String
    let clientID: Secret
    let apiKey: Secret
    let transport: HTTPTransport
    let timeout: Duration
    let tokens: UQPayTokenCache

    public init(
        account: ProviderAccount, credentials: [String: Secret], client: HTTPClient, environment: AdapterEnvironment = .live
    ) throws(ConfigurationError) {
        guard let clientID = credentials["clientID"], let apiKey = credentials["apiKey"] else {
            throw ConfigurationError(
                path: "configuration", key: "accounts.\(account.name).credentials", message: "UQPay needs clientID and apiKey")
        }
        let baseURL = try account.resolvedBaseURL(
            hint: "production https://api.uqpay.com/api, sandbox https://api-sandbox.uqpaytech.com/api")
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
                let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any],
                let token = object["auth_token"] as? String, let expiresAt = (object["expired_at"] as? NSNumber)?.doubleValue
            else { throw UQPayLoginFailure(exchange: exchange) }
            return (token, Date(timeIntervalSince1970: expiresAt))
        }
    }

    public func evidenceBeforeRecharge(_ request: RechargeRequest) async -> ResolutionEvidence? { nil }

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
                return .notApplied(code: "http:429", message: "\(failure)", retryAfter: retryAfter(failure.exchange))
            }
            return .notApplied(code: "login", message: "\(failure)", retryAfter: nil)
        } catch {
            return .notApplied(code: "login", message: "\(error)", retryAfter: nil)
        }
        return self.classify(exchange, request: request)
    }

    public func status(_ request: RechargeRequest, evidence: ResolutionEvidence?) async -> StatusOutcome {
        switch await self.recharge(request) {
        case .applied(let receipt): return .applied(receipt)
        case .rejected(let code, let message): return .rejected(code: code, message: message)
        case .notApplied(let code, let message, _): return .cannotTell(reason: "replay not answered (\(code): \(message))")
        case .inDoubt(let code, let message):
            if code.hasPrefix("order:"), let orderID = message.split(separator: " ").first.map(String.init) {
                return await self.orderStatus(orderID, request: request)
            }
            return .cannotTell(reason: "replay in doubt (\(code): \(message))")
        }
    }

    /// `GET /api/v1/issuing/cards/{card_order_id}/order`.
    func orderStatus(_ orderID: String, request: RechargeRequest) async -> StatusOutcome {
        let exchange: HTTPExchange
        do {
            exchange = try await self.authorized { token in
                await self.transport.send(
                    .GET, "\(self.baseURL)/v1/issuing/cards/\(orderID)/order", headers: [("x-auth-token", "Bearer " + token)], body: nil,
                    timeout: self.timeout)
            }
        } catch {
            return .cannotTell(reason: "login failed: \(error)")
        }
        switch self.classify(exchange, request: request) {
        case .applied(let receipt): return .applied(receipt)
        case .rejected(let code, let message): return .rejected(code: code, message: message)
        case .inDoubt(let code, _) where code.hasPrefix("order:"): return .pending
        case .inDoubt(let code, let message), .notApplied(let code, let message, _): return .cannotTell(reason: "\(code): \(message)")
        }
    }

    /// Runs `send` with a token; on a 401 logs in again once and repeats.
    private func authorized(_ send: (String) async -> HTTPExchange) async throws -> HTTPExchange {
        let token = try await self.tokens.current()
        let exchange = await send(token)
        guard case .response(401, _, _) = exchange else { return exchange }
        return await send(try await self.tokens.replace(token))
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
    func classify(_ exchange: HTTPExchange, request: RechargeRequest) -> RechargeOutcome {
        switch exchange {
        case .failed(let sent, let reason):
            return sent ? .inDoubt(code: "transport", message: reason) : .notApplied(code: "not-sent", message: reason, retryAfter: nil)
        case .response(let status, _, let body):
            let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
            if status == 200 || status == 201 {
                guard let object, let orderID = object["card_order_id"] as? String, let orderStatus = object["order_status"] as? String
                else {
                    return .inDoubt(code: "malformed", message: "a success status without an order: \(Self.excerpt(body))")
                }
                switch orderStatus {
                case "SUCCESS":
                    return .applied(ProviderReceipt(providerReference: orderID, credited: request.amount))
                case "FAILED":
                    return .rejected(code: "order:FAILED", message: "order \(orderID) failed")
                default:
                    // The order id leads the message so that status() can follow it.
                    return Self.classification.outcome(code: "order:\(orderStatus)", message: "\(orderID) is \(orderStatus)")
                }
            }
            let message = (object?["message"] as? String) ?? Self.excerpt(body)
            if status == 429 {
                return .notApplied(code: "http:429", message: message, retryAfter: retryAfter(exchange))
            }
            if status >= 500 { return .inDoubt(code: (object?["type"] as? String) ?? "http:5xx", message: message) }
            if let type = object?["type"] as? String {
                let code = (object?["code"] as? String).map { "\(type)/\($0)" } ?? type
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
