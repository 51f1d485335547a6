import Foundation
import RechargeCore

/// PayCertify vCards' wire format: the reload body, the `vcard` object, the error envelope and the card
/// snapshot used to resolve a lost answer. Pure functions, pinned by known-answer tests.
///
/// Documented (docs.paycertify.com/api/vcards): `Authorization: Bearer <token>`; `{"vcard": {"reload_amount":
/// 123.45}}` (a JSON number); the `vcard` object with `available_amount` and `actions[]`; the error envelope
/// `{"error": {"status", "message": {"base"|"fatal"|<field>: [...]}}}`; each `actions[]` element as
/// `{id, virtual_card_id, type: "refill", data: {previous_amount_balance, virtual_card_previous_amount}, created_at}`
/// — no amount (seed: reload-card). Inferred: the `/reload` path, 402 for insufficient funds.
///
/// The `vcard` object carries the card's full PAN in `card_number`: it is dropped while parsing
/// (``PayCertifyJSON/parse(_:redacting:)``) and never copied into an outcome, evidence or log.
enum PayCertifyWire {
    /// `{"vcard":{"reload_amount":<amount>}}` with the amount's exact decimal text written as the JSON number.
    static func reloadBody(amount: Money) -> [UInt8] {
        Array(#"{"vcard":{"reload_amount":\#(amount.decimalString)}}"#.utf8)
    }

    struct Action: Equatable {
        var id: String
        /// `refill` for a reload [DOC]; the card object's own `type` is `reload`.
        var type: String?
        /// `data.previous_amount_balance`: the card balance before this action, exact text [DOC].
        var previousBalance: String?
        /// An amount, should an action carry one (the documentation shows none).
        var amount: String?
        var createdAt: String?

        init(id: String, type: String?, previousBalance: String? = nil, amount: String? = nil, createdAt: String? = nil) {
            self.id = id
            self.type = type
            self.previousBalance = previousBalance
            self.amount = amount
            self.createdAt = createdAt
        }

        /// A reload's action: `refill` as documented (`reload`, the card object's word, is taken too).
        var isReload: Bool { self.type == "refill" || self.type == "reload" }
    }

    /// The parts of the `vcard` object the adapter reads (never the PAN).
    struct Card: Equatable {
        var id: String?
        var availableAmount: String?
        var actions: [Action]
    }

    /// The `vcard` object of a reload or show answer; `nil` when the body is not one.
    static func card(_ body: [UInt8]) -> Card? {
        guard let json = PayCertifyJSON.parse(body), let vcard = json["vcard"], case .object = vcard else { return nil }
        var actions: [Action] = []
        for element in vcard["actions"]?.array ?? [] {
            guard let id = element["id"]?.string ?? element["id"]?.number else { return nil }
            actions.append(
                Action(
                    id: id, type: element["type"]?.string, previousBalance: Self.amountText(element["data"]?["previous_amount_balance"]),
                    amount: Self.amountText(element["amount"]), createdAt: element["created_at"]?.string))
        }
        return Card(id: vcard["id"]?.string, availableAmount: Self.amountText(vcard["available_amount"]), actions: actions)
    }

    /// An amount as exact text: a JSON number's digits, or a string.
    static func amountText(_ value: PayCertifyJSON?) -> String? {
        value?.number ?? value?.string
    }

    /// The error envelope: the message keys (`base`, `fatal`, a field) and the messages, joined.
    struct ErrorAnswer: Equatable {
        var keys: [String]
        var message: String
    }

    static func error(_ body: [UInt8]) -> ErrorAnswer? {
        guard let json = PayCertifyJSON.parse(body), let error = json["error"], case .object(let messages)? = error["message"] else {
            return nil
        }
        let keys = messages.keys.sorted()
        let text = keys.map { key in
            let lines = messages[key]?.array?.compactMap(\.string) ?? [messages[key]?.string].compactMap { $0 }
            return "\(key): \(lines.joined(separator: "; "))"
        }
        return ErrorAnswer(keys: keys, message: text.joined(separator: " | "))
    }

    // MARK: - Evidence

    /// The card before a reload: its available amount as exact text and the actions it already had.
    struct Snapshot: Codable, Equatable {
        var cardID: String
        var availableAmount: String
        var actionCount: Int
        var actionIDs: [String]
    }

    static func snapshot(of card: Card, cardID: String) -> Snapshot? {
        guard let available = card.availableAmount else { return nil }
        return Snapshot(cardID: cardID, availableAmount: available, actionCount: card.actions.count, actionIDs: card.actions.map(\.id))
    }

    static func evidence(_ snapshot: Snapshot) -> ResolutionEvidence {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return ResolutionEvidence(text: String(decoding: (try? encoder.encode(snapshot)) ?? Data(), as: UTF8.self))
    }

    static func snapshot(_ evidence: ResolutionEvidence?) -> Snapshot? {
        guard let evidence else { return nil }
        return try? JSONDecoder().decode(Snapshot.self, from: Data(evidence.text.utf8))
    }

    /// Compares the card now with the snapshot recorded before the reload:
    /// - no new action and the same `available_amount` → not applied;
    /// - exactly one new `refill` action, whose `data.previous_amount_balance` (when given) is the snapshot's
    ///   balance, and `available_amount` up by exactly the amount → applied (that action's id) [DOC reload-card:
    ///   the action shape; INF: `available_amount` rises by the reload];
    /// - anything else → cannot tell.
    /// Sound only while at most one reload per card is in flight.
    static func compare(_ before: Snapshot, now: Card, amount: Money) -> StatusOutcome {
        let exponent = amount.currency.exponent
        guard let availableNow = now.availableAmount, let new = Self.minorUnits(availableNow, exponent: exponent),
            let old = Self.minorUnits(before.availableAmount, exponent: exponent)
        else { return .cannotTell(reason: "PayCertify available_amount is not a plain decimal") }
        let known = Set(before.actionIDs)
        let added = now.actions.filter { !known.contains($0.id) }
        if added.isEmpty && new == old && now.actions.count == before.actionCount { return .notApplied }
        if added.count == 1, let action = added.first, action.isReload, new - old == amount.minorUnits,
            action.previousBalance.map({ Self.minorUnits($0, exponent: exponent) == old }) ?? true,
            action.amount.map({ Self.minorUnits($0, exponent: exponent) == amount.minorUnits }) ?? true
        {
            return .applied(ProviderReceipt(providerReference: action.id))
        }
        return .cannotTell(
            reason:
                "PayCertify card changed ambiguously: \(added.count) new action(s) (\(added.map { $0.type ?? "?" }.joined(separator: ", "))), available_amount \(before.availableAmount) → \(availableNow), reload of \(amount.decimalString)"
        )
    }

    /// The reload's action in a reload answer: the newest `refill` action (by `created_at`, then position).
    static func newestReload(_ card: Card) -> Action? {
        let reloads = card.actions.enumerated().filter { $0.element.isReload }
        return reloads.max { ($0.element.createdAt ?? "", $0.offset) < ($1.element.createdAt ?? "", $1.offset) }?.element
    }

    /// Exact minor units of a decimal text (`0`, `12.5`, `100.02`, `-3`); decimals beyond the currency's exponent
    /// only when they are zeros; no exponents. `nil` for anything else.
    static func minorUnits(_ text: String, exponent: Int) -> Int64? {
        Money.exactMinorUnits(text, exponent: exponent, signed: true)
    }
}
