/// Maps CSV records onto batch fields through the header row.
enum CSVBatchReader {
    static func read(_ parser: inout CSVParser, state: inout ReadState) throws {
        let header: CSVRecord
        do {
            guard let first = try parser.nextRecord() else {
                state.error("the file is empty; a CSV batch starts with a header row")
                return
            }
            header = first
        } catch {
            state.error(line: error.line, error.message)
            return
        }
        guard let columns = Self.mapHeader(header, state: &state) else { return }

        while true {
            let record: CSVRecord
            do {
                guard let next = try parser.nextRecord() else { return }
                record = next
            } catch {
                state.error(line: error.line, error.message)
                return
            }
            var raw = RawRecord(line: record.line)
            for (index, problem) in record.fieldProblems {
                let column = index < columns.count ? columns[index].name : "#\(index + 1)"
                state.error(line: record.line, column: column, problem)
                if index < columns.count { raw.unreadable.insert(columns[index].rawValue) }
            }
            if record.fieldCount != columns.count {
                state.error(
                    line: record.line,
                    "the line has \(record.fieldCount) fields, the header has \(columns.count)"
                        + (record.fieldCount > columns.count ? "; a value with a comma must be in double quotes" : ""))
                // A short or long line is still checked field by field, so all its problems show at once.
            }
            for (index, field) in columns.enumerated() where index < record.fields.count {
                raw[field] = record.fields[index]
            }
            try state.accept(raw)
        }
    }

    /// The field of each column, or `nil` (with errors reported) when the header is not usable.
    private static func mapHeader(_ header: CSVRecord, state: inout ReadState) -> [BatchField]? {
        var columns: [BatchField] = []
        var ok = true
        if header.fieldCount == 1, let only = header.fields.first, only.contains(";") {
            state.error(
                line: header.line,
                "the header has one column '\(only.prefix(60))'; the separator looks like ';'. Save the file as CSV with ',' separators (and '.' decimals)"
            )
            return nil
        }
        if header.fieldCount > header.fields.count {
            state.error(line: header.line, "the header has \(header.fieldCount) columns; at most \(header.fields.count) are read")
            return nil
        }
        for (index, name) in header.fields.enumerated() {
            guard let field = BatchField(name: name) else {
                let known = BatchField.allCases.map(\.name).joined(separator: ", ")
                let shown = name.trimmingASCIISpaces()
                state.error(
                    line: header.line, column: shown.isEmpty ? "#\(index + 1)" : shown,
                    shown.isEmpty ? "a column has no name" : "unknown column; the columns are: \(known)")
                ok = false
                continue
            }
            if columns.contains(field) {
                state.error(line: header.line, column: field.name, "the column appears twice")
                ok = false
            }
            columns.append(field)
        }
        for field in BatchField.required where !columns.contains(field) {
            state.error(line: header.line, column: field.name, "a required column is missing")
            ok = false
        }
        return ok ? columns : nil
    }
}
