/// Maps CSV records onto batch fields through the header row.
///
/// A spreadsheet's export brings its empty cells along: columns with no name after the last used one
/// (`…,on_behalf_of,,,`) and rows of nothing but commas. Both are accepted as the empty cells they are, with one
/// warning for the whole file; a value in a column with no name is still an error, since it cannot be read.
enum CSVBatchReader {
    static func read(_ parser: inout CSVParser, state: inout ReadState) throws {
        var leftovers = SpreadsheetLeftovers()
        guard var header = Self.nextRecord(&parser, state: &state, leftovers: &leftovers) else {
            if !state.diagnostics.hasErrors, leftovers.emptyRows == 0 {
                state.error("the file is empty; a CSV batch starts with a header row")
            } else if !state.diagnostics.hasErrors {
                state.error("the file has no header row, only empty rows; a CSV batch starts with a header row")
            }
            return
        }
        if let declared = Self.declaredSeparator(header) {
            // Excel's `sep=` line: honoured when it says what this reader reads, else refused with how to fix it.
            guard declared == "," else {
                state.error(
                    line: header.line,
                    "the first line '\(("sep=" + declared).terminalSafe)' says the fields are separated by \(Self.name(declared)); "
                        + "save the file as CSV with ',' separators (and '.' decimals)")
                return
            }
            guard let next = Self.nextRecord(&parser, state: &state, leftovers: &leftovers) else {
                if !state.diagnostics.hasErrors { state.error("the file has a 'sep=,' line and no header row") }
                return
            }
            header = next
        }
        leftovers.headerLine = header.line
        guard let columns = Self.mapHeader(header, state: &state, leftovers: &leftovers) else { return }
        let hasUnnamedColumns = columns.contains(nil)

        while let record = Self.nextRecord(&parser, state: &state, leftovers: &leftovers) {
            var raw = RawRecord(line: record.line)
            for problem in record.fieldProblems {
                let field = problem.index < columns.count ? columns[problem.index] : nil
                let column = field?.name ?? "#\(problem.index + 1)"
                let value = problem.character != nil && problem.index < record.fields.count ? record.fields[problem.index] : nil
                state.error(
                    line: problem.line ?? record.line, character: problem.character, column: column, value: value, problem.problem)
                if let field { raw.unreadable.insert(field.rawValue) }
            }
            // Values in columns with no name, and past the header's last column, cannot be read; empty ones are
            // a spreadsheet's empty cells.
            var strayBeyondHeader = false
            let unnamedRange = hasUnnamedColumns ? 0..<record.fields.count : min(columns.count, record.fields.count)..<record.fields.count
            for index in unnamedRange where index >= columns.count || columns[index] == nil {
                guard !record.fields[index].isBlankField, !record.fieldProblems.contains(where: { $0.index == index }) else {
                    if index >= columns.count { leftovers.noteEmptyColumn(index) }
                    continue
                }
                if index >= columns.count {
                    strayBeyondHeader = true
                } else {
                    state.error(
                        line: record.line, column: "#\(index + 1)", value: record.fields[index],
                        "this column has no name in the header, so its value cannot be read; "
                            + "delete the value, or give the column one of the names: \(Self.knownNames)")
                }
            }
            // A short line is fine when what it lacks are columns with no name.
            let missingNamed = record.fieldCount < columns.count && columns[record.fieldCount...].contains { $0 != nil }
            if strayBeyondHeader || missingNamed {
                state.error(
                    line: record.line,
                    "the line has \(record.fieldCount) fields, the header has \(columns.count)"
                        + (record.fieldCount > columns.count ? "; a value with a comma must be in double quotes" : ""))
                // A short or long line is still checked field by field, so all its problems show at once.
            }
            for (index, field) in columns.enumerated() where index < record.fields.count {
                if let field { raw[field] = record.fields[index] }
            }
            try state.accept(raw)
        }
        leftovers.report(into: &state)
    }

    /// The next record that is not a row of only separators, or `nil` at the end or after a structure error
    /// (reported).
    private static func nextRecord(
        _ parser: inout CSVParser, state: inout ReadState, leftovers: inout SpreadsheetLeftovers
    ) -> CSVRecord? {
        while true {
            let record: CSVRecord
            do {
                guard let next = try parser.nextRecord() else { return nil }
                record = next
            } catch {
                state.error(line: error.line, error.message)
                return nil
            }
            guard record.fieldCount > 1, record.fieldProblems.isEmpty, record.fields.allSatisfy(\.isBlankField) else {
                return record
            }
            leftovers.noteEmptyRow(line: record.line)
        }
    }

