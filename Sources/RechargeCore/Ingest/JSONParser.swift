/// A JSON value as read from a batch file. Numbers keep their exact text, so an amount written as a JSON
/// number (`100.02`) is parsed as a decimal, never through a binary floating-point value.
enum JSONValue {
    case string(String)
    case number(String)
    case bool(Bool)
    case null
    case object([JSONMember])
    case array([JSONValue])

    var typeName: String {
        switch self {
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        case .object: "an object"
        case .array: "an array"
        }
    }
}

/// A member of a JSON object, in the order written (duplicates are kept so they can be reported).
struct JSONMember {
    var key: String
    var value: JSONValue
}

/// A JSON syntax problem at a physical line and, where known, a byte offset in it (1-based).
struct JSONSyntaxError: Error {
    var line: Int
    var character: Int?
    var message: String

    init(line: Int, character: Int? = nil, message: String) {
        self.line = line
        self.character = character
        self.message = message
    }

    /// `line 3, character 17: …`, for messages that cannot carry the place separately.
    var located: String {
        "line \(self.line)" + (self.character.map { ", character \($0)" } ?? "") + ": " + self.message
    }
}

/// A streaming JSON parser over a ``ByteInput`` with limits that keep hostile input bounded:
/// nesting depth, string length and number length.
///
/// It parses one value at a time; the batch readers use it to walk a top-level object and hand each
/// element of `items` over as soon as it is complete, so the whole document is never in memory.
struct JSONParser: ~Copyable {
    private var input: ByteInput
    private(set) var line = 1
    /// The input position where the current line starts, so the place of an error on it is known without
    /// counting every byte.
    private var lineStart = 0
    let maximumDepth: Int
    let maximumStringBytes: Int
    let maximumNumberBytes = 1_000
    let maximumMembers = 1_000
    /// NDJSON: a value must end on the line it starts on, so a line cut short is an error on that line
    /// and does not take the next line with it.
    let singleLine: Bool

    init(input: consuming ByteInput, maximumDepth: Int = 32, maximumStringBytes: Int = 65_536, singleLine: Bool = false) {
        self.input = input
        self.maximumDepth = maximumDepth
        self.maximumStringBytes = maximumStringBytes
        self.singleLine = singleLine
    }

    var sha256Hex: String { self.input.sha256Hex() }
    var bytesRead: Int { self.input.bytesRead }
    var readError: String? { self.input.readError }
    var exceededLimit: Bool { self.input.exceededLimit }

    /// The 1-based byte offset, in the current line, of the next byte.
    var character: Int { self.input.position - self.lineStart + 1 }

    /// An error at the next byte.
    func syntaxError(_ message: String) -> JSONSyntaxError {
        JSONSyntaxError(line: self.line, character: self.character, message: message)
    }

    mutating func drain() { self.input.drain() }

    /// Counts a line feed just consumed.
    @inline(__always)
    private mutating func countLine() {
        self.line += 1
        self.lineStart = self.input.position
    }

    /// Skips a UTF-8 byte order mark at the start of the input; `false` when the input starts with a UTF-16 one.
    mutating func skipByteOrderMark() -> Bool {
        guard self.input.position == 0, let first = self.input.peek() else { return true }
        if first == 0xFF || first == 0xFE { return false }
        if first == 0xEF {
            _ = self.input.next()
            if self.input.peek() == 0xBB { _ = self.input.next() }
            if self.input.peek() == 0xBF { _ = self.input.next() }
            self.lineStart = self.input.position
        }
        return true
    }

