import Foundation
import NIOHTTP1
import RechargeCore

/// PayCertify's read-only half: `GET /vcards/{id}` [DOC show-card], the only read it offers. PayCertify has no
/// merchant reference and no status query, so a lost reload answer is resolved by comparing the card with the
/// snapshot recorded before sending (``PayCertifyWire/compare(_:now:amount:)``).
struct PayCertifyLookup: ProviderLookup {
    let baseURL: String
    let token: Secret
    let transport: ReadOnlyTransport
    let timeout: Duration

    func cardURL(_ cardID: String) -> String {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_."))
        return self.baseURL + "/vcards/" + (cardID.addingPercentEncoding(withAllowedCharacters: allowed) ?? cardID)
    }

    var headers: [(String, String)] {
        [("Authorization", "Bearer " + self.token.value), ("Accept", "application/json")]
    }

    /// The card before the reload; unavailable when it cannot be read now (the engine then does not send: a reload
    /// without a snapshot could not be resolved if its answer were lost).
    func evidenceBeforeRecharge(_ request: RechargeRequest) async -> EvidenceRead {
        switch await self.show(request.cardID) {
        case .card(let card):
            guard let snapshot = PayCertifyWire.snapshot(of: card, cardID: request.cardID) else {
                return .unavailable(reason: "the card answer has no available_amount")
            }
            return .recorded(PayCertifyWire.evidence(snapshot))
        case .throttled(let wait): return .throttled(retryAfter: wait)
        case .unreadable(let why): return .unavailable(reason: why)
        }
    }

    /// Compares a fresh `GET /vcards/{id}` with the snapshot recorded before sending.
    func status(_ request: RechargeRequest, recorded: RecordedSend) async -> StatusOutcome {
        guard let before = PayCertifyWire.snapshot(recorded.evidence), before.cardID == request.cardID else {
            return .cannotTell(reason: "PayCertify has no status query and no card snapshot was recorded before sending")
        }
        switch await self.show(request.cardID) {
        case .card(let now): return PayCertifyWire.compare(before, now: now, amount: request.amount)
        case .throttled(let wait): return .throttled(retryAfter: wait)
        case .unreadable(let why): return .cannotTell(reason: "PayCertify card query: \(why)")
        }
    }

    enum CardRead {
        case card(PayCertifyWire.Card)
        case throttled(Duration?)
        case unreadable(String)
    }

    /// `GET /vcards/{id}`.
    func show(_ cardID: String) async -> CardRead {
        let exchange = await self.transport.send(.GET, self.cardURL(cardID), headers: self.headers, body: nil, timeout: self.timeout)
        switch exchange {
        case .failed(_, let reason): return .unreadable(reason)
        case .response(429, _, _):
            let remaining = exchange.header("x-ratelimit-remaining")
            return .throttled(retryAfter(exchange) ?? (remaining == "0" ? .seconds(1) : nil))
        case .response(let status, _, let body):
            guard (200..<300).contains(status) else { return .unreadable("HTTP \(status)") }
            guard let card = PayCertifyWire.card(body) else { return .unreadable("HTTP \(status) without a vcard object") }
            return .card(card)
        }
    }
}
