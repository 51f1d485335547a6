/// Lower-case hexadecimal text of bytes, written straight into the string's storage: keys and digests are made
/// once per line, where a formatted string per byte would cost more than the hash itself.
package enum LowerHex {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// The first `count` bytes of `bytes` as `2 × count` lower-case hex characters.
    package static func string<Bytes: Sequence<UInt8>>(_ bytes: Bytes, count: Int) -> String {
        String(unsafeUninitializedCapacity: count * 2) { buffer in
            var index = 0
            for byte in bytes.prefix(count) {
                buffer[index] = Self.digits[Int(byte >> 4)]
                buffer[index + 1] = Self.digits[Int(byte & 0x0f)]
                index += 2
            }
            return index
        }
    }
}
