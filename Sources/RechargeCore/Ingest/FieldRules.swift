/// Shapes of batch field values that the validator and the provider profiles share.
package enum FieldRules {
    /// Why a free-text field is unacceptable (control characters, length), or `nil`.
    package static func textProblem(_ text: String, maximum: Int) -> String? {
        if TerminalText.needsEscaping(text) {
            return "control characters (line breaks, tabs, escape sequences) and text-direction overrides are not allowed here"
        }
        let count = text.count
        return count > maximum ? "at most \(maximum) characters, this has \(count)" : nil
    }

    /// `8-4-4-4-12` hexadecimal digits, either case.
    package static func isUUID(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return false }
        for (index, byte) in bytes.enumerated() {
            if [8, 13, 18, 23].contains(index) {
                guard byte == UInt8(ascii: "-") else { return false }
            } else {
                guard (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte) || (0x41...0x46).contains(byte) else { return false }
            }
        }
        return true
    }

    package static func isASCIIAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }

    /// Only the ASCII digits 0 to 9.
    package static func isDigits(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }
}
