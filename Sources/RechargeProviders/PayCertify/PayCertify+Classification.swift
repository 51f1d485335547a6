import RechargeCore

extension PayCertifyClient {
    /// Every answer PayCertify (or the simulator standing in for it) gives to a reload, with its class and why.
    ///
    /// PayCertify answers with HTTP statuses and an error envelope whose `message` keys say `base` (general),
    /// `fatal` (system error) or a field (validation). There is no merchant key and no dedupe, so nothing is
    /// `queryFirst`: a reload that may have been applied is in doubt and resolved by comparing the card with the
    /// snapshot taken before sending.
    static let classification = ClassificationTable(
        .paycertify,
        [
            ClassificationRule("http:400", .final, "bad request: the provider refused the request; nothing was applied"),
            ClassificationRule(
                "http:401", .final,
                "not authenticated: a configuration error (wrong or revoked token); nothing was applied, every line will fail the same way"),
            ClassificationRule("http:402", .final, "insufficient funds in the merchant balance (third-party spec): nothing was applied"),
            ClassificationRule(
                "http:404", .final, "virtual card not found (or a wrong baseURL, a configuration error): nothing was applied"),
            ClassificationRule("http:422", .final, "validation error (amount, or a card that is not active): nothing was applied"),
            ClassificationRule("fatal", .inDoubt, "a `fatal` (system) error: may have been applied; resolve by comparing the card"),
            ClassificationRule(
                "malformed", .inDoubt,
                "an answer that is neither a vcard object nor the error envelope: never taken for a success or a failure"),
        ])
}
