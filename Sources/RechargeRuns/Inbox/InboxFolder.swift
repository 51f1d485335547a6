import Foundation
import RechargeReport

/// The folders of a drop inbox: files arrive in `incoming/`; each ends in `processed/` or `rejected/`, and the
/// reports of its batch in `reports/`.
///
/// A file counts as arrived when it is complete: its name does not end in `.part` or `.tmp` and does not start
/// with `.` (the usual names of a transfer in progress), and neither its size nor its modification time changed
/// during the settle period.
package struct InboxFolder: Sendable {
    /// One arrived file.
    package struct Arrival: Hashable, Sendable {
        package var name: String
        package var path: String
        package var size: UInt64
        package var modified: Date
    }

    package let root: URL
    package let reports: URL

    package var incoming: URL { self.root.appendingPathComponent("incoming", isDirectory: true) }
    package var processed: URL { self.root.appendingPathComponent("processed", isDirectory: true) }
    package var rejected: URL { self.root.appendingPathComponent("rejected", isDirectory: true) }

    /// - Parameters:
    ///   - root: The inbox folder, holding `incoming/`.
    ///   - reports: Where reports go; `root/reports` by default.
    package init(root: String, reports: String? = nil) {
        self.root = URL(fileURLWithPath: root, isDirectory: true)
        self.reports =
            reports.map { URL(fileURLWithPath: $0, isDirectory: true) }
            ?? self.root.appendingPathComponent("reports", isDirectory: true)
    }

    /// Checks that `incoming/` exists and creates the other folders as needed.
    /// - Throws: ``RechargeFailure`` with 66 when `incoming/` is missing, 74 when a folder cannot be created.
    package func prepare() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: self.incoming.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw RechargeFailure(exitCode: .noInput, message: "\(self.incoming.path): no such folder")
        }
        for folder in [self.processed, self.rejected, self.reports] {
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            } catch {
                throw RechargeFailure(
                    exitCode: .ioError, message: "cannot create \(folder.path): \(error.localizedDescription)")
            }
        }
    }

    /// The complete files of `incoming/`, oldest first (by modification time, then name): those whose size and
    /// modification time stayed the same over `settle`.
    package func arrivals(settle: Duration) async throws -> [Arrival] {
        let before = try self.candidates()
        guard !before.isEmpty else { return [] }
        if settle > .zero { try await Task.sleep(for: settle) }
        let after = Dictionary(try self.candidates().map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        return before.filter { after[$0.name] == $0 }.sorted { ($0.modified, $0.name) < ($1.modified, $1.name) }
    }

    /// Whether a file name is one a transfer in progress uses.
    package static func isTransient(_ name: String) -> Bool {
        name.hasPrefix(".") || name.hasSuffix(".part") || name.hasSuffix(".tmp")
    }

    private func candidates() throws -> [Arrival] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: self.incoming.path)
        } catch {
            throw RechargeFailure(
                exitCode: .ioError, message: "cannot list \(self.incoming.path): \(error.localizedDescription)")
        }
        var arrivals: [Arrival] = []
        for name in names where !Self.isTransient(name) {
            let path = self.incoming.appendingPathComponent(name).path
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                attributes[.type] as? FileAttributeType == .typeRegular,
                let size = (attributes[.size] as? NSNumber)?.uint64Value,
                let modified = attributes[.modificationDate] as? Date
            else { continue }
            arrivals.append(Arrival(name: name, path: path, size: size, modified: modified))
        }
        return arrivals
    }

    /// Moves an arrival into `folder` under its own name, or `NAME-2.EXT`, `NAME-3.EXT`… if that is taken.
    /// - Returns: Where the file now is.
    @discardableResult
    package func move(_ arrival: Arrival, into folder: URL) throws -> URL {
        try self.move(arrival, to: Self.freeName(for: arrival.name, in: folder))
    }

    /// Moves an arrival to `destination`.
    @discardableResult
    package func move(_ arrival: Arrival, to destination: URL) throws -> URL {
        do {
            try FileManager.default.moveItem(atPath: arrival.path, toPath: destination.path)
        } catch {
            throw RechargeFailure(
                exitCode: .ioError,
                message: "cannot move \(arrival.path) to \(destination.path): \(error.localizedDescription)")
        }
        return destination
    }

    /// Writes `text` to `url`, whole or not at all (``AtomicFile``), owner-only: an error report quotes values from
    /// the rejected file (card ids, amounts).
    package func write(_ text: String, to url: URL) throws {
        do {
            try AtomicFile.write(text, to: url.path)
        } catch let error as ReportError {
            throw RechargeFailure(exitCode: .ioError, message: error.message)
        }
    }

    /// `name` in `folder`, or `NAME-2.EXT`, `NAME-3.EXT`… if that is taken.
    package static func freeName(for name: String, in folder: URL) -> URL {
        var candidate = folder.appendingPathComponent(name)
        let stem = (name as NSString).deletingPathExtension
        let ext = (name as NSString).pathExtension
        var number = 2
        while FileManager.default.fileExists(atPath: candidate.path) {
            candidate = folder.appendingPathComponent(ext.isEmpty ? "\(stem)-\(number)" : "\(stem)-\(number).\(ext)")
            number += 1
        }
        return candidate
    }
}
