import Testing

/// The answers each provider gives that are not about the request itself, checked against its own wording.
extension ProviderKind {
    /// The provider's server error: the status and the body's code.
    func expectUnavailable(_ response: WireResponse, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let json = try response.json(sourceLocation: sourceLocation)
        switch self {
        case .vcc:
            #expect(response.status == 503 && json["code"] as? Int == 503, sourceLocation: sourceLocation)
        case .hypercard:
            #expect(response.status == 500 && json["code"] as? String == "B0000", sourceLocation: sourceLocation)
        case .pagsmile:
            #expect(response.status == 503 && json["code"] as? String == "20000", sourceLocation: sourceLocation)
        case .uqpay:
            #expect(response.status == 500 && json["type"] as? String == "api_error", sourceLocation: sourceLocation)
        case .paycertify:
            let error = object(json["error"])
            #expect(response.status == 500 && error?["status"] as? Int == 500, sourceLocation: sourceLocation)
            #expect(object(error?["message"])?["fatal"] is [String], sourceLocation: sourceLocation)
        }
    }

    /// The provider's 429 body.
    func expectTooManyRequests(_ response: WireResponse, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(response.status == 429, sourceLocation: sourceLocation)
        let json = try response.json(sourceLocation: sourceLocation)
        switch self {
        case .vcc:
            #expect(json["code"] as? Int == 429, sourceLocation: sourceLocation)
        case .hypercard:
            #expect(json["code"] as? String == "A0000", sourceLocation: sourceLocation)
        case .pagsmile:
            #expect(json["code"] as? String == "4004029", sourceLocation: sourceLocation)
        case .uqpay:
            #expect(json["code"] as? String == "too_many_requests", sourceLocation: sourceLocation)
            #expect(
                (json["message"] as? String)?.hasPrefix("Too many requests have been made to the api") == true,
                sourceLocation: sourceLocation)
        case .paycertify:
            let error = object(json["error"])
            #expect(error?["status"] as? Int == 429, sourceLocation: sourceLocation)
            #expect(object(error?["message"])?["base"] is [String], sourceLocation: sourceLocation)
        }
    }
}
