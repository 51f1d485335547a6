/// PayCertify vCards: a static `Authorization: Bearer <token>`; reload is a PUT of
/// `{"vcard": {"reload_amount": <number>}}`.
enum PayCertifyWire {
    static let token = "sim-paycertify-token"

    static func reloadPath(_ cardID: String) -> String { "/paycertify/api/vcards/\(cardID)/reload" }
    static func cardPath(_ cardID: String) -> String { "/paycertify/api/vcards/\(cardID)" }

    static func headers(token: String = Self.token) -> [(String, String)] { [("Authorization", "Bearer " + token)] }

    /// The reload body with the amount written exactly as given.
    static func reloadBody(_ amount: String) -> String { #"{"vcard":{"reload_amount":\#(amount)}}"# }

    /// The documented 401 body.
    static let notAuthenticated = #"{"error":{"status":401,"message":{"base":["Not authenticated"]}}}"#
}
