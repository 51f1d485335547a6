import RechargeCore

extension PagsmileClient {
    /// Pagsmile's answer codes, keyed `code/sub_code` where a sub-code is specific and `code` for the rest of
    /// that code (Pagsmile pay-in code list, assumed to hold for issuing). `10000` is success and is not here.
    public static let classification = ClassificationTable(
        .pagsmile,
        [
            ClassificationRule("20000", .inDoubt, "service currently unavailable: it may have been applied; query first"),
            ClassificationRule("40001", .final, "missing required arguments: the request itself is incomplete"),
            ClassificationRule("40002/invalid-signature", .final, "cannot decrypt: wrong platform key or app; fix the configuration"),
            ClassificationRule("40002", .final, "business failed (card not found, card or merchant status abnormal, …)"),
            ClassificationRule("30001/dublicate-order", .queryFirst, "order_no already used (sic): ask the detail query what became of it"),
            ClassificationRule("30001", .final, "input data error (invalid amount, currency, range, limit)"),
            ClassificationRule("30004/insufficient-balance", .final, "partner account balance is insufficient for this attempt"),
            ClassificationRule("4004029", .throttled, "too many requests (the payout API's code): nothing was done"),
        ])

    /// The table row for an answer: `code/sub_code` when the table has it, else `code`.
    static func ruleKey(code: String, subCode: String?) -> String {
        if let subCode, !subCode.isEmpty {
            let specific = "\(code)/\(subCode)"
            if Self.classification.rules.contains(where: { $0.code == specific }) { return specific }
        }
        return code
    }
}
