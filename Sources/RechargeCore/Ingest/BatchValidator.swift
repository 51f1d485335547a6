/// Turns raw records into validated ``BatchLine``s, reporting every problem with its line and column.
///
/// It keeps only what a single pass needs: fingerprints of references (uniqueness) and of
/// (account, card, amount, currency) tuples (repeat warnings), and running sums per currency.
struct BatchValidator {
    let file: String
    let configuration: RechargeConfiguration
    let profiles: ProviderProfiles
    private(set) var lineCount = 0
    /// Currency code → sum of the valid lines' minor units.
    private(set) var sums: [String: Int64] = [:]
    private var referenceLines: [Fingerprint: Int32] = [:]
    private var repeatLines: [Fingerprint: Int32] = [:]
    private var accounts: [String: ProviderAccount]
    /// What each provider's profile says, read once: a profile's properties may build their values on every call,
    /// and the validator asks for them on every line.
    private let facts: [ProviderKind: KindFacts]

    private struct KindFacts {
        let profile: any ProviderProfile
        let acceptedCurrencies: Set<String>?
        let extras: [BatchField: ProviderExtra]
    }

    init(file: String, configuration: RechargeConfiguration, profiles: ProviderProfiles) {
        self.file = file
        self.configuration = configuration
        self.profiles = profiles
        var facts: [ProviderKind: KindFacts] = [:]
        for profile in profiles.list where facts[profile.kind] == nil {
            facts[profile.kind] = KindFacts(
                profile: profile, acceptedCurrencies: profile.acceptedCurrencies,
                extras: Dictionary(profile.extras.map { ($0.field, $0) }, uniquingKeysWith: { first, _ in first }))
        }
        self.facts = facts
        self.accounts = Dictionary(configuration.accounts.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Validates one record, adding its problems to `diagnostics`; returns the line when it has none.
    mutating func validate(_ record: RawRecord, into diagnostics: inout DiagnosticCollector) -> BatchLine? {
        self.lineCount += 1
        let errorsBefore = diagnostics.errorCount
        func report(_ field: BatchField?, _ value: String?, _ message: String) {
            diagnostics.add(
                InputDiagnostic(
                    .error, file: self.file, line: record.line, item: record.item, column: field?.name, value: value,
                    message: message))
        }
        func text(_ field: BatchField) -> String? {
            // A field that could not be read has been reported already.
            guard let raw = record[field], !record.unreadable.contains(field.rawValue) else { return nil }
            let trimmed = raw.trimmingASCIISpaces()
            return trimmed.isEmpty ? nil : trimmed
        }
        func required(_ field: BatchField) -> String? {
            if let value = text(field) { return value }
            if !record.unreadable.contains(field.rawValue) { report(field, nil, "a value is required") }
            return nil
        }

        let accountName = required(.provider)
        let cardID = required(.cardID)
        let amountText = required(.amount)
        let currencyCode = required(.currency)
        let reference = required(.reference)
        let remark = text(.remark)
        let extraValues = BatchField.providerExtras.map { text($0) }

        var account: ProviderAccount?
        var kindFacts: KindFacts?
        if let accountName {
            account = self.accounts[accountName]
            if let found = account {
                kindFacts = self.facts[found.kind]
                if kindFacts == nil {
                    report(.provider, accountName, "the processor does not know how to speak \(found.kind.rawValue)")
                    account = nil
                }
            } else {
                let names = self.configuration.accounts.prefix(10).map(\.name).joined(separator: ", ")
                report(.provider, accountName, "no provider account of this name is configured (configured: \(names))")
            }
        }

        var currency: Currency?
        if let currencyCode {
            currency = Currency(code: currencyCode)
            if currency == nil {
                let hint = Currency(code: currencyCode.uppercased()) != nil ? "; codes are upper case" : ""
                report(.currency, currencyCode, "not an ISO 4217 currency code\(hint)")
            } else if let account, let allowed = kindFacts?.acceptedCurrencies, !allowed.contains(currencyCode) {
                report(.currency, currencyCode, "\(account.kind.rawValue) cards are in \(allowed.sorted().joined(separator: " or ")) only")
            }
        }

        var amount: Money?
        if let amountText, let currency {
            do {
                let parsed = try Money.parse(amountText, currency: currency)
                let maximum = self.configuration.maximumMinorUnits(for: currency)
                if parsed.minorUnits > maximum {
                    let shown = Money.render(minorUnits: maximum, exponent: currency.exponent)
                    report(.amount, amountText, AmountError.aboveMaximum(maximum: "\(shown) \(currency.code)").description)
                } else {
                    amount = parsed
                }
            } catch {
                report(.amount, amountText, error.description)
            }
        } else if let amountText, currencyCode == nil || currency == nil {
            // Without a currency the exponent is unknown; still catch what is wrong in any currency.
            // The number of decimals and the size depend on the exponent, so neither is judged here
            // (scaled by 10^18, any amount of 10 or more would overflow and read as "too large").
            do {
                _ = try Money.parseMinorUnits(amountText, exponent: 18)
            } catch {
                switch error {
                case .tooManyDecimals, .tooLarge: break  // Both depend on the exponent: at 18, anything from 9.23 is too large.
                default: report(.amount, amountText, error.description)
                }
            }
        }

        if let cardID, let kindFacts, let problem = Self.cardIDProblem(cardID, profile: kindFacts.profile) {
            report(.cardID, cardID, problem)
        }
        if let reference {
            if let problem = FieldRules.textProblem(reference, maximum: 128) {
                report(.reference, reference, problem)
            } else {
                let key = Fingerprint(reference)
                if let first = self.referenceLines[key] {
                    report(.reference, reference, "the reference is already used by line \(first); references must be unique in a batch")
                } else {
                    self.referenceLines[key] = Int32(clamping: record.line)
                }
            }
        }
        if let remark, let problem = FieldRules.textProblem(remark, maximum: 255) {
            report(.remark, remark, problem)
        }
        if let account, let kindFacts {
            self.checkExtras(extraValues, account: account, extras: kindFacts.extras, report: report)
        }

        guard diagnostics.errorCount == errorsBefore, let account, let kindFacts, let cardID, let amount, let reference else {
            return nil
        }
        let (sum, overflow) = self.sums[amount.currency.code, default: 0].addingReportingOverflow(amount.minorUnits)
        guard !overflow else {
            report(.amount, amountText, "the batch's total in \(amount.currency.code) is too large to count")
            return nil
        }
        self.sums[amount.currency.code] = sum

        let repeatKey = Fingerprint(account.name, cardID, String(amount.minorUnits), amount.currency.code)
        if let first = self.repeatLines[repeatKey] {
            diagnostics.add(
                InputDiagnostic(
                    .warning, file: self.file, line: record.line, item: record.item, column: nil, value: nil,
                    message: "same provider, card, amount and currency as line \(first); check it is not a duplicate"))
        } else {
            self.repeatLines[repeatKey] = Int32(clamping: record.line)
        }
        // An extra the provider uses: the line's value, else the account's default. Other extras are refused above.
        var extras: [BatchField: String] = [:]
        for (field, value) in zip(BatchField.providerExtras, extraValues) {
            guard let extra = kindFacts.extras[field] else { continue }
            extras[field] = value ?? extra.accountDefault(account)
        }
        return BatchLine(
            lineNumber: record.item ?? record.line, account: account.name, cardID: cardID, amount: amount,
            reference: reference, remark: remark, payCoin: extras[.payCoin], payAccountNumber: extras[.payAccountNumber],
            onBehalfOf: extras[.onBehalfOf], position: self.lineCount)
    }

    /// Checks the expected line count and sums against what was read. Call after the last record.
    func checkControlTotals(_ control: ControlTotals, source: String, into diagnostics: inout DiagnosticCollector) {
        func report(_ message: String) {
            diagnostics.add(InputDiagnostic(.error, file: self.file, message: "control totals (\(source)): " + message))
        }
        if let expected = control.lineCount, expected != self.lineCount {
            report("\(expected) lines expected, the file has \(self.lineCount)")
        }
        guard !control.sums.isEmpty else { return }
        for (code, text) in control.sums.sorted(by: { $0.key < $1.key }) {
            guard let currency = Currency(code: code) else {
                report("'\(code)' is not an ISO 4217 currency code")
                continue
            }
            let expected: Int64
            do {
                expected = try Money.parseMinorUnits(text, exponent: currency.exponent)
            } catch {
                report("expected total \(code) \(text): \(error.description)")
                continue
            }
            let actual = self.sums[code, default: 0]
            if expected != actual {
                let difference = Money.render(minorUnits: actual - expected, exponent: currency.exponent)
                report(
                    "\(code) lines add up to \(Money.render(minorUnits: actual, exponent: currency.exponent)), "
                        + "expected \(Money.render(minorUnits: expected, exponent: currency.exponent)) (difference \(difference))")
            }
        }
        for code in self.sums.keys.sorted() where control.sums[code] == nil {
            let currency = Currency(code: code)!
            report(
                "the file has \(code) lines adding up to \(Money.render(minorUnits: self.sums[code]!, exponent: currency.exponent)) "
                    + "but no expected total for \(code)")
        }
    }

    /// Checks the extras a line gives against the ones its provider uses, and asks for a required one it lacks.
    private func checkExtras(
        _ values: [String?], account: ProviderAccount, extras: [BatchField: ProviderExtra], report: (BatchField?, String?, String) -> Void
    ) {
        let kind = account.kind
        for (field, value) in zip(BatchField.providerExtras, values) {
            let extra = extras[field]
            if let value {
                if let extra {
                    if let problem = extra.problem(value) { report(field, value, problem) }
                } else {
                    let usedBy = self.profiles.user(of: field)?.usedOnlyBy ?? "no provider uses \(field.name)"
                    report(field, value, "\(usedBy); leave it empty for \(kind.rawValue)")
                }
            } else if let extra, extra.accountDefault(account) == nil, let missing = extra.missing {
                report(field, nil, missing(account))
            }
        }
    }

    /// Why a card id does not have the shape the provider uses, or `nil` when it does.
    static func cardIDProblem(_ cardID: String, profile: any ProviderProfile) -> String? {
        guard let problem = profile.cardIDProblem(cardID) else { return nil }
        if Self.isScientificNotation(cardID) {
            return "the spreadsheet wrote the card id in scientific notation (its digits are lost): "
                + "format the column as text and export again"
        }
        return problem
    }

    /// `1.00030E+08`, `1E+19`: how a spreadsheet shows a long number in a cell formatted as a number.
    static func isScientificNotation(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let e = bytes.firstIndex(where: { $0 == UInt8(ascii: "E") || $0 == UInt8(ascii: "e") }), e > 0 else { return false }
        let mantissa = bytes[..<e]
        var exponent = bytes[(e + 1)...]
        if exponent.first == UInt8(ascii: "+") { exponent = exponent.dropFirst() }
        let isDigit = { (byte: UInt8) in byte >= 0x30 && byte <= 0x39 }
        let mantissaDigits = mantissa.filter { $0 != UInt8(ascii: ".") && $0 != UInt8(ascii: ",") }
        return !exponent.isEmpty && exponent.allSatisfy(isDigit) && isDigit(mantissa.first!) && mantissaDigits.allSatisfy(isDigit)
            && mantissa.count - mantissaDigits.count <= 1
    }
}

/// A 64-bit fingerprint of a few strings, for uniqueness checks over a million lines in little memory: an entry of a
/// fingerprint table is 12 bytes, so the two tables of a 1,000,000-line file take about 50 MB, not the 84 MB of
/// two-hash fingerprints.
///
/// One 64-bit hash with a per-process random seed: two different values match with a chance of 2^-64, so a
/// 1,000,000-line file has a chance of about 3 in 100 million of one false "already used" error (a refusal, which says
/// which line it matched; nothing is imported on a false match). The database's unique constraints stand behind the
/// reference check the other way.
struct Fingerprint: Hashable {
    let value: Int

    init(_ parts: String...) {
        var hasher = Hasher()
        for part in parts { hasher.combine(part) }
        self.value = hasher.finalize()
    }
}
