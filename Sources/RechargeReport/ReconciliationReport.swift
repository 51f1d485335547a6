import Foundation
import RechargeCore
import RechargeStore

/// The formats of the reconciliation report.
package enum ReportFormat: String, CaseIterable, Sendable {
    /// RFC 4180 CSV in sections, every cell safe against formula injection.
    case csv
    /// One JSON document with a stable key order (docs/report.schema.json).
    case json
    /// One self-contained HTML page: summary tables, an SVG chart, discrepancies and every line.
    case html
    /// A short summary for the terminal: totals and the first discrepancies, no line table.
    case text

    /// The format a file name's extension suggests (`.csv`, `.json`, `.html`/`.htm`, `.txt`).
    package init?(fileName: String) {
        switch URL(fileURLWithPath: fileName).pathExtension.lowercased() {
        case "csv": self = .csv
        case "json": self = .json
        case "html", "htm": self = .html
        case "txt", "text": self = .text
        default: return nil
        }
    }
}

/// What kind of discrepancy a report lists.
package enum DiscrepancyKind: String, CaseIterable, Sendable {
    /// The outcome could not be established; the line needs an operator.
    case unknown = "unknown"
    /// The provider refused the line, or it was not applied after every attempt; the reason is its last error.
    case failed = "failed"
    /// An operator settled an UNKNOWN line with evidence; the note says what.
    case operatorResolved = "operator-resolved"
    /// The provider credited another amount (or currency) than requested.
    case creditedDiffers = "credited-differs"
    /// A verification against the provider's records disagreed with the line.
    case mismatch = "mismatch"

    /// A heading for people.
    package var title: String {
        switch self {
        case .unknown: "Unknown outcome"
        case .failed: "Failed lines"
        case .operatorResolved: "Resolved by an operator"
        case .creditedDiffers: "Credited differs from requested"
        case .mismatch: "Verification mismatches"
        }
    }

    func count(in counts: DiscrepancyCounts) -> Int {
        switch self {
        case .unknown: counts.unknown
        case .failed: counts.failed
        case .operatorResolved: counts.operatorResolved
        case .creditedDiffers: counts.creditedDiffers
        case .mismatch: counts.mismatches
        }
    }
}

/// One entry of a discrepancy list: the line and what is wrong with it.
package struct Discrepancy: Hashable, Sendable {
    package var kind: DiscrepancyKind
    package var line: LineRecord
    /// When: the line's completion (unknown), the resolution, or when the mismatch was found.
    package var at: String?
    /// Who resolved the line (operator resolutions).
    package var actor: String?
    /// The resolved state (operator resolutions) or the kind of mismatch.
    package var outcome: String?
    /// The operator's note, the last error, the credited amount, or the mismatch detail.
    package var detail: String?
}

/// What the SHA-256 printed in a report's sign-off block covers, and how anyone checks it with standard tools.
///
/// Each of the HTML, CSV and text reports ends with a sign-off block (prepared by, approved by) that carries the
/// SHA-256 of every byte of the file before it: from the first byte up to and including the line that is the
/// format's ``marker(_:)``. What follows that line is fixed text around the hash itself. So anyone holding the
/// file can recompute the hash (``checkCommand(_:file:)``) and compare it with the one on the signed paper; a
/// change of any byte above the marker (an amount, a line, the generation time) changes the hash. Each file has
/// its own hash: the same report written again differs at least in its generation time.
package enum ReportSignature {
    /// The line that ends the signed content: alone on its line, and never produced by escaped data.
    package static func marker(_ format: ReportFormat) -> String? {
        switch format {
        case .html: "<!-- end of signed content -->"
        case .text: "-- end of signed content --"
        case .csv: "end of signed content"
        case .json: nil
        }
    }

    /// The shell command printing the SHA-256 of a report's signed content (GNU or BSD `sed`, `sha256sum`).
    package static func checkCommand(_ format: ReportFormat, file: String = "REPORT") -> String? {
        guard let marker = Self.marker(format) else { return nil }
        // CSV pads the marker row with empty fields; the others have the marker alone on its line.
        let pattern = format == .csv ? "^\(marker)," : "^\(marker)$"
        return "sed -n '1,/\(pattern)/p' \(file) | sha256sum"
    }
}

/// A report renderer: called with the summary, then each discrepancy list, then every line.
protocol ReportRenderer {
    /// Whether the report lists every line (the text summary does not).
    var listsLines: Bool { get }
    /// How many entries of each discrepancy list to show; `nil` for all.
    var discrepancyLimit: Int? { get }

    mutating func begin(_ summary: ReportSummary, _ out: ReportOutput)
    mutating func beginDiscrepancies(_ kind: DiscrepancyKind, count: Int, _ out: ReportOutput)
    mutating func discrepancy(_ item: Discrepancy, index: Int, _ out: ReportOutput)
    mutating func endDiscrepancies(_ kind: DiscrepancyKind, count: Int, shown: Int, _ out: ReportOutput)
    mutating func beginLines(_ summary: ReportSummary, _ out: ReportOutput)
    mutating func line(_ line: LineRecord, index: Int, _ out: ReportOutput)
    mutating func end(_ summary: ReportSummary, _ out: ReportOutput)
}

