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
    /// What each provider kind accepts: currencies, card ids, extras.
    public var profiles: ProviderProfiles
    /// Control totals given outside the file (command-line flags); checked in addition to the file's own.
    public var control: ControlTotals
    public var diagnosticLimit: Int
    /// The most bytes one batch file may have; a larger file is refused, counted while it is read (a file can grow,
    /// and a size on disk says nothing of what a read returns). From the configuration's `maximumFileBytes`.
    public var maximumFileBytes: Int

    /// 1 GiB: about eight million lines of a typical CSV batch, far more than a day's top-ups.
    public static let defaultMaximumFileBytes = 1 << 30

    public init(
        configuration: RechargeConfiguration, profiles: ProviderProfiles, control: ControlTotals = ControlTotals(),
        diagnosticLimit: Int = 100
    ) {
        self.configuration = configuration
        self.profiles = profiles
        self.control = control
        self.diagnosticLimit = diagnosticLimit
        self.maximumFileBytes = configuration.maximumFileBytes
    }

    /// Reads the file at `path`, reporting it under `displayName` (defaults to the path).
    public func read(
        path: String, displayName: String? = nil, format: BatchFormat? = nil,
        onLine: (BatchLine) throws -> Void = { _ in }
    ) throws -> BatchReadResult {
        let name = displayName ?? path
        do {
            try ByteInput.refuseNonRegularFile(path)
        } catch {
            throw BatchInputError(path: name, message: error.message)
        }
        guard let format = format ?? BatchFormat.inferred(fromPath: path) else {
            throw BatchInputError(path: name, message: "cannot tell the format from the file name; pass --format csv, json or ndjson")
        }
        return try self.read(name: name, format: format, onLine: onLine) { () throws(BatchInputError) in
            try ByteInput(path: path, maximumBytes: self.maximumFileBytes)
        }
    }

    /// Reads a batch from bytes in memory.
    public func read(
        bytes: [UInt8], name: String, format: BatchFormat, onLine: (BatchLine) throws -> Void = { _ in }
    ) throws -> BatchReadResult {
        try self.read(name: name, format: format, onLine: onLine) { ByteInput(bytes: bytes, maximumBytes: self.maximumFileBytes) }
    }

    private func read(
        name: String, format: BatchFormat, onLine: (BatchLine) throws -> Void,
        open: () throws(BatchInputError) -> ByteInput
    ) throws -> BatchReadResult {
        try withoutActuallyEscaping(onLine) { onLine in
            var state = ReadState(
                validator: BatchValidator(file: name, configuration: self.configuration, profiles: self.profiles),
                diagnostics: DiagnosticCollector(limit: self.diagnosticLimit), onLine: onLine)
            return try self.read(input: open(), format: format, state: &state)
        }
    }

    private func read(input: consuming ByteInput, format: BatchFormat, state: inout ReadState) throws -> BatchReadResult {
        let name = state.file
        let sha256: String
        let byteCount: Int
        let readError: String?
        let exceededLimit: Bool
        switch format {
        case .csv:
            var parser = CSVParser(input: input)
            try CSVBatchReader.read(&parser, state: &state)
            if !state.stopped { parser.drain() }
            (sha256, byteCount, readError, exceededLimit) = (parser.sha256Hex, parser.bytesRead, parser.readError, parser.exceededLimit)
        case .json, .ndjson:
            var parser = JSONParser(input: input, singleLine: format == .ndjson)
            if format == .json {
                try JSONBatchReader.readDocument(&parser, state: &state)
            } else {
                try JSONBatchReader.readLines(&parser, state: &state)
            }
            // A file that cannot be JSON is not read to its end: it may be large, or have no end.
            if !state.stopped { parser.drain() }
            (sha256, byteCount, readError, exceededLimit) = (parser.sha256Hex, parser.bytesRead, parser.readError, parser.exceededLimit)
        }
        if let readError { throw BatchInputError(path: name, message: "read failed: \(readError)") }
        if exceededLimit {
            // Thrown, not reported: what was read up to the limit is cut short and its problems would mislead.
            throw BatchInputError(
                path: name,
                message: "refused: the file is larger than \(Self.describeBytes(self.maximumFileBytes)), the most one batch file may have; "
                    + "split it into smaller batches (or raise maximumFileBytes in the configuration)",
                isRefusedContent: true)
        }
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

extension BatchReader {
    /// `1 GiB (1073741824 bytes)`, `500 bytes`: a byte count as a person reads it, exact.
    static func describeBytes(_ count: Int) -> String {
        for (unit, size) in [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] where count >= size && count % size == 0 {
            return "\(count / size) \(unit) (\(count) bytes)"
        }
        return counted(count, "byte")
    }
}

/// The state one read threads through the format readers.
struct ReadState {
    var validator: BatchValidator
    var diagnostics: DiagnosticCollector
    var metadata = BatchMetadata()
    /// Set by a reader that found the file cannot be a batch of its format at all: the rest is not read.
    var stopped = false
    let onLine: (BatchLine) throws -> Void

    var file: String { self.validator.file }

    /// Validates a record and passes it on while the file is still clean.
    mutating func accept(_ record: RawRecord) throws {
        guard let line = self.validator.validate(record, into: &self.diagnostics) else { return }
        if !self.diagnostics.hasErrors { try self.onLine(line) }
    }

    mutating func error(
        line: Int? = nil, character: Int? = nil, item: Int? = nil, column: String? = nil, value: String? = nil, _ message: String
    ) {
        self.diagnostics.add(
            InputDiagnostic(
                .error, file: self.file, line: line, character: character, item: item, column: column, value: value, message: message))
    }

    mutating func warning(line: Int? = nil, _ message: String) {
        self.diagnostics.add(InputDiagnostic(.warning, file: self.file, line: line, message: message))
    }
}
