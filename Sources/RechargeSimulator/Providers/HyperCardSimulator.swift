import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import _CryptoExtras

/// A HyperCard recharge order.
struct HyperCardOrder: Sendable {
    var cardID: String
    var mcTradeNo: String
    var orderNo: String
    var payCoin: String
    var currency: String
    var amountMinor: Int64
    var feeMinor: Int64
    /// 0 pending, 1 success, 2 fail, 3 to be refunded, 4 refunded.
    var status: Int
}

/// HyperCard: headers `timestamp`, `nonce`, `api-key`, `version`, `lang` and a `signature` =
/// Base64(SHA256withRSA) over the ASCII-sorted `name=value&…` string of the headers and body fields.
///
/// Documented: paths, headers, the signature steps, the response fields (credited fiat in `currency_amount`,
/// fees), codes A0001–A0007 and B0000. From a third-party adapter: the recharge query and its status codes
/// 0–4, the exact signed header set. Inferred: 429 for its rate limit (undocumented).
struct HyperCardSimulator: ProviderStyle {
    let provider = "hypercard"
    let state: SimulatorState

    func register(on router: Router<SimulatorContext>, gate: ProviderGate) {
        router.post("/hypercard/openapi/card/recharge") { request, context in
            let headers = Self.signedHeaders(request)
            return try await gate.serve(self, request: request, context: context, isTopUp: true) { self.recharge($0, headers: headers) }
        }
        router.post("/hypercard/openapi/card/recharge/query") { request, context in
            let headers = Self.signedHeaders(request)
            return try await gate.serve(self, request: request, context: context, isTopUp: false) { self.query($0, headers: headers) }
        }
        router.post("/hypercard/openapi/card/balance") { request, context in
            let headers = Self.signedHeaders(request)
            return try await gate.serve(self, request: request, context: context, isTopUp: false) { self.balance($0, headers: headers) }
        }
    }

    /// The request headers that take part in the signature, plus the signature itself.
    static func signedHeaders(_ request: Request) -> [String: String] {
        var headers: [String: String] = [:]
        for name in ["timestamp", "nonce", "api-key", "version", "lang", "signature"] {
            if let field = HTTPField.Name(name), let value = request.headers[field] { headers[name] = value }
        }
        return headers
    }

    func recharge(_ body: [UInt8], headers: [String: String]) -> SimResponse {
        let fields: [String: String]
        switch self.authenticate(body, headers: headers) {
        case .failure(let failure): return failure.response
        case .success(let verified): fields = verified
        }
        guard let cardID = fields["card_id"], !cardID.isEmpty, let mcTradeNo = fields["mc_trade_no"], !mcTradeNo.isEmpty,
            let payCoin = fields["pay_coin"], !payCoin.isEmpty, let amountText = fields["recharge_amount"]
        else { return self.error("A0003", "Parameter error: card_id, mc_trade_no, pay_coin and recharge_amount are required") }
        guard mcTradeNo.count <= 128, payCoin.count <= 20, (fields["remark"] ?? "").count <= 255 else {
            return self.error("A0003", "Parameter error: a field is too long")
        }
        let feeBasisPoints = Int64(self.state.configuration.hypercard.feeBasisPoints)
        let now = self.state.clock.now()
        return self.state.withLock { inner in
            if inner.hyperCardOrders[mcTradeNo] != nil { return self.error("A0005", "Duplicated request") }
            let exponent = SimAmount.exponent(inner.card(self.provider, cardID)?.currency ?? "USD")
            guard let minor = SimAmount.parse(amountText, exponent: exponent), minor > 0 else {
                return self.error("A0003", "Parameter error: recharge_amount must be more than 0")
            }
            // The fee in minor units, rounded half up.
            let fee = (minor * feeBasisPoints + 5_000) / 10_000
            let orderNo = "HC" + inner.random.hex(20)
            switch inner.topUp(
                provider: self.provider, cardID: cardID, amountMinor: minor, currency: nil, feeMinor: fee,
                keys: (nil, mcTradeNo, nil, nil), reference: orderNo, now: now)
            {
            case .applied(let entry, let card):
                let order = HyperCardOrder(
                    cardID: card.id, mcTradeNo: mcTradeNo, orderNo: orderNo, payCoin: payCoin, currency: card.currency,
                    amountMinor: minor, feeMinor: fee, status: 1)
                inner.hyperCardOrders[mcTradeNo] = order
                _ = entry
                return .json(["code": "00000", "msg": "ok", "data": self.orderFields(order, withStatus: false)], applied: true)
            case .cardNotFound: return self.error("A0004", "Card no existed")
            case .cardNotActive(let status): return self.error("A0003", "Parameter error: the card is \(status)")
            case .currencyMismatch: return self.error("A0003", "Parameter error")
            case .insufficientFunds: return self.error("A0006", "balance is insufficient")
            }
        }
    }

    /// `POST /openapi/card/recharge/query {card_id, mc_trade_no}`; an unknown order answers with empty `data`.
    func query(_ body: [UInt8], headers: [String: String]) -> SimResponse {
        let fields: [String: String]
        switch self.authenticate(body, headers: headers) {
        case .failure(let failure): return failure.response
        case .success(let verified): fields = verified
        }
        guard let mcTradeNo = fields["mc_trade_no"], let cardID = fields["card_id"] else {
            return self.error("A0003", "Parameter error: card_id and mc_trade_no are required")
        }
        return self.state.withLock { inner in
            guard let order = inner.hyperCardOrders[mcTradeNo], order.cardID.lowercased() == cardID.lowercased() else {
                return .json(["code": "00000", "msg": "ok", "data": [:]])
            }
            return .json(["code": "00000", "msg": "ok", "data": self.orderFields(order, withStatus: true)])
        }
    }

