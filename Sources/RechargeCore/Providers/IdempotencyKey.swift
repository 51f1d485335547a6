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
        // Batch uids are lower-case UUIDs already; `lowercased()` is only paid for one that is not.
        let uid = batchUID.utf8.allSatisfy { $0 < 0x80 && !(0x41...0x5a).contains($0) } ? batchUID : batchUID.lowercased()
        var material = "recharge-line-key/v1|\(uid)|\(lineNumber)|\(generation)"
        let digest = material.withUTF8 { SHA256.hash(data: UnsafeRawBufferPointer($0)) }
        self.hex = LowerHex.string(digest, count: 16)
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
        let hex = Array(self.hex.utf8)
        return String(unsafeUninitializedCapacity: 36) { buffer in
            var out = 0
            for (index, byte) in hex.enumerated() {
                if index == 8 || index == 12 || index == 16 || index == 20 {
                    buffer[out] = UInt8(ascii: "-")
                    out += 1
                }
                switch index {
                case 12: buffer[out] = UInt8(ascii: "4")
                // The variant nibble takes the form 10xx: 8, 9, a or b.
                case 16:
                    let nibble = byte <= UInt8(ascii: "9") ? byte - UInt8(ascii: "0") : byte - UInt8(ascii: "a") + 10
                    buffer[out] = Array("89ab".utf8)[Int(nibble & 0x3)]
                default: buffer[out] = byte
                }
                out += 1
            }
            return out
        }
    }

    public var description: String { self.hex }
}
