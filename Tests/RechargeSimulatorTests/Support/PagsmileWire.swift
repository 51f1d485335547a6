import Crypto
import Foundation
import RechargeSimulator
import _CryptoExtras

/// Pagsmile issuing envelopes: `random_key` = Base64(RSA PKCS#1 v1.5 of a 16-character AES key under the
/// platform's public key), `biz_data` = 16-character IV + Base64(AES-128-CBC, PKCS#7, of the JSON). The
/// response's `data` is opened the same way with the merchant's private key.
enum PagsmileWire {
    static let appID = "sim-pagsmile-app"
    static let partnerID = "sim-pagsmile-partner"
    static let payAccount = "PA-7700120045"

    static let rechargePath = "/pagsmile/issuing/card/recharge"
    static let detailPath = "/pagsmile/issuing/card/query-card-transaction-detail"
    static let balancePath = "/pagsmile/issuing/card/query-card-balance"

    /// 16 upper-case hex characters (8 random bytes), as the documented Java sample makes keys and IVs.
    static func random16() -> String {
        (0..<8).map { _ in String(format: "%02X", UInt8.random(in: 0...255)) }.joined()
    }

    /// `iv + Base64(AES-128-CBC(plaintext))` with PKCS#7 padding.
    static func seal(_ plaintext: String, aesKey: String, iv: String) throws -> String {
        let ciphertext = try AES._CBC.encrypt(
            Data(plaintext.utf8), using: SymmetricKey(data: Data(aesKey.utf8)), iv: AES._CBC.IV(ivBytes: Array(iv.utf8)))
        return iv + ciphertext.base64EncodedString()
    }

    /// Base64 of the RSA PKCS#1 v1.5 encryption of `aesKey` under `publicKeyPEM`.
    static func wrap(_ aesKey: String, publicKeyPEM: String = SimulatorKeys.pagsmilePlatformPublic) throws -> String {
        let key = try _RSA.Encryption.PublicKey(pemRepresentation: publicKeyPEM)
        return try key.encrypt(Data(aesKey.utf8), padding: ._WEAK_AND_INSECURE_PKCS_V1_5).base64EncodedString()
    }

    /// The request envelope for `biz` fields. `wrappedKey` and `wrapWith` let a test break the encryption.
    static func envelope(
        _ biz: [String: String], aesKey: String = Self.random16(), wrappedKey: String? = nil,
        wrapWith publicKeyPEM: String = SimulatorKeys.pagsmilePlatformPublic
    ) throws -> String {
        jsonText([
            "app_id": Self.appID, "partner_id": Self.partnerID, "sub_partner_id": "",
            "request_id": UUID().uuidString, "timestamp": "2025-06-15 13:56:52", "format": "JSON", "version": "2.0",
            "sign_type": "RSA", "random_key": try Self.wrap(wrappedKey ?? aesKey, publicKeyPEM: publicKeyPEM),
            "biz_data": try Self.seal(jsonText(biz), aesKey: aesKey, iv: Self.random16()),
        ])
    }

    /// Recharge biz_data.
    static func recharge(cardToken: String, amount: String, currency: String = "USD", orderNo: String) -> [String: String] {
        ["pay_account_num": Self.payAccount, "card_token": cardToken, "order_no": orderNo, "amount": amount, "currency": currency]
    }

    /// Decrypts a success answer's `data` with the merchant's private key.
    static func openData(
        _ response: [String: Any], merchantPrivateKeyPEM: String = SimulatorKeys.pagsmileMerchantPrivate
    ) throws
        -> [String: Any]
    {
        guard let randomKey = response["random_key"] as? String, let wrapped = Data(base64Encoded: randomKey),
            let data = response["data"] as? String, data.utf8.count > 16,
            let ciphertext = Data(base64Encoded: String(data.dropFirst(16)))
        else { throw PagsmileWireError(message: "not a sealed answer: \(response)") }
        let key = try _RSA.Encryption.PrivateKey(pemRepresentation: merchantPrivateKeyPEM)
        let aesKey = try key.decrypt(wrapped, padding: ._WEAK_AND_INSECURE_PKCS_V1_5)
        guard aesKey.count == 16 else { throw PagsmileWireError(message: "the AES key has \(aesKey.count) bytes") }
        let plaintext = try AES._CBC.decrypt(
            ciphertext, using: SymmetricKey(data: aesKey), iv: AES._CBC.IV(ivBytes: Array(data.utf8.prefix(16))))
        guard let object = try JSONSerialization.jsonObject(with: plaintext) as? [String: Any] else {
            throw PagsmileWireError(message: "data is not a JSON object")
        }
        return object
    }

    static func newOrderNo() -> String { "PG" + String(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(30)) }
}

struct PagsmileWireError: Error, CustomStringConvertible {
    let message: String
    var description: String { self.message }
}
