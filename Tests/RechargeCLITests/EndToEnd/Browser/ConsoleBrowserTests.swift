import Foundation
import TestSupport
import Testing

/// The month's job in a real browser: headless Chromium, driven through chromedriver, against `recharge serve`
/// and `recharge-sim`. An operator signs in, sees a bad file's errors, uploads the sample; an approver approves;
/// the progress view reaches 50/50; the report downloads and its totals are the file's. Fails where Chromium or
/// chromium-driver is missing, saying how to install them (`.ci/run` does).
///
/// `RECHARGE_UPDATE_SCREENSHOT=1 swift test --filter ConsoleBrowserTests` refreshes the pictures in docs/console.md.
@Suite(.serialized, .tags(.browser), .ownThread)
struct ConsoleBrowserTests {
    static let password = "correct horse battery staple"

    @Test(.timeLimit(.minutes(5)))
    func anOperatorUploadsAnApproverApprovesAndTheBatchRunsToItsReport() throws {
        try withTemporaryDirectory { directory in
            // The simulator's configuration for the processor, with every batch needing one approval.
            let processes = try ConsoleProcesses(in: directory, simulatorArguments: ["--auto-cards"]) { configuration in
                configuration["approval"] = ["required": true]
            }
            defer { processes.simulator.terminate() }
            for (name, role) in [("olga", "operator"), ("arne", "approver")] {
                try processes.addUser(name, role: role, password: Self.password)
            }
            let (server, console) = try processes.serve(in: directory)
            defer {
                server.terminate()
                server.wait(atMost: 20)
            }

            let browser = try WebDriver(in: directory)
            let pictures = Screenshots(browser: browser)

            // The operator signs in.
            try browser.open(console + "/")
            try browser.waitUntil("the sign-in page", within: 20) { browser.currentURL.hasSuffix("/login") }
            try pictures.take("console-login")
            try self.signIn(browser, as: "olga")

            // A bad file: its errors as a table with line, column, value and what to fix; nothing stored.
            try browser.type(
                Recharge.packageRoot.appendingPathComponent("samples/invalid/bad-amounts.csv").path, into: "#upload-form input[name=file]")
            try browser.click("#upload-form button[type=submit]")
            _ = try browser.element("#upload-error-table", within: 30)
            let errorRows = try browser.run("return document.querySelectorAll('#upload-error-table tbody tr').length") as? Int
            #expect(errorRows == 6)
            let firstError = try browser.text(of: "#upload-error-table tbody tr")
            #expect(firstError.contains("3") && firstError.contains("amount") && firstError.contains("200,00"), "\(firstError)")
            _ = try browser.element("#upload-errors-download")
            try pictures.take("console-upload-errors")

            // The sample: stored, awaiting approval; the operator cannot approve.
            try browser.type(
                Recharge.packageRoot.appendingPathComponent("samples/monthly-2026-11.csv").path, into: "#upload-form input[name=file]")
            try browser.type("november", into: "#upload-form input[name=name]")
            try browser.click("#upload-form button[type=submit]")
            try browser.waitUntil("the new batch's page", within: 30) { browser.currentURL.contains("/batches/") }
            let batchURL = browser.currentURL
            #expect(try browser.text(of: "#batch-state") == "AWAITING_APPROVAL")
            #expect(try browser.run("return document.getElementById('approve-form') === null") as? Bool == true)
            try pictures.take("console-batch-awaiting-approval")
            try browser.click("nav form button[type=submit]")
            try browser.waitUntil("signed out", within: 20) { browser.currentURL.hasSuffix("/login") }

            // The approver approves exactly what was uploaded; the runner inside serve executes it.
            try self.signIn(browser, as: "arne")
            try browser.open(batchURL)
            let shown = try browser.text(of: "#batch-sha256")
            #expect(shown.count == 64)
            try browser.click("#approve-form button[type=submit]")
            try browser.waitUntil("50/50 in the progress view", within: 120) {
                (try? browser.text(of: "#progress-done")) == "50/50"
                    && (try? browser.run("return document.getElementById('progress').dataset.finished === 'true'")) as? Bool == true
            }
            #expect(try browser.text(of: "#batch-state") == "COMPLETED")
            try pictures.take("console-batch-completed")

            // The report, downloaded in the signed-in browser: its totals are the file's, all succeeded.
            let reportText = try #require(
                try browser.runAsync(
                    "const done = arguments[arguments.length - 1]; fetch(arguments[0]).then(r => r.text()).then(done, e => done(String(e)));",
                    [batchURL.replacingOccurrences(of: "/batches/", with: "/api/batches/") + "/report?format=json"]) as? String)
            let report = try #require(try JSONSerialization.jsonObject(with: Data(reportText.utf8)) as? [String: Any], "\(reportText)")
            let totals = try #require(report["totals"] as? [[String: Any]])
            var reported: [String: String] = [:]
            for total in totals {
                let currency = try #require(total["currency"] as? String)
                let requested = try #require(total["requested"] as? [String: Any])
                let succeeded = try #require(total["succeeded"] as? [String: Any])
                #expect(requested["amount"] as? String == succeeded["amount"] as? String, "\(currency): \(total)")
                reported[currency] = requested["amount"] as? String
            }
            #expect(reported == (try Self.fileTotals(Recharge.packageRoot.appendingPathComponent("samples/monthly-2026-11.csv"))))
            #expect(try browser.run("return document.getElementById('report-csv').getAttribute('href')") as? String != nil)
        }
    }

    private func signIn(_ browser: WebDriver, as name: String) throws {
        try browser.type(name, into: "#login-form input[name=name]")
        try browser.type(Self.password, into: "#login-form input[name=password]")
        try browser.click("#login-form button[type=submit]")
        try browser.waitUntil("\(name)'s batches page", within: 20) { browser.currentURL.hasSuffix("/batches") }
    }

    /// The file's totals per currency, read here with a CSV reader of its own (quoted fields included), not the product's.
    static func fileTotals(_ url: URL) throws -> [String: String] {
        let text = try String(contentsOf: url, encoding: .utf8)
        var rows: [[String]] = []
        var field = ""
        var row: [String] = []
        var quoted = false
        var previous: Character = " "
        for character in text {
            if quoted {
                if character == "\"" { quoted = false } else { field.append(character) }
            } else if character == "\"" {
                if previous == "\"" { field.append("\"") }
                quoted = true
            } else if character == "," {
                row.append(field)
                field = ""
            } else if character == "\n" || character == "\r\n" {
                row.append(field)
                rows.append(row)
                (row, field) = ([], "")
            } else {
                field.append(character)
            }
            previous = character
        }
        let header = try #require(rows.first)
        let amount = try #require(header.firstIndex(of: "amount"))
        let currency = try #require(header.firstIndex(of: "currency"))
        var minor: [String: (units: Int64, exponent: Int)] = [:]
        for line in rows.dropFirst() where line.count == header.count {
            let parts = line[amount].split(separator: ".")
            let exponent = parts.count == 2 ? parts[1].count : 0
            let units = try #require(Int64(parts.joined()))
            minor[line[currency], default: (0, exponent)].units += units
        }
        return minor.mapValues { total in
            guard total.exponent > 0 else { return String(total.units) }
            let text = String(total.units)
            let padded = String(repeating: "0", count: max(0, total.exponent + 1 - text.count)) + text
            return padded.dropLast(total.exponent) + "." + padded.suffix(total.exponent)
        }
    }
}

/// The pictures in docs/console.md, taken when `RECHARGE_UPDATE_SCREENSHOT=1`; always checked to be real pictures.
struct Screenshots {
    let browser: WebDriver

    func take(_ name: String) throws {
        let png = try self.browser.screenshot()
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(name): a PNG")
        #expect(png.count > 10_000, "\(name): a blank page compresses to a few kilobytes")
        if ProcessInfo.processInfo.environment["RECHARGE_UPDATE_SCREENSHOT"] == "1" {
            try png.write(to: Recharge.packageRoot.appendingPathComponent("docs/images/\(name).png"))
        }
    }
}
