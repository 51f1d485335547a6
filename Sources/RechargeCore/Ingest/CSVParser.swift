/// One record of a CSV file as parsed, before its fields are given meaning.
struct CSVRecord {
    /// The physical line the record starts on (1-based).
    var line: Int
    var fields: [String]
    /// How many fields the record had; more than `fields.count` when the record was cut at the column limit.
    var fieldCount: Int
    /// Problems with individual fields, by field index.
    var fieldProblems: [CSVFieldProblem]
}

/// A field that could not be read, and where the reason is when it is one byte.
struct CSVFieldProblem {
    var index: Int
    var problem: String
    /// The physical line and 1-based byte offset in it of the offending byte (a field's line break moves it on).
    var line: Int?
    var character: Int?

    init(_ index: Int, _ problem: String, line: Int? = nil, character: Int? = nil) {
        self.index = index
        self.problem = problem
        self.line = line
        self.character = character
    }
}

/// A CSV structure problem that ends the reading of the file (the rest cannot be split into records reliably).
struct CSVStructureError: Error {
    var line: Int
    var message: String
}

/// A streaming RFC 4180 parser: quoted fields, doubled quotes, separators and line breaks inside quotes,
/// CRLF or LF (or a lone CR) line ends, an optional UTF-8 byte order mark.
///
/// It works on bytes and keeps one record in memory. Physical line numbers are counted across line breaks
/// inside quoted fields, so a record's line number is the one a text editor shows. Fields longer than
/// `maximumFieldBytes` and records with more than `maximumFields` fields are reported, not stored, so a
/// hostile file cannot exhaust memory.
struct CSVParser: ~Copyable {
    private var input: ByteInput
    private let separator: UInt8
    private var line = 1
    /// The input position where the current physical line starts.
    private var lineStart = 0
    private var atStart = true
    let maximumFieldBytes: Int
    let maximumFields: Int

    init(input: consuming ByteInput, separator: UInt8 = UInt8(ascii: ","), maximumFieldBytes: Int = 65_536, maximumFields: Int = 1_000) {
        self.input = input
        self.separator = separator
        self.maximumFieldBytes = maximumFieldBytes
        self.maximumFields = maximumFields
    }

    var sha256Hex: String { self.input.sha256Hex() }
    var bytesRead: Int { self.input.bytesRead }
    var readError: String? { self.input.readError }
    var exceededLimit: Bool { self.input.exceededLimit }

    mutating func drain() { self.input.drain() }

    /// The next non-empty record, or `nil` at the end of the file.
    mutating func nextRecord() throws(CSVStructureError) -> CSVRecord? {
        if self.atStart {
            self.atStart = false
            try self.skipByteOrderMark()
        }
        while true {
            guard self.input.peek() != nil else { return nil }
            let record = try self.readRecord()
            // A blank line (nothing but a line break) is not a record.
            if record.fieldCount == 1 && record.fields.first?.isEmpty == true && record.fieldProblems.isEmpty {
                continue
            }
            return record
        }
    }

    private mutating func skipByteOrderMark() throws(CSVStructureError) {
        guard let first = self.input.peek() else { return }
        if first == 0xFF || first == 0xFE {
            throw CSVStructureError(line: 1, message: "the file is UTF-16 encoded; save it as UTF-8")
        }
        guard first == 0xEF else { return }
        _ = self.input.next()
        guard self.input.next() == 0xBB, self.input.next() == 0xBF else {
            throw CSVStructureError(line: 1, message: "the file is not UTF-8 text")
        }
        // An editor does not count the mark as a character of the first line.
        self.lineStart = self.input.position
    }

    /// Counts a line break just consumed.
    @inline(__always)
    private mutating func countLine() {
        self.line += 1
        self.lineStart = self.input.position
    }

