import Foundation
import RechargeProviders
import Testing

@testable import RechargeCore

/// The header of a CSV batch with every column, in the samples' order.
let fullHeader = "provider,card_id,amount,currency,reference,remark,pay_coin,pay_account_num,on_behalf_of"

/// One valid CSV line per provider kind (for `fullHeader`), with the given reference.
enum ValidLine {
    static func vcc(_ reference: String, amount: String = "100.00", currency: String = "USD") -> String {
        "vcc,100029775,\(amount),\(currency),\(reference),,,,"
    }
    static func hypercard(_ reference: String) -> String {
        "hypercard,00003454323400000028904,200.00,USD,\(reference),,usdt,,"
    }
    static func pagsmile(_ reference: String) -> String {
        "pagsmile,CT000000880025,320.90,BRL,\(reference),,,PA-7700120045,"
    }
    static func uqpay(_ reference: String) -> String {
        "uqpay,c1acc990-6424-450a-a36b-f9b3ddcb369d,135.80,SGD,\(reference),,,,"
    }
    static func paycertify(_ reference: String) -> String {
        "paycertify,c1b87f1a-7323-491b-99f9-cbef0f69a4d0,200.00,USD,\(reference),,,,"
    }
}

/// A valid JSON item for the built-in `vcc` account.
func vccItem(_ reference: String, amount: String = #""100.00""#, extra: String = "") -> String {
    #"{"provider": "vcc", "card_id": "100029775", "amount": \#(amount), "currency": "USD", "reference": "\#(reference)"\#(extra)}"#
}

/// A JSON batch document with one item per line, starting on line 2.
func jsonBatch(_ items: String..., batch: String? = nil) -> String {
    let head = batch.map { #"{"batch": \#($0), "items": ["# } ?? #"{"items": ["#
    return head + "\n" + items.joined(separator: ",\n") + "\n]}\n"
}

/// What one read of a batch produced: the result and the lines handed to `onLine`.
struct ReadOutcome {
    var result: BatchReadResult
    var lines: [BatchLine]

    var errors: [InputDiagnostic] { self.result.diagnostics.errors }
    var warnings: [InputDiagnostic] { self.result.diagnostics.warnings }

    /// The error messages, for failure output that shows what was reported.
    var errorMessages: [String] { self.errors.map(\.description) }

    /// The errors reported on a physical line.
    func errors(line: Int) -> [InputDiagnostic] { self.errors.filter { $0.line == line } }
}

/// Reads a batch from text in memory, collecting the lines handed over.
func readBatch(
    _ text: String, format: BatchFormat = .csv, configuration: RechargeConfiguration = .builtInDefault,
    control: ControlTotals = ControlTotals(), diagnosticLimit: Int = 100
) throws -> ReadOutcome {
    try readBatch(
        bytes: Array(text.utf8), format: format, configuration: configuration, control: control,
        diagnosticLimit: diagnosticLimit)
}

/// Reads a batch from bytes in memory, collecting the lines handed over.
func readBatch(
    bytes: [UInt8], format: BatchFormat = .csv, configuration: RechargeConfiguration = .builtInDefault,
    control: ControlTotals = ControlTotals(), diagnosticLimit: Int = 100
) throws -> ReadOutcome {
    var lines: [BatchLine] = []
    let reader = BatchReader(configuration: configuration, profiles: .all, control: control, diagnosticLimit: diagnosticLimit)
    let result = try reader.read(bytes: bytes, name: "batch.\(format.rawValue)", format: format) { lines.append($0) }
    return ReadOutcome(result: result, lines: lines)
}

/// A CSV batch: the full header, then the given lines, each ended by a line feed.
func csvBatch(_ lines: String...) -> String {
    ([fullHeader] + lines).map { $0 + "\n" }.joined()
}

/// The path of a file in the package's `samples/` folder.
func samplePath(_ name: String) -> String {
    URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("samples").appendingPathComponent(name).path
}

/// A file in its own temporary directory; both are removed when the value goes away.
struct TemporaryFile: ~Copyable {
    let path: String

    init(named name: String, contents: [UInt8]) throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("RechargeCoreTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(name)
        try Data(contents).write(to: url)
        self.path = url.path
    }

    init(named name: String, text: String) throws {
        try self.init(named: name, contents: Array(text.utf8))
    }

    deinit {
        try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: self.path).deletingLastPathComponent().path)
    }
}

/// An amount in a currency of the table.
func money(_ minorUnits: Int64, _ code: String) throws -> Money {
    Money(minorUnits: minorUnits, currency: try currency(code))
}

/// A currency of the table.
func currency(_ code: String) throws -> Currency {
    try #require(Currency(code: code))
}