    /// Whether `byte` can begin a JSON value.
    static func canStartValue(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "\""), UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            true
        default: false
        }
    }

    /// Skips spaces, tabs and line breaks (counting lines); returns the next byte without consuming it.
    /// A `singleLine` parser stops at a line feed.
    mutating func skipWhitespace() -> UInt8? {
        while let byte = self.input.peek() {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                _ = self.input.next()
            case UInt8(ascii: "\n"):
                if self.singleLine { return byte }
                _ = self.input.next()
                self.countLine()
            default:
                return byte
            }
        }
        return nil
    }

    /// Skips spaces, tabs and CR but stops at a line feed; returns the next byte without consuming it.
    mutating func skipInlineWhitespace() -> UInt8? {
        while let byte = self.input.peek() {
            guard byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") else {
                return byte
            }
            _ = self.input.next()
        }
        return nil
    }

    /// Consumes the next byte, which the caller has already peeked.
    mutating func consume() {
        _ = self.next()
    }

    /// The next byte, counting lines: every line feed consumed is counted, so `line` stays right after an error.
    private mutating func next() -> UInt8? {
        let byte = self.input.next()
        if byte == UInt8(ascii: "\n") { self.countLine() }
        return byte
    }

    /// Skips everything up to and including the next line feed (NDJSON recovery after a bad line).
    mutating func skipLine() {
        while let byte = self.input.next() {
            if byte == UInt8(ascii: "\n") {
                self.countLine()
                return
            }
        }
    }

    /// Consumes `expected` after optional whitespace, or throws naming `what` was expected.
    mutating func expect(_ expected: UInt8, _ what: String) throws(JSONSyntaxError) {
        guard let byte = self.skipWhitespace() else {
            throw self.syntaxError("the file ends where \(what) was expected")
        }
        guard byte == expected else {
            throw self.syntaxError("expected \(what), found \(Self.show(byte))")
        }
        self.consume()
    }

    /// Parses one complete value.
    mutating func parseValue(depth: Int = 0) throws(JSONSyntaxError) -> JSONValue {
        guard let byte = self.skipWhitespace() else {
            throw self.syntaxError("the file ends where a value was expected")
        }
        switch byte {
        case UInt8(ascii: "\""):
            return .string(try self.parseString())
        case UInt8(ascii: "{"):
            try self.checkDepth(depth)
            self.consume()
            var members: [JSONMember] = []
            if self.skipWhitespace() == UInt8(ascii: "}") {
                self.consume()
                return .object(members)
            }
            while true {
                let next = self.skipWhitespace()
                guard next == UInt8(ascii: "\"") else {
                    let found =
                        next.map { $0 == UInt8(ascii: "}") ? "a trailing comma before '}'" : "found \(Self.show($0))" }
                        ?? "the end of the file"
                    throw self.syntaxError("expected a quoted member name, \(found)")
                }
                let key = try self.parseString()
                try self.expect(UInt8(ascii: ":"), "':' after a member name")
                let value = try self.parseValue(depth: depth + 1)
                guard members.count < self.maximumMembers else {
                    throw self.syntaxError("an object with more than \(self.maximumMembers) members")
                }
                members.append(JSONMember(key: key, value: value))
                guard let next = self.skipWhitespace() else {
                    throw self.syntaxError("the file ends inside an object")
                }
                if next == UInt8(ascii: "}") {
                    self.consume()
                    return .object(members)
                }
                guard next == UInt8(ascii: ",") else {
                    throw self.syntaxError("expected ',' or '}' in an object, found \(Self.show(next))")
                }
                self.consume()
            }
        case UInt8(ascii: "["):
            try self.checkDepth(depth)
            self.consume()
            var elements: [JSONValue] = []
            if self.skipWhitespace() == UInt8(ascii: "]") {
                self.consume()
                return .array(elements)
            }
            while true {
                elements.append(try self.parseValue(depth: depth + 1))
                guard elements.count <= self.maximumMembers else {
                    throw self.syntaxError("an array with more than \(self.maximumMembers) elements")
                }
                guard let next = self.skipWhitespace() else {
                    throw self.syntaxError("the file ends inside an array")
                }
                if next == UInt8(ascii: "]") {
                    self.consume()
                    return .array(elements)
                }
                guard next == UInt8(ascii: ",") else {
                    throw self.syntaxError("expected ',' or ']' in an array, found \(Self.show(next))")
                }
                self.consume()
            }
        case UInt8(ascii: "t"):
            try self.parseLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try self.parseLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try self.parseLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try self.parseNumber())
        default:
            throw self.syntaxError("expected a value, found \(Self.show(byte))")
        }
    }

    private func checkDepth(_ depth: Int) throws(JSONSyntaxError) {
        guard depth < self.maximumDepth else {
            throw self.syntaxError("values are nested more than \(self.maximumDepth) levels deep")
        }
    }

    private mutating func parseLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
        let bytes = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        for expected in bytes {
            guard self.next() == expected else {
                throw self.syntaxError("expected '\(literal)'")
            }
        }
    }

    /// Parses a number's text as written, checking the JSON number grammar.
    private mutating func parseNumber() throws(JSONSyntaxError) -> String {
        var bytes: [UInt8] = []
        while let byte = self.input.peek() {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
                UInt8(ascii: "e"), UInt8(ascii: "E"):
                _ = self.input.next()
                guard bytes.count < self.maximumNumberBytes else {
                    throw self.syntaxError("a number longer than \(self.maximumNumberBytes) characters")
                }
                bytes.append(byte)
            default:
                return try self.checkedNumber(bytes)
            }
        }
        return try self.checkedNumber(bytes)
    }

    private func checkedNumber(_ bytes: [UInt8]) throws(JSONSyntaxError) -> String {
        // JSON: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
        var index = 0
        func digits() -> Int {
            let start = index
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
            return index - start
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        let integerStart = index
        let integerDigits = digits()
        var valid = integerDigits > 0 && !(integerDigits > 1 && bytes[integerStart] == UInt8(ascii: "0"))
        if valid, index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            valid = digits() > 0
        }
        if valid, index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            valid = digits() > 0
        }
        let text = String(decoding: bytes, as: UTF8.self)
        guard valid, index == bytes.count else {
            throw self.syntaxError("'\(text)' is not a valid JSON number")
        }
        return text
    }

    /// Parses a string (the opening quote is next), decoding escapes and checking UTF-8.
    private mutating func parseString() throws(JSONSyntaxError) -> String {
        // A string cannot span lines, so its place on the line locates a bad byte in it.
        let quoteCharacter = self.character
        _ = self.input.next()
        var bytes: [UInt8] = []
        while true {
            guard let byte = self.next() else {
                throw self.syntaxError("the file ends inside a string")
            }
            if bytes.count >= self.maximumStringBytes {
                throw self.syntaxError("a string longer than \(self.maximumStringBytes) bytes")
            }
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: bytes, as: UTF8.self) else {
                    guard let (offset, invalid) = TextEncoding.firstInvalidUTF8(in: bytes) else {
                        throw self.syntaxError("a string is not valid UTF-8 text")
                    }
                    let character = quoteCharacter + 1 + offset
                    throw JSONSyntaxError(
                        line: self.line, character: character,
                        message: "a string is not UTF-8 text (\(TextEncoding.describe(invalid)) at character \(character)); "
                            + TextEncoding.jsonAdvice)
                }
                return text
            case UInt8(ascii: "\\"):
                try self.parseEscape(into: &bytes)
            case UInt8(ascii: "\n"):
                // The line feed has been counted; the error is on the line it ends.
                throw JSONSyntaxError(line: self.line - 1, message: "a line break inside a string; write it as an escape")
            case 0..<0x20:
                throw self.syntaxError("a control character inside a string; write it as an escape")
            default:
                bytes.append(byte)
            }
        }
    }

    private mutating func parseEscape(into bytes: inout [UInt8]) throws(JSONSyntaxError) {
        guard let escaped = self.next() else {
            throw self.syntaxError("the file ends inside a string")
        }
        switch escaped {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): bytes.append(escaped)
        case UInt8(ascii: "b"): bytes.append(0x08)
        case UInt8(ascii: "f"): bytes.append(0x0C)
        case UInt8(ascii: "n"): bytes.append(0x0A)
        case UInt8(ascii: "r"): bytes.append(0x0D)
        case UInt8(ascii: "t"): bytes.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try self.parseHex4()
            if (0xD800..<0xDC00).contains(scalar) {
                guard self.next() == UInt8(ascii: "\\"), self.next() == UInt8(ascii: "u") else {
                    throw self.syntaxError("an unpaired surrogate escape in a string")
                }
                let low = try self.parseHex4()
                guard (0xDC00..<0xE000).contains(low) else {
                    throw self.syntaxError("an unpaired surrogate escape in a string")
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let unicode = Unicode.Scalar(scalar) else {
                throw self.syntaxError("an unpaired surrogate escape in a string")
            }
            bytes.append(contentsOf: String(Character(unicode)).utf8)
        default:
            throw self.syntaxError("an unknown escape '\\\(Self.show(escaped))' in a string")
        }
    }

    private mutating func parseHex4() throws(JSONSyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = self.next(), let digit = Self.hexValue(byte) else {
                throw self.syntaxError("a \\u escape needs four hexadecimal digits")
            }
            value = value << 4 | digit
        }
        return value
    }

    private static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    static func show(_ byte: UInt8) -> String {
        if byte == UInt8(ascii: "\n") { return "the end of the line" }
        if byte >= 0x20 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return TextEncoding.describe([byte][...])
    }
}
