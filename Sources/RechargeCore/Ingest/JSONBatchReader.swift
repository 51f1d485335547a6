/// Reads JSON (`{"batch": {...}, "items": [...]}`) and NDJSON batches item by item.
enum JSONBatchReader {
    /// A single JSON document whose `items` array is streamed one element at a time.
    static func readDocument(_ parser: inout JSONParser, state: inout ReadState) throws {
        do {
            guard parser.skipByteOrderMark() else {
                state.error(line: 1, character: 1, "the file is UTF-16 encoded; save it as UTF-8")
                state.stopped = true
                return
            }
            guard let first = parser.skipWhitespace() else {
                state.error("the file is empty")
                return
            }
            guard first == UInt8(ascii: "{") else {
                // Nothing after this byte can make the file a batch: stop here rather than read the rest.
                let message =
                    first == UInt8(ascii: "[")
                    ? "expected '{' (a JSON batch is an object with \"batch\" and \"items\"), found '['; "
                        + "put the array in an object: {\"items\": [...]}"
                    : Self.notJSON(first, what: "a JSON batch starts with '{'")
                state.error(line: parser.line, character: parser.character, message)
                state.stopped = true
                return
            }
            parser.consume()
            var seen: Set<String> = []
            if parser.skipWhitespace() == UInt8(ascii: "}") {
                parser.consume()
            } else {
                members: while true {
                    let keyLine = parser.line
                    guard case .string(let key) = try parser.parseValue(depth: 1) else {
                        throw JSONSyntaxError(line: keyLine, message: "expected a quoted member name")
                    }
                    try parser.expect(UInt8(ascii: ":"), "':' after a member name")
                    if seen.contains(key) {
                        state.error(line: keyLine, column: key, "the member appears twice in the batch object")
                    }
                    seen.insert(key)
                    switch key {
                    case "items":
                        try Self.readItems(&parser, state: &state)
                    case "batch":
                        let value = try parser.parseValue(depth: 1)
                        Self.readMetadata(value, line: keyLine, state: &state)
                    default:
                        _ = try parser.parseValue(depth: 1)
                        state.error(line: keyLine, column: key, "unknown member; a JSON batch has \"batch\" and \"items\"")
                    }
                    guard let next = parser.skipWhitespace() else {
                        throw parser.syntaxError("the file ends inside the batch object")
                    }
                    if next == UInt8(ascii: "}") {
                        parser.consume()
                        break members
                    }
                    guard next == UInt8(ascii: ",") else {
                        throw parser.syntaxError("expected ',' or '}', found \(JSONParser.show(next))")
                    }
                    parser.consume()
                }
            }
            if parser.skipWhitespace() != nil {
                throw parser.syntaxError("text after the end of the JSON document")
            }
            if !seen.contains("items") {
                state.error("the batch object has no \"items\" array")
            }
        } catch let error as JSONSyntaxError {
            state.error(line: error.line, character: error.character, error.message)
        }
    }

    /// Why a file whose first byte is `byte` is not JSON at all.
    private static func notJSON(_ byte: UInt8, what: String) -> String {
        var message = "the file is not JSON: it starts with \(JSONParser.show(byte)) where \(what)"
        if (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20) {
            message += "; if it is a CSV file, name it .csv or pass --format csv"
        } else if byte >= 0x80 || byte < 0x20 {
            message += "; it is not text (an Excel workbook or other binary file?): export the batch as CSV UTF-8 or JSON"
        }
        return message
    }

    private static func readItems(_ parser: inout JSONParser, state: inout ReadState) throws {
        try parser.expect(UInt8(ascii: "["), "'[' (\"items\" is an array)")
        if parser.skipWhitespace() == UInt8(ascii: "]") {
            parser.consume()
            return
        }
        var index = 0
        while true {
            index += 1
            _ = parser.skipWhitespace()
            let line = parser.line
            let value = try parser.parseValue(depth: 2)
            try Self.accept(value, line: line, item: index, state: &state)
            guard let next = parser.skipWhitespace() else {
                throw parser.syntaxError("the file ends inside the items array")
            }
            if next == UInt8(ascii: "]") {
                parser.consume()
                return
            }
            guard next == UInt8(ascii: ",") else {
                throw parser.syntaxError("expected ',' or ']' after an item, found \(JSONParser.show(next))")
            }
            parser.consume()
        }
    }

