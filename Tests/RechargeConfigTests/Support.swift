import Foundation
import RechargeCore
import Testing

/// A file in its own temporary directory; both are removed when the value goes away.
struct TemporaryFile: ~Copyable {
    let path: String

    init(named name: String, contents: [UInt8]) throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("RechargeConfigTests-\(UUID().uuidString)")
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
