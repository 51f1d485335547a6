import Foundation
import NIOHTTP1
import RechargeCore

/// UQPay's read-only half: the order query `GET /api/v1/issuing/cards/{card_order_id}/order` [DOC/SDK], which
/// needs the `card_order_id` an earlier answer carried. UQPay documents no query by idempotency key, so without
/// a recorded order id this lookup cannot tell (the engine may then replay, inside the window only).
struct UQPayLookup: ProviderLookup {
    let baseURL: String
    let transport: ReadOnlyTransport
    let timeout: Duration
    let tokens: UQPayTokenCache

    func evidenceBeforeRecharge(_ request: RechargeRequest) async -> EvidenceRead { .notNeeded }

    func status(_ request: RechargeRequest, recorded: RecordedSend) async -> StatusOutcome {
        guard let orderID = recorded.providerReference, !orderID.isEmpty else {
            return .cannotTell(
                reason: "no card_order_id was recorded, and UQPay has no read-only query by idempotency key")
        }
        let exchange: HTTPExchange
        do {
            exchange = try await self.tokens.authorized { token in
                await self.transport.send(
                    .GET, "\(self.baseURL)/v1/issuing/cards/\(orderID)/order", headers: [("x-auth-token", "Bearer " + token)], body: nil,
                    timeout: self.timeout)
            }
        } catch let failure as UQPayLoginFailure {
            if case .response(429, _, _) = failure.exchange { return .throttled(retryAfter: retryAfter(failure.exchange)) }
            return .cannotTell(reason: "login failed: \(failure)")
        } catch {
            return .cannotTell(reason: "login failed: \(error)")
        }
        return Self.classifyOrder(exchange, orderID: orderID, request: request)
    }

    /// The order object: SUCCESS applied, FAILED refused, PENDING/PROCESSING not finished [DOC card-recharge
    /// `order_status`]; an order of another card is never taken for this line.
    static func classifyOrder(_ exchange: HTTPExchange, orderID: String, request: RechargeRequest) -> StatusOutcome {
        switch exchange {
        case .failed(_, let reason):
            return .cannotTell(reason: "the order query failed: \(reason)")
        case .response(429, _, _):
            return .throttled(retryAfter: retryAfter(exchange))
        case .response(let status, _, let body) where !(200..<300).contains(status):
            // An error answer to a query says nothing about the top-up: only the order object does.
            return .cannotTell(reason: "the order query answered HTTP \(status): \(UQPayClient.excerpt(body))")
        case .response(_, _, let body):
            if let cardID = ExactJSON.parse(body)?["card_id"]?.string, cardID != request.cardID {
                return .cannotTell(reason: "UQPay order \(orderID) belongs to card \(cardID), not this line's card")
            }
            switch UQPayClient.classify(exchange, request: request) {
            case .applied(let receipt): return .applied(receipt)
            case .rejected(let code, let message): return .rejected(code: code, message: message)
            case .accepted(let reference, _, _): return .pending(reference: reference)
            case .throttled(_, _, let retryAfter): return .throttled(retryAfter: retryAfter)
            case .notApplied(let code, let message, _), .inDoubt(let code, let message):
                return .cannotTell(reason: "order query: \(code): \(message)")
            }
        }
    }
}