    /// NDJSON: one object per line. A bad line is reported and reading goes on at the next line.
    ///
    /// The parser must be `singleLine`, so that a value cut short ends at its own line.
    static func readLines(_ parser: inout JSONParser, state: inout ReadState) throws {
        var first = true
        guard parser.skipByteOrderMark() else {
            state.error(line: 1, character: 1, "the file is UTF-16 encoded; save it as UTF-8")
            state.stopped = true
            return
        }
        while let next = parser.skipWhitespace() {
            if next == UInt8(ascii: "\n") {
                parser.consume()
                continue
            }
            let line = parser.line
            if first, !JSONParser.canStartValue(next) {
                // Not one JSON value per line: nothing after this byte can make the file a batch.
                state.error(line: line, character: parser.character, Self.notJSON(next, what: "an NDJSON line starts with '{'"))
                state.stopped = true
                return
            }
            do {
                let value = try parser.parseValue()
                if let next = parser.skipInlineWhitespace(), next != UInt8(ascii: "\n") {
                    throw JSONSyntaxError(line: line, message: "more than one JSON value on the line; NDJSON has one object per line")
                }
                if first, case .object(let members) = value, members.count == 1, members[0].key == "batch" {
                    Self.readMetadata(members[0].value, line: line, state: &state)
                } else {
                    try Self.accept(value, line: line, item: nil, state: &state)
                }
            } catch let error as JSONSyntaxError {
                state.error(line: line, character: error.line == line ? error.character : nil, error.message)
                if parser.line == line { parser.skipLine() }
            }
            first = false
        }
    }

    /// Maps one item object onto batch fields and validates it.
    private static func accept(_ value: JSONValue, line: Int, item: Int?, state: inout ReadState) throws {
        var raw = RawRecord(line: line, item: item)
        guard case .object(let members) = value else {
            state.error(line: line, item: item, "an item must be a JSON object, this is \(value.typeName)")
            // Counted as a line; its fields are not reported again one by one.
            raw.unreadable = Set(BatchField.allCases.map(\.rawValue))
            _ = state.validator.validate(raw, into: &state.diagnostics)
            return
        }
        var seen: Set<Int> = []
        for (key, member) in members.map({ ($0.key, $0.value) }) {
            guard let field = BatchField(name: key) else {
                let known = BatchField.allCases.map(\.name).joined(separator: ", ")
                state.error(line: line, item: item, column: key, "unknown field; the fields are: \(known)")
                continue
            }
            if seen.contains(field.rawValue) {
                state.error(line: line, item: item, column: key, "the field appears twice in the item")
                raw.unreadable.insert(field.rawValue)
                continue
            }
            seen.insert(field.rawValue)
            switch member {
            case .string(let text):
                raw[field] = text
            case .number(let text) where field == .amount || field == .cardID:
                // Kept as written: the amount is parsed as an exact decimal.
                raw[field] = text
            case .null:
                break
            default:
                state.error(line: line, item: item, column: field.name, "must be a string, this is \(member.typeName)")
                raw.unreadable.insert(field.rawValue)
            }
        }
        try state.accept(raw)
    }

    private static func readMetadata(_ value: JSONValue, line: Int, state: inout ReadState) {
        guard case .object(let members) = value else {
            state.error(line: line, column: "batch", "\"batch\" must be an object")
            return
        }
        var metadata = BatchMetadata()
        for (key, member) in members.map({ ($0.key, $0.value) }) {
            switch (key, member) {
            case ("name", .string(let text)): metadata.name = text
            case ("reference", .string(let text)): metadata.reference = text
            case ("description", .string(let text)): metadata.description = text
            case ("expected_line_count", .number(let text)):
                guard let count = Int(text), count >= 0 else {
                    state.error(line: line, column: "batch.expected_line_count", value: text, "must be a whole number")
                    continue
                }
                metadata.control.lineCount = count
            case ("expected_totals", .object(let totals)):
                for (code, amount) in totals.map({ ($0.key, $0.value) }) {
                    guard case .string(let text) = amount else {
                        state.error(
                            line: line, column: "batch.expected_totals.\(code)",
                            "must be a decimal string such as \"1234.56\", this is \(amount.typeName)")
                        continue
                    }
                    metadata.control.sums[code] = text
                }
            default:
                if BatchMetadata.keys.contains(key) {
                    state.error(line: line, column: "batch.\(key)", "has the wrong type (\(member.typeName))")
                } else {
                    state.error(
                        line: line, column: "batch.\(key)",
                        "unknown member; the batch object has: \(BatchMetadata.keys.sorted().joined(separator: ", "))")
                }
            }
        }
        state.metadata = metadata
    }
}
