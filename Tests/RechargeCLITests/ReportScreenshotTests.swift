import Foundation
import Testing

/// The demo's HTML report as a browser renders it: headless Chromium (Debian's `chromium`) loads the file, and the
/// rendered page has the summary tables and the outcome chart; a screenshot is taken like the one in docs/report.md.
/// Fails where Chromium is not installed, saying how to install it (`.ci/run` installs it).
@Suite(.serialized, .tags(.browser))
struct ReportScreenshotTests {
    @Test(.timeLimit(.minutes(2)))
    func theDemoReportRendersItsSummaryAndChart() throws {
        try withTemporaryDirectory { directory in
            let demo = try Recharge.run(["demo", "--dir", directory.path, "--progress", "none", "--clean"])
            #expect(demo.status == 0, "\(demo)")
            let report = directory.appendingPathComponent("report.html")

            let dom = try Chromium.run(["--dump-dom", report.absoluteString])
            #expect(dom.contains("Totals by currency"))
            #expect(dom.contains("<svg"), "the outcome chart is an inline SVG")
            #expect(dom.contains("monthly-2026-11.csv"))

            let screenshot = directory.appendingPathComponent("report.png")
            _ = try Chromium.run(["--window-size=1280,1600", "--screenshot=\(screenshot.path)", report.absoluteString])
            let png = try Data(contentsOf: screenshot)
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "a PNG file")
            #expect(png.count > 20_000, "a blank page compresses to a few kilobytes")
        }
    }
}

extension Tag {
    @Tag static var browser: Self
}

/// Headless Chromium (Debian's `chromium`).
enum Chromium {
    static let path: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// Runs headless Chromium with `arguments`; returns its standard output.
    static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(path, "Chromium is not installed: apt-get install -y chromium"))
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"] + arguments
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return try String(contentsOf: output, encoding: .utf8)
    }
}
