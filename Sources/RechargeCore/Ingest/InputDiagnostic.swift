/// One problem found in a batch file, precise enough for a finance user to find and fix it.
public struct InputDiagnostic: Hashable, Sendable, CustomStringConvertible {
    public enum Severity: String, Hashable, Sendable {
        /// The file is rejected and nothing is stored.
        case error
        /// Worth a look (a line that repeats another), but the file is accepted.
        case warning
    }

    public var severity: Severity
    /// The file's name as given on the command line.
    public var file: String
    /// The physical line number (the CSV header is line 1); `nil` for problems of the whole file.
    public var line: Int?
    /// Where on the line, for a problem with the text itself (a byte that is not UTF-8, a JSON syntax error): the
    /// 1-based byte offset in the line, which is the column an editor shows for plain ASCII text.
    public var character: Int?
    /// For JSON batches, the 1-based index of the item in `items`.
    public var item: Int?
    /// The column or field name.
    public var column: String?
    /// The offending value, as it was in the file.
    public var value: String?
    public var message: String

    public init(
        _ severity: Severity, file: String, line: Int? = nil, character: Int? = nil, item: Int? = nil, column: String? = nil,
        value: String? = nil, message: String
    ) {
        self.severity = severity
        self.file = file
        self.line = line
        self.character = line == nil ? nil : character
        self.item = item
        self.column = column
        self.value = value
        self.message = message
    }

    /// `file:line: error: item 3: column 'amount', value "12.345": the currency has 2 decimal places, the amount has 3`,
    /// `file:line:character: error: …` where the place on the line is known.
    public var description: String {
        var text = self.file.terminalSafe
        if let line { text += ":\(line)" }
        if let character { text += ":\(character)" }
        text += ": \(self.severity.rawValue): "
        var location: [String] = []
        if let item { location.append("item \(item)") }
        if let column { location.append("column '\(column.terminalSafe)'") }
        if let value { location.append("value \(Self.quote(value))") }
        if !location.isEmpty { text += location.joined(separator: ", ") + ": " }
        return text + self.message
    }

    /// The value quoted for display: control characters escaped, long values shortened.
    static func quote(_ value: String) -> String {
        var shown = ""
        var count = 0
        for scalar in value.unicodeScalars {
            if count == 60 {
                shown += "…"
                break
            }
            count += 1
            switch scalar {
            case "\"": shown += "\\\""
            case "\\": shown += "\\\\"
            case "\n": shown += "\\n"
            case "\r": shown += "\\r"
            case "\t": shown += "\\t"
            case _ where TerminalText.isUnsafe(scalar):
                shown += "\\u{" + String(scalar.value, radix: 16) + "}"
            default: shown.unicodeScalars.append(scalar)
            }
        }
        return "\"" + shown + "\""
    }
}

/// Collects diagnostics in one pass, keeping the first `limit` of each severity and counting the rest.
public struct DiagnosticCollector: Sendable {
    public let limit: Int
    public private(set) var errors: [InputDiagnostic] = []
    public private(set) var warnings: [InputDiagnostic] = []
    public private(set) var errorCount = 0
    public private(set) var warningCount = 0

    public init(limit: Int = 100) {
        self.limit = limit
    }

    public var hasErrors: Bool { self.errorCount > 0 }

    public mutating func add(_ diagnostic: InputDiagnostic) {
        switch diagnostic.severity {
        case .error:
            self.errorCount += 1
            if self.errors.count < self.limit { self.errors.append(diagnostic) }
        case .warning:
            self.warningCount += 1
            if self.warnings.count < self.limit { self.warnings.append(diagnostic) }
        }
    }

    /// The report as printed by `validate` and `import`: errors, then warnings, then what was left out.
    public func render() -> String {
        var lines = self.errors.map(\.description)
        if self.errorCount > self.errors.count {
            lines.append("… and " + counted(self.errorCount - self.errors.count, "more error"))
        }
        lines += self.warnings.map(\.description)
        if self.warningCount > self.warnings.count {
            lines.append("… and " + counted(self.warningCount - self.warnings.count, "more warning"))
        }
        return lines.joined(separator: "\n")
    }
}

/// `1 error`, `2 errors`: a count with its noun in the right number.
public func counted(_ count: Int, _ noun: String) -> String {
    "\(count) \(noun)\(count == 1 ? "" : "s")"
}
