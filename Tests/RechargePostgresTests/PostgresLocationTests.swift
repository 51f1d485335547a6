import RechargeCore
import RechargePostgres
import Testing

/// Where a shared store is, and what of it may be shown.
@Suite struct PostgresLocationTests {
    @Test func thePasswordIsNeverShownAndComesFromTheEnvironmentOrAFile() throws {
        let inURL = try PostgresLocation(url: "postgres://ops:hunter2@127.0.0.1:5433/ledger", environment: [:])
        #expect(inURL.password == "hunter2")
        #expect(inURL.displayName == "postgres://ops@127.0.0.1:5433/ledger?sslmode=disable")
        #expect(!inURL.displayName.contains("hunter2"))
        let fromEnvironment = try PostgresLocation(url: "postgres://ops@127.0.0.1/ledger", environment: ["RECHARGE_PG_PASSWORD": "s3"])
        #expect(fromEnvironment.password == "s3")
        #expect(fromEnvironment.port == 5432)
    }

    @Test func tlsIsRequiredOffLoopbackAndPlainTextRefusedThere() throws {
        #expect(try PostgresLocation(url: "postgres://ops@db.internal/ledger", environment: [:]).requireTLS)
        #expect(try !PostgresLocation(url: "postgres://ops@localhost/ledger", environment: [:]).requireTLS)
        #expect(throws: StoreError.self) {
            _ = try PostgresLocation(url: "postgres://ops@db.internal/ledger?sslmode=disable", environment: [:])
        }
        #expect(throws: StoreError.self) { _ = try PostgresLocation(url: "postgres:///nohost", environment: [:]) }
        #expect(throws: StoreError.self) { _ = try PostgresLocation(url: "postgres://ops@db/ledger?sslmode=allow", environment: [:]) }
    }
}
