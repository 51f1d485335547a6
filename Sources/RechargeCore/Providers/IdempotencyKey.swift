import Crypto
import Foundation

/// The key a line is sent under, derived deterministically from (batch uid, line number, key generation).
///
/// The same line and generation give the same key on every retry and after every crash, so a provider that
/// deduplicates sees one operation; a new generation (an operator's retry of a failed line) gives a new key.
/// The batch uid is a random UUID made at import, so keys never repeat across batches or databases.
///
/// Each provider gets the form it accepts, all from the same 128 bits:
/// - ``hex``: 32 lower-case hex characters — Pagsmile `order_no` (≤ 32), VCC `request_id` (≤ 100);
/// - ``hyperCardTradeNumber``: `rc` + ``hex`` — HyperCard `mc_trade_no` (≤ 128), prefixed because that
///   namespace is shared with card applications;
/// - ``uuidV4``: a UUID version 4 form — UQPay `x-idempotency-key`.
public struct IdempotencyKey: Hashable, Sendable, CustomStringConvertible {
    /// 32 lower-case hex characters: the canonical form, stored with the line.
    public let hex: String

    public init(batchUID: String, lineNumber: Int, generation: Int) {
        let material = "recharge-line-key/v1|\(batchUID.lowercased())|\(lineNumber)|\(generation)"
        let digest = SHA256.hash(data: Data(material.utf8))
        self.hex = digest.prefix(16).map { String(format: "%02x", $0) }.joined()
    }

    /// Rebuilds a key from its stored canonical form; `nil` if it is not 32 lower-case hex characters.
    public init?(hex: String) {
        guard hex.utf8.count == 32, hex.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
            return nil
        }
        self.hex = hex
    }

    /// HyperCard's `mc_trade_no`.
    public var hyperCardTradeNumber: String { "rc" + self.hex }

    /// The key in UUID version 4 form (`xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx`), for UQPay.
    public var uuidV4: String {
        var characters = Array(self.hex)
        characters[12] = "4"
        // The variant nibble takes the form 10xx: 8, 9, a or b.
        let nibble = Int(String(characters[16]), radix: 16)!
        characters[16] = Array("89ab")[nibble & 0x3]
        let text = String(characters)
        func part(_ from: Int, _ to: Int) -> Substring {
            text[text.index(text.startIndex, offsetBy: from)..<text.index(text.startIndex, offsetBy: to)]
        }
        return "\(part(0, 8))-\(part(8, 12))-\(part(12, 16))-\(part(16, 20))-\(part(20, 32))"
    }

    public var description: String { self.hex }
}
