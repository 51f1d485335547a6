import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import TestSupport
import Testing

/// `recharge serve` with a certificate and key in the configuration serves HTTPS only: a client that trusts the
/// certificate signs in and gets a `Secure` session cookie; plain HTTP and a client that does not trust it get nothing.
@Suite(.serialized, .ownThread)
struct ConsoleTLSTests {
    static let password = "correct horse battery staple"

    @Test(.timeLimit(.minutes(3)))
    func theConsoleServesHTTPSWithTheConfiguredCertificate() async throws {
        try await withTemporaryDirectory { directory in
            let certificate = directory.appendingPathComponent("console.crt")
            let key = directory.appendingPathComponent("console.key")
            try Self.makeCertificate(certificate: certificate, key: key, in: directory)

            let processes = try ConsoleProcesses(in: directory) { configuration in
                configuration["console"] = ["tlsCertificate": certificate.path, "tlsPrivateKey": key.path]
            }
            defer { processes.simulator.terminate() }
            try processes.addUser("olga", role: "operator", password: Self.password)
            let (server, console) = try processes.serve(in: directory)
            defer {
                server.terminate()
                server.wait(atMost: 20)
            }
            #expect(console.hasPrefix("https://127.0.0.1:"), "\(console)")

            var trusting = TLSConfiguration.makeClientConfiguration()
            trusting.trustRoots = .file(certificate.path)
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: trusting))
            let untrusting = HTTPClient(eventLoopGroupProvider: .singleton)
            do {
                try await Self.check(console, trusting: client, untrusting: untrusting)
            } catch {
                Issue.record(error)
            }
            try await client.shutdown()
            try await untrusting.shutdown()
        }
    }

    /// What a client of `console` sees, through a client that trusts its certificate and one that does not.
    static func check(_ console: String, trusting client: HTTPClient, untrusting: HTTPClient) async throws {
        let health = try await client.execute(HTTPClientRequest(url: console + "/healthz"), timeout: .seconds(30))
        #expect(health.status == .ok)

        var signIn = HTTPClientRequest(url: console + "/api/session")
        signIn.method = .POST
        signIn.headers.add(name: "Content-Type", value: "application/json")
        signIn.body = .bytes(ByteBuffer(string: #"{"name":"olga","password":"\#(Self.password)"}"#))
        let session = try await client.execute(signIn, timeout: .seconds(30))
        #expect(session.status == .ok)
        let cookie = try #require(session.headers["Set-Cookie"].first { $0.hasPrefix("recharge_session=") })
        for attribute in ["Secure", "HttpOnly", "SameSite=Strict"] {
            #expect(cookie.contains(attribute), "\(cookie)")
        }

        // The same port in plain HTTP: no answer of the console's.
        let plain = console.replacingOccurrences(of: "https://", with: "http://") + "/healthz"
        await #expect(throws: (any Error).self) {
            _ = try await untrusting.execute(HTTPClientRequest(url: plain), timeout: .seconds(30))
        }
        // A client that does not trust the certificate refuses the server.
        await #expect(throws: (any Error).self) {
            _ = try await untrusting.execute(HTTPClientRequest(url: console + "/healthz"), timeout: .seconds(30))
        }
    }

    /// A self-signed certificate for 127.0.0.1 and its key (owner-only, as the configuration requires), by openssl.
    static func makeCertificate(certificate: URL, key: URL, in directory: URL) throws {
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        openssl.arguments = [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key.path, "-out", certificate.path,
        ]
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        try #require(openssl.terminationStatus == 0, "openssl could not make a certificate (is openssl installed?)")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key.path)
    }
}
