import Foundation
import Testing

/// UQPay card issuing v1.6: a token from `/v1/connect/token` (headers `x-client-id`, `x-api-key`), then
/// `x-auth-token: Bearer <token>` and, on a recharge, a UUID v4 `x-idempotency-key`; the amount is a JSON number.
enum UQPayWire {
    static let clientID = "sim-uqpay-client"
    static let apiKey = "sim-uqpay-api-key"
    static let subAccount = "3f2b8c1e-9a4d-4c2e-8f1a-2b3c4d5e6f70"

    static let tokenPath = "/uqpay/api/v1/connect/token"
    static func rechargePath(_ cardID: String) -> String { "/uqpay/api/v1/issuing/cards/\(cardID)/recharge" }
    static func orderPath(_ orderID: String) -> String { "/uqpay/api/v1/issuing/cards/\(orderID)/order" }
    static func cardPath(_ cardID: String) -> String { "/uqpay/api/v1/issuing/cards/\(cardID)" }

    static func tokenHeaders(clientID: String = Self.clientID, apiKey: String = Self.apiKey) -> [(String, String)] {
        [("x-client-id", clientID), ("x-api-key", apiKey)]
    }

    static func authHeaders(token: String) -> [(String, String)] { [("x-auth-token", "Bearer " + token)] }

    static func rechargeHeaders(token: String, idempotencyKey: String, onBehalfOf: String? = nil) -> [(String, String)] {
        var headers = Self.authHeaders(token: token) + [("x-idempotency-key", idempotencyKey)]
        if let onBehalfOf { headers.append(("x-on-behalf-of", onBehalfOf)) }
        return headers
    }

    /// `{"amount": <number>}` with the number written exactly as given.
    static func rechargeBody(_ amount: String) -> String { #"{"amount":\#(amount)}"# }

    /// A random UUID v4, lower case.
    static func newIdempotencyKey() -> String { UUID().uuidString.lowercased() }

    /// Gets a token; the simulator keeps only the newest.
    static func token(_ session: SimulatorSession) async throws -> String {
        let response = try await session.post(Self.tokenPath, headers: Self.tokenHeaders(), body: "")
        guard response.status == 200, let token = try response.json()["auth_token"] as? String else {
            throw UQPayWireError(message: "no token: \(response.status) \(response.text)")
        }
        return token
    }
}

struct UQPayWireError: Error, CustomStringConvertible {
    let message: String
    var description: String { self.message }
}
