import Crypto
import Foundation
import Hummingbird
import _CryptoExtras

/// A Pagsmile card top-up, as its transaction-detail query reports it.
struct PagsmileOrder: Sendable {
    var orderNo: String
    var transactionID: String
    var relatedTransactionID: String
    var cardToken: String
    var currency: String
    var amountMinor: Int64
    var balanceAfterMinor: Int64
    var createTime: String
}

/// Pagsmile issuing: an envelope with `random_key` (a 16-character AES key wrapped with RSA PKCS#1 v1.5 under
/// the platform's public key) and `biz_data` = 16-character IV + Base64(AES-128-CBC(JSON)). Responses are
/// encrypted the same way under the merchant's public key.
///
/// Documented: paths, envelope, hybrid encryption, `40002 invalid-signature`, `10000` success, the detail
/// query by `order_no`. From a third-party class matching the documented sample: the IV-prefix wire format.
/// Inferred (from Pagsmile's pay-in codes): `30001 dublicate-order`, `30004 insufficient-balance`, `20000`
/// temporary unavailability, `transaction_status` 1 = success, 429 `4004029` for its rate limit.
struct PagsmileSimulator: ProviderStyle {
    let provider = "pagsmile"
    let state: SimulatorState
    // Parsed once; the keys are immutable after that and BoringSSL's RSA operations are safe to run concurrently.
    nonisolated(unsafe) let platformKey: _RSA.Encryption.PrivateKey?
    nonisolated(unsafe) let merchantKey: _RSA.Encryption.PublicKey?

    init(state: SimulatorState) {
        self.state = state
        let settings = state.configuration.pagsmile
        self.platformKey = try? _RSA.Encryption.PrivateKey(pemRepresentation: settings.platformPrivateKeyPEM)
        self.merchantKey = try? _RSA.Encryption.PublicKey(pemRepresentation: settings.merchantPublicKeyPEM)
    }

    func register(on router: Router<SimulatorContext>, gate: ProviderGate) {
        router.post("/pagsmile/issuing/card/recharge") { request, context in
            try await gate.serve(self, request: request, context: context, isTopUp: true) { self.recharge($0) }
        }
        router.post("/pagsmile/issuing/card/query-card-transaction-detail") { request, context in
            try await gate.serve(self, request: request, context: context, isTopUp: false) { self.detail($0) }
        }
        router.post("/pagsmile/issuing/card/query-card-balance") { request, context in
            try await gate.serve(self, request: request, context: context, isTopUp: false) { self.balance($0) }
        }
    }

    func recharge(_ body: [UInt8]) -> SimResponse {
        let fields: [String: String]
        switch self.open(body) {
        case .failure(let failure): return failure.response
        case .success(let opened): fields = opened
        }
        guard let payAccount = fields["pay_account_num"], !payAccount.isEmpty, let cardToken = fields["card_token"], !cardToken.isEmpty,
            let orderNo = fields["order_no"], !orderNo.isEmpty, let amountText = fields["amount"], let currency = fields["currency"]
        else {
            return self.error(
                "40001", "Missing Required Arguments", subCode: "missing-arguments",
                subMessage: "pay_account_num, card_token, order_no, amount and currency are required")
        }
        guard orderNo.count <= 32, payAccount.count <= 48, cardToken.count <= 20, (fields["reference"] ?? "").count <= 128 else {
            return self.error("30001", "Input data errors", subCode: "invalid-parameter", subMessage: "a field is too long")
        }
        let now = self.state.clock.now()
        return self.finish(
            self.state.withLock { inner -> Decided in
                if inner.pagsmileOrders[orderNo] != nil {
                    return .answer(self.error("30001", "Input data errors", subCode: "dublicate-order", subMessage: "duplicate order_no"))
                }
                guard let minor = SimAmount.parse(amountText, exponent: SimAmount.exponent(currency)), minor > 0 else {
                    return .answer(self.error("30001", "Input data errors", subCode: "invalid-amount", subMessage: "invalid amount"))
                }
                let transactionID = inner.newReference()
                switch inner.topUp(
                    provider: self.provider, cardID: cardToken, amountMinor: minor, currency: currency,
                    keys: (nil, nil, orderNo, nil), reference: transactionID, now: now)
                {
                case .applied(_, let card):
                    let related = inner.newReference()
                    inner.pagsmileOrders[orderNo] = PagsmileOrder(
                        orderNo: orderNo, transactionID: transactionID, relatedTransactionID: related, cardToken: card.id,
                        currency: card.currency, amountMinor: minor, balanceAfterMinor: card.balanceMinor,
                        createTime: Self.timestamp(now))
                    return .seal(["transaction_id": .string(transactionID)], applied: true)
                case .cardNotFound:
                    return .answer(self.error("40002", "Business Failed", subCode: "card-not-exist", subMessage: "card not found"))
                case .cardNotActive(let status):
                    return .answer(self.error("40002", "Business Failed", subCode: "card-status-abnormal", subMessage: "card is \(status)"))
                case .currencyMismatch(let cardCurrency):
                    return .answer(
                        self.error("30001", "Input data errors", subCode: "invalid-currency", subMessage: "the card is in \(cardCurrency)"))
                case .insufficientFunds:
                    return .answer(
                        self.error("30004", "Processing error", subCode: "insufficient-balance", subMessage: "insufficient balance"))
                }
            })
    }

