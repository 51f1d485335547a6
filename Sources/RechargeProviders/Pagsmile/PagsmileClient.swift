import AsyncHTTPClient
import Foundation
import NIOHTTP1
import RechargeCore
import _CryptoExtras

/// Pagsmile issuing: `POST /issuing/card/recharge` with the hybrid-encrypted envelope, resolved through
/// `POST /issuing/card/query-card-transaction-detail {order_no}` (``PagsmileLookup``).
public struct PagsmileClient: ProviderClient {
    let account: ProviderAccount
    let baseURL: String
    let appID: String
    let partnerID: String
    // RSA keys are not Sendable; both are parsed once here and never changed, and BoringSSL's RSA operations on
    // an immutable key are safe to run concurrently.
    /// Wraps each request's AES key.
    nonisolated(unsafe) let platformKey: _RSA.Encryption.PublicKey
    /// Unwraps each answer's AES key.
    nonisolated(unsafe) let merchantKey: _RSA.Encryption.PrivateKey
    let transport: HTTPTransport
    let environment: AdapterEnvironment
    let details: PagsmileLookup

    /// - Throws: ``ConfigurationError`` naming the base URL when the account has none.
    public init(
        account: ProviderAccount, credentials: PagsmileCredentials, client: HTTPClient, environment: AdapterEnvironment = .live
    ) throws(ConfigurationError) {
        let baseURL = try PagsmileProfile().baseURL(for: account)
        self.account = account
        self.baseURL = baseURL
        self.appID = credentials.appID
        self.partnerID = credentials.partnerID
        self.platformKey = credentials.platformKey
        self.merchantKey = credentials.merchantKey
        let transport = HTTPTransport(client: client)
        self.transport = transport
        self.environment = environment
        self.details = PagsmileLookup(
            sealer: PagsmileSealer(
                appID: credentials.appID, partnerID: credentials.partnerID, platformKey: credentials.platformKey,
                merchantKey: credentials.merchantKey, environment: environment),
            baseURL: baseURL, transport: ReadOnlyTransport(transport, reads: [(.POST, "issuing/card/query-card-transaction-detail")]),
            timeout: .milliseconds(account.timeoutMilliseconds))
    }

    /// The adapter from resolved credential values, decoded by ``PagsmileProfile``.
    ///
    /// - Throws: ``ConfigurationError`` naming the base URL or the credential that is missing or unparsable.
    public init(
        account: ProviderAccount, credentials: [String: Secret], client: HTTPClient, environment: AdapterEnvironment = .live
    ) throws(ConfigurationError) {
        try self.init(
            account: account, credentials: PagsmileProfile().decodeCredentials(credentials, account: account), client: client,
            environment: environment)
    }

    public var lookup: any ProviderLookup { self.details }

    /// ``PagsmileProfile/executionRules(for:)``.
    public var executionRules: ExecutionRules { PagsmileProfile().executionRules(for: self.account) }

    public func recharge(_ request: RechargeRequest) async -> RechargeOutcome {
        guard
            let payAccount = request.payAccountNumber ?? request.account.defaultPayAccountNumber ?? self.account.defaultPayAccountNumber,
            !payAccount.isEmpty
        else {
            return .rejected(code: "no-pay-account", message: "the line gives no pay account and the account has no default")
        }
        var fields = [
            ("pay_account_num", payAccount), ("card_token", request.cardID), ("order_no", request.key.hex),
            ("amount", request.amount.decimalString), ("currency", request.amount.currency.code),
        ]
        if !request.reference.isEmpty { fields.append(("reference", request.reference)) }
        let envelope: Envelope
        do {
            envelope = try self.envelope(fields)
        } catch {
            return .rejected(code: "encrypt-failed", message: "could not encrypt the request: \(error)")
        }
        let exchange = await self.send("/issuing/card/recharge", envelope)
        return Self.classify(exchange, merchantKey: self.merchantKey)
    }

    var timeout: Duration { .milliseconds(self.account.timeoutMilliseconds) }

    func send(_ path: String, _ envelope: Envelope) async -> HTTPExchange {
        // "chartset" (sic) is how Pagsmile's documentation writes the header.
        await self.transport.send(
            .POST, self.baseURL + path, headers: [("Content-Type", "application/json; chartset=UTF-8")], body: envelope.body,
            timeout: self.timeout)
    }

    typealias Envelope = PagsmileSealer.Envelope

    /// Encrypts `fields` under a fresh AES key and IV from the environment and wraps them in the envelope.
    func envelope(_ fields: [(String, String)]) throws -> Envelope {
        try self.details.sealer.envelope(fields)
    }

