import Crypto
import Foundation

/// A session's secret: 32 random bytes, base64url in the cookie. The database keeps only its SHA-256, and the CSRF
/// token is derived from it, so neither a copy of the database nor a page opens a session.
package struct SessionToken: Hashable, Sendable {
    package let value: String

    package init(value: String) { self.value = value }

    package static func random() -> SessionToken {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return SessionToken(value: Data(bytes).base64URLEncoded)
    }

    /// What the database stores.
    package var sha256: String { Self.hex(SHA256.hash(data: Data(self.value.utf8))) }

    /// The token a page sends back in `X-CSRF-Token` (or a form's `csrf` field): bound to this session, useless
    /// without it, and never stored. A cross-site request carries the cookie but cannot read this.
    package var csrfToken: String { Self.hex(SHA256.hash(data: Data(("csrf:" + self.value).utf8))) }

    /// Compares a CSRF token in constant time.
    package func acceptsCSRF(_ candidate: String?) -> Bool {
        guard let candidate else { return false }
        let expected = Array(self.csrfToken.utf8)
        let given = Array(candidate.utf8)
        guard expected.count == given.count else { return false }
        return zip(expected, given).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    private static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
    }
}

extension Data {
    fileprivate var base64URLEncoded: String {
        self.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
