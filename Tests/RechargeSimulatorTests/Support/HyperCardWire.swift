import Foundation
import RechargeSimulator
import _CryptoExtras

/// HyperCard requests signed as documented: headers `timestamp` (Unix seconds), `nonce` (10 characters),
/// `api-key`, `version`, `lang`, and `signature` = Base64(SHA256withRSA, PKCS#1 v1.5) over the ASCII-sorted
/// `name=value&…` string of the headers and body fields, without `signature` and without empty values.
enum HyperCardWire {
    static let apiKey = "sim-hypercard-merchant"

    static let rechargePath = "/hypercard/openapi/card/recharge"
    static let rechargeQueryPath = "/hypercard/openapi/card/recharge/query"
    static let balancePath = "/hypercard/openapi/card/balance"

    /// A request ready to send; tests may change the headers or fields after signing.
    struct SignedRequest {
        var headers: [String: String]
        var fields: [String: String]

        var headerList: [(String, String)] { self.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }
        var body: String { jsonText(self.fields) }
    }

    /// The string that is signed.
    static func canonicalString(headers: [String: String], fields: [String: String]) -> String {
        var all = headers
        for (name, value) in fields { all[name] = value }
        return all.filter { $0.key != "signature" && !$0.value.isEmpty }
            .sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
            .map { "\($0.key)=\($0.value)" }
            .joined(separator: "&")
    }

    /// Base64 of the SHA256withRSA (PKCS#1 v1.5) signature of `text` with the merchant's 1024-bit key.
    static func signature(_ text: String, privateKeyPEM: String = SimulatorKeys.hyperCardMerchantPrivate) throws -> String {
        let key = try _RSA.Signing.PrivateKey(unsafePEMRepresentation: privateKeyPEM)
        return try key.signature(for: Data(text.utf8), padding: .insecurePKCS1v1_5).rawRepresentation.base64EncodedString()
    }

    /// Signs `fields` with the signed header set at `timestamp`.
    static func signed(
        _ fields: [String: String], timestamp: Date, nonce: String = Self.newNonce(), apiKey: String = Self.apiKey,
        lang: String = "en"
    ) throws -> SignedRequest {
        var headers = [
            "timestamp": String(Int64(timestamp.timeIntervalSince1970)), "nonce": nonce, "api-key": apiKey, "version": "1.0",
            "lang": lang,
        ]
        headers["signature"] = try Self.signature(Self.canonicalString(headers: headers, fields: fields))
        return SignedRequest(headers: headers, fields: fields)
    }

    /// A recharge body: fiat `amount` into `cardID`, paid in USDT.
    static func recharge(cardID: String, amount: String, mcTradeNo: String, remark: String? = nil) -> [String: String] {
        var fields = ["card_id": cardID, "mc_trade_no": mcTradeNo, "pay_coin": "usdt", "recharge_amount": amount]
        if let remark { fields["remark"] = remark }
        return fields
    }

    /// A random 10-character nonce.
    static func newNonce() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<10).map { _ in alphabet.randomElement()! })
    }

    static func newTradeNo() -> String { "mc-" + UUID().uuidString.lowercased() }
}
