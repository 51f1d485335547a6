import AsyncHTTPClient
import RechargeCore
import Testing

@testable import RechargeProviders

/// The one list of profiles: every kind has one, and what each says is what its adapter does.
@Suite struct ProviderProfilesTests {
    @Test func everyKindHasOneProfileInTheOrderOfTheKinds() {
        #expect(ProviderProfiles.all.list.map(\.kind) == ProviderKind.allCases)
        for kind in ProviderKind.allCases {
            #expect(ProviderProfiles.all[kind]?.kind == kind)
        }
    }

    /// A missing credential is told the same way for every provider: the account, the key, and how to give it.
    @Test(arguments: ProviderKind.allCases)
    func aMissingCredentialHasOneWording(_ kind: ProviderKind) throws {
        let account = ProviderAccount(name: "acct", kind: kind, baseURL: "http://127.0.0.1:1/x")
        let profile = try #require(ProviderProfiles.all[kind])
        let first = try #require(profile.credentialRequirements.first)
        do {
            _ = try ProviderClients.make(account: account, credentials: [:], client: .shared)
            Issue.record("\(kind) accepted no credentials")
        } catch {
            #expect(error.key == "accounts.acct.credentials.\(first.name)")
            #expect(error.message == ConfigurationError.missingCredential)
        }
    }

    /// The engine's rules for an adapter are its profile's.
    @Test(.timeLimit(.minutes(1)), arguments: ProviderKind.allCases)
    func theAdapterFollowsItsProfilesRules(_ kind: ProviderKind) async throws {
        try await SimulatorFixture.with { fixture in
            let account = fixture.account(kind)
            let adapter = try ProviderClients.make(
                account: account, credentials: SimulatorFixture.credentials(kind), client: fixture.client)
            #expect(adapter.executionRules == ProviderProfiles.all[kind]?.executionRules(for: account))
        }
    }
}