    /// `query-card-transaction-detail` with biz_data `{order_no}` or `{transaction_id}`.
    func detail(_ body: [UInt8]) -> SimResponse {
        let fields: [String: String]
        switch self.open(body) {
        case .failure(let failure): return failure.response
        case .success(let opened): fields = opened
        }
        return self.finish(
            self.state.withLock { inner -> Decided in
                let order =
                    fields["order_no"].flatMap { inner.pagsmileOrders[$0] }
                    ?? fields["transaction_id"].flatMap { id in inner.pagsmileOrders.values.first { $0.transactionID == id } }
                guard let order else {
                    return .answer(self.error("40002", "Business Failed", subCode: "order-not-exist", subMessage: "transaction not found"))
                }
                let exponent = SimAmount.exponent(order.currency)
                return .seal(
                    [
                        "transaction_id": .string(order.transactionID), "transaction_type": 121, "transaction_status": 1,
                        "order_no": .string(order.orderNo),
                        "bill_amount": .string(SimAmount.render(order.amountMinor, exponent: exponent)), "bill_fee": "0.00",
                        "balance": .string(SimAmount.render(order.balanceAfterMinor, exponent: exponent)),
                        "transaction_amount": .string(SimAmount.render(order.amountMinor, exponent: exponent)),
                        "transaction_currency": .string(order.currency), "exchange_rate": "1",
                        "related_transaction_id": .string(order.relatedTransactionID),
                        "business_date": .string(String(order.createTime.prefix(10))), "create_time": .string(order.createTime),
                    ], applied: false)
            })
    }

    /// `query-card-balance` with biz_data `{card_token}`.
    func balance(_ body: [UInt8]) -> SimResponse {
        let fields: [String: String]
        switch self.open(body) {
        case .failure(let failure): return failure.response
        case .success(let opened): fields = opened
        }
        return self.finish(
            self.state.withLock { inner -> Decided in
                guard let token = fields["card_token"], let card = inner.card(self.provider, token) else {
                    return .answer(self.error("40002", "Business Failed", subCode: "card-not-exist", subMessage: "card not found"))
                }
                return .seal(
                    [
                        "card_token": .string(card.id), "currency": .string(card.currency),
                        "balance": .string(SimAmount.render(card.balanceMinor, exponent: SimAmount.exponent(card.currency))),
                    ], applied: false)
            })
    }

    struct Failure: Error {
        let response: SimResponse
    }

