import RechargeCore

/// The contract tests ask an adapter's read-only half the way the engine does.
extension ProviderClient {
    func status(_ request: RechargeRequest, evidence: ResolutionEvidence?, reference: String? = nil) async -> StatusOutcome {
        await self.lookup.status(request, recorded: RecordedSend(evidence: evidence, providerReference: reference))
    }

    func evidenceBeforeRecharge(_ request: RechargeRequest) async -> ResolutionEvidence? {
        await self.lookup.evidenceBeforeRecharge(request).evidence
    }
}
