import NIOCore
import RechargeSimulator
import Testing

/// The five providers, for tests that do the same thing to each.
enum ProviderKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case vcc, hypercard, pagsmile, uqpay, paycertify

    var testDescription: String { self.rawValue }

    /// The card each provider's parameterised tests top up, in USD with a zero balance.
    var cardID: String {
        switch self {
        case .vcc: "100029701"
        case .hypercard: "00003454323400000028888"
        case .pagsmile: "CT000000880025"
        case .uqpay: "f3703ef0-f9cb-429c-93fe-5cb435cc1d96"
        case .paycertify: "c1b87f1a-7323-491b-99f9-cbef0f69a4d0"
        }
    }

    var card: SimulatorConfiguration.Card { .usd(self.rawValue, self.cardID) }
}

/// Sends valid top-ups for one provider, each with a fresh merchant key.
struct TopUpDriver {
    let kind: ProviderKind
    let session: SimulatorSession
    /// UQPay's token, fetched when the driver is made (so it is not counted against a limit set later).
    let uqpayToken: String?

    init(_ kind: ProviderKind, _ session: SimulatorSession) async throws {
        self.kind = kind
        self.session = session
        self.uqpayToken = kind == .uqpay ? try await UQPayWire.token(session) : nil
    }

    /// One top-up of `amount` (two decimals) to the provider's card.
    func topUp(amount: String = "12.34", cardID: String? = nil, timeout: TimeAmount = .seconds(5)) async throws -> WireResponse {
        let cardID = cardID ?? self.kind.cardID
        switch self.kind {
        case .vcc:
            return try await self.session.post(
                VCCWire.chargePath, body: VCCWire.charge(cardID: cardID, amount: amount, requestID: VCCWire.newRequestID()),
                timeout: timeout)
        case .hypercard:
            let request = try HyperCardWire.signed(
                HyperCardWire.recharge(cardID: cardID, amount: amount, mcTradeNo: HyperCardWire.newTradeNo()),
                timestamp: self.session.clock.now())
            return try await self.session.post(
                HyperCardWire.rechargePath, headers: request.headerList, body: request.body, timeout: timeout)
        case .pagsmile:
            let envelope = try PagsmileWire.envelope(
                PagsmileWire.recharge(cardToken: cardID, amount: amount, orderNo: PagsmileWire.newOrderNo()))
            return try await self.session.post(PagsmileWire.rechargePath, body: envelope, timeout: timeout)
        case .uqpay:
            return try await self.session.post(
                UQPayWire.rechargePath(cardID),
                headers: UQPayWire.rechargeHeaders(token: self.uqpayToken ?? "", idempotencyKey: UQPayWire.newIdempotencyKey()),
                body: UQPayWire.rechargeBody(amount), timeout: timeout)
        case .paycertify:
            return try await self.session.put(
                PayCertifyWire.reloadPath(cardID), headers: PayCertifyWire.headers(), body: PayCertifyWire.reloadBody(amount),
                timeout: timeout)
        }
    }

    /// Whether `response` is the provider's success answer to a top-up.
    func isSuccess(_ response: WireResponse) throws -> Bool {
        guard response.status == 200 else { return false }
        let json = try response.json()
        switch self.kind {
        case .vcc: return json["code"] as? Int == 0 && object(json["data"])?["status"] as? String == "1"
        case .hypercard: return json["code"] as? String == "00000"
        case .pagsmile: return json["code"] as? String == "10000"
        case .uqpay: return json["card_order_id"] is String
        case .paycertify: return object(json["vcard"])?["type"] as? String == "reload"
        }
    }
}
