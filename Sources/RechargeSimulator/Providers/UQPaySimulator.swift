import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// A UQPay card order.
struct UQPayOrder: Sendable {
    var orderID: String
    var cardID: String
    var currency: String
    var amountMinor: Int64
    var createTime: String
}

/// A cached answer to an idempotency key, returned as it was for a replay within the window.
struct UQPayReplay: Sendable {
    var fingerprint: String
    var status: HTTPResponse.Status
    var body: [UInt8]
    var at: Date
}

/// UQPay card issuing v1.6: a token from `/v1/connect/token` (a new token invalidates older ones) sent as
/// `x-auth-token: Bearer …`; recharge with a required UUID v4 `x-idempotency-key` whose replay within 24 h
/// returns the cached original answer and applies nothing; `{type, code, message}` errors.
///
/// Documented: all of that, the order query, 429 `too_many_requests`. Inferred: failures are cached like
/// successes (the documentation's sentence is cut off), and the exact codes other than `card_not_found`.
struct UQPaySimulator: ProviderStyle {
    let provider = "uqpay"
    let state: SimulatorState

    func register(on router: Router<SimulatorContext>, gate: ProviderGate) {
        router.post("/uqpay/api/v1/connect/token") { request, context in
            let clientID = request.headers[HTTPField.Name("x-client-id")!]
            let apiKey = request.headers[HTTPField.Name("x-api-key")!]
            return try await gate.serve(self, request: request, context: context, isTopUp: false) { _ in
                self.token(clientID: clientID, apiKey: apiKey)
            }
        }
        router.post("/uqpay/api/v1/issuing/cards/:card/recharge") { request, context in
            let headers = Self.headers(request)
            let cardID = context.parameters.get("card") ?? ""
            return try await gate.serve(self, request: request, context: context, isTopUp: true) { body in
                self.recharge(cardID: cardID, body: body, headers: headers)
            }
        }
        // The router wants one parameter name per path position: here `card` holds the card order id.
        router.get("/uqpay/api/v1/issuing/cards/:card/order") { request, context in
            let headers = Self.headers(request)
            let orderID = context.parameters.get("card") ?? ""
            return try await gate.serve(self, request: request, context: context, isTopUp: false) { _ in
                self.order(orderID, headers: headers)
            }
        }
        router.get("/uqpay/api/v1/issuing/cards/:card") { request, context in
            let headers = Self.headers(request)
            let cardID = context.parameters.get("card") ?? ""
            return try await gate.serve(self, request: request, context: context, isTopUp: false) { _ in
                self.card(cardID, headers: headers)
            }
        }
    }

    static func headers(_ request: Request) -> [String: String] {
        var headers: [String: String] = [:]
        for name in ["x-auth-token", "x-idempotency-key", "x-on-behalf-of"] {
            if let value = request.headers[HTTPField.Name(name)!] { headers[name] = value }
        }
        return headers
    }

