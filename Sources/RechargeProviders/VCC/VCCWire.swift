import Crypto
import Foundation
import RechargeCore

/// VCC's wire format: request bodies, the `sign` rule and the parsing of answers. Pure functions, so the exact
/// bytes are pinned by known-answer tests.
///
/// Documented (docs.star-saas.com/rechargecard): `POST /card/charge` with
/// `{request_id, company_id, charge_amount, card_id, sign}`, no auth header, `sign` =
/// `touppercase(SHA256(company_id + card_id + charge_amount + api_key))` with spaces removed, and the answer
/// `{"code": 0, "msg": {...}, "data": {"status": "1", "reqNo": 115801, ...}}`. The card query signs
/// `company_id + card_id + api_key`; the operation query (inferred) signs `company_id + request_id + api_key`.
enum VCCWire {
    /// `touppercase(SHA256(fields… + api_key))`, every space removed before hashing.
    static func sign(_ fields: [String], apiKey: String) -> String {
        let text = (fields + [apiKey]).joined().replacingOccurrences(of: " ", with: "")
        let hexDigits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in SHA256.hash(data: Data(text.utf8)) {
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The recharge body, fields in the documented order, ids and the amount as JSON strings (as the
    /// documentation's example sends them). The amount is the exact decimal text: never a floating-point value.
    static func chargeBody(requestID: String, companyID: String, cardID: String, amount: String, apiKey: String) -> [UInt8] {
        let sign = Self.sign([companyID, cardID, amount], apiKey: apiKey)
        return FlatJSON.object([
            ("request_id", requestID), ("company_id", companyID), ("charge_amount", amount), ("card_id", cardID), ("sign", sign),
        ])
    }

    /// `POST /card/query {company_id, card_id, sign}`.
    static func cardQueryBody(companyID: String, cardID: String, apiKey: String) -> [UInt8] {
        FlatJSON.object([("company_id", companyID), ("card_id", cardID), ("sign", Self.sign([companyID, cardID], apiKey: apiKey))])
    }

    /// `POST /card/operation/query {company_id, request_id, sign}` (inferred shape, as the simulator implements it).
    static func operationQueryBody(companyID: String, requestID: String, apiKey: String) -> [UInt8] {
        FlatJSON.object([
            ("company_id", companyID), ("request_id", requestID), ("sign", Self.sign([companyID, requestID], apiKey: apiKey)),
        ])
    }

    // MARK: - Answers

    /// The `{code, msg, data}` envelope. `code` is an integer (a string of digits is accepted too).
    struct Envelope {
        var code: Int
        var message: String
        var data: ExactJSON?
    }

    static func envelope(_ body: [UInt8]) -> Envelope? {
        guard let object = ExactJSON.parse(body), object.object != nil, let code = object["code"]?.integer else { return nil }
        return Envelope(code: code, message: Self.message(object["msg"]), data: object["data"].flatMap { $0.object == nil ? nil : $0 })
    }

    /// `msg` is `{"zh-CN": …, "en-US": …}`; the English text is preferred.
    static func message(_ value: ExactJSON?) -> String {
        if let text = value?.string { return text }
        if let map = value?.object {
            if let english = map["en-US"]?.string { return english }
            if let any = map.keys.sorted().compactMap({ map[$0]?.string }).first { return any }
        }
        return ""
    }

    /// A `reqNo`, an integer in the documentation; kept as its decimal text.
    static func reference(_ value: ExactJSON?) -> String? {
        if let text = value?.string, !text.isEmpty { return text }
        return value?.integer.map(String.init)
    }

    /// One entry of `data.operations[]` of the operation query.
    struct Operation: Equatable {
        var reqNo: String?
        var cardID: String?
        var amount: String?
        var status: String?
    }

    static func operations(_ data: ExactJSON?) -> [Operation]? {
        guard let list = data?["operations"]?.array else { return nil }
        var result: [Operation] = []
        for entry in list {
            guard entry.object != nil else { return nil }
            result.append(
                Operation(
                    reqNo: Self.reference(entry["reqNo"]), cardID: Self.reference(entry["card_id"]),
                    amount: entry["charge_amount"]?.string,
                    status: entry["status"]?.string ?? entry["status"]?.integer.map(String.init)))
        }
        return result
    }

    // MARK: - Evidence

    /// The card snapshot recorded before a charge: the card and its balance as exact decimal text.
    struct Snapshot: Codable, Equatable {
        var cardID: String
        var balance: String
    }

    static func evidence(_ snapshot: Snapshot) -> ResolutionEvidence {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(snapshot)) ?? Data()
        return ResolutionEvidence(text: String(decoding: data, as: UTF8.self))
    }

    static func snapshot(_ evidence: ResolutionEvidence?) -> Snapshot? {
        guard let evidence else { return nil }
        return try? JSONDecoder().decode(Snapshot.self, from: Data(evidence.text.utf8))
    }

    /// The comparison of the balance after with the snapshot before: up by exactly the amount → applied,
    /// unchanged → not applied, anything else → cannot tell.
    static func compareBalances(before: String, after: String, amount: Money) -> StatusOutcome {
        let exponent = amount.currency.exponent
        guard let old = Self.minorUnits(before, exponent: exponent), let new = Self.minorUnits(after, exponent: exponent) else {
            return .cannotTell(reason: "VCC card balance is not a plain decimal (before \(before), after \(after))")
        }
        if new == old { return .notApplied }
        if new - old == amount.minorUnits { return .applied(ProviderReceipt(providerReference: nil)) }
        return .cannotTell(
            reason:
                "VCC card balance went from \(before) to \(after), not by exactly \(amount.decimalString): another operation touched the card"
        )
    }

    /// Exact minor units of a non-negative decimal text (`0`, `12.5`, `100.02`); decimals beyond the currency's
    /// exponent are accepted only when they are zeros. `nil` for anything else.
    static func minorUnits(_ text: String, exponent: Int) -> Int64? {
        Money.exactMinorUnits(text, exponent: exponent, signed: true)
    }
}
