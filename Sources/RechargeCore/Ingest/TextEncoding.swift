/// Where text read from a batch file stops being UTF-8, and how to say so.
///
/// A spreadsheet saving "CSV" on Windows writes Windows-1252 (Latin-1 on older systems): `é` is the one byte
/// 0xE9, which is not UTF-8. The message shows the bytes, so the user can see it is an encoding problem and
/// not a typing one, and says how to save the file instead.
enum TextEncoding {
    /// The offset of the first bytes in `bytes` that are not UTF-8, and those bytes (one invalid sequence).
    static func firstInvalidUTF8(in bytes: [UInt8]) -> (offset: Int, bytes: ArraySlice<UInt8>)? {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                offset += encoded.count
            case .error(let length):
                return (offset, bytes[offset..<min(bytes.count, offset + max(1, length))])
            case .emptyInput:
                return nil
            }
        }
    }

    /// `byte 0xE9`, `bytes 0xE2 0x82`.
    static func describe(_ bytes: ArraySlice<UInt8>) -> String {
        let hex = bytes.map { "0x" + String($0, radix: 16, uppercase: true).leftPadded(to: 2) }
        return (hex.count == 1 ? "byte " : "bytes ") + hex.joined(separator: " ")
    }

    /// The advice after a byte that is not UTF-8, for a CSV file.
    static let csvAdvice =
        "the file is probably Windows-1252 or Latin-1 text: save it from the spreadsheet as \"CSV UTF-8 (Comma delimited)\" and use that file"

    /// The advice after a byte that is not UTF-8, for a JSON or NDJSON file.
    static let jsonAdvice = "the file is probably Windows-1252 or Latin-1 text: save it as UTF-8"
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        self.count >= width ? self : String(repeating: "0", count: width - self.count) + self
    }
}
