/// Turns raw records into validated ``BatchLine``s, reporting every problem with its line and column.
///
/// It keeps only what a single pass needs: fingerprints of references (uniqueness) and of
/// (account, card, amount, currency) tuples (repeat warnings), and running sums per currency.
struct BatchValidator {
    let file: String
    let configuration: RechargeConfiguration
    private(set) var lineCount = 0
    /// Currency code → sum of the valid lines' minor units.
    private(set) var sums: [String: Int64] = [:]
    private var referenceLines: [Fingerprint: Int32] = [:]
    private var repeatLines: [Fingerprint: Int32] = [:]
    private var accounts: [String: ProviderAccount]

    init(file: String, configuration: RechargeConfiguration) {
        self.file = file
        self.configuration = configuration
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
        let payCoin = text(.payCoin)
        let payAccountNumber = text(.payAccountNumber)
        let onBehalfOf = text(.onBehalfOf)

        var account: ProviderAccount?
        if let accountName {
            account = self.accounts[accountName]
            if account == nil {
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
            } else if let account, let allowed = Self.currencies(for: account.kind), !allowed.contains(currencyCode) {
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

        if let cardID, let account, let problem = Self.cardIDProblem(cardID, kind: account.kind) {
            report(.cardID, cardID, problem)
        }
        if let reference {
            if let problem = Self.textProblem(reference, maximum: 128) {
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
        if let remark, let problem = Self.textProblem(remark, maximum: 255) {
            report(.remark, remark, problem)
        }
        if let account {
            self.checkExtras(account: account, payCoin: payCoin, payAccountNumber: payAccountNumber, onBehalfOf: onBehalfOf, report: report)
        }

        guard diagnostics.errorCount == errorsBefore, let account, let cardID, let amount, let reference else {
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
        return BatchLine(
            lineNumber: record.item ?? record.line, account: account.name, cardID: cardID, amount: amount,
            reference: reference, remark: remark,
            payCoin: account.kind == .hypercard ? (payCoin ?? account.defaultPayCoin) : nil,
            payAccountNumber: account.kind == .pagsmile ? (payAccountNumber ?? account.defaultPayAccountNumber) : nil,
            onBehalfOf: onBehalfOf, position: self.lineCount)
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

    private func checkExtras(
        account: ProviderAccount, payCoin: String?, payAccountNumber: String?, onBehalfOf: String?,
        report: (BatchField?, String?, String) -> Void
    ) {
        let kind = account.kind
        if let payCoin {
            if kind != .hypercard {
                report(.payCoin, payCoin, "only HyperCard accounts use a pay coin; leave it empty for \(kind.rawValue)")
            } else if payCoin.utf8.count > 20 || !payCoin.unicodeScalars.allSatisfy(Self.isASCIIAlphanumeric) {
                report(.payCoin, payCoin, "a pay coin is 1 to 20 letters or digits, such as usdt")
            }
        } else if kind == .hypercard && account.defaultPayCoin == nil {
            report(.payCoin, nil, "HyperCard needs a pay coin: give pay_coin or set defaultPayCoin on account '\(account.name)'")
        }
        if let payAccountNumber {
            if kind != .pagsmile {
                report(
                    .payAccountNumber, payAccountNumber, "only Pagsmile accounts use pay_account_num; leave it empty for \(kind.rawValue)")
            } else if let problem = Self.textProblem(payAccountNumber, maximum: 48) {
                report(.payAccountNumber, payAccountNumber, problem)
            }
        } else if kind == .pagsmile && account.defaultPayAccountNumber == nil {
            report(
                .payAccountNumber, nil,
                "Pagsmile needs the partner account: give pay_account_num or set defaultPayAccountNumber on account '\(account.name)'")
        }
        if let onBehalfOf {
            if kind != .uqpay {
                report(.onBehalfOf, onBehalfOf, "only UQPay accounts use on_behalf_of; leave it empty for \(kind.rawValue)")
            } else if !Self.isUUID(onBehalfOf) {
                report(.onBehalfOf, onBehalfOf, "a UQPay sub-account id is a UUID such as 3f2b8c1e-9a4d-4c2e-8f1a-2b3c4d5e6f70")
            }
        }
    }

    /// The currencies a provider's cards can hold, where the provider restricts them.
    static func currencies(for kind: ProviderKind) -> Set<String>? {
        switch kind {
        case .paycertify: ["USD"]
        case .uqpay: ["USD", "SGD"]
        case .vcc, .hypercard, .pagsmile: nil
        }
    }

    /// Why a card id does not have the shape the provider uses, or `nil` when it does.
    static func cardIDProblem(_ cardID: String, kind: ProviderKind) -> String? {
        guard let problem = Self.cardIDShapeProblem(cardID, kind: kind) else { return nil }
        if Self.isScientificNotation(cardID) {
            return "the spreadsheet wrote the card id in scientific notation (its digits are lost): "
                + "format the column as text and export again"
        }
        return problem
    }

    private static func cardIDShapeProblem(_ cardID: String, kind: ProviderKind) -> String? {
        switch kind {
        case .vcc:
            cardID.utf8.count <= 20 && cardID.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })
                ? nil : "a VCC card id is 1 to 20 digits"
        case .hypercard:
            cardID.utf8.count <= 64 && cardID.unicodeScalars.allSatisfy(Self.isASCIIAlphanumeric)
                ? nil : "a HyperCard card id is 1 to 64 letters or digits"
        case .pagsmile:
            cardID.utf8.count <= 20 && cardID.unicodeScalars.allSatisfy({ Self.isASCIIAlphanumeric($0) || $0 == "-" || $0 == "_" })
                ? nil : "a Pagsmile card token is 1 to 20 letters, digits, '-' or '_'"
        case .uqpay:
            Self.isUUID(cardID) ? nil : "a UQPay card id is a UUID such as f3703ef0-f9cb-429c-93fe-5cb435cc1d96"
        case .paycertify:
            Self.isUUID(cardID) ? nil : "a PayCertify vCard id is a UUID such as 0b7e6f0e-3f4c-4d8e-9a57-7c1b2d3e4f50"
        }
    }

    /// Why a free-text field is unacceptable (control characters, length), or `nil`.
    static func textProblem(_ text: String, maximum: Int) -> String? {
        if TerminalText.needsEscaping(text) {
            return "control characters (line breaks, tabs, escape sequences) and text-direction overrides are not allowed here"
        }
        let count = text.count
        return count > maximum ? "at most \(maximum) characters, this has \(count)" : nil
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

    static func isUUID(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return false }
        for (index, byte) in bytes.enumerated() {
            if [8, 13, 18, 23].contains(index) {
                guard byte == UInt8(ascii: "-") else { return false }
            } else {
                guard (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte) || (0x41...0x46).contains(byte) else { return false }
            }
        }
        return true
    }

    static func isASCIIAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }
}

/// A 128-bit fingerprint of a few strings, for uniqueness checks over a million lines in little memory.
///
/// Two independently seeded 64-bit hashes: a false match between different values is about as likely
/// as 2^-128, and the database's unique constraints still stand behind the reference check.
struct Fingerprint: Hashable {
    let first: Int
    let second: Int

    init(_ parts: String...) {
        var a = Hasher()
        var b = Hasher()
        a.combine(0x5EED_0001)
        b.combine(0x5EED_0002)
        for part in parts {
            a.combine(part)
            b.combine(part)
        }
        self.first = a.finalize()
        self.second = b.finalize()
    }
}
