import AsyncHTTPClient
import Foundation
import NIOHTTP1
import RechargeCore

/// The PayCertify vCards adapter: `PUT {baseURL}/vcards/{id}/reload` with a static bearer token.
///
/// PayCertify has **no merchant reference and no dedupe**: a reload whose answer is lost cannot be looked up
/// by key and must never be re-sent blindly. Its read-only half, ``PayCertifyLookup``, records a snapshot of the
/// card before each reload (`available_amount` as exact decimal text, the ids of its `actions[]`) and compares a
/// fresh `GET /vcards/{id}` with it.
///
/// - Important: the comparison is sound only if **at most one reload per card is in flight** (from this
///   processor or anyone else): a concurrent reload of the same card would be indistinguishable from this one,
///   or make it ambiguous. The engine must serialize reloads per PayCertify card.
///
/// The `vcard` answers carry the card's full PAN (`card_number`); it is dropped while parsing and never
/// stored, logged or copied into an outcome.
public struct PayCertifyClient: ProviderClient {
    public let account: ProviderAccount
    let baseURL: String
    let token: Secret
    let transport: HTTPTransport
    let environment: AdapterEnvironment
    let cards: PayCertifyLookup

    public init(
        account: ProviderAccount, credentials: PayCertifyCredentials, client: HTTPClient, environment: AdapterEnvironment = .live
    ) throws(ConfigurationError) {
        let token = credentials.token
        let baseURL = try PayCertifyProfile().baseURL(for: account)
        self.account = account
        self.baseURL = baseURL
        self.token = token
        let transport = HTTPTransport(client: client)
        self.transport = transport
        self.environment = environment
        self.cards = PayCertifyLookup(
            baseURL: baseURL, token: token, transport: ReadOnlyTransport(transport, reads: [(.GET, "vcards/*")]),
            timeout: .milliseconds(account.timeoutMilliseconds))
    }

    /// The adapter from resolved credential values, decoded by ``PayCertifyProfile``.
    ///
    /// - Throws: ``ConfigurationError`` naming the missing `token` credential.
    public init(
        account: ProviderAccount, credentials: [String: Secret], client: HTTPClient, environment: AdapterEnvironment = .live
    ) throws(ConfigurationError) {
        try self.init(
            account: account, credentials: PayCertifyProfile().decodeCredentials(credentials, account: account), client: client,
            environment: environment)
    }

    var timeout: Duration { .milliseconds(self.account.timeoutMilliseconds) }

    func cardURL(_ cardID: String) -> String { self.cards.cardURL(cardID) }

    var headers: [(String, String)] { self.cards.headers }

    public var lookup: any ProviderLookup { self.cards }

    // MARK: - ProviderClient

    /// ``PayCertifyProfile/executionRules(for:)``: one reload per card in flight, a snapshot before each, and no
    /// comparison before the time-out has passed since sending.
    public var executionRules: ExecutionRules { PayCertifyProfile().executionRules(for: self.account) }

    public func recharge(_ request: RechargeRequest) async -> RechargeOutcome {
        let exchange = await self.transport.send(
            .PUT, self.cardURL(request.cardID) + "/reload", headers: self.headers + [("Content-Type", "application/json")],
            body: PayCertifyWire.reloadBody(amount: request.amount), timeout: self.timeout)
        return Self.classify(exchange)
    }

    // MARK: - Answers

    /// Classifies the answer to a reload: 2xx with a `vcard` object is applied (reference: the newest action's
    /// id); errors by HTTP status, a `fatal` message in doubt. Messages never include the raw body (it may
    /// carry the PAN).
    static func classify(_ exchange: HTTPExchange) -> RechargeOutcome {
        let table = Self.classification
        // Without Retry-After, one request's worth of the documented 60-a-minute bucket refills in a second.
        let shared = table.sharedOutcome(
            exchange, message: { PayCertifyWire.error($0)?.message },
            wait: { retryAfter($0) ?? ($0.header("x-ratelimit-remaining") == "0" ? .seconds(1) : nil) })
        if let shared { return shared }
        switch exchange {
        case .failed(let sent, let reason):
            return table.outcome(code: sent ? "transport:failed" : "transport:not-sent", message: reason)
        case .response(let status, _, let body):
            if (200..<300).contains(status) {
                // The reloaded card, with the reload among its actions, is the evidence; anything less is in doubt
                // (the card comparison settles it).
                guard let card = PayCertifyWire.card(body), card.id != nil,
                    let action = PayCertifyWire.newestReload(card) ?? card.actions.last
                else {
                    return table.outcome(code: "malformed", message: "HTTP \(status) without a vcard and its actions")
                }
                return .applied(ProviderReceipt(providerReference: action.id))
            }
            let error = PayCertifyWire.error(body)
            let message = error?.message ?? "HTTP \(status)"
            if error?.keys.contains("fatal") == true { return table.outcome(code: "fatal", message: message) }
            return table.outcome(code: "http:\(status)", message: message)
        }
    }
}
