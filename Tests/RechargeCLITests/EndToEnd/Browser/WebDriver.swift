import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// A W3C WebDriver client for Debian's `chromium-driver`, enough to drive the console as a person would: open a
/// page, type, click, choose a file, read text, take a screenshot. Each call is one HTTP request to chromedriver
/// on loopback, bounded in time.
final class WebDriver {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static let chromedriver: String? = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    private let driver: ChildProcess
    private let base: URL
    private let session: String

    /// Starts chromedriver on a free port and a headless Chromium session with an empty profile in `directory`.
    init(in directory: URL) throws {
        guard let chromedriver = Self.chromedriver, let chromium = Chromium.path else {
            throw Failure(
                description:
                    "the browser test needs Debian's chromium and chromium-driver: apt-get install -y chromium chromium-driver (.ci/run does)"
            )
        }
        self.driver = try ChildProcess(executableURL: URL(fileURLWithPath: chromedriver), ["--port=0"], outputs: directory)
        guard let started = self.driver.line(containing: "started successfully on port", atMost: 30),
            let port = started.split(separator: " ").last.map({ $0.trimmingCharacters(in: CharacterSet(charactersIn: ".")) })
        else {
            throw Failure(description: "chromedriver did not start: \(self.driver.stdout) \(self.driver.stderr)")
        }
        self.base = URL(string: "http://127.0.0.1:\(port)")!
        let profile = directory.appendingPathComponent("chromium-profile-\(UUID().uuidString.prefix(8))")
        let capabilities: [String: Any] = [
            "capabilities": [
                "alwaysMatch": [
                    "browserName": "chrome",
                    "goog:chromeOptions": [
                        "binary": chromium,
                        "args": [
                            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1400",
                            "--user-data-dir=\(profile.path)", "--no-first-run",
                        ],
                    ],
                ]
            ]
        ]
        let created = try Self.call(self.base.appendingPathComponent("session"), method: "POST", body: capabilities, timeout: 60)
        guard let value = created as? [String: Any], let id = value["sessionId"] as? String else {
            throw Failure(description: "chromedriver gave no session: \(String(describing: created))")
        }
        self.session = id
    }

    deinit {
        _ = try? Self.call(self.base.appendingPathComponent("session/\(self.session)"), method: "DELETE", body: nil, timeout: 20)
        self.driver.terminate()
        self.driver.wait(atMost: 10)
    }

    // MARK: Commands

    func open(_ url: String) throws { _ = try self.command("url", ["url": url]) }

    var currentURL: String { (try? self.command("url", method: "GET") as? String) ?? "" }

    /// The element `selector` matches, waiting for it up to `seconds`.
    func element(_ selector: String, within seconds: Double = 20) throws -> String {
        var found: String?
        try self.waitUntil("an element \(selector)", within: seconds) {
            let value = try? self.command("element", ["using": "css selector", "value": selector])
            found = (value as? [String: Any])?.values.first as? String
            return found != nil
        }
        return found!
    }

    func type(_ text: String, into selector: String) throws {
        _ = try self.command("element/\(try self.element(selector))/value", ["text": text])
    }

    func click(_ selector: String) throws {
        _ = try self.command("element/\(try self.element(selector))/click", [:])
    }

    func text(of selector: String) throws -> String {
        (try self.command("element/\(try self.element(selector))/text", method: "GET") as? String) ?? ""
    }

    /// Runs `script` in the page (`arguments[0]`, … are `arguments`); returns its value.
    func run(_ script: String, _ arguments: [Any] = []) throws -> Any? {
        try self.command("execute/sync", ["script": script, "args": arguments])
    }

    /// Runs an asynchronous script: its last argument is the callback that ends it with a value.
    func runAsync(_ script: String, _ arguments: [Any] = []) throws -> Any? {
        try self.command("execute/async", ["script": script, "args": arguments], timeout: 60)
    }

    func screenshot() throws -> Data {
        guard let text = try self.command("screenshot", method: "GET") as? String, let data = Data(base64Encoded: text) else {
            throw Failure(description: "no screenshot")
        }
        return data
    }

    /// Waits until `condition` holds, polling every 100 ms, at most `seconds` (a generous bound, not a pace).
    func waitUntil(_ what: String, within seconds: Double, _ condition: () throws -> Bool) throws {
        guard try Polling.until(atMost: seconds, every: 100_000, condition) else {
            throw Failure(description: "waited \(Int(seconds)) s for \(what); the page is at \(self.currentURL)")
        }
    }

    // MARK: Transport

    private func command(_ path: String, _ body: [String: Any]? = nil, method: String = "POST", timeout: Double = 30) throws -> Any? {
        try Self.call(self.base.appendingPathComponent("session/\(self.session)/\(path)"), method: method, body: body, timeout: timeout)
    }

    private static func call(_ url: URL, method: String, body: [String: Any]?, timeout: Double) throws -> Any? {
        var request = try HTTPClient.Request(url: url.absoluteString, method: HTTPMethod(rawValue: method))
        if let body {
            request.body = .data(try JSONSerialization.data(withJSONObject: body))
            request.headers.add(name: "Content-Type", value: "application/json")
        }
        // The future's wait blocks this (test) thread only; the request runs on the client's own event loop.
        let response = try HTTPClient.shared.execute(
            request: request, deadline: NIODeadline.now() + TimeAmount.milliseconds(Int64(timeout * 1_000))
        ).wait()
        let data = response.body.map { Data(Array($0.readableBytesView)) } ?? Data()
        let object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) as? [String: Any]
        let value = object?["value"]
        if let error = value as? [String: Any], let code = error["error"] as? String {
            throw Failure(description: "\(method) \(url.path): \(code): \(error["message"] as? String ?? "")")
        }
        return value is NSNull ? nil : value
    }
}
