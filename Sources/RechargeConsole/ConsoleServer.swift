import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import Metrics
import NIOCore
import NIOSSL
import Prometheus
import RechargeCore
import ServiceLifecycle

/// Where the console listens and how: plain HTTP only on a loopback address, TLS anywhere else.
package struct ConsoleListener: Sendable, Equatable {
    package var host: String
    package var port: Int
    package var certificateFile: String?
    package var privateKeyFile: String?

    package init(host: String, port: Int, certificateFile: String? = nil, privateKeyFile: String? = nil) {
        self.host = host
        self.port = port
        self.certificateFile = certificateFile
        self.privateKeyFile = privateKeyFile
    }

    package var usesTLS: Bool { self.certificateFile != nil }

    /// `HOST:PORT` (IPv6 in brackets) as a listener; `nil` when it is not that.
    package static func parse(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else { return nil }
        return (host, port)
    }

    package static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// Why this listener may not be used, or `nil`.
    package var problem: String? {
        if (self.certificateFile == nil) != (self.privateKeyFile == nil) {
            return "TLS needs both a certificate and its private key"
        }
        if !self.usesTLS && !Self.isLoopback(self.host) {
            return "plain HTTP is only served on a loopback address (127.0.0.1, ::1); "
                + "to listen on \(self.host.terminalSafe), configure console.tlsCertificate and console.tlsPrivateKey"
        }
        return nil
    }

    func serverBuilder() throws -> HTTPServerBuilder {
        guard let certificateFile, let privateKeyFile else { return .http1() }
        let chain = try NIOSSLCertificate.fromPEMFile(certificateFile).map { NIOSSLCertificateSource.certificate($0) }
        let key = try NIOSSLPrivateKey(file: privateKeyFile, format: .pem)
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
        tls.minimumTLSVersion = .tlsv12
        return try .tls(.http1(), tlsConfiguration: tls)
    }
}

/// `recharge serve`: the console's HTTP server, with the runner beside it in one service group.
package enum ConsoleServer {
    /// Serves until SIGINT or SIGTERM; `onRunning` gets the address actually bound (port 0 picks one).
    package static func run(
        settings: ConsoleSettings, listener: ConsoleListener, runner: ConsoleRunner?, logger: Logger,
        onRunning: @escaping @Sendable (_ url: String) -> Void
    ) async throws {
        // One registry for the process: Hummingbird's request metrics (through swift-metrics) and the store's.
        let metrics = ConsoleMetrics(registry: PrometheusCollectorRegistry())
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: metrics.registry))
        let router = ConsoleRouter.make(settings: settings, metrics: metrics)
        let scheme = listener.usesTLS ? "https" : "http"
        let app = Application(
            router: router, server: try listener.serverBuilder(),
            configuration: ApplicationConfiguration(address: .hostname(listener.host, port: listener.port), serverName: "recharge"),
            services: runner.map { [$0] } ?? [],
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? listener.port
                let host = listener.host.contains(":") ? "[\(listener.host)]" : listener.host
                onRunning("\(scheme)://\(host):\(port)/")
            },
            logger: logger)
        try await app.runService()
    }
}