    func token(clientID: String?, apiKey: String?) -> SimResponse {
        let settings = self.state.configuration.uqpay
        guard clientID == settings.clientID, apiKey == settings.apiKey else {
            return self.error(.unauthorized, "unauthorized_error", "invalid_credentials", "invalid client id or api key")
        }
        let now = self.state.clock.now()
        let expiresAt = now.addingTimeInterval(TimeInterval(settings.tokenLifetimeSeconds))
        let token = self.state.withLock { inner -> String in
            let payload =
                #"{"client_id":"\#(settings.clientID)","exp":\#(Int(expiresAt.timeIntervalSince1970)),"jti":"\#(inner.random.hex(16))"}"#
            let token =
                "eyJhbGciOiJIUzI1NiJ9." + Data(payload.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
                + "." + inner.random.hex(43)
            inner.uqpayToken = (token, expiresAt)
            return token
        }
        return .json(["auth_token": .string(token), "expired_at": .int(Int(expiresAt.timeIntervalSince1970))])
    }

    /// The 401 answer when the token is missing, unknown, superseded or expired; `nil` when it is good.
    func unauthorized(_ headers: [String: String], now: Date) -> SimResponse? {
        guard let header = headers["x-auth-token"], header.hasPrefix("Bearer ") else {
            return self.error(.unauthorized, "unauthorized_error", "missing_token", "x-auth-token: Bearer <token> is required")
        }
        let token = String(header.dropFirst("Bearer ".count))
        return self.state.withLock { inner in
            guard let current = inner.uqpayToken, current.token == token else {
                return self.error(.unauthorized, "unauthorized_error", "invalid_token", "invalid token")
            }
            guard current.expiresAt > now else {
                return self.error(.unauthorized, "unauthorized_error", "token_expired", "jwt expired")
            }
            return nil
        }
    }

    func recharge(cardID: String, body: [UInt8], headers: [String: String]) -> SimResponse {
        let now = self.state.clock.now()
        if let refused = self.unauthorized(headers, now: now) { return refused }
        guard let key = headers["x-idempotency-key"], Self.isUUIDv4(key) else {
            return self.error(.badRequest, "invalid_request_error", "invalid_idempotency_key", "x-idempotency-key must be a UUID v4")
        }
        let settings = self.state.configuration.uqpay
        let onBehalfOf = headers["x-on-behalf-of"].flatMap { $0.isEmpty ? nil : $0 }
        let amount = (try? JSONDecoder().decode(RechargeBody.self, from: Data(body)))?.amount
        let fingerprint = "\(cardID)|\(amount.map { "\($0)" } ?? "-")|\(onBehalfOf ?? "")"
        let window = TimeInterval(settings.idempotencyWindowSeconds)
        return self.state.withLock { inner in
            if let replay = inner.uqpayReplays[key], now.timeIntervalSince(replay.at) < window {
                guard replay.fingerprint == fingerprint else {
                    return self.error(.badRequest, "idempotency_error", "idempotency_key_mismatch", "Idempotency key replay or mismatch")
                }
                return SimResponse(status: replay.status, body: replay.body)
            }
            let answer = self.applyRecharge(
                cardID: cardID, amount: amount, key: key, onBehalfOf: onBehalfOf, settings: settings, now: now, inner: &inner)
            inner.uqpayReplays[key] = UQPayReplay(fingerprint: fingerprint, status: answer.status, body: answer.body, at: now)
            return answer
        }
    }

    private struct RechargeBody: Decodable {
        let amount: Decimal
    }

    private func applyRecharge(
        cardID: String, amount: Decimal?, key: String, onBehalfOf: String?, settings: SimulatorConfiguration.UQPay, now: Date,
        inner: inout SimulatorState.Inner
    ) -> SimResponse {
        if let onBehalfOf, !settings.subAccounts.contains(onBehalfOf.lowercased()) {
            return self.error(.badRequest, "account_error", "sub_account_not_found", "sub account not found")
        }
        guard let amount, amount > 0 else {
            return self.error(.badRequest, "invalid_request_error", "invalid_amount", "amount must be a number greater than 0")
        }
        let currency = inner.card(self.provider, cardID)?.currency ?? "USD"
        guard let minor = SimAmount.parse("\(amount)", exponent: SimAmount.exponent(currency)) else {
            return self.error(.badRequest, "invalid_request_error", "invalid_amount", "amount has too many decimal places")
        }
        let orderID = Self.uuid(&inner.random)
        switch inner.topUp(
            provider: self.provider, cardID: cardID, amountMinor: minor, currency: nil, keys: (nil, nil, nil, key), reference: orderID,
            now: now)
        {
        case .applied(_, let card):
            let order = UQPayOrder(
                orderID: orderID, cardID: card.id, currency: card.currency, amountMinor: minor, createTime: SimTime.iso(now))
            inner.uqpayOrders[orderID] = order
            var response = SimResponse.json(self.orderJSON(order))
            response.applied = true
            return response
        case .cardNotFound: return self.error(.badRequest, "card_error", "card_not_found", "card not found or deactivated")
        case .cardNotActive: return self.error(.badRequest, "card_error", "card_not_found", "card not found or deactivated")
        case .currencyMismatch: return self.error(.badRequest, "card_error", "currency_mismatch", "currency mismatch")
        case .insufficientFunds: return self.error(.badRequest, "account_error", "insufficient_balance", "insufficient balance")
        }
    }

    func order(_ orderID: String, headers: [String: String]) -> SimResponse {
        if let refused = self.unauthorized(headers, now: self.state.clock.now()) { return refused }
        return self.state.withLock { inner in
            guard let order = inner.uqpayOrders[orderID.lowercased()] ?? inner.uqpayOrders[orderID] else {
                return self.error(.notFound, "invalid_request_error", "resource_not_found", "card order not found")
            }
            return .json(self.orderJSON(order))
        }
    }

    func card(_ cardID: String, headers: [String: String]) -> SimResponse {
        if let refused = self.unauthorized(headers, now: self.state.clock.now()) { return refused }
        return self.state.withLock { inner in
            guard let card = inner.card(self.provider, cardID) else {
                return self.error(.badRequest, "card_error", "card_not_found", "card not found or deactivated")
            }
            return .json([
                "card_id": .string(card.id), "card_currency": .string(card.currency),
                "available_balance": .string(SimAmount.render(card.balanceMinor, exponent: SimAmount.exponent(card.currency))),
                "card_status": .string(card.status.uppercased()),
            ])
        }
    }

    private func orderJSON(_ order: UQPayOrder) -> SimJSON {
        [
            "card_id": .string(order.cardID), "card_order_id": .string(order.orderID), "order_type": "CARD_RECHARGE",
            "amount": .number(SimAmount.render(order.amountMinor, exponent: SimAmount.exponent(order.currency))),
            "card_currency": .string(order.currency), "create_time": .string(order.createTime),
            "update_time": .string(order.createTime), "complete_time": .string(order.createTime), "order_status": "SUCCESS",
        ]
    }

    /// The UQPay SDK's check: `xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx`, any case.
    static func isUUIDv4(_ text: String) -> Bool {
        let bytes = Array(text.lowercased().utf8)
        guard bytes.count == 36 else { return false }
        for (index, byte) in bytes.enumerated() {
            switch index {
            case 8, 13, 18, 23: guard byte == UInt8(ascii: "-") else { return false }
            case 14: guard byte == UInt8(ascii: "4") else { return false }
            case 19:
                guard [UInt8(ascii: "8"), UInt8(ascii: "9"), UInt8(ascii: "a"), UInt8(ascii: "b")].contains(byte) else { return false }
            default: guard (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte) else { return false }
            }
        }
        return true
    }

    static func uuid(_ random: inout SimRandom) -> String {
        let hex = random.hex(32)
        let characters = Array(hex)
        var text = String(characters[0..<8]) + "-" + String(characters[8..<12]) + "-4" + String(characters[13..<16]) + "-"
        text += ["8", "9", "a", "b"][random.below(4)] + String(characters[17..<20]) + "-" + String(characters[20..<32])
        return text
    }

    func error(_ status: HTTPResponse.Status, _ type: String, _ code: String, _ message: String) -> SimResponse {
        .json(status, ["type": .string(type), "code": .string(code), "message": .string(message)], rejection: code)
    }

    func rateLimited(remaining: Int, limit: Int) -> SimResponse {
        .json(
            .tooManyRequests, ["code": "too_many_requests", "message": "Too many requests have been made to the api. Please retry later."])
    }

    func unavailable() -> SimResponse {
        .json(
            .internalServerError, ["type": "api_error", "code": "internal_error", "message": "Safe to retry with the same Idempotency-Key"])
    }
}
