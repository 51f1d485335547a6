import Foundation
import NIOHTTP1
import RechargeCore
import _CryptoExtras

/// Signs HyperCard requests with the merchant's RSA key (`timestamp`, `nonce`, `api-key`, `version`, `lang`,
/// `signature` headers) [DOC api specification, signature steps].
struct HyperCardSigner: Sendable {
    let merchantID: String
    // Parsed once and never changed; BoringSSL's RSA signing with an immutable key is safe to run concurrently.
    let privateKey: _RSA.Signing.PrivateKey
    let environment: AdapterEnvironment

    /// A request ready to send: its headers (with `signature`), its body, and the string that was signed.
    struct SignedRequest {
        var headers: [(String, String)]
        var body: [UInt8]
        var canonical: String
    }

    /// Builds the headers, the JSON body and the signature for `fields`, with the environment's time and nonce.
    func signedRequest(_ fields: [(String, String)]) throws -> SignedRequest {
        let timestamp = String(Int64(self.environment.now().timeIntervalSince1970.rounded(.down)))
        let nonce = self.environment.randomString(10, alphabet: "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        var headers = [
            ("timestamp", timestamp), ("nonce", nonce), ("api-key", self.merchantID), ("version", "1.0"), ("lang", "en"),
        ]
        let canonical = HyperCardSignature.canonicalString(headers: headers, body: fields)
        headers.append(("signature", try HyperCardSignature.sign(canonical, with: self.privateKey)))
        headers.append(("Content-Type", "application/json"))
        return SignedRequest(headers: headers, body: FlatJSON.object(fields), canonical: canonical)
    }
}

/// HyperCard's read-only half: the recharge query `POST /openapi/card/recharge/query {card_id, mc_trade_no}` [3P
/// adapter; DOC path], keyed by the line's own `mc_trade_no`.
struct HyperCardLookup: ProviderLookup {
    let baseURL: String
    let signer: HyperCardSigner
    let transport: ReadOnlyTransport
    let timeout: Duration

    func evidenceBeforeRecharge(_ request: RechargeRequest) async -> EvidenceRead { .notNeeded }

    func status(_ request: RechargeRequest, recorded: RecordedSend) async -> StatusOutcome {
        let signed: HyperCardSigner.SignedRequest
        do {
            signed = try self.signer.signedRequest([("card_id", request.cardID), ("mc_trade_no", request.key.hyperCardTradeNumber)])
        } catch {
            return .cannotTell(reason: "could not sign the query: \(error)")
        }
        let exchange = await self.transport.send(
            .POST, self.baseURL + "/openapi/card/recharge/query", headers: signed.headers, body: signed.body, timeout: self.timeout)
        return HyperCardClient.classifyStatus(
            exchange, currency: request.amount.currency, payCoin: request.payCoin ?? request.account.defaultPayCoin)
    }
}