    /// Checks the envelope and decrypts `biz_data`; any failure to decrypt is Pagsmile's `invalid-signature`.
    func open(_ body: [UInt8]) -> Result<[String: String], Failure> {
        let settings = self.state.configuration.pagsmile
        guard let envelope = jsonObject(body) else {
            return .failure(
                Failure(
                    response: self.error("40001", "Missing Required Arguments", subCode: "invalid-json", subMessage: "the body is not JSON")
                ))
        }
        guard envelope["app_id"] as? String == settings.appID, envelope["partner_id"] as? String == settings.partnerID else {
            return .failure(
                Failure(
                    response: self.error(
                        "40002", "Business Failed", subCode: "merchant-status-abnormal", subMessage: "unknown app_id or partner_id")))
        }
        guard envelope["sign_type"] as? String == "RSA", let randomKey = envelope["random_key"] as? String,
            let bizData = envelope["biz_data"] as? String, let timestamp = envelope["timestamp"] as? String, timestamp.count <= 19,
            envelope["request_id"] is String
        else {
            return .failure(
                Failure(
                    response: self.error(
                        "40001", "Missing Required Arguments", subCode: "missing-arguments",
                        subMessage: "request_id, timestamp, sign_type, random_key and biz_data are required")))
        }
        guard let platformKey, let wrapped = Data(base64Encoded: randomKey),
            let aesKey = try? platformKey.decrypt(wrapped, padding: ._WEAK_AND_INSECURE_PKCS_V1_5), aesKey.count == 16,
            let plaintext = Self.decrypt(bizData, key: aesKey),
            let object = (try? JSONSerialization.jsonObject(with: plaintext)) as? [String: Any]
        else {
            return .failure(
                Failure(response: self.error("40002", "Business Failed", subCode: "invalid-signature", subMessage: "invalid signature")))
        }
        var fields: [String: String] = [:]
        for (name, value) in object {
            guard let text = value as? String else {
                return .failure(
                    Failure(
                        response: self.error(
                            "30001", "Input data errors", subCode: "invalid-parameter", subMessage: "\(name) must be a string")))
            }
            fields[name] = text
        }
        return .success(fields)
    }

    /// What a handler decided under the state lock: a finished answer, or success data to seal once the lock is
    /// released (`sealed` takes the lock itself, and its RSA and AES work should not run under it).
    enum Decided: Sendable {
        case answer(SimResponse)
        case seal(SimJSON, applied: Bool)
    }

    func finish(_ decided: Decided) -> SimResponse {
        switch decided {
        case .answer(let response):
            return response
        case .seal(let data, let applied):
            var response = self.sealed(data)
            response.applied = applied
            return response
        }
    }

    /// A success answer with `data` encrypted under a fresh AES key wrapped for the merchant. Must not be called
    /// with the state lock held.
    func sealed(_ data: SimJSON) -> SimResponse {
        let settings = self.state.configuration.pagsmile
        let (aesKey, iv) = self.state.withLock { inner in (inner.random.hex(16).uppercased(), inner.random.hex(16).uppercased()) }
        guard let merchantKey, let wrapped = try? merchantKey.encrypt(Data(aesKey.utf8), padding: ._WEAK_AND_INSECURE_PKCS_V1_5),
            let ciphertext = try? AES._CBC.encrypt(
                data.bytes, using: SymmetricKey(data: Data(aesKey.utf8)), iv: AES._CBC.IV(ivBytes: Array(iv.utf8)))
        else { return self.unavailable() }
        return .json([
            "code": "10000", "msg": "Success", "total": 1, "random_key": .string(wrapped.base64EncodedString()), "sign_type": "RSA",
            "app_id": .string(settings.appID), "data": .string(iv + ciphertext.base64EncodedString()),
        ])
    }

    /// `biz_data`: the first 16 characters are the IV, the rest Base64 of the AES-128-CBC ciphertext.
    static func decrypt(_ text: String, key: Data) -> Data? {
        guard text.utf8.count > 16 else { return nil }
        let iv = Array(text.utf8.prefix(16))
        guard let ciphertext = Data(base64Encoded: String(decoding: text.utf8.dropFirst(16), as: UTF8.self)),
            let ivValue = try? AES._CBC.IV(ivBytes: iv)
        else { return nil }
        return try? AES._CBC.decrypt(ciphertext, using: SymmetricKey(data: key), iv: ivValue)
    }

    /// `yyyy-MM-dd HH:mm:ss` in UTC.
    static func timestamp(_ date: Date) -> String {
        let iso = SimTime.iso(date)
        return String(iso.prefix(10)) + " " + String(iso.dropFirst(11).prefix(8))
    }

    func error(_ code: String, _ message: String, subCode: String, subMessage: String) -> SimResponse {
        .json(
            ["code": .string(code), "msg": .string(message), "sub_code": .string(subCode), "sub_msg": .string(subMessage)],
            rejection: "\(code)/\(subCode)")
    }

    func rateLimited(remaining: Int, limit: Int) -> SimResponse {
        .json(.tooManyRequests, ["code": "4004029", "msg": "too many requests"])
    }

    func unavailable() -> SimResponse {
        .json(.serviceUnavailable, ["code": "20000", "msg": "Service Currently Unavailable"])
    }
}
