import AsyncHTTPClient
import Foundation
import NIOHTTP1
import RechargeCore

/// The VCC (Star SaaS / Xnova) adapter: `POST {baseURL}/card/charge`, authenticated by the body `sign`.
///
/// VCC does **not** deduplicate `request_id` (a repeated request applies again), so a charge whose answer is
/// lost is never re-sent: its read-only half, ``VCCLookup``, asks the operation query by `request_id` (the line's
/// ``IdempotencyKey/hex``), and when that query cannot answer, compares the card balance with the snapshot taken
/// before sending. The balance comparison is sound only while at most one charge per card is in flight.
///
/// "Operation not found" (1006) is taken as not applied: VCC keeps no dedupe, so a `request_id` it never
/// recorded was never applied. That holds once the charge can no longer be in flight at VCC, so the engine
/// should ask no sooner than the account's time-out after sending.
public struct VCCClient: ProviderClient {
    public let account: ProviderAccount
    let baseURL: String
    let companyID: String
    let apiKey: Secret
    let transport: HTTPTransport
    let environment: AdapterEnvironment
    let reads: VCCLookup

    /// - Throws: ``ConfigurationError`` naming the base URL when the account has none.
    public init(
        account: ProviderAccount, credentials: VCCCredentials, client: HTTPClient, environment: AdapterEnvironment = .live
    ) throws(ConfigurationError) {
        let baseURL = try VCCProfile().baseURL(for: account)
        self.account = account
        self.baseURL = baseURL
        self.companyID = credentials.companyID
        self.apiKey = credentials.apiKey
        let transport = HTTPTransport(client: client)
        self.transport = transport
        self.environment = environment
        self.reads = VCCLookup(
            baseURL: baseURL, companyID: credentials.companyID, apiKey: credentials.apiKey,
            transport: ReadOnlyTransport(transport, reads: [(.POST, "card/operation/query"), (.POST, "card/query")]),
            timeout: .milliseconds(account.timeoutMilliseconds))
    }

    /// The adapter from resolved credential values, decoded by ``VCCProfile``.
    ///
    /// - Throws: ``ConfigurationError`` naming the missing credential (`companyID`, `apiKey`) or base URL.
    public init(
        account: ProviderAccount, credentials: [String: Secret], client: HTTPClient, environment: AdapterEnvironment = .live
    ) throws(ConfigurationError) {
        try self.init(
            account: account, credentials: VCCProfile().decodeCredentials(credentials, account: account), client: client,
            environment: environment)
    }

    public var lookup: any ProviderLookup { self.reads }

    var timeout: Duration { .milliseconds(self.account.timeoutMilliseconds) }

    private func post(_ path: String, _ body: [UInt8]) async -> HTTPExchange {
        await self.transport.send(
            .POST, self.baseURL + path, headers: [("Content-Type", "application/json"), ("Accept", "application/json")], body: body,
            timeout: self.timeout)
    }

    // MARK: - ProviderClient

    /// ``VCCProfile/executionRules(for:)``.
    public var executionRules: ExecutionRules { VCCProfile().executionRules(for: self.account) }

    public func recharge(_ request: RechargeRequest) async -> RechargeOutcome {
        let body = VCCWire.chargeBody(
            requestID: request.key.hex, companyID: self.companyID, cardID: request.cardID, amount: request.amount.decimalString,
            apiKey: self.apiKey.value)
        return Self.classify(await self.post("/card/charge", body))
    }

    // MARK: - Answers

    /// Classifies the answer to a charge. Success needs HTTP 2xx, `code` 0, `data.status` "1" and a `reqNo`.
    static func classify(_ exchange: HTTPExchange) -> RechargeOutcome {
        let table = Self.classification
        if let shared = table.sharedOutcome(exchange, message: { VCCWire.envelope($0)?.message }) { return shared }
        switch exchange {
        case .failed(let sent, let reason):
            return table.outcome(code: sent ? "transport:failed" : "transport:not-sent", message: reason)
        case .response(let status, _, let body):
            let envelope = VCCWire.envelope(body)
            guard let envelope else {
                if (400..<500).contains(status) {
                    return table.outcome(code: "http:\(status)", message: "HTTP \(status) without VCC's envelope")
                }
                return table.outcome(code: "malformed", message: "HTTP \(status): not VCC's {code, msg, data} envelope")
            }
            if envelope.code == 0 {
                guard (200..<300).contains(status), envelope.data?["status"]?.integer.map(String.init) == "1",
                    let reqNo = VCCWire.reference(envelope.data?["reqNo"])
                else {
                    return table.outcome(code: "incomplete", message: "HTTP \(status), code 0 without data.status \"1\" and reqNo")
                }
                return .applied(ProviderReceipt(providerReference: reqNo))
            }
            // A code nobody wrote down is in doubt (the table's default), even under a 4xx.
            return table.outcome(code: String(envelope.code), message: envelope.message)
        }
    }

    enum OperationAnswer: Equatable {
        /// The query answered definitely; `duplicates` lists every reqNo when VCC applied the request more than once.
        case answered(StatusOutcome, duplicates: [String]?)
        case unanswered(String)
    }

    /// The operation query's answer: found → applied (with its reqNo), 1006 → not applied, anything else → no answer.
    static func interpretOperationQuery(_ exchange: HTTPExchange, request: RechargeRequest) -> OperationAnswer {
        guard case .response(let status, _, let body) = exchange else {
            if case .failed(_, let reason) = exchange { return .unanswered(reason) }
            return .unanswered("no answer")
        }
        if status == 429 { return .answered(.throttled(retryAfter: retryAfter(exchange)), duplicates: nil) }
        guard let envelope = VCCWire.envelope(body) else { return .unanswered("HTTP \(status) without VCC's envelope") }
        if envelope.code == 1006 && status < 500 {
            // VCC has no dedupe and the query answered definitely: a request_id it never saw was never applied.
            return .answered(.notApplied, duplicates: nil)
        }
        guard envelope.code == 0, (200..<300).contains(status), let operations = VCCWire.operations(envelope.data) else {
            return .unanswered("HTTP \(status), code \(envelope.code): \(envelope.message)")
        }
        if operations.isEmpty { return .answered(.notApplied, duplicates: nil) }
        for operation in operations {
            if let cardID = operation.cardID, cardID != request.cardID {
                return .answered(
                    .cannotTell(reason: "VCC operation \(operation.reqNo ?? "?") under this request_id is for another card"),
                    duplicates: nil)
            }
            if let amount = operation.amount,
                VCCWire.minorUnits(amount, exponent: request.amount.currency.exponent) != request.amount.minorUnits
            {
                return .answered(
                    .cannotTell(
                        reason:
                            "VCC operation \(operation.reqNo ?? "?") under this request_id has amount \(amount), not \(request.amount.decimalString)"
                    ),
                    duplicates: nil)
            }
            if let state = operation.status, state != "1" {
                return .answered(
                    .cannotTell(reason: "VCC operation \(operation.reqNo ?? "?") has status \(state), not \"1\""), duplicates: nil)
            }
        }
        let references = operations.compactMap(\.reqNo)
        return .answered(
            .applied(ProviderReceipt(providerReference: references.first)), duplicates: operations.count > 1 ? references : nil)
    }
}
