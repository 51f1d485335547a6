import RechargeCore

extension HyperCardClient {
    /// HyperCard's answer codes (doc-sdk.hyperpay.io appendix 3.1) and the HTTP statuses that come without one.
    /// `00000` is success and is not in the table.
    public static let classification = ClassificationTable(
        .hypercard,
        [
            ClassificationRule("A0000", .final, "generic client error: the request was refused as malformed, nothing was done"),
            ClassificationRule("A0001", .final, "signature error: the merchant key or api-key is wrong; fix the configuration"),
            ClassificationRule("A0002", .retry, "timestamp error: refused before any effect; send again with a fresh timestamp"),
            ClassificationRule("A0003", .final, "parameter error: the request itself is invalid"),
            ClassificationRule("A0004", .final, "card does not exist"),
            ClassificationRule("A0005", .queryFirst, "duplicated request: this mc_trade_no was already submitted; ask the recharge query"),
            ClassificationRule("A0006", .final, "merchant balance is insufficient for this attempt"),
            ClassificationRule("A0007", .final, "insufficient privileges: the api-key may not do this; fix the configuration"),
            ClassificationRule("B0000", .inDoubt, "internal error: it may have been applied; resolve by the recharge query"),
            ClassificationRule("B0001", .inDoubt, "system environment abnormal: it may have been applied; resolve by the recharge query"),
            ClassificationRule("C0000", .inDoubt, "third-party service error: it may have been applied; resolve by the recharge query"),
            ClassificationRule("http:401", .final, "HTTP 401 without an answer code: not authorised; fix the configuration"),
        ])
}
