import Foundation
import HTTPTypes
import Hummingbird

/// PayCertify vCards: a static `Authorization: Bearer` token; `PUT /api/vcards/{id}/reload` (and
/// `PUT /api/vcards/{id}`) with `{"vcard": {"reload_amount": 123.45}}`; `GET /api/vcards/{id}` with balances and
/// the `actions[]` history; errors as `{"error": {"status", "message": {"base"|"fatal"|field: [...]}}}`.
///
/// Documented: auth, the reload fields, the vcard object, the error envelope, 60 requests a minute with
/// `X-RateLimit-*` headers (for the gateway API), the action element (`refill`, `data.previous_amount_balance`, no
/// amount). Inferred: the reload path, 402 for insufficient funds (from a third-party spec), 429 wording. No merchant
/// key and no dedupe: every accepted reload applies.
struct PayCertifySimulator: ProviderStyle {
    let provider = "paycertify"
    let state: SimulatorState

    func register(on router: Router<SimulatorContext>, gate: ProviderGate) {
        for path in ["/paycertify/api/vcards/:card/reload", "/paycertify/api/vcards/:card"] {
            router.put(RouterPath(path)) { request, context in
                let authorization = request.headers[.authorization]
                let cardID = context.parameters.get("card") ?? ""
                return try await gate.serve(self, request: request, context: context, isTopUp: true) { body in
                    self.reload(cardID: cardID, body: body, authorization: authorization)
                }
            }
        }
        router.get("/paycertify/api/vcards/:card") { request, context in
            let authorization = request.headers[.authorization]
            let cardID = context.parameters.get("card") ?? ""
            return try await gate.serve(self, request: request, context: context, isTopUp: false) { _ in
                self.show(cardID: cardID, authorization: authorization)
            }
        }
    }

    private struct ReloadBody: Decodable {
        struct VCard: Decodable { let reload_amount: Decimal }
        let vcard: VCard
    }

    func reload(cardID: String, body: [UInt8], authorization: String?) -> SimResponse {
        guard authorization == "Bearer " + self.state.configuration.paycertify.token else { return self.notAuthenticated() }
        guard let amount = (try? JSONDecoder().decode(ReloadBody.self, from: Data(body)))?.vcard.reload_amount else {
            return self.error(.unprocessableContent, key: "reload_amount", "is required and must be a number")
        }
        let now = self.state.clock.now()
        return self.state.withLock { inner in
            let currency = inner.card(self.provider, cardID)?.currency ?? "USD"
            guard amount > 0, let minor = SimAmount.parse("\(amount)", exponent: SimAmount.exponent(currency)) else {
                return self.error(.unprocessableContent, key: "reload_amount", "must be greater than 0 with at most 2 decimals")
            }
            let actionID = Self.actionID(&inner.random)
            switch inner.topUp(
                provider: self.provider, cardID: cardID, amountMinor: minor, currency: nil, keys: (nil, nil, nil, nil), reference: actionID,
                now: now)
            {
            case .applied(_, let card):
                var response = SimResponse.json(self.vcard(card, type: "reload"))
                response.applied = true
                return response
            case .cardNotFound: return self.error(.notFound, key: "base", "Virtual card not found")
            case .cardNotActive(let status): return self.error(.unprocessableContent, key: "base", "Virtual card is \(status)")
            case .currencyMismatch: return self.error(.unprocessableContent, key: "base", "Currency mismatch")
            case .insufficientFunds:
                return self.error(HTTPResponse.Status(code: 402, reasonPhrase: "Payment Required"), key: "base", "Insufficient funds")
            }
        }
    }

    func show(cardID: String, authorization: String?) -> SimResponse {
        guard authorization == "Bearer " + self.state.configuration.paycertify.token else { return self.notAuthenticated() }
        return self.state.withLock { inner in
            guard let card = inner.card(self.provider, cardID) else { return self.error(.notFound, key: "base", "Virtual card not found") }
            return .json(self.vcard(card, type: "show"))
        }
    }

    /// The vcard object. `card_number` is a full PAN, as PayCertify returns it: the processor must never store it.
    private func vcard(_ card: SimCard, type: String) -> SimJSON {
        let exponent = SimAmount.exponent(card.currency)
        // The action element as documented (reload-card): `refill`, `data.previous_amount_balance`, no amount.
        let actions: [SimJSON] = card.actions.map {
            let previous = SimJSON.number(SimAmount.render($0.previousBalanceMinor, exponent: exponent))
            return [
                "id": .string($0.id), "virtual_card_id": .string(card.id), "type": .string($0.type),
                "data": ["previous_amount_balance": previous, "virtual_card_previous_amount": previous],
                "created_at": .string(Self.actionTimestamp($0.createdAt)), "updated_at": .string(Self.actionTimestamp($0.createdAt)),
                "deleted_at": "",
            ]
        }
        let balance = SimJSON.number(SimAmount.render(card.balanceMinor, exponent: exponent))
        // A stable, made-up PAN: the same card shows the same number in every run.
        let digits = String(
            card.id.utf8.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 } % 1_000_000_000_000
        ).leftPadded(to: 12)
        return [
            "vcard": [
                "id": .string(card.id), "type": .string(type), "provider_id": "sim", "merchant_id": "sim-merchant",
                "first_name": "Card", "last_name": "Holder", "card_number": .string("4111" + digits), "card_expiry_month": "12",
                "card_expiry_year": "2029", "card_brand": "visa", "amount": balance, "status": .string(card.status),
                "available_amount": balance, "actions": .array(actions), "is_cancelable": true,
                "created_at": .string(Self.timestamp(card.createdAt)),
            ]
        ]
    }

    /// PayCertify writes times as `2020-04-03T09:09:53+0000`.
    static func timestamp(_ iso: String) -> String {
        iso.hasSuffix("Z") ? String(iso.dropLast()) + "+0000" : iso
    }

    /// Actions write theirs as `2020-04-03 09:09:53`.
    static func actionTimestamp(_ iso: String) -> String {
        String(iso.prefix(19)).replacingOccurrences(of: "T", with: " ")
    }

    static func actionID(_ random: inout SimRandom) -> String { "act_" + random.hex(16) }

    func notAuthenticated() -> SimResponse {
        self.error(.unauthorized, key: "base", "Not authenticated")
    }

    func error(_ status: HTTPResponse.Status, key: String, _ message: String) -> SimResponse {
        let messages: SimJSON = .object([(key, .array([.string(message)]))])
        return .json(status, ["error": ["status": .int(Int(status.code)), "message": messages]], rejection: String(status.code))
    }

    func rateLimited(remaining: Int, limit: Int) -> SimResponse {
        .json(.tooManyRequests, ["error": ["status": 429, "message": ["base": ["Rate limit exceeded"]]]])
    }

    func unavailable() -> SimResponse {
        .json(.internalServerError, ["error": ["status": 500, "message": ["fatal": ["Internal server error"]]]])
    }
}

extension String {
    func leftPadded(to length: Int) -> String {
        self.count >= length ? self : String(repeating: "0", count: length - self.count) + self
    }
}
