import Crypto
import Foundation
import _CryptoExtras

/// Pagsmile's hybrid encryption: a 16-character AES key wrapped with RSA PKCS#1 v1.5, and data as a
/// 16-character IV followed by Base64(AES-128-CBC with PKCS#7 padding).
enum PagsmileCrypto {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// `random_key`: Base64 of the AES key's bytes encrypted under the platform's public key (randomised).
    static func wrapKey(_ aesKey: String, with publicKey: _RSA.Encryption.PublicKey) throws -> String {
        try publicKey.encrypt(Data(aesKey.utf8), padding: ._WEAK_AND_INSECURE_PKCS_V1_5).base64EncodedString()
    }

    /// The AES key bytes inside a `random_key`, unwrapped with the merchant's private key.
    static func unwrapKey(_ randomKey: String, with privateKey: _RSA.Encryption.PrivateKey) throws -> [UInt8] {
        guard let wrapped = Data(base64Encoded: randomKey) else { throw Failure(description: "random_key is not Base64") }
        let key = Array(try privateKey.decrypt(wrapped, padding: ._WEAK_AND_INSECURE_PKCS_V1_5))
        guard key.count == 16 else { throw Failure(description: "the AES key is \(key.count) bytes, not 16") }
        return key
    }

    /// `iv` + Base64(AES-128-CBC-PKCS#7(plaintext)); deterministic for a given key and IV.
    static func seal(_ plaintext: [UInt8], key: [UInt8], iv: String) throws -> String {
        guard key.count == 16, iv.utf8.count == 16 else { throw Failure(description: "the AES key and IV must be 16 bytes") }
        let ciphertext = try AES._CBC.encrypt(plaintext, using: SymmetricKey(data: key), iv: AES._CBC.IV(ivBytes: Array(iv.utf8)))
        return iv + ciphertext.base64EncodedString()
    }

    /// The plaintext of `iv + Base64(ciphertext)`.
    static func open(_ text: String, key: [UInt8]) throws -> [UInt8] {
        guard text.utf8.count > 16 else { throw Failure(description: "the data is too short") }
        let iv = Array(text.utf8.prefix(16))
        guard let ciphertext = Data(base64Encoded: String(decoding: text.utf8.dropFirst(16), as: UTF8.self)) else {
            throw Failure(description: "the data after the IV is not Base64")
        }
        return Array(try AES._CBC.decrypt(ciphertext, using: SymmetricKey(data: key), iv: AES._CBC.IV(ivBytes: iv)))
    }
}
