import RechargeCore

extension ProviderAccount {
    /// The account's base URL without a trailing `/`, or `fallback` when none is configured.
    ///
    /// - Throws: ``ConfigurationError`` naming `accounts.NAME.baseURL`, with `hint` saying where to find it, when
    ///   there is neither.
    func resolvedBaseURL(fallback: String? = nil, hint: String) throws(ConfigurationError) -> String {
        guard let url = self.baseURL.flatMap({ $0.isEmpty ? nil : $0 }) ?? fallback else {
            throw ConfigurationError(path: "configuration", key: "accounts.\(self.name).baseURL", message: "missing; \(hint)")
        }
        return url.hasSuffix("/") ? String(url.dropLast()) : url
    }
}
