import AsyncHTTPClient
import Foundation
import NIOHTTP1
import RechargeCore
import _CryptoExtras

/// HyperCard (hyperpay.io card issuing): `POST /openapi/card/recharge` signed with the merchant's RSA key,
/// resolved through `POST /openapi/card/recharge/query {card_id, mc_trade_no}`.
public struct HyperCardClient: ProviderClient {
    let account: ProviderAccount
    let baseURL: String
    /// The merchant id, sent as the `api-key` header.
    let merchantID: String
    let privateKey: _RSA.Signing.PrivateKey
    let transport: HTTPTransport
    let environment: AdapterEnvironment
    let queries: HyperCardLookup

    /// - Throws: ``ConfigurationError`` naming the base URL when the account has none.
    public init(
        account: ProviderAccount, credentials: HyperCardCredentials, client: HTTPClient, environment: AdapterEnvironment = .live
    ) throws(ConfigurationError) {
        let baseURL = try HyperCardProfile().baseURL(for: account)
        self.account = account
        self.baseURL = baseURL
        self.merchantID = credentials.merchantID
        self.privateKey = credentials.privateKey
        let transport = HTTPTransport(client: client)
        self.transport = transport
        self.environment = environment
        self.queries = HyperCardLookup(
            baseURL: baseURL,
            signer: HyperCardSigner(merchantID: credentials.merchantID, privateKey: credentials.privateKey, environment: environment),
            transport: ReadOnlyTransport(transport, reads: [(.POST, "openapi/card/recharge/query")]),
            timeout: .milliseconds(account.timeoutMilliseconds))
    }

    /// The adapter from resolved credential values, decoded by ``HyperCardProfile``.
    ///
    /// - Throws: ``ConfigurationError`` naming the base URL or the credential that is missing or unparsable.
    public init(
        account: ProviderAccount, credentials: [String: Secret], client: HTTPClient, environment: AdapterEnvironment = .live
    ) throws(ConfigurationError) {
        try self.init(
            account: account, credentials: HyperCardProfile().decodeCredentials(credentials, account: account), client: client,
            environment: environment)
    }

    public var lookup: any ProviderLookup { self.queries }

    /// ``HyperCardProfile/executionRules(for:)``.
    public var executionRules: ExecutionRules { HyperCardProfile().executionRules(for: self.account) }

    public func recharge(_ request: RechargeRequest) async -> RechargeOutcome {
        guard let payCoin = request.payCoin ?? request.account.defaultPayCoin ?? self.account.defaultPayCoin, !payCoin.isEmpty else {
            return .rejected(code: "no-pay-coin", message: "the line gives no pay coin and the account has no default")
        }
        var fields = [
            ("card_id", request.cardID), ("mc_trade_no", request.key.hyperCardTradeNumber), ("pay_coin", payCoin),
            ("recharge_amount", request.amount.decimalString),
        ]
        if let remark = request.remark, !remark.isEmpty { fields.append(("remark", remark)) }
        let signed: HyperCardSigner.SignedRequest
        do {
            signed = try self.signedRequest(fields)
        } catch {
            return .rejected(code: "sign-failed", message: "could not sign the request: \(error)")
        }
        let exchange = await self.transport.send(
            .POST, self.baseURL + "/openapi/card/recharge", headers: signed.headers, body: signed.body, timeout: self.timeout)
        return Self.classify(exchange, currency: request.amount.currency, payCoin: payCoin)
    }

    var timeout: Duration { .milliseconds(self.account.timeoutMilliseconds) }

    /// Builds the headers, the JSON body and the signature for `fields`, with the environment's time and nonce.
    func signedRequest(_ fields: [(String, String)]) throws -> HyperCardSigner.SignedRequest {
        try self.queries.signer.signedRequest(fields)
    }

    /// What a recharge exchange means for the line.
    static func classify(_ exchange: HTTPExchange, currency: Currency, payCoin: String?) -> RechargeOutcome {
        let shared = Self.classification.sharedOutcome(
            exchange, message: { HyperCardWire.answer($0).map { "\($0.code) \($0.message)" } })
        if let shared { return shared }
        switch exchange {
        case .failed(let sent, let reason):
            return Self.classification.outcome(code: sent ? "transport:failed" : "transport:not-sent", message: reason)
        case .response(let status, _, let body):
            let answer = HyperCardWire.answer(body)
            guard let answer else {
                return Self.classification.outcome(code: "http:\(status)", message: "HTTP \(status) without an answer code")
            }
            if answer.code == "00000" && (200...299).contains(status) {
                return .applied(HyperCardWire.receipt(answer.data, currency: currency, payCoin: payCoin))
            }
            return Self.classification.outcome(code: answer.code, message: answer.message, retryAfter: retryAfter(exchange))
        }
    }

    /// What a recharge-query exchange says. Status 1 is success, 0/2/3 are not final (2 "can still become a
    /// refund"), 4 is refunded; empty `data` means HyperCard has no order under that `mc_trade_no`.
    static func classifyStatus(_ exchange: HTTPExchange, currency: Currency, payCoin: String?) -> StatusOutcome {
        switch exchange {
        case .failed(_, let reason):
            return .cannotTell(reason: "the recharge query failed: \(reason)")
        case .response(429, _, _):
            return .throttled(retryAfter: retryAfter(exchange))
        case .response(let status, _, let body):
            guard (200...299).contains(status), let answer = HyperCardWire.answer(body) else {
                return .cannotTell(reason: "the recharge query answered HTTP \(status)")
            }
            guard answer.code == "00000" else {
                return .cannotTell(reason: "the recharge query answered \(answer.code) \(answer.message)")
            }
            guard !answer.data.isEmpty else { return .notApplied }
            switch HyperCardWire.text(answer.data["status"]) {
            case "1": return .applied(HyperCardWire.receipt(answer.data, currency: currency, payCoin: payCoin))
            case "0", "2", "3": return .pending(reference: HyperCardWire.text(answer.data["order_no"]).flatMap { $0.isEmpty ? nil : $0 })
            case "4": return .rejected(code: "status:4", message: "refunded")
            case let other: return .cannotTell(reason: "the recharge query answered status \(other ?? "(none)")")
            }
        }
    }
}
