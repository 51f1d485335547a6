import Foundation
import _CryptoExtras

/// HyperCard's request signature: Base64(SHA256withRSA, PKCS#1 v1.5) over the canonical string.
enum HyperCardSignature {
    /// The headers that take part in the signature (besides `signature` itself), per the provider's demo.
    static let signedHeaderNames = ["timestamp", "nonce", "api-key", "version", "lang"]

    /// The canonical string: the signed headers and the body fields (a body field wins a name clash), without
    /// `signature` and without empty values, sorted by name in ASCII order, joined as `name=value` with `&`.
    static func canonicalString(headers: [(String, String)], body: [(String, String)]) -> String {
        var all: [String: String] = [:]
        for (name, value) in headers where Self.signedHeaderNames.contains(name) { all[name] = value }
        for (name, value) in body { all[name] = value }
        return all.filter { $0.key != "signature" && !$0.value.isEmpty }
            .sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
            .map { "\($0.key)=\($0.value)" }
            .joined(separator: "&")
    }

    /// Base64 of the PKCS#1 v1.5 SHA-256 signature of `canonical` (deterministic: the same input, the same text).
    static func sign(_ canonical: String, with key: _RSA.Signing.PrivateKey) throws -> String {
        let signature = try key.signature(for: Data(canonical.utf8), padding: .insecurePKCS1v1_5)
        return signature.rawRepresentation.base64EncodedString()
    }
}
