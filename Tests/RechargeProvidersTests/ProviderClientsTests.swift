import AsyncHTTPClient
import Foundation
import RechargeCore
import RechargeSimulator
import Testing

@testable import RechargeProviders

@Suite struct ProviderClientsTests {
    /// Every kind gets its own adapter, and a top-up through the factory's adapter applies at the simulator.
    @Test(.timeLimit(.minutes(1)), arguments: ProviderKind.allCases)
    func eachKindGetsItsAdapter(_ kind: ProviderKind) async throws {
        try await SimulatorFixture.with { fixture in
            let client = try ProviderClients.make(
                account: fixture.account(kind), credentials: SimulatorFixture.credentials(kind), client: fixture.client)
            let request = fixture.request(kind, amount: "12.34")
            _ = await client.evidenceBeforeRecharge(request)
            let outcome = await client.recharge(request)
            guard case .applied = outcome else {
                Issue.record("\(kind): \(outcome)")
                return
            }
            #expect(fixture.ledger.count == 1)
            #expect(fixture.ledger.first?.amount == "12.34")
        }
    }

    @Test(arguments: ProviderKind.allCases)
    func aMissingCredentialIsNamed(_ kind: ProviderKind) {
        let account = ProviderAccount(name: "acct", kind: kind, baseURL: "http://127.0.0.1:1/x")
        do {
            _ = try ProviderClients.make(account: account, credentials: [:], client: .shared)
            Issue.record("\(kind) accepted no credentials")
        } catch {
            #expect(error.key?.hasPrefix("accounts.acct") == true, "\(error)")
        }
    }

    /// docs/providers.md describes every provider's classification: each table's codes appear there.
    @Test func theDocumentationNamesEveryClassifiedCode() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let documentation = try String(contentsOf: root.appendingPathComponent("docs/providers.md"), encoding: .utf8)
        for table in ProviderClients.classifications {
            for rule in table.rules {
                let plain = rule.code.replacingOccurrences(of: "http:", with: "")
                #expect(documentation.contains(rule.code) || documentation.contains(plain), "\(table.provider): \(rule.code)")
            }
        }
    }
}