    /// The decrypted `data` object of a success answer.
    static func openData(_ answer: PagsmileWire.Answer, merchantKey: _RSA.Encryption.PrivateKey) throws -> [String: ExactJSON] {
        guard let randomKey = answer.randomKey, let data = answer.data else {
            throw PagsmileCrypto.Failure(description: "the answer has no random_key or data")
        }
        let plaintext = try PagsmileCrypto.open(data, key: try PagsmileCrypto.unwrapKey(randomKey, with: merchantKey))
        guard let object = ExactJSON.parse(plaintext)?.object else {
            throw PagsmileCrypto.Failure(description: "the decrypted data is not a JSON object")
        }
        return object
    }

    /// What a recharge exchange means for the line.
    static func classify(_ exchange: HTTPExchange, merchantKey: _RSA.Encryption.PrivateKey) -> RechargeOutcome {
        let shared = Self.classification.sharedOutcome(
            exchange, message: { PagsmileWire.answer($0).map { "\($0.code) \($0.fullMessage)" } })
        if let shared { return shared }
        switch exchange {
        case .failed(let sent, let reason):
            return Self.classification.outcome(code: sent ? "transport:failed" : "transport:not-sent", message: reason)
        case .response(let status, _, let body):
            let answer = PagsmileWire.answer(body)
            guard let answer else {
                return Self.outcome(
                    "http:\(status)", code: "http:\(status)", message: "HTTP \(status) without an answer code", retryAfter: nil)
            }
            if answer.code == "10000" && (200...299).contains(status) {
                // Success counts with its evidence, the transaction id; a success code whose data cannot be read is
                // in doubt, and the status query by order_no (which Pagsmile deduplicates) settles it with the id.
                guard
                    let reference = (try? Self.openData(answer, merchantKey: merchantKey)).flatMap({
                        PagsmileWire.text($0["transaction_id"])
                    }),
                    !reference.isEmpty
                else {
                    return .inDoubt(code: "success-unreadable", message: "Pagsmile answered success without a readable transaction_id")
                }
                return .applied(ProviderReceipt(providerReference: reference))
            }
            let full = answer.subCode.map { $0.isEmpty ? answer.code : "\(answer.code)/\($0)" } ?? answer.code
            return Self.outcome(
                Self.ruleKey(code: answer.code, subCode: answer.subCode), code: full, message: answer.fullMessage,
                retryAfter: retryAfter(exchange))
        }
    }

    /// The outcome of the table row `key`, reported under the answer's full `code`.
    static func outcome(_ key: String, code: String, message: String, retryAfter: Duration?) -> RechargeOutcome {
        Self.classification.rule(for: key).answerClass.outcome(code: code, message: message, retryAfter: retryAfter)
    }

    /// What a detail-query exchange says: `transaction_status` 1 is success; the sub-code `order-not-exist`, under
    /// whatever code, means Pagsmile has no such order (`order_no` is globally unique [DOC], so an order it does
    /// not know was never applied); 429 asks to wait; anything else cannot be read as an answer.
    static func classifyStatus(_ exchange: HTTPExchange, merchantKey: _RSA.Encryption.PrivateKey, currency: Currency) -> StatusOutcome {
        switch exchange {
        case .failed(_, let reason):
            return .cannotTell(reason: "the detail query failed: \(reason)")
        case .response(429, _, _):
            return .throttled(retryAfter: retryAfter(exchange))
        case .response(let status, _, let body):
            guard let answer = PagsmileWire.answer(body) else {
                return .cannotTell(reason: "the detail query answered HTTP \(status) without an answer code")
            }
            if answer.subCode == "order-not-exist" && status < 500 { return .notApplied }
            if answer.code == "4004029" { return .throttled(retryAfter: retryAfter(exchange)) }
            guard answer.code == "10000", (200...299).contains(status) else {
                return .cannotTell(reason: "the detail query answered HTTP \(status) \(answer.code) \(answer.fullMessage)")
            }
            let data: [String: ExactJSON]
            do {
                data = try Self.openData(answer, merchantKey: merchantKey)
            } catch {
                return .cannotTell(reason: "cannot decrypt the detail answer: \(error)")
            }
            switch PagsmileWire.text(data["transaction_status"]) {
            case "1":
                return .applied(
                    ProviderReceipt(
                        providerReference: PagsmileWire.text(data["transaction_id"]),
                        credited: PagsmileWire.money(PagsmileWire.text(data["bill_amount"]), currency: currency),
                        exchangeRate: PagsmileWire.text(data["exchange_rate"])))
            case let other:
                return .cannotTell(reason: "the detail query answered transaction_status \(other ?? "(none)")")
            }
        }
    }
}
