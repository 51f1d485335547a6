/// A small JSON reader that keeps numbers as their exact text, so PayCertify's amounts (JSON numbers) are never
/// read through a floating-point value. Members named in `redacting` (the full PAN in `card_number`) are
/// dropped while parsing and never reach memory the adapter keeps.
enum PayCertifyJSON: Equatable {
    case object([String: PayCertifyJSON])
    case array([PayCertifyJSON])
    case string(String)
    /// The number exactly as written.
    case number(String)
    case bool(Bool)
    case null

    subscript(key: String) -> PayCertifyJSON? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    var number: String? {
        if case .number(let text) = self { return text }
        return nil
    }

    var array: [PayCertifyJSON]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    static func parse(_ bytes: [UInt8], redacting: Set<String> = ["card_number"]) -> PayCertifyJSON? {
        var reader = Reader(bytes: bytes, redacting: redacting)
        guard let value = reader.value(depth: 0) else { return nil }
        reader.skipSpace()
        return reader.index == bytes.count ? value : nil
    }

    private struct Reader {
        let bytes: [UInt8]
        let redacting: Set<String>
        var index = 0

        init(bytes: [UInt8], redacting: Set<String>) {
            self.bytes = bytes
            self.redacting = redacting
        }

        mutating func skipSpace() {
            while self.index < self.bytes.count {
                switch self.bytes[self.index] {
                case 0x20, 0x09, 0x0A, 0x0D: self.index += 1
                default: return
                }
            }
        }

        mutating func literal(_ text: StaticString) -> Bool {
            let count = text.utf8CodeUnitCount
            guard self.index + count <= self.bytes.count else { return false }
            for offset in 0..<count where self.bytes[self.index + offset] != text.utf8Start[offset] { return false }
            self.index += count
            return true
        }

        mutating func value(depth: Int) -> PayCertifyJSON? {
            guard depth < 64 else { return nil }
            self.skipSpace()
            guard self.index < self.bytes.count else { return nil }
            switch self.bytes[self.index] {
            case UInt8(ascii: "{"):
                self.index += 1
                var members: [String: PayCertifyJSON] = [:]
                self.skipSpace()
                if self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: "}") {
                    self.index += 1
                    return .object(members)
                }
                while true {
                    self.skipSpace()
                    guard let key = self.string() else { return nil }
                    self.skipSpace()
                    guard self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: ":") else { return nil }
                    self.index += 1
                    guard let member = self.value(depth: depth + 1) else { return nil }
                    if !self.redacting.contains(key) { members[key] = member }
                    self.skipSpace()
                    guard self.index < self.bytes.count else { return nil }
                    if self.bytes[self.index] == UInt8(ascii: ",") {
                        self.index += 1
                        continue
                    }
                    guard self.bytes[self.index] == UInt8(ascii: "}") else { return nil }
                    self.index += 1
                    return .object(members)
                }
            case UInt8(ascii: "["):
                self.index += 1
                var elements: [PayCertifyJSON] = []
                self.skipSpace()
                if self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: "]") {
                    self.index += 1
                    return .array(elements)
                }
                while true {
                    guard let element = self.value(depth: depth + 1) else { return nil }
                    elements.append(element)
                    self.skipSpace()
                    guard self.index < self.bytes.count else { return nil }
                    if self.bytes[self.index] == UInt8(ascii: ",") {
                        self.index += 1
                        continue
                    }
                    guard self.bytes[self.index] == UInt8(ascii: "]") else { return nil }
                    self.index += 1
                    return .array(elements)
                }
            case UInt8(ascii: "\""):
                return self.string().map(PayCertifyJSON.string)
            case UInt8(ascii: "t"): return self.literal("true") ? .bool(true) : nil
            case UInt8(ascii: "f"): return self.literal("false") ? .bool(false) : nil
            case UInt8(ascii: "n"): return self.literal("null") ? .null : nil
            default: return self.number().map(PayCertifyJSON.number)
            }
        }

        /// A number in JSON's grammar, kept as text.
        mutating func number() -> String? {
            let start = self.index
            func digits(_ reader: inout Reader) -> Int {
                let from = reader.index
                while reader.index < reader.bytes.count, (0x30...0x39).contains(reader.bytes[reader.index]) { reader.index += 1 }
                return reader.index - from
            }
            if self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: "-") { self.index += 1 }
            guard digits(&self) > 0 else { return nil }
            if self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: ".") {
                self.index += 1
                guard digits(&self) > 0 else { return nil }
            }
            if self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: "e") || self.bytes[self.index] == UInt8(ascii: "E") {
                self.index += 1
                if self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: "+") || self.bytes[self.index] == UInt8(ascii: "-")
                {
                    self.index += 1
                }
                guard digits(&self) > 0 else { return nil }
            }
            return String(decoding: self.bytes[start..<self.index], as: UTF8.self)
        }

        mutating func string() -> String? {
            guard self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: "\"") else { return nil }
            self.index += 1
            // Most strings (ids, types, dates) have no escape: they are taken in one piece, as the loop below would
            // take them (invalid UTF-8 becomes U+FFFD either way).
            var end = self.index
            scan: while end < self.bytes.count {
                switch self.bytes[end] {
                case UInt8(ascii: "\""):
                    let text = String(decoding: self.bytes[self.index..<end], as: UTF8.self)
                    self.index = end + 1
                    return text
                case UInt8(ascii: "\\"): break scan
                case 0x00..<0x20: return nil
                default: end += 1
                }
            }
            var scalars = String.UnicodeScalarView()
            var run: [UInt8] = []
            func flush() {
                if !run.isEmpty {
                    scalars.append(contentsOf: String(decoding: run, as: UTF8.self).unicodeScalars)
                    run.removeAll()
                }
            }
            while self.index < self.bytes.count {
                let byte = self.bytes[self.index]
                self.index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    flush()
                    return String(scalars)
                case UInt8(ascii: "\\"):
                    flush()
                    guard self.index < self.bytes.count else { return nil }
                    let escape = self.bytes[self.index]
                    self.index += 1
                    switch escape {
                    case UInt8(ascii: "\""): scalars.append("\"")
                    case UInt8(ascii: "\\"): scalars.append("\\")
                    case UInt8(ascii: "/"): scalars.append("/")
                    case UInt8(ascii: "b"): scalars.append("\u{08}")
                    case UInt8(ascii: "f"): scalars.append("\u{0C}")
                    case UInt8(ascii: "n"): scalars.append("\n")
                    case UInt8(ascii: "r"): scalars.append("\r")
                    case UInt8(ascii: "t"): scalars.append("\t")
                    case UInt8(ascii: "u"):
                        guard var code = self.hex4() else { return nil }
                        if (0xD800...0xDBFF).contains(code), self.literal("\\u"), let low = self.hex4(), (0xDC00...0xDFFF).contains(low) {
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        }
                        scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
                    default: return nil
                    }
                case 0x00..<0x20: return nil
                default: run.append(byte)
                }
            }
            return nil
        }

        mutating func hex4() -> UInt32? {
            guard self.index + 4 <= self.bytes.count,
                let code = UInt32(String(decoding: self.bytes[self.index..<self.index + 4], as: UTF8.self), radix: 16)
            else { return nil }
            self.index += 4
            return code
        }
    }
}
