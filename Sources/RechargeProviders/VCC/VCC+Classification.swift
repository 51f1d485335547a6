import RechargeCore

extension VCCClient {
    /// Every answer VCC (or the simulator standing in for it) gives to a charge, with its class and why.
    ///
    /// VCC publishes no error list: the 1001–1007 codes are the simulator's (all HTTP 400, "4xx client errors
    /// come with an error code"). VCC has **no dedupe** on `request_id`, so nothing here is `queryFirst`: any
    /// answer that leaves the charge open is in doubt and resolved by the operation query, never re-sent.
    static let classification = ClassificationTable(
        .vcc,
        [
            ClassificationRule(
                "1001", .final,
                "sign error: a configuration error (wrong apiKey for this companyID); nothing was applied, and every line will fail the same way"
            ),
            ClassificationRule(
                "1002", .final,
                "parameter error (an id, amount or request_id the provider refuses); nothing was applied, re-sending the same line cannot help"
            ),
            ClassificationRule("1003", .final, "card not found: nothing was applied"),
            ClassificationRule("1004", .final, "card not active (frozen or cancelled): nothing was applied"),
            ClassificationRule(
                "1005", .final, "insufficient merchant balance: nothing was applied; the line fails and can be retried by an operator"),
            ClassificationRule(
                "1006", .inDoubt,
                "operation not found: an answer of the operation query, meaningless for a charge, so the charge is treated as in doubt"),
            ClassificationRule(
                "1007", .final, "merchant not found: a configuration error (wrong companyID); nothing was applied"),
            ClassificationRule("http:400", .final, "HTTP 400 without a readable code: the provider refused the request as a client error"),
            ClassificationRule("http:401", .final, "HTTP 401: a configuration error (credentials refused); nothing was applied"),
            ClassificationRule("http:404", .final, "HTTP 404: a configuration error (wrong baseURL or path); no charge endpoint acted"),
            ClassificationRule("malformed", .inDoubt, "an answer that is not VCC's envelope: never taken for a success or a failure"),
            ClassificationRule(
                "incomplete", .inDoubt,
                "code 0 without data.status \"1\" and a reqNo: not a success without evidence; resolve by the operation query"),
        ])
}
