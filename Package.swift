// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "recharge",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "recharge", targets: ["recharge"]),
        .executable(name: "recharge-bench", targets: ["recharge-bench"]),
        .executable(name: "recharge-sim", targets: ["recharge-sim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift.git", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", exact: "4.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", exact: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", exact: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", exact: "1.16.2"),
        // Already in the graph through AsyncHTTPClient; named for a private CA's trust roots.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", exact: "2.37.6"),
        // The console's password hashes (bcrypt).
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", exact: "2.5.0"),
        // The console's /metrics: Prometheus text format.
        .package(url: "https://github.com/swift-server/swift-prometheus.git", exact: "2.4.1"),
        // Already in the graph through swift-prometheus and Hummingbird; named for MetricsSystem.bootstrap.
        .package(url: "https://github.com/apple/swift-metrics.git", exact: "2.13.0"),
        // Already in the graph through Hummingbird; named for the console's own header names.
        .package(url: "https://github.com/apple/swift-http-types.git", exact: "1.8.0"),
        // The shared store of several runners: PostgreSQL's wire protocol, a connection pool.
        .package(url: "https://github.com/vapor/postgres-nio.git", exact: "1.33.2"),
    ],
    targets: [
        // The domain: money, batch lines, the line state machine, batch file readers and validation.
        .target(
            name: "RechargeCore",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        // The configuration file: decoding (every problem in one pass), environment overrides, credential loading and
        // the permission checks of the files it trusts.
        .target(name: "RechargeConfig", dependencies: ["RechargeCore"]),
        // The PostgreSQL store: the engine's store for several runners on several machines — the same invariants as
        // SQLite's, claims with fencing tokens, runner heartbeats, and one rate budget per account shared by all runners.
        .target(
            name: "RechargePostgres",
            dependencies: [
                "RechargeCore",
                "RechargeStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Process-wide SQLite settings that only C can make (sqlite3_config is variadic).
        .target(name: "CSQLiteSettings", dependencies: [.product(name: "GRDBSQLite", package: "GRDB.swift")]),
        // The SQLite store: schema, migrations, import, guarded transitions, status queries.
        .target(
            name: "RechargeStore",
            dependencies: [
                "RechargeCore",
                "CSQLiteSettings",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        // The reconciliation report: totals, discrepancies and every line, streamed as CSV, JSON, HTML or text.
        .target(
            name: "RechargeReport",
            dependencies: ["RechargeCore", "RechargeStore", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // The operations a process hosts: a run as a service (its HTTP client, lanes, summary and exit-code policy)
        // and the inbox pass; `recharge` and a future console call them.
        .target(
            name: "RechargeRuns",
            dependencies: [
                "RechargeCore",
                "RechargeConfig",
                "RechargeStore",
                "RechargeEngine",
                "RechargeProviders",
                "RechargeReport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // The command-line interface; the `recharge` executable only calls into it. It does not link the simulator:
        // `recharge demo` starts the `recharge-sim` executable.
        .target(
            name: "RechargeCLI",
            dependencies: [
                "RechargeCore",
                "RechargeConfig",
                "RechargeProviders",
                "RechargeStore",
                "RechargeEngine",
                "RechargeReport",
                "RechargeRuns",
                "RechargeConsole",
                "RechargePostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        // The provider adapters: one folder per provider, each turning a line into the provider's exact request
        // and whatever comes back (or does not) into a classified outcome.
        .target(
            name: "RechargeProviders",
            dependencies: [
                "RechargeCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The provider simulator: all five providers on loopback. It shares no code with the adapters, so a
        // contract mistake on one side fails a test instead of being mirrored.
        .target(
            name: "RechargeSimulator",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "recharge-sim",
            dependencies: [
                "RechargeSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "RechargeBench",
            dependencies: [
                "RechargeCore",
                "RechargeConfig",
                "RechargeStore",
                "RechargeReport",
                "RechargeEngine",
                "RechargeProviders",
                "RechargeSimulator",
                "RechargeRuns",
                "RechargePostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "recharge",
            dependencies: ["RechargeCLI", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "recharge-bench",
            dependencies: ["RechargeBench", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // The execution engine: the runner (recovery, claims, sends, outcomes, the lease) and its clock-driven
        // building blocks: rate limiter, backoff, circuit breaker.
        .target(
            name: "RechargeEngine",
            dependencies: ["RechargeCore", .product(name: "Logging", package: "swift-log")]
        ),
        // The web console (`recharge serve`): its HTTP API for finance operations — sessions, upload, approval, progress,
        // reports — over the same store and rules as the command line.
        .target(
            name: "RechargeConsole",
            dependencies: [
                "RechargeCore",
                "RechargeConfig",
                "RechargeStore",
                "RechargeReport",
                "RechargeRuns",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                "RechargeProviders",
                "RechargeEngine",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // What several test targets share: a manual clock, a temporary directory, a seeded generator.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "RechargeCoreTests", dependencies: ["RechargeCore", "RechargeProviders"]),
        .testTarget(name: "RechargeConfigTests", dependencies: ["TestSupport", "RechargeConfig", "RechargeCore", "RechargeProviders"]),
        .testTarget(
            name: "RechargeStoreTests",
            dependencies: [
                "TestSupport", "RechargeCore", "RechargeStore", "RechargeProviders", .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "RechargeProvidersTests",
            dependencies: [
                "RechargeProviders",
                "RechargeCore",
                "RechargeSimulator",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "RechargeSimulatorTests",
            dependencies: [
                "RechargeSimulator",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "RechargeCLITests",
            dependencies: [
                "TestSupport", "RechargeCLI", "RechargeRuns", "RechargeCore", "RechargeConfig", "RechargeEngine", "RechargeProviders",
                "RechargeStore",
                .product(name: "GRDB", package: "GRDB.swift"),
                // The browser test's WebDriver client: chromedriver's headers are beyond FoundationNetworking's parser.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(
            name: "RechargeEngineTests",
            dependencies: [
                "TestSupport", "RechargeEngine", "RechargeCore", "RechargeStore", "RechargeProviders",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "RechargeConsoleTests",
            dependencies: [
                "TestSupport", "RechargeConsole", "RechargeCore", "RechargeStore", "RechargeConfig",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        // The store contract, run against SQLite and a real PostgreSQL server (RECHARGE_TEST_POSTGRES_URL), and what
        // several runners sharing PostgreSQL rely on: skipped locks, fencing tokens, adoption, card turns, one budget.
        .testTarget(
            name: "RechargePostgresTests",
            dependencies: [
                "TestSupport", "RechargePostgres", "RechargeStore", "RechargeCore", "RechargeProviders", "RechargeEngine",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "RechargeReportTests",
            dependencies: ["TestSupport", "RechargeReport", "RechargeStore", "RechargeCore", "RechargeProviders"],
            exclude: ["Golden"]
        ),
    ],
    swiftLanguageModes: [.v6]
)

for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    target.swiftSettings = settings
}

// Fuzz targets (libFuzzer), only when asked for: `RECHARGE_FUZZ=1 scripts/fuzz`. Each is an executable without
// `main` (libFuzzer provides it), so they stay out of the ordinary build.
if Context.environment["RECHARGE_FUZZ"] != nil {
    package.targets.append(
        .target(
            name: "FuzzSupport", dependencies: ["RechargeCore", "RechargeProviders"], path: "Fuzz/FuzzSupport",
            swiftSettings: [.enableExperimentalFeature("Extern")]))
    for name in ["FuzzCSV", "FuzzJSON", "FuzzNDJSON", "FuzzMoney"] {
        package.targets.append(
            .executableTarget(
                name: name, dependencies: ["FuzzSupport", "RechargeCore"], path: "Fuzz/\(name)",
                swiftSettings: [.unsafeFlags(["-parse-as-library"])]
            ))
        package.products.append(.executable(name: name, targets: [name]))
    }
}
