import Crypto
import Foundation
import Hummingbird

/// VCC (Star SaaS / Xnova): body `sign` = upper-hex SHA-256 of the concatenated fields and the API key.
///
/// Documented: the recharge and card query paths, the sign rule, the `{code, msg, data}` envelope with
/// `data.status` "1" and an integer `reqNo`, 4xx for client errors with an error code. Inferred (VCC publishes
/// no list): the error codes below (all HTTP 400), the operation-query path and shape, 429 for its rate limit.
/// No dedupe: a repeated request applies again.
struct VCCSimulator: ProviderStyle {
    let provider = "vcc"
    let state: SimulatorState

    enum Code {
        static let signError = 1001
        static let parameterError = 1002
        static let cardNotFound = 1003
        static let cardNotActive = 1004
        static let insufficientBalance = 1005
        static let operationNotFound = 1006
        static let merchantNotFound = 1007
    }

    func register(on router: Router<SimulatorContext>, gate: ProviderGate) {
        router.post("/vcc/api/card/charge") { request, context in
            try await gate.serve(self, request: request, context: context, isTopUp: true) { self.charge($0) }
        }
        router.post("/vcc/api/card/query") { request, context in
            try await gate.serve(self, request: request, context: context, isTopUp: false) { self.queryCard($0) }
        }
        router.post("/vcc/api/card/operation/query") { request, context in
            try await gate.serve(self, request: request, context: context, isTopUp: false) { self.queryOperation($0) }
        }
    }

    /// `POST /api/card/charge {request_id?, company_id, charge_amount, card_id, sign}`.
    func charge(_ body: [UInt8]) -> SimResponse {
        guard let object = jsonObject(body), let companyID = textOrInteger(object["company_id"]),
            let cardID = textOrInteger(object["card_id"]), let amountText = object["charge_amount"] as? String,
            let sign = object["sign"] as? String
        else {
            return self.error(Code.parameterError, "company_id, card_id, charge_amount and sign are required")
        }
        let requestID = object["request_id"] as? String
        if let requestID, requestID.count > 100 { return self.error(Code.parameterError, "request_id is longer than 100 characters") }
        let settings = self.state.configuration.vcc
        guard companyID == settings.companyID else { return self.error(Code.merchantNotFound, "merchant not found") }
        guard sign == Self.sign([companyID, cardID, amountText], apiKey: settings.apiKey) else {
            return self.error(Code.signError, "sign error: make sure the sign key is correct")
        }
        guard amountText.count <= 12 else { return self.error(Code.parameterError, "charge_amount is longer than 12 characters") }
        let now = self.state.clock.now()
        return self.state.withLock { inner in
            let currency = inner.card(self.provider, cardID)?.currency ?? "USD"
            guard let minor = SimAmount.parse(amountText, exponent: SimAmount.exponent(currency)), minor > 0 else {
                return self.error(Code.parameterError, "invalid charge_amount")
            }
            switch inner.topUp(
                provider: self.provider, cardID: cardID, amountMinor: minor, currency: nil,
                keys: (requestID, nil, nil, nil), now: now)
            {
            case .applied(let entry, _):
                if let requestID { inner.vccOperations[requestID, default: []].append(entry.sequence) }
                return .json(
                    [
                        "code": 0, "msg": ["zh-CN": "成功", "en-US": "Success"],
                        "data": ["status": "1", "reqNo": .number(entry.providerReference), "errorMsg": nil, "groupId": nil],
                    ],
                    applied: true)
            case .cardNotFound: return self.error(Code.cardNotFound, "card not found")
            case .cardNotActive(let status): return self.error(Code.cardNotActive, "card is \(status)")
            case .currencyMismatch: return self.error(Code.parameterError, "currency mismatch")
            case .insufficientFunds: return self.error(Code.insufficientBalance, "insufficient balance")
            }
        }
    }

    /// `POST /api/card/query {company_id, card_id, sign}` with sign over company_id + card_id + api_key.
    func queryCard(_ body: [UInt8]) -> SimResponse {
        guard let object = jsonObject(body), let companyID = textOrInteger(object["company_id"]),
            let cardID = textOrInteger(object["card_id"]), let sign = object["sign"] as? String
        else { return self.error(Code.parameterError, "company_id, card_id and sign are required") }
        let settings = self.state.configuration.vcc
        guard companyID == settings.companyID, sign == Self.sign([companyID, cardID], apiKey: settings.apiKey) else {
            return self.error(Code.signError, "sign error: make sure the sign key is correct")
        }
        return self.state.withLock { inner in
            guard let card = inner.card(self.provider, cardID) else { return self.error(Code.cardNotFound, "card not found") }
            return .json(
                [
                    "code": 0, "msg": ["zh-CN": "成功", "en-US": "Success"],
                    "data": [
                        "card_id": .string(card.id), "status": .string(card.status), "currency": .string(card.currency),
                        "balance": .string(SimAmount.render(card.balanceMinor, exponent: SimAmount.exponent(card.currency))),
                    ],
                ])
        }
    }

    /// Inferred: `POST /api/card/operation/query {company_id, request_id, sign}` with sign over
    /// company_id + request_id + api_key; lists every application of that request_id (VCC does not dedupe).
    func queryOperation(_ body: [UInt8]) -> SimResponse {
        guard let object = jsonObject(body), let companyID = textOrInteger(object["company_id"]),
            let requestID = object["request_id"] as? String, let sign = object["sign"] as? String
        else { return self.error(Code.parameterError, "company_id, request_id and sign are required") }
        let settings = self.state.configuration.vcc
        guard companyID == settings.companyID, sign == Self.sign([companyID, requestID], apiKey: settings.apiKey) else {
            return self.error(Code.signError, "sign error: make sure the sign key is correct")
        }
        return self.state.withLock { inner in
            guard let sequences = inner.vccOperations[requestID], !sequences.isEmpty else {
                return self.error(Code.operationNotFound, "operation not found")
            }
            let operations: [SimJSON] = sequences.map { sequence in
                let entry = inner.ledger[sequence - 1]
                return [
                    "reqNo": .number(entry.providerReference), "request_id": .string(requestID), "card_id": .string(entry.cardID),
                    "charge_amount": .string(entry.amount), "status": "1", "created_at": .string(entry.appliedAt),
                ]
            }
            return .json(["code": 0, "msg": ["zh-CN": "成功", "en-US": "Success"], "data": ["operations": .array(operations)]])
        }
    }

    /// `touppercase(SHA256(fields… + api_key))`, spaces removed.
    static func sign(_ fields: [String], apiKey: String) -> String {
        let text = (fields + [apiKey]).joined().replacingOccurrences(of: " ", with: "")
        return SHA256.hash(data: Data(text.utf8)).map { String(format: "%02X", $0) }.joined()
    }

    func error(_ code: Int, _ message: String) -> SimResponse {
        .json(
            .badRequest, ["code": .int(code), "msg": ["zh-CN": .string(message), "en-US": .string(message)], "data": nil],
            rejection: String(code))
    }

    func rateLimited(remaining: Int, limit: Int) -> SimResponse {
        .json(.tooManyRequests, ["code": 429, "msg": ["zh-CN": "请求过于频繁", "en-US": "Too many requests"], "data": nil])
    }

    func unavailable() -> SimResponse {
        .json(.serviceUnavailable, ["code": 503, "msg": ["zh-CN": "服务不可用", "en-US": "Service unavailable"], "data": nil])
    }
}
