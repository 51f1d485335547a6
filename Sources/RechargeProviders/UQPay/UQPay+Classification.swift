import RechargeCore

/// UQPay's answers and what they mean for a line (docs: error-codes guide, integration FAQ, SDK error.py).
extension UQPayClient {
    static let classification = ClassificationTable(
        .uqpay,
        [
            ClassificationRule("invalid_request_error", .final, "validation failed: the request is wrong as it stands"),
            ClassificationRule("card_error", .final, "a card rule refused it (card_not_found: not found or deactivated)"),
            ClassificationRule("cardholder_error", .final, "a cardholder rule refused it"),
            ClassificationRule(
                "account_error", .final, "an account, product or balance rule refused it (insufficient_balance, sub_account_not_found)"),
            ClassificationRule("idempotency_error", .queryFirst, "the key was used before: replay or order query tells what became of it"),
            // Refused before anything was done: a token knocked out by a newer login (every new token invalidates the older
            // ones, integration FAQ) is not a refusal of the top-up. Credentials the token endpoint refuses are final.
            ClassificationRule(
                "unauthorized_error", .retry,
                "the token was refused even after a fresh login (a newer login elsewhere invalidates it): nothing was done"),
            ClassificationRule(
                "http:401", .retry, "refused before anything was done, even after a fresh login: sent again under the same key"),
            ClassificationRule("http:403", .final, "forbidden (IP not allowed or no permission): a configuration matter"),
            ClassificationRule("http:404", .final, "the path or card does not exist"),
            ClassificationRule("http:409", .queryFirst, "conflict with an earlier request under this key"),
            ClassificationRule(
                "api_error", .inDoubt, "server error: UQPay says it is safe to retry with the same key, so resolve by replay"),
            ClassificationRule("order:PENDING", .inDoubt, "accepted, not finished: poll the order"),
            ClassificationRule("order:PROCESSING", .inDoubt, "accepted, completing through webhooks: poll the order"),
            ClassificationRule("order:FAILED", .final, "the order failed"),
        ])
}