    private mutating func readRecord() throws(CSVStructureError) -> CSVRecord {
        let startLine = self.line
        var fields: [String] = []
        fields.reserveCapacity(12)
        var problems: [CSVFieldProblem] = []
        var fieldCount = 0
        var field: [UInt8] = []
        field.reserveCapacity(64)
        var fieldTooLong = false
        var sawNUL = false
        // Where the field's text starts (after an opening quote): its line and place on it, for a bad byte in it.
        var fieldLine = self.line
        var fieldCharacter = 1

        func finishField() {
            defer {
                fieldCount += 1
                field.removeAll(keepingCapacity: true)
                fieldTooLong = false
                sawNUL = false
            }
            guard fieldCount < self.maximumFields else { return }
            if fieldTooLong {
                problems.append(CSVFieldProblem(fieldCount, "the field is longer than \(self.maximumFieldBytes) bytes"))
                fields.append("")
            } else if sawNUL {
                problems.append(CSVFieldProblem(fieldCount, "the field contains a NUL byte"))
                fields.append("")
            } else if let text = String(validating: field, as: UTF8.self) {
                fields.append(text)
            } else {
                problems.append(Self.encodingProblem(field, index: fieldCount, line: fieldLine, character: fieldCharacter))
                fields.append(String(decoding: field, as: UTF8.self))
            }
        }

        @inline(__always) func startField() {
            fieldLine = self.line
            fieldCharacter = self.input.position - self.lineStart + 1
        }

        @inline(__always) func append(_ byte: UInt8) {
            if byte == 0 { sawNUL = true }
            if field.count < self.maximumFieldBytes {
                field.append(byte)
            } else {
                fieldTooLong = true
            }
        }

        fieldLoop: while true {
            // Start of a field.
            if self.input.peek() == UInt8(ascii: "\"") {
                _ = self.input.next()
                startField()
                let quoteLine = self.line
                quoted: while true {
                    guard let byte = self.input.next() else {
                        throw CSVStructureError(
                            line: quoteLine, message: "a quoted field opened on line \(quoteLine) is never closed")
                    }
                    if byte == UInt8(ascii: "\"") {
                        if self.input.peek() == UInt8(ascii: "\"") {
                            _ = self.input.next()
                            append(byte)
                            continue quoted
                        }
                        break quoted
                    }
                    if byte == UInt8(ascii: "\n") {
                        self.countLine()
                    } else if byte == UInt8(ascii: "\r") && self.input.peek() != UInt8(ascii: "\n") {
                        self.countLine()
                    }
                    append(byte)
                }
                // After the closing quote: a separator, a line end, or the end of the file.
                switch self.input.next() {
                case nil:
                    finishField()
                    break fieldLoop
                case self.separator:
                    finishField()
                    continue fieldLoop
                case UInt8(ascii: "\n"):
                    finishField()
                    self.countLine()
                    break fieldLoop
                case UInt8(ascii: "\r"):
                    finishField()
                    if self.input.peek() == UInt8(ascii: "\n") { _ = self.input.next() }
                    self.countLine()
                    break fieldLoop
                default:
                    throw CSVStructureError(
                        line: self.line,
                        message: "text follows the closing quote of a quoted field; a quote inside a field must be doubled (\"\")")
                }
            }
            // An unquoted field.
            startField()
            while true {
                guard let byte = self.input.next() else {
                    finishField()
                    break fieldLoop
                }
                switch byte {
                case self.separator:
                    finishField()
                    continue fieldLoop
                case UInt8(ascii: "\n"):
                    finishField()
                    self.countLine()
                    break fieldLoop
                case UInt8(ascii: "\r"):
                    finishField()
                    if self.input.peek() == UInt8(ascii: "\n") { _ = self.input.next() }
                    self.countLine()
                    break fieldLoop
                case UInt8(ascii: "\""):
                    problems.append(
                        CSVFieldProblem(fieldCount, "a quote inside an unquoted field; quote the whole field and double the quote"))
                    append(byte)
                default:
                    append(byte)
                }
            }
        }
        return CSVRecord(line: startLine, fields: fields, fieldCount: fieldCount, fieldProblems: problems)
    }

    /// A field that is not UTF-8: the bad bytes in hex, where they are, and how to save the file instead.
    private static func encodingProblem(_ field: [UInt8], index: Int, line: Int, character: Int) -> CSVFieldProblem {
        guard let (offset, invalid) = TextEncoding.firstInvalidUTF8(in: field) else {
            return CSVFieldProblem(index, "the field is not valid UTF-8 text")
        }
        // A quoted field may span lines: count them up to the bad byte. (A doubled quote before it, read as one
        // byte, puts the place one early; rare enough in a field that is also mis-encoded.)
        var badLine = line
        var badCharacter = character + offset
        if let lastBreak = field[..<offset].lastIndex(where: { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }) {
            badLine += field[..<offset].count(where: { $0 == UInt8(ascii: "\n") })
            badCharacter = offset - lastBreak
        }
        return CSVFieldProblem(
            index,
            "the text is not UTF-8 (\(TextEncoding.describe(invalid)) at line \(badLine), character \(badCharacter)); "
                + TextEncoding.csvAdvice,
            line: badLine, character: badCharacter)
    }
}
