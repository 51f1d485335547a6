import RechargeProviders
import Testing

@testable import RechargeCore

@Suite struct BatchValidationTests {
    @Test func everyErrorIsFoundInOnePass() throws {
        let outcome = try readBatch(
            csvBatch(
                ValidLine.vcc("R-1"),
                ValidLine.vcc("R-2", amount: "\"12,50\"", currency: "EUR"),
                ValidLine.hypercard("R-3"),
                "vcx,100029775,10.00,USD,R-4,,,,",
                ValidLine.pagsmile("R-5"),
                "uqpay,not-a-uuid,10.00,USD,R-6,,,,",
                ValidLine.paycertify("R-7")))
        #expect(outcome.errors.map(\.line) == [3, 5, 7])
        #expect(outcome.errors.map(\.column) == ["amount", "provider", "card_id"])
        #expect(outcome.errors.map(\.value) == ["12,50", "vcx", "not-a-uuid"])
        #expect(
            outcome.errors.map(\.message) == [
                AmountError.decimalComma.description,
                "no provider account of this name is configured (configured: vcc, hypercard, pagsmile, uqpay, paycertify)",
                "a UQPay card id is a UUID such as f3703ef0-f9cb-429c-93fe-5cb435cc1d96",
            ])
        #expect(outcome.result.lineCount == 7)
        #expect(!outcome.result.isValid)
    }

    @Test func linesAreNotHandedOverAfterTheFirstError() throws {
        let outcome = try readBatch(
            csvBatch(ValidLine.vcc("R-1"), ValidLine.uqpay("R-2"), ValidLine.vcc("R-3", amount: "0"), ValidLine.pagsmile("R-4")))
        #expect(outcome.lines.map(\.reference) == ["R-1", "R-2"])
        #expect(outcome.result.lineCount == 4)
    }

    @Test func anErrorFromOnLineStopsTheRead() {
        struct StoreFull: Error {}
        let reader = BatchReader(configuration: .builtInDefault, profiles: .all)
        let bytes = Array(csvBatch(ValidLine.vcc("R-1")).utf8)
        #expect(throws: StoreFull.self) {
            _ = try reader.read(bytes: bytes, name: "batch.csv", format: .csv) { _ in throw StoreFull() }
        }
    }

    @Test func validLinesCarryTheirValues() throws {
        let outcome = try readBatch(
            csvBatch(
                " vcc , 100029775 , 12.50 , EUR , R-1 , Fuel card ,,,",
                ValidLine.hypercard("R-2"),
                ValidLine.pagsmile("R-3"),
                "uqpay,c1acc990-6424-450a-a36b-f9b3ddcb369d,60.00,SGD,R-4,,,,3f2b8c1e-9a4d-4c2e-8f1a-2b3c4d5e6f70"))
        #expect(outcome.errorMessages == [])
        let expected = try [
            BatchLine(
                lineNumber: 2, account: "vcc", cardID: "100029775", amount: money(1_250, "EUR"),
                reference: "R-1", remark: "Fuel card", position: 1),
            BatchLine(
                lineNumber: 3, account: "hypercard", cardID: "00003454323400000028904",
                amount: money(20_000, "USD"), reference: "R-2", payCoin: "usdt", position: 2),
            BatchLine(
                lineNumber: 4, account: "pagsmile", cardID: "CT000000880025",
                amount: money(32_090, "BRL"), reference: "R-3",
                payAccountNumber: "PA-7700120045", position: 3),
            BatchLine(
                lineNumber: 5, account: "uqpay", cardID: "c1acc990-6424-450a-a36b-f9b3ddcb369d",
                amount: money(6_000, "SGD"), reference: "R-4",
                onBehalfOf: "3f2b8c1e-9a4d-4c2e-8f1a-2b3c4d5e6f70", position: 4),
        ]
        #expect(outcome.lines == expected)
        #expect(outcome.result.sums == ["EUR": 1_250, "USD": 20_000, "BRL": 32_090, "SGD": 6_000])
    }

    @Test func missingValuesAreRequired() throws {
        // A remark alone: a row with no value at all is a spreadsheet's empty row, skipped.
        let outcome = try readBatch(csvBatch(",,,,,a remark,,,"))
        #expect(outcome.errors.compactMap(\.column) == ["provider", "card_id", "amount", "currency", "reference"])
        #expect(outcome.errors.allSatisfy { $0.message == "a value is required" && $0.line == 2 })
    }

    @Test func accountNamesAreTheConfiguredOnes() throws {
        let configuration = RechargeConfiguration(accounts: [
            ProviderAccount(name: "uqpay-main", kind: .uqpay), ProviderAccount(name: "uqpay-travel", kind: .uqpay),
        ])
        let outcome = try readBatch(
            csvBatch(
                "uqpay-travel,c1acc990-6424-450a-a36b-f9b3ddcb369d,10.00,USD,R-1,,,,",
                "uqpay,c1acc990-6424-450a-a36b-f9b3ddcb369d,10.00,USD,R-2,,,,",
                "UQPAY-MAIN,c1acc990-6424-450a-a36b-f9b3ddcb369d,10.00,USD,R-3,,,,"),
            configuration: configuration)
        #expect(outcome.lines.map(\.account) == ["uqpay-travel"])
        #expect(outcome.errors.map(\.value) == ["uqpay", "UQPAY-MAIN"])
        #expect(outcome.errors.allSatisfy { $0.message.hasSuffix("(configured: uqpay-main, uqpay-travel)") })
    }

    /// A bad currency is the line's only error, whatever the amount; a lower-case code gets a hint.
    @Test(arguments: [
        ("usd", "100.00", "not an ISO 4217 currency code; codes are upper case"),
        ("Usd", "5", "not an ISO 4217 currency code; codes are upper case"),
        ("XYZ", "100.00", "not an ISO 4217 currency code"),
        ("US$", "2500", "not an ISO 4217 currency code"),
        ("XAU", "1.5", "not an ISO 4217 currency code"),
    ])
    func currencyMustBeAnISOCode(code: String, amount: String, message: String) throws {
        let outcome = try readBatch(csvBatch(ValidLine.vcc("R-1", amount: amount, currency: code)))
        #expect(outcome.errorMessages.count == 1)
        #expect(outcome.errors.first?.column == "currency")
        #expect(outcome.errors.first?.value == code)
        #expect(outcome.errors.first?.message == message)
    }

    @Test func aMissingCurrencyIsTheLinesOnlyError() throws {
        let outcome = try readBatch(csvBatch(ValidLine.vcc("R-1", amount: "250.00", currency: "")))
        #expect(outcome.errors.map(\.column) == ["currency"])
        #expect(outcome.errors.map(\.message) == ["a value is required"])
    }

    /// Without a usable currency the amount's exponent is unknown, but what is wrong in any currency is still reported.
    @Test(arguments: [
        ("-5", AmountError.negative), ("0.00", .notPositive), ("1e3", .exponent), ("1,000.00", .thousandsSeparator),
        ("NaN", .notFinite), ("abc", .notANumber),
    ])
    func amountIsCheckedEvenWithoutACurrency(amount: String, error: AmountError) throws {
        let outcome = try readBatch(csvBatch(ValidLine.vcc("R-1", amount: "\"\(amount)\"", currency: "XYZ")))
        #expect(outcome.errors.map(\.column) == ["currency", "amount"])
        #expect(outcome.errors.last?.message == error.description)
        #expect(outcome.errors.last?.value == amount)
    }

    @Test func amountAboveTheConfiguredMaximum() throws {
        var configuration = RechargeConfiguration.builtInDefault
        let usd = try #require(Currency(code: "USD"))
        configuration.maximumPerLine["USD"] = try Money.parse("500.00", currency: usd)
        let outcome = try readBatch(
            csvBatch(
                ValidLine.vcc("R-1", amount: "500.00"), ValidLine.vcc("R-2", amount: "500.01"),
                ValidLine.vcc("R-3", amount: "900.00", currency: "EUR")),
            configuration: configuration)
        #expect(outcome.errors.map(\.line) == [3])
        #expect(outcome.errors.first?.column == "amount")
        #expect(outcome.errors.first?.value == "500.01")
        #expect(outcome.errors.first?.message == AmountError.aboveMaximum(maximum: "500.00 USD").description)
    }

    @Test func amountAboveTheDefaultMaximum() throws {
        let outcome = try readBatch(
            csvBatch(
                ValidLine.vcc("R-1", amount: "1000000.00"), ValidLine.vcc("R-2", amount: "1000000.01"),
                ValidLine.vcc("R-3", amount: "1000000", currency: "JPY"), ValidLine.vcc("R-4", amount: "1000001", currency: "JPY")))
        #expect(outcome.errors.map(\.line) == [3, 5])
        #expect(
            outcome.errors.map(\.message) == [
                "the amount is above the per-line maximum of 1000000.00 USD",
                "the amount is above the per-line maximum of 1000000 JPY",
            ])
    }

    /// (provider, card id, whether the shape is right)
    @Test(arguments: [
        ("vcc", "100029775", true),
        ("vcc", "12345678901234567890", true),
        ("vcc", "123456789012345678901", false),
        ("vcc", "1000-29775", false),
        ("vcc", "10002977a", false),
        ("hypercard", "00003454323400000028904", true),
        ("hypercard", "AbC123", true),
        ("hypercard", String(repeating: "a", count: 64), true),
        ("hypercard", String(repeating: "a", count: 65), false),
        ("hypercard", "card-1", false),
        ("pagsmile", "CT000000880025", true),
        ("pagsmile", "CT-0000_88", true),
        ("pagsmile", "CT0000008800250000000", false),
        ("pagsmile", "CT.0001", false),
        ("uqpay", "f3703ef0-f9cb-429c-93fe-5cb435cc1d96", true),
        ("uqpay", "F3703EF0-F9CB-429C-93FE-5CB435CC1D96", true),
        ("uqpay", "f3703ef0f9cb429c93fe5cb435cc1d96", false),
        ("uqpay", "f3703ef0-f9cb-429c-93fe-5cb435cc1d9", false),
        ("uqpay", "g3703ef0-f9cb-429c-93fe-5cb435cc1d96", false),
        ("paycertify", "0b7e6f0e-3f4c-4d8e-9a57-7c1b2d3e4f50", true),
        ("paycertify", "0b7e6f0e_3f4c_4d8e_9a57_7c1b2d3e4f50", false),
        ("paycertify", "100029775", false),
    ])
    func cardIDShapePerProvider(provider: String, cardID: String, valid: Bool) throws {
        let payCoin = provider == "hypercard" ? "usdt" : ""
        let payAccount = provider == "pagsmile" ? "PA-7700120045" : ""
        let outcome = try readBatch(csvBatch("\(provider),\(cardID),10.00,USD,R-1,,\(payCoin),\(payAccount),"))
        if valid {
            #expect(outcome.errorMessages == [])
        } else {
            #expect(outcome.errors.map(\.column) == ["card_id"])
            #expect(outcome.errors.first?.value == cardID)
        }
    }

    @Test func duplicateReferenceNamesTheFirstLine() throws {
        let outcome = try readBatch(
            csvBatch(ValidLine.vcc("R-1"), ValidLine.uqpay("R-2"), ValidLine.pagsmile("R-1"), ValidLine.hypercard("R-1")))
        #expect(outcome.errors.map(\.line) == [4, 5])
        #expect(outcome.errors.allSatisfy { $0.column == "reference" && $0.value == "R-1" })
        #expect(
            outcome.errors.first?.message == "the reference is already used by line 2; references must be unique in a batch")
        #expect(outcome.errors.last?.message.contains("line 2;") == true)
    }

    @Test func referencesAreCaseSensitive() throws {
        let outcome = try readBatch(csvBatch(ValidLine.vcc("ref-1"), ValidLine.uqpay("REF-1")))
        #expect(outcome.errorMessages == [])
    }

    @Test func repeatedTopUpIsOnlyAWarning() throws {
        let outcome = try readBatch(
            csvBatch(
                ValidLine.vcc("R-1", amount: "100.00"), ValidLine.vcc("R-2", amount: "50.00"),
                ValidLine.vcc("R-3", amount: "100"), ValidLine.vcc("R-4", amount: "100.00", currency: "EUR")))
        #expect(outcome.result.isValid)
        #expect(outcome.lines.count == 4)
        #expect(outcome.warnings.map(\.line) == [4])
        #expect(outcome.warnings.first?.severity == .warning)
        #expect(
            outcome.warnings.first?.message == "same provider, card, amount and currency as line 2; check it is not a duplicate")
    }

    @Test func providerSpecificFields() throws {
        let outcome = try readBatch(
            csvBatch(
                "vcc,100029775,10.00,USD,R-1,,usdt,,",
                "hypercard,00003454323400000028904,10.00,USD,R-2,,,,",
                "hypercard,00003454323400000028904,11.00,USD,R-3,,us-dt,,",
                "pagsmile,CT000000880025,10.00,BRL,R-4,,,,",
                "uqpay,c1acc990-6424-450a-a36b-f9b3ddcb369d,10.00,USD,R-5,,,PA-1,",
                "paycertify,c1b87f1a-7323-491b-99f9-cbef0f69a4d0,10.00,EUR,R-6,,,,",
                "uqpay,c1acc990-6424-450a-a36b-f9b3ddcb369d,12.00,EUR,R-7,,,,",
                "vcc,100029775,12.00,USD,R-8,,,,3f2b8c1e-9a4d-4c2e-8f1a-2b3c4d5e6f70",
                "uqpay,c1acc990-6424-450a-a36b-f9b3ddcb369d,13.00,SGD,R-9,,,,sub-account-7"))
        #expect(outcome.errors.map(\.line) == Array(2...10))
        #expect(
            outcome.errors.map(\.column) == [
                "pay_coin", "pay_coin", "pay_coin", "pay_account_num", "pay_account_num", "currency", "currency",
                "on_behalf_of", "on_behalf_of",
            ])
        #expect(outcome.errors[0].message == "only HyperCard accounts use a pay coin; leave it empty for vcc")
        #expect(outcome.errors[1].message.hasPrefix("HyperCard needs a pay coin"))
        #expect(outcome.errors[3].message.hasPrefix("Pagsmile needs the partner account"))
        #expect(outcome.errors[5].message == "paycertify cards are in USD only")
        #expect(outcome.errors[6].message == "uqpay cards are in SGD or USD only")
    }

    @Test func accountDefaultsFillProviderFields() throws {
        let configuration = RechargeConfiguration(accounts: [
            ProviderAccount(name: "hc", kind: .hypercard, defaultPayCoin: "usdc"),
            ProviderAccount(name: "pg", kind: .pagsmile, defaultPayAccountNumber: "PA-1"),
        ])
        let outcome = try readBatch(
            csvBatch(
                "hc,00003454323400000028904,10.00,USD,R-1,,,,", "hc,00003454323400000028904,11.00,USD,R-2,,usdt,,",
                "pg,CT000000880025,10.00,BRL,R-3,,,,", "pg,CT000000880025,11.00,BRL,R-4,,,PA-2,"),
            configuration: configuration)
        #expect(outcome.errorMessages == [])
        #expect(outcome.lines.map(\.payCoin) == ["usdc", "usdt", nil, nil])
        #expect(outcome.lines.map(\.payAccountNumber) == [nil, nil, "PA-1", "PA-2"])
    }

    @Test func freeTextLimits() throws {
        let outcome = try readBatch(
            csvBatch(
                ValidLine.vcc(String(repeating: "r", count: 128)),
                ValidLine.vcc(String(repeating: "r", count: 129)),
                "vcc,100029775,10.00,USD,\"R-\n3\",,,,",
                "vcc,100029775,10.00,USD,R-4,\"tab\there\",,,",
                "vcc,100029775,10.00,USD,R-5,\(String(repeating: "é", count: 256)),,,"))
        #expect(outcome.errors.map(\.line) == [3, 4, 6, 7])
        #expect(outcome.errors.map(\.column) == ["reference", "reference", "remark", "remark"])
        #expect(outcome.errors[0].message == "at most 128 characters, this has 129")
        #expect(
            outcome.errors[1].message
                == "control characters (line breaks, tabs, escape sequences) and text-direction overrides are not allowed here")
        #expect(outcome.errors[3].message == "at most 255 characters, this has 256")
    }

    @Test func diagnosticLimitKeepsTheFirstAndCountsTheRest() throws {
        let bad = (1...5).map { ValidLine.vcc("R-\($0)", amount: "-1") }
        let repeats = (6...9).map { ValidLine.uqpay("R-\($0)") }
        let lines = bad + repeats
        let outcome = try readBatch(
            ([fullHeader] + lines).joined(separator: "\n"), diagnosticLimit: 2)
        let diagnostics = outcome.result.diagnostics
        #expect(diagnostics.errors.map(\.line) == [2, 3])
        #expect(diagnostics.errorCount == 5)
        #expect(diagnostics.warnings.map(\.line) == [8, 9])
        #expect(diagnostics.warningCount == 3)
        let report = diagnostics.render().split(separator: "\n").map(String.init)
        #expect(report.count == 6)
        #expect(report[2] == "… and 3 more errors")
        #expect(report[5] == "… and 1 more warning")
    }

    @Test func quotedValuesInDiagnosticsAreEscapedAndShortened() {
        #expect(InputDiagnostic.quote("a\"b\\c\n\t\u{1}") == "\"a\\\"b\\\\c\\n\\t\\u{1}\"")
        #expect(InputDiagnostic.quote(String(repeating: "x", count: 61)) == "\"" + String(repeating: "x", count: 60) + "…\"")
    }
}