    /// The separator an Excel `sep=X` first line declares, or `nil` when the line is not one.
    private static func declaredSeparator(_ record: CSVRecord) -> String? {
        guard let first = record.fields.first, first.utf8.count >= 4, first.prefix(4).lowercased() == "sep=",
            record.fieldCount <= 2, record.fields.dropFirst().allSatisfy(\.isEmpty)
        else { return nil }
        // `sep=,` splits at its own comma into "sep=" and "".
        let declared = String(first.dropFirst(4))
        if record.fieldCount == 2 { return declared.isEmpty ? "," : nil }
        return declared.isEmpty ? nil : declared
    }

    private static func name(_ separator: String) -> String {
        switch separator {
        case "\t": "tabs"
        case ";": "';'"
        default: "'\(separator.terminalSafe)'"
        }
    }

    private static let knownNames = BatchField.allCases.map(\.name).joined(separator: ", ")

    /// The field of each column (`nil` for a column with no name), or `nil` (with errors reported) when the
    /// header is not usable.
    private static func mapHeader(
        _ header: CSVRecord, state: inout ReadState, leftovers: inout SpreadsheetLeftovers
    ) -> [BatchField?]? {
        if header.fieldCount == 1, let only = header.fields.first, header.fieldProblems.isEmpty {
            if only.contains("\t") {
                state.error(
                    line: header.line,
                    "the header has one column; the separator looks like a tab (a tab-separated file). "
                        + "Save the file as CSV with ',' separators (and '.' decimals)")
                return nil
            }
            if only.contains(";") {
                state.error(
                    line: header.line,
                    "the header has one column '\(String(only.prefix(60)).terminalSafe)'; the separator looks like ';'. "
                        + "Save the file as CSV with ',' separators (and '.' decimals)")
                return nil
            }
        }
        if header.fieldCount > header.fields.count {
            state.error(line: header.line, "the header has \(header.fieldCount) columns; at most \(header.fields.count) are read")
            return nil
        }
        var ok = true
        for problem in header.fieldProblems {
            state.error(
                line: problem.line ?? header.line, character: problem.character, column: "#\(problem.index + 1)",
                value: problem.character != nil ? header.fields[problem.index] : nil, problem.problem)
            ok = false
        }
        var columns: [BatchField?] = []
        for (index, name) in header.fields.enumerated() {
            if name.isBlankField {
                // Accepted while empty in every line: reported once, at the end, with the empty rows.
                leftovers.noteEmptyColumn(index)
                columns.append(nil)
                continue
            }
            guard let field = BatchField(name: name) else {
                if !header.fieldProblems.contains(where: { $0.index == index }) {
                    state.error(
                        line: header.line, column: name.trimmingASCIISpaces(), "unknown column; the columns are: \(Self.knownNames)")
                }
                ok = false
                columns.append(nil)
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

/// What a spreadsheet left empty in a CSV file, reported as one warning when the file has been read.
struct SpreadsheetLeftovers {
    /// Indexes of columns with no name, or past the header's last, that had no value.
    private(set) var emptyColumns: Set<Int> = []
    private(set) var emptyRows = 0
    private var firstEmptyRow: Int?
    private var lastEmptyRow: Int?
    /// The header's line, where a column with no name is.
    var headerLine: Int?

    mutating func noteEmptyColumn(_ index: Int) {
        self.emptyColumns.insert(index)
    }

    mutating func noteEmptyRow(line: Int) {
        self.emptyRows += 1
        if self.firstEmptyRow == nil { self.firstEmptyRow = line }
        self.lastEmptyRow = line
    }

    /// `ignored as empty spreadsheet cells: columns #10 to #12 (no name, no values) and 4 rows of only commas (lines 52 to 55)`
    func report(into state: inout ReadState) {
        var parts: [String] = []
        let columns = self.emptyColumns.sorted()
        if let first = columns.first, let last = columns.last {
            let names =
                columns.count == 1
                ? "column #\(first + 1)"
                : last - first + 1 == columns.count
                    ? "columns #\(first + 1) to #\(last + 1)" : "columns " + columns.map { "#\($0 + 1)" }.joined(separator: ", ")
            parts.append("\(names) (no name, no values)")
        }
        if let first = self.firstEmptyRow, let last = self.lastEmptyRow {
            let lines =
                self.emptyRows == 1
                ? "line \(first)"
                : last - first + 1 == self.emptyRows ? "lines \(first) to \(last)" : "the first on line \(first), the last on line \(last)"
            parts.append("\(counted(self.emptyRows, "row")) of only commas (\(lines))")
        }
        guard !parts.isEmpty else { return }
        state.warning(
            line: columns.isEmpty ? self.firstEmptyRow : self.headerLine,
            "ignored as empty spreadsheet cells: " + parts.joined(separator: " and "))
    }
}

extension String {
    /// Whether the field holds nothing but spaces and tabs: empty once trimmed, as every value is.
    var isBlankField: Bool {
        self.utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 }
    }
}
