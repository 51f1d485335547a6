import Foundation
import NIOHTTP1
import RechargeCore
import _CryptoExtras

/// Builds Pagsmile's hybrid-encrypted request envelope [DOC security]: the fields as JSON, AES-encrypted under a
/// fresh key and IV, the key wrapped with Pagsmile's RSA public key.
struct PagsmileSealer: Sendable {
    let appID: String
    let partnerID: String
    // RSA keys are not Sendable; both are parsed once and never changed, and BoringSSL's RSA operations on an
    // immutable key are safe to run concurrently.
    /// Wraps each request's AES key.
    nonisolated(unsafe) let platformKey: _RSA.Encryption.PublicKey
    /// Unwraps each answer's AES key.
    nonisolated(unsafe) let merchantKey: _RSA.Encryption.PrivateKey
    let environment: AdapterEnvironment

    /// A request envelope, with what went into it (for known-answer tests).
    struct Envelope {
        var body: [UInt8]
        var aesKey: String
        var iv: String
        var plaintext: [UInt8]
        var bizData: String
        var randomKey: String
    }

    /// Encrypts `fields` under a fresh AES key and IV from the environment and wraps them in the envelope.
    func envelope(_ fields: [(String, String)]) throws -> Envelope {
        let aesKey = self.environment.randomString(16, alphabet: "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        let iv = self.environment.randomString(16)
        let requestID = self.environment.randomString(32, alphabet: "0123456789abcdef")
        let plaintext = FlatJSON.object(fields)
        let bizData = try PagsmileCrypto.seal(plaintext, key: Array(aesKey.utf8), iv: iv)
        let randomKey = try PagsmileCrypto.wrapKey(aesKey, with: self.platformKey)
        let body = FlatJSON.object([
            ("app_id", self.appID), ("partner_id", self.partnerID), ("sub_partner_id", ""), ("request_id", requestID),
            ("timestamp", PagsmileWire.timestamp(self.environment.now())), ("format", "JSON"), ("version", "2.0"),
            ("sign_type", "RSA"), ("random_key", randomKey), ("biz_data", bizData),
        ])
        return Envelope(body: body, aesKey: aesKey, iv: iv, plaintext: plaintext, bizData: bizData, randomKey: randomKey)
    }
}

/// Pagsmile's read-only half: the transaction detail query `POST /issuing/card/query-card-transaction-detail
/// {order_no}` [DOC], keyed by the line's own `order_no`.
struct PagsmileLookup: ProviderLookup {
    let sealer: PagsmileSealer
    let baseURL: String
    let transport: ReadOnlyTransport
    let timeout: Duration

    func evidenceBeforeRecharge(_ request: RechargeRequest) async -> EvidenceRead { .notNeeded }

    func status(_ request: RechargeRequest, recorded: RecordedSend) async -> StatusOutcome {
        let envelope: PagsmileSealer.Envelope
        do {
            envelope = try self.sealer.envelope([("order_no", request.key.hex)])
        } catch {
            return .cannotTell(reason: "could not encrypt the query: \(error)")
        }
        // "chartset" (sic) is how Pagsmile's documentation writes the header.
        let exchange = await self.transport.send(
            .POST, self.baseURL + "/issuing/card/query-card-transaction-detail",
            headers: [("Content-Type", "application/json; chartset=UTF-8")], body: envelope.body, timeout: self.timeout)
        return PagsmileClient.classifyStatus(exchange, merchantKey: self.sealer.merchantKey, currency: request.amount.currency)
    }
}
