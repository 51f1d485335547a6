import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RechargeConfig
import RechargeConsole
import RechargeCore
import RechargeStore
import Synchronization
import TestSupport
import Testing

/// A console over an in-memory store with four users, a clock tests move, and helpers to sign in and call the API.
final class ConsoleHarness: Sendable {
    static let password = "correct horse battery staple"
    let database: RechargeDatabase
    let clock = Locked(Date(timeIntervalSince1970: 1_796_000_000))
    let uploads: String
    let settings: ConsoleSettings
    let woken = Locked(0)

    init(
        approval: ApprovalPolicy? = ApprovalPolicy(required: true), maxUploadBytes: Int = 1 << 20, secureCookies: Bool = false
    )
        throws
    {
        self.database = try RechargeDatabase.inMemory()
        self.uploads = NSTemporaryDirectory() + "recharge-console-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: self.uploads, withIntermediateDirectories: true)
        var configuration = RechargeConfiguration.builtInDefault
        configuration.approval = approval
        let clock = self.clock
        let woken = self.woken
        self.settings = ConsoleSettings(
            database: self.database, configuration: configuration, secureCookies: secureCookies, maxUploadBytes: maxUploadBytes,
            uploadDirectory: self.uploads, bcryptCost: 4, now: { clock.withLock { $0 } }, onWork: { woken.withLock { $0 += 1 } })
        let hash = Passwords.hash(Self.password, cost: 4)
        for (name, role) in [
            ("olga", ConsoleUser.Role.operatorRole), ("arne", .approver), ("ada", .admin), ("vic", .viewer), ("abe", .approver),
        ] {
            try self.database.addConsoleUser(name: name, role: role, passwordHash: hash, actor: "operator:test")
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: self.uploads) }

    var wokenCount: Int { self.woken.withLock { $0 } }

    func advance(by seconds: TimeInterval) { self.clock.withLock { $0 = $0.addingTimeInterval(seconds) } }

    var leftoverUploads: [String] { (try? FileManager.default.contentsOfDirectory(atPath: self.uploads)) ?? [] }

    /// Runs `body` against the console's router, in process.
    func test(_ setup: TestingSetup = .router, _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = Application(router: ConsoleRouter.make(settings: self.settings))
        try await app.test(setup, body)
    }
}

/// A signed-in person: the cookie header to send and the CSRF token writes need.
struct Session: Sendable {
    var cookie: String
    var csrf: String

    var readHeaders: HTTPFields { [.cookie: self.cookie] }
    var writeHeaders: HTTPFields { [.cookie: self.cookie, .csrfToken: self.csrf] }
}

extension TestClientProtocol {
    func signIn(_ name: String, password: String = ConsoleHarness.password) async throws -> Session {
        let response = try await self.execute(
            uri: "/api/session", method: .post, body: ByteBuffer(string: #"{"name":"\#(name)","password":"\#(password)"}"#))
        try #require(response.status == .ok, "sign-in of \(name): \(response.status) \(String(buffer: response.body))")
        let setCookie = try #require(response.headers[.setCookie])
        let cookie = try #require(setCookie.split(separator: ";").first.map(String.init))
        let json = try response.json()
        return Session(cookie: cookie, csrf: try #require(json["csrfToken"] as? String))
    }

    func upload(
        _ path: String, as session: Session, type: String = "text/csv", name: String? = nil
    ) async throws -> TestResponse {
        var headers = session.writeHeaders
        headers[.contentType] = type
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let query = name.map { "?name=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0) } ?? ""
        return try await self.execute(uri: "/api/batches" + query, method: .post, headers: headers, body: ByteBuffer(bytes: data))
    }

    func post(_ uri: String, as session: Session, json: String? = nil) async throws -> TestResponse {
        var headers = session.writeHeaders
        if json != nil { headers[.contentType] = "application/json" }
        return try await self.execute(uri: uri, method: .post, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }

    func get(_ uri: String, as session: Session) async throws -> TestResponse {
        try await self.execute(uri: uri, method: .get, headers: session.readHeaders)
    }
}

extension TestResponse {
    func json() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(self.body.readableBytesView)) as? [String: Any])
    }

    func jsonArray() throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(self.body.readableBytesView)) as? [[String: Any]])
    }

    var text: String { String(buffer: self.body) }

    /// The `error` code of an error body.
    var errorCode: String? { (try? self.json())?["error"] as? String }
}

enum Sample {
    static let csv = SamplePaths.path("monthly-2026-11.csv")
    static let json = SamplePaths.path("monthly-2026-11.json")
    static let ndjson = SamplePaths.path("monthly-2026-11.ndjson")
    static let badAmounts = SamplePaths.path("invalid/bad-amounts.csv")
}

extension HTTPField.Name {
    static let csrfToken = HTTPField.Name("X-CSRF-Token")!
    static let frameOptions = HTTPField.Name("X-Frame-Options")!
}

/// A value shared with the console's closures (its clock, its wake-up count).
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { self.mutex = Mutex(value) }
    func withLock<R: Sendable>(_ body: (inout sending Value) -> R) -> R { self.mutex.withLock { body(&$0) } }
}
