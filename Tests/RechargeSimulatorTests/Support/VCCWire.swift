import Crypto
import Foundation

/// VCC requests built from the documented rule: no auth header, the body `sign` is
/// `touppercase(SHA256(company_id + card_id + charge_amount + api_key))` with spaces removed.
enum VCCWire {
    static let companyID = "4101"
    static let apiKey = "sim-vcc-api-key"

    static let chargePath = "/vcc/api/card/charge"
    static let cardQueryPath = "/vcc/api/card/query"
    static let operationQueryPath = "/vcc/api/card/operation/query"

    /// Upper-case hex SHA-256 of the fields and the API key, concatenated without separators.
    static func sign(_ fields: [String], apiKey: String = Self.apiKey) -> String {
        let text = (fields + [apiKey]).joined().replacingOccurrences(of: " ", with: "")
        return SHA256.hash(data: Data(text.utf8)).map { String(format: "%02X", $0) }.joined()
    }

    /// `POST /api/card/charge` body; `request_id` is not part of the sign.
    static func charge(cardID: String, amount: String, requestID: String? = nil, apiKey: String = Self.apiKey) -> String {
        var members = [
            "company_id": Self.companyID, "card_id": cardID, "charge_amount": amount,
            "sign": Self.sign([Self.companyID, cardID, amount], apiKey: apiKey),
        ]
        if let requestID { members["request_id"] = requestID }
        return jsonText(members)
    }

    /// `POST /api/card/query` body: sign over company_id + card_id + api_key.
    static func cardQuery(cardID: String) -> String {
        jsonText(["company_id": Self.companyID, "card_id": cardID, "sign": Self.sign([Self.companyID, cardID])])
    }

    /// `POST /api/card/operation/query` body (the simulator's inferred shape): sign over company_id + request_id + api_key.
    static func operationQuery(requestID: String) -> String {
        jsonText(["company_id": Self.companyID, "request_id": requestID, "sign": Self.sign([Self.companyID, requestID])])
    }

    /// A fresh request_id.
    static func newRequestID() -> String { "req-" + UUID().uuidString.lowercased() }
}
