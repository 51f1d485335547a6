/// What reading a batch file found: its identity, its totals and every problem.
public struct BatchReadResult: Sendable {
    public var format: BatchFormat
    /// Hex SHA-256 of the file's bytes.
    public var sha256: String
    public var byteCount: Int
    /// Records read (valid or not).
    public var lineCount: Int
    /// Currency code → sum in minor units of the valid lines.
    public var sums: [String: Int64]
    public var metadata: BatchMetadata
    public var diagnostics: DiagnosticCollector

    /// Whether the file can be imported: no errors.
    public var isValid: Bool { !self.diagnostics.hasErrors }
}

/// Reads a batch file in one streaming pass: parse, map fields, validate, check control totals, hash.
///
/// Lines are handed to `onLine` as they are validated, but only while the file has had no error:
/// a file with an error is rejected whole, so a caller storing lines in a transaction rolls it back.
public struct BatchReader: Sendable {
    public var configuration: RechargeConfiguration
    /// Control totals given outside the file (command-line flags); checked in addition to the file's own.
    public var control: ControlTotals
    public var diagnosticLimit: Int

    public init(configuration: RechargeConfiguration, control: ControlTotals = ControlTotals(), diagnosticLimit: Int = 100) {
        self.configuration = configuration
        self.control = control
        self.diagnosticLimit = diagnosticLimit
    }

    /// Reads the file at `path`, reporting it under `displayName` (defaults to the path).
    public func read(
        path: String, displayName: String? = nil, format: BatchFormat? = nil,
        onLine: (BatchLine) throws -> Void = { _ in }
    ) throws -> BatchReadResult {
        let name = displayName ?? path
        guard let format = format ?? BatchFormat.inferred(fromPath: path) else {
            throw BatchInputError(path: name, message: "cannot tell the format from the file name; pass --format csv, json or ndjson")
        }
        return try self.read(name: name, format: format, onLine: onLine) { () throws(BatchInputError) in
            try ByteInput(path: path)
        }
    }

    /// Reads a batch from bytes in memory.
    public func read(
        bytes: [UInt8], name: String, format: BatchFormat, onLine: (BatchLine) throws -> Void = { _ in }
    ) throws -> BatchReadResult {
        try self.read(name: name, format: format, onLine: onLine) { ByteInput(bytes: bytes) }
    }

    private func read(
        name: String, format: BatchFormat, onLine: (BatchLine) throws -> Void,
        open: () throws(BatchInputError) -> ByteInput
    ) throws -> BatchReadResult {
        try withoutActuallyEscaping(onLine) { onLine in
            var state = ReadState(
                validator: BatchValidator(file: name, configuration: self.configuration),
                diagnostics: DiagnosticCollector(limit: self.diagnosticLimit), onLine: onLine)
            return try self.read(input: open(), format: format, state: &state)
        }
    }

    private func read(input: consuming ByteInput, format: BatchFormat, state: inout ReadState) throws -> BatchReadResult {
        let name = state.file
        let sha256: String
        let byteCount: Int
        let readError: String?
        switch format {
        case .csv:
            var parser = CSVParser(input: input)
            try CSVBatchReader.read(&parser, state: &state)
            parser.drain()
            (sha256, byteCount, readError) = (parser.sha256Hex, parser.bytesRead, parser.readError)
        case .json, .ndjson:
            var parser = JSONParser(input: input, singleLine: format == .ndjson)
            if format == .json {
                try JSONBatchReader.readDocument(&parser, state: &state)
            } else {
                try JSONBatchReader.readLines(&parser, state: &state)
            }
            parser.drain()
            (sha256, byteCount, readError) = (parser.sha256Hex, parser.bytesRead, parser.readError)
        }
        if let readError { throw BatchInputError(path: name, message: "read failed: \(readError)") }
        if state.validator.lineCount == 0 && !state.diagnostics.hasErrors {
            state.diagnostics.add(InputDiagnostic(.error, file: name, message: "the file has no lines"))
        }
        if !state.metadata.control.isEmpty {
            state.validator.checkControlTotals(state.metadata.control, source: "in the file", into: &state.diagnostics)
        }
        if !self.control.isEmpty {
            state.validator.checkControlTotals(self.control, source: "given on the command line", into: &state.diagnostics)
        }
        return BatchReadResult(
            format: format, sha256: sha256, byteCount: byteCount, lineCount: state.validator.lineCount,
            sums: state.validator.sums, metadata: state.metadata, diagnostics: state.diagnostics)
    }
}

/// The state one read threads through the format readers.
struct ReadState {
    var validator: BatchValidator
    var diagnostics: DiagnosticCollector
    var metadata = BatchMetadata()
    let onLine: (BatchLine) throws -> Void

    var file: String { self.validator.file }

    /// Validates a record and passes it on while the file is still clean.
    mutating func accept(_ record: RawRecord) throws {
        guard let line = self.validator.validate(record, into: &self.diagnostics) else { return }
        if !self.diagnostics.hasErrors { try self.onLine(line) }
    }

    mutating func error(line: Int? = nil, item: Int? = nil, column: String? = nil, value: String? = nil, _ message: String) {
        self.diagnostics.add(
            InputDiagnostic(.error, file: self.file, line: line, item: item, column: column, value: value, message: message))
    }
}