    /// `POST /openapi/card/balance {card_id}`.
    func balance(_ body: [UInt8], headers: [String: String]) -> SimResponse {
        let fields: [String: String]
        switch self.authenticate(body, headers: headers) {
        case .failure(let failure): return failure.response
        case .success(let verified): fields = verified
        }
        return self.state.withLock { inner in
            guard let cardID = fields["card_id"], let card = inner.card(self.provider, cardID) else {
                return self.error("A0004", "Card no existed")
            }
            let balance = SimAmount.render(card.balanceMinor, exponent: SimAmount.exponent(card.currency))
            return .json([
                "code": "00000", "msg": "ok",
                "data": ["card_id": .string(card.id), "balance": .string(balance), "card_coin": .string(card.currency.lowercased())],
            ])
        }
    }

    private func orderFields(_ order: HyperCardOrder, withStatus: Bool) -> SimJSON {
        let exponent = SimAmount.exponent(order.currency)
        let requested = SimAmount.render(order.amountMinor, exponent: exponent)
        let credited = SimAmount.render(order.amountMinor - order.feeMinor, exponent: exponent)
        let fee = SimAmount.render(order.feeMinor, exponent: exponent)
        var members: [(String, SimJSON)] = [
            ("card_coin", .string(order.currency.lowercased())), ("coin_exchange_usd_rate", "1"),
            ("currency_amount", .string(credited)), ("currency_exchange_usd_rate", "1"), ("order_no", .string(order.orderNo)),
            ("pay_coin", .string(order.payCoin)), ("real_recharge_amount", .string(credited)),
            ("recharge_amount", .string(requested)), ("recharge_fee_amount", .string(fee)), ("recharge_fee_usdt_amount", .string(fee)),
        ]
        if withStatus {
            members += [
                ("status", .int(order.status)), ("fail_reason", ""), ("card_id", .string(order.cardID)),
                ("mc_trade_no", .string(order.mcTradeNo)),
            ]
        }
        return .object(members)
    }

    /// Checks the headers and the signature; returns the body's fields when they verify.
    func authenticate(_ body: [UInt8], headers: [String: String]) -> Result<[String: String], AuthenticationFailure> {
        let settings = self.state.configuration.hypercard
        guard let object = jsonObject(body) else {
            return .failure(.init(self.error("A0003", "Parameter error: the body is not a JSON object")))
        }
        var fields: [String: String] = [:]
        for (name, value) in object {
            guard let text = value as? String else {
                return .failure(.init(self.error("A0003", "Parameter error: \(name) must be a string")))
            }
            fields[name] = text
        }
        guard let apiKey = headers["api-key"], let timestamp = headers["timestamp"], let nonce = headers["nonce"],
            let signature = headers["signature"], headers["version"] != nil
        else {
            return .failure(.init(self.error("A0001", "Signature error: timestamp, nonce, api-key, version and signature are required")))
        }
        guard apiKey == settings.apiKey else { return .failure(.init(self.error("A0007", "insufficient privileges"))) }
        guard nonce.count == 10 else { return .failure(.init(self.error("A0001", "Signature error: nonce must be 10 characters"))) }
        guard let seconds = Int64(timestamp),
            abs(seconds - Int64(self.state.clock.now().timeIntervalSince1970)) <= Int64(settings.timestampToleranceSeconds)
        else { return .failure(.init(self.error("A0002", "Timestamp error"))) }
        guard Self.verify(signature: signature, fields: fields, headers: headers, publicKeyPEM: settings.merchantPublicKeyPEM) else {
            return .failure(.init(self.error("A0001", "Signature error")))
        }
        return .success(fields)
    }

    struct AuthenticationFailure: Error {
        let response: SimResponse
        init(_ response: SimResponse) { self.response = response }
    }

    /// The canonical string: headers and body fields (a body field wins a clash), no `signature`, no empty
    /// values, sorted by name in ASCII order, joined as `name=value` with `&`.
    static func canonicalString(fields: [String: String], headers: [String: String]) -> String {
        var all = headers.filter { $0.key != "signature" }
        for (name, value) in fields { all[name] = value }
        return all.filter { !$0.value.isEmpty && $0.key != "signature" }
            .sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
            .map { "\($0.key)=\($0.value)" }.joined(separator: "&")
    }

    static func verify(signature: String, fields: [String: String], headers: [String: String], publicKeyPEM: String) -> Bool {
        guard let signatureBytes = Data(base64Encoded: signature),
            let key = try? _RSA.Signing.PublicKey(unsafePEMRepresentation: publicKeyPEM)
        else { return false }
        let message = Data(Self.canonicalString(fields: fields, headers: headers).utf8)
        return key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signatureBytes), for: message, padding: .insecurePKCS1v1_5)
    }

    func error(_ code: String, _ message: String) -> SimResponse {
        .json(["code": .string(code), "msg": .string(message), "data": nil], rejection: code)
    }

    func rateLimited(remaining: Int, limit: Int) -> SimResponse {
        .json(.tooManyRequests, ["code": "A0000", "msg": "Client error: too many requests", "data": nil])
    }

    func unavailable() -> SimResponse {
        .json(.internalServerError, ["code": "B0000", "msg": "Internal error", "data": nil])
    }
}
