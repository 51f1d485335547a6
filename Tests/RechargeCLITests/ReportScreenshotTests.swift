import Foundation
import TestSupport
import Testing

/// The demo's HTML report as a browser renders it: headless Chromium (Debian's `chromium`) loads the file, and the
/// rendered page has the summary tables and the outcome chart; a screenshot is taken like the one in docs/report.md.
/// At 1280 px (and 1024 px) the page must fit the window: no sideways scroll, no cell too narrow for its content.
/// Fails where Chromium is not installed, saying how to install it (`.ci/run` installs it).
@Suite(.serialized, .tags(.browser), .ownThread)
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
            if ProcessInfo.processInfo.environment["RECHARGE_UPDATE_SCREENSHOT"] == "1" {
                // The picture in docs/report.md: RECHARGE_UPDATE_SCREENSHOT=1 swift test --filter ReportScreenshotTests
                try png.write(to: Recharge.packageRoot.appendingPathComponent("docs/images/report-demo.png"))
            }
        }
    }

    /// At 1280 px wide the page has no horizontal scroll and no cell whose content is wider than the cell (a cut
    /// or overlapping column), measured by Chromium itself on the demo's report.
    @Test(.timeLimit(.minutes(2)), arguments: [1280, 1024])
    func theDemoReportFitsTheWindowWidth(width: Int) throws {
        try withTemporaryDirectory { directory in
            let demo = try Recharge.run(["demo", "--dir", directory.path, "--progress", "none", "--clean"])
            #expect(demo.status == 0, "\(demo)")
            let measure = try Chromium.layout(of: directory.appendingPathComponent("report.html"), width: width, in: directory)
            #expect(measure.clientWidth == width, "\(measure)")
            #expect(measure.scrollWidth <= measure.clientWidth, "the page scrolls sideways: \(measure)")
            #expect(measure.overflowingCells.isEmpty, "cells whose content does not fit: \(measure)")
            #expect(measure.lineTableRight <= measure.clientWidth, "the line table is cut: \(measure)")
            #expect(measure.lineRows == 50, "\(measure)")
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

    /// What Chromium measured of a page laid out `width` px wide.
    struct Layout: Decodable, CustomStringConvertible {
        var clientWidth: Int
        var scrollWidth: Int
        var lineTableRight: Int
        var lineRows: Int
        /// `section/table row/column: text` of each cell whose content is wider than the cell.
        var overflowingCells: [String]

        var description: String {
            "client \(self.clientWidth) px, scroll \(self.scrollWidth) px, line table to \(self.lineTableRight) px, "
                + "\(self.lineRows) rows, overflowing: \(self.overflowingCells.prefix(5))"
        }
    }

    /// Loads a copy of `page` with a measuring script added (the report itself has none) and reads what the
    /// script wrote into the DOM: `--dump-dom` prints the document after its scripts ran.
    static func layout(of page: URL, width: Int, in directory: URL) throws -> Layout {
        let script = """
            <script>
            const root = document.documentElement;
            const cells = [...document.querySelectorAll("td, th")].filter(c => c.scrollWidth > c.clientWidth + 1)
                .map(c => (c.closest("section")?.id ?? "") + ": " + c.textContent.slice(0, 40));
            const lines = document.querySelector("table.lines");
            const result = { clientWidth: root.clientWidth, scrollWidth: root.scrollWidth,
                lineTableRight: Math.ceil(lines.getBoundingClientRect().right), lineRows: lines.tBodies[0].rows.length,
                overflowingCells: cells };
            const out = document.createElement("pre");
            out.id = "layout";
            out.textContent = JSON.stringify(result);
            document.body.appendChild(out);
            </script>
            """
        let html = try String(contentsOf: page, encoding: .utf8).replacingOccurrences(of: "</body>", with: script + "</body>")
        let copy = directory.appendingPathComponent("measure-\(width).html")
        try Data(html.utf8).write(to: copy)
        let dom = try Self.run(["--window-size=\(width),1000", "--dump-dom", copy.absoluteString])
        let start = try #require(dom.range(of: "<pre id=\"layout\">"), "the measuring script did not run:\n\(dom.suffix(500))")
        let end = try #require(dom.range(of: "</pre>", range: start.upperBound..<dom.endIndex))
        let json = String(dom[start.upperBound..<end.lowerBound]).replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
        return try JSONDecoder().decode(Layout.self, from: Data(json.utf8))
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