/// The reconciliation report of a batch: header, totals that add up, discrepancies first, then every line.
///
/// Everything is read from one snapshot of the database and streamed: lines come from a cursor and go out
/// through a buffer, so memory stays bounded whatever the size of the batch.
package enum ReconciliationReport {
    /// Writes the report of `batchID` in `format` to `output`, and flushes it.
    package static func write(
        batchID: Int64, from database: RechargeDatabase, format: ReportFormat, to output: ReportOutput, generatedAt: Date = Date()
    ) throws {
        var renderer: any ReportRenderer =
            switch format {
            case .csv: CSVReport()
            case .json: JSONReport()
            case .html: HTMLReport()
            case .text: TextReport()
            }
        try database.withReportSnapshot { snapshot in
            guard let batch = try snapshot.batch(id: batchID) else { throw ReportError("no batch \(batchID)") }
            let summary = try ReportSummary.read(batch: batch, from: snapshot, generatedAt: ReportTimestamp.string(generatedAt))
            try Self.render(summary, from: snapshot, with: &renderer, to: output)
        }
        try output.finish()
    }

    /// The summary of `batchID`: header, totals and discrepancy counts.
    package static func summary(batchID: Int64, from database: RechargeDatabase, generatedAt: Date = Date()) throws -> ReportSummary {
        try database.withReportSnapshot { snapshot in
            guard let batch = try snapshot.batch(id: batchID) else { throw ReportError("no batch \(batchID)") }
            return try ReportSummary.read(batch: batch, from: snapshot, generatedAt: ReportTimestamp.string(generatedAt))
        }
    }

    private static func render(
        _ summary: ReportSummary, from snapshot: ReportSnapshot, with renderer: inout any ReportRenderer, to out: ReportOutput
    ) throws {
        let batchID = summary.batch.id
        renderer.begin(summary, out)
        for kind in DiscrepancyKind.allCases {
            let count = kind.count(in: summary.discrepancies)
            let limit = renderer.discrepancyLimit ?? Int.max
            var shown = 0
            renderer.beginDiscrepancies(kind, count: count, out)
            func emit(_ item: Discrepancy) -> Bool {
                guard shown < limit, !out.failed else { return false }
                renderer.discrepancy(item, index: shown, out)
                shown += 1
                return true
            }
            switch kind {
            case .unknown:
                try snapshot.forEachUnknownLine(batchID: batchID) { line in
                    emit(Discrepancy(kind: kind, line: line, at: line.completedAt, detail: Self.lastError(line)))
                }
            case .failed:
                try snapshot.forEachFailedLine(batchID: batchID) { line in
                    emit(Discrepancy(kind: kind, line: line, at: line.completedAt, detail: Self.lastError(line)))
                }
            case .operatorResolved:
                try snapshot.forEachResolution(batchID: batchID) { resolution in
                    let note = resolution.detail.map { $0.hasPrefix("operator: ") ? String($0.dropFirst("operator: ".count)) : $0 }
                    return emit(
                        Discrepancy(
                            kind: kind, line: resolution.line, at: resolution.at, actor: resolution.actor,
                            outcome: resolution.kind == "resolved-success" ? LineState.success.rawValue : LineState.failed.rawValue,
                            detail: note))
                }
            case .creditedDiffers:
                var amounts = AmountRenderer()
                try snapshot.forEachCreditedDifference(batchID: batchID) { line in
                    var detail =
                        "credited \(amounts.render(line.creditedMinor, line.creditedCurrency)) \(line.creditedCurrency ?? "")"
                        + " of \(amounts.render(line.amountMinor, line.currency)) \(line.currency) requested"
                    if let fee = line.feeMinor, let currency = line.feeCurrency {
                        detail += ", fee \(amounts.render(fee, currency)) \(currency)"
                    }
                    return emit(Discrepancy(kind: kind, line: line, at: line.completedAt, detail: detail))
                }
            case .mismatch:
                try snapshot.forEachMismatch(batchID: batchID) { mismatch in
                    emit(
                        Discrepancy(kind: kind, line: mismatch.line, at: mismatch.foundAt, outcome: mismatch.kind, detail: mismatch.detail))
                }
            }
            renderer.endDiscrepancies(kind, count: count, shown: shown, out)
        }
        if renderer.listsLines {
            renderer.beginLines(summary, out)
            var index = 0
            try snapshot.forEachLine(batchID: batchID) { line in
                renderer.line(line, index: index, out)
                index += 1
                return !out.failed
            }
        }
        renderer.end(summary, out)
    }

    /// The last error of a line as one text: `code: message`.
    static func lastError(_ line: LineRecord) -> String? {
        switch (line.lastErrorCode, line.lastErrorMessage) {
        case (nil, nil): nil
        case (let code?, nil): code
        case (nil, let message?): message
        case (let code?, let message?): "\(code): \(message)"
        }
    }
}

/// The header of a report as label–value pairs, shared by the human formats.
extension ReportSummary {
    /// What a report shows for a control total the file and the command line did not give: never blank, never 0.
    static let notGiven = "not given"

    var headerFields: [(label: String, value: String)] {
        var fields: [(String, String)] = [
            ("Batch", self.batch.name), ("Batch id", String(self.batch.id)), ("Batch uid", self.batch.uid),
        ]
        if let reference = self.batch.reference { fields.append(("Reference", reference)) }
        fields += [
            ("Source file", self.batch.sourceFile), ("SHA-256", self.batch.sourceSHA256),
            ("Format", self.batch.sourceFormat), ("Size (bytes)", String(self.batch.sourceBytes)),
            ("Imported at", self.batch.importedAt), ("Lines", String(self.lineCount)),
        ]
        if let control = self.batch.controlLineCount {
            fields.append(("Control line count", "\(control) (\(control == self.lineCount ? "matches" : "DIFFERS"))"))
        } else {
            fields.append(("Control line count", Self.notGiven))
        }
        if self.controlTotals.isEmpty { fields.append(("Control totals", Self.notGiven)) }
        // As stored by the import: yes only when it was asked for with --force.
        fields.append(("Forced import", self.batch.forced ? "yes (imported with --force)" : "no"))
        fields.append(("Generated at", self.generatedAt))
        return fields
    }
}
