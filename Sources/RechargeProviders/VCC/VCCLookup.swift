import Foundation
import Logging
import NIOHTTP1
import RechargeCore

/// VCC's read-only half: the operation query `POST /card/operation/query {request_id}` and the card query
/// `POST /card/query` [DOC], both signed like every VCC request.
struct VCCLookup: ProviderLookup {
    let baseURL: String
    let companyID: String
    let apiKey: Secret
    let transport: ReadOnlyTransport
    let timeout: Duration
    let logger = Logger(label: "recharge.providers.vcc")

    private func post(_ path: String, _ body: [UInt8]) async -> HTTPExchange {
        await self.transport.send(
            .POST, self.baseURL + path, headers: [("Content-Type", "application/json"), ("Accept", "application/json")], body: body,
            timeout: self.timeout)
    }

    /// The card balance before the charge, for the balance comparison fallback.
    func evidenceBeforeRecharge(_ request: RechargeRequest) async -> EvidenceRead {
        switch await self.cardBalance(request.cardID) {
        case .balance(let balance): return .recorded(VCCWire.evidence(VCCWire.Snapshot(cardID: request.cardID, balance: balance)))
        case .throttled(let wait): return .throttled(retryAfter: wait)
        case .unreadable(let why): return .unavailable(reason: why)
        }
    }

    /// The operation query by `request_id` first; when it cannot answer, the balance comparison.
    func status(_ request: RechargeRequest, recorded: RecordedSend) async -> StatusOutcome {
        let exchange = await self.post(
            "/card/operation/query",
            VCCWire.operationQueryBody(companyID: self.companyID, requestID: request.key.hex, apiKey: self.apiKey.value))
        switch VCCClient.interpretOperationQuery(exchange, request: request) {
        case .answered(let outcome, let duplicates):
            if let duplicates {
                self.logger.warning(
                    "VCC applied one request_id more than once (VCC does not deduplicate)",
                    metadata: ["request_id": "\(request.key.hex)", "reqNo": "\(duplicates.joined(separator: ","))"])
            }
            return outcome
        case .unanswered(let why):
            return await self.balanceFallback(request, evidence: recorded.evidence, because: why)
        }
    }

    /// The card balance now against the snapshot recorded before sending. Sound only while at most one charge
    /// per card is in flight: a concurrent charge of the same amount would be taken for this one.
    func balanceFallback(_ request: RechargeRequest, evidence: ResolutionEvidence?, because why: String) async -> StatusOutcome {
        guard let snapshot = VCCWire.snapshot(evidence), snapshot.cardID == request.cardID else {
            return .cannotTell(reason: "VCC operation query failed (\(why)) and no balance snapshot was recorded before sending")
        }
        switch await self.cardBalance(request.cardID) {
        case .balance(let balance): return VCCWire.compareBalances(before: snapshot.balance, after: balance, amount: request.amount)
        case .throttled(let wait): return .throttled(retryAfter: wait)
        case .unreadable(let reason):
            return .cannotTell(reason: "VCC operation query failed (\(why)) and the card query failed too (\(reason))")
        }
    }

    enum BalanceRead {
        case balance(String)
        case throttled(Duration?)
        case unreadable(String)
    }

    /// The card's balance as exact decimal text.
    func cardBalance(_ cardID: String) async -> BalanceRead {
        let exchange = await self.post(
            "/card/query", VCCWire.cardQueryBody(companyID: self.companyID, cardID: cardID, apiKey: self.apiKey.value))
        switch exchange {
        case .failed(_, let reason): return .unreadable(reason)
        case .response(429, _, _): return .throttled(retryAfter(exchange))
        case .response(let status, _, let body):
            guard (200..<300).contains(status), let envelope = VCCWire.envelope(body), envelope.code == 0,
                let balance = envelope.data?["balance"]?.string
            else { return .unreadable("the card query answered HTTP \(status) without a balance") }
            return .balance(balance)
        }
    }
}
