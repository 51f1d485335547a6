/// The sample batch `recharge demo` runs: `samples/monthly-2026-11.csv`, byte for byte (CRLF line ends, as a
/// spreadsheet writes them), built into the executable so the demo works from any folder.
///
/// A test compares it with the file in `samples/`; after changing the sample, regenerate this list from it.
enum DemoSample {
    /// The file name the sample is written under in the demo's folder, and the batch's name.
    static let fileName = "monthly-2026-11.csv"

    /// The file's lines, without their line ends.
    static let lines: [String] = [
        #"provider,card_id,amount,currency,reference,remark,pay_coin,pay_account_num,on_behalf_of"#,
        #"uqpay,c1acc990-6424-450a-a36b-f9b3ddcb369d,135.80,SGD,TOPUP-2026-11-0041,"Travel top-up, Q4",,,"#,
        #"hypercard,00003454323400000028904,200.00,USD,TOPUP-2026-11-0016,,usdt,,"#,
        #"paycertify,c1b87f1a-7323-491b-99f9-cbef0f69a4d0,200.00,USD,TOPUP-2026-11-0048,Fuel card,,,"#,
        #"vcc,100030108,80.00,EUR,TOPUP-2026-11-0011,"Travel top-up, Q4",,,"#,
        #"uqpay,78b7d0ac-8477-4ce0-8e4c-da11b43c589b,60.00,SGD,TOPUP-2026-11-0039,Per diem,,,3f2b8c1e-9a4d-4c2e-8f1a-2b3c4d5e6f70"#,
        #"pagsmile,CT000000880025,320.90,BRL,TOPUP-2026-11-0025,,,PA-7700120045,"#,
        #"vcc,100029775,100.00,USD,TOPUP-2026-11-0002,"Team offsite ""Lisbon""",,,"#,
        #"hypercard,00003454323400000028907,25.00,USD,TOPUP-2026-11-0019,Per diem,usdt,,"#,
        #"uqpay,3a124c64-7e02-4f05-b7c1-dce27f7695f5,120.00,USD,TOPUP-2026-11-0036,,,,"#,
        #"vcc,100029812,150.25,USD,TOPUP-2026-11-0003,Client entertainment,,,"#,
        #"paycertify,2eb73728-2fea-475e-b536-5e1458294a90,300.00,USD,TOPUP-2026-11-0049,Per diem,,,"#,
        #"hypercard,00003454323400000028903,120.00,USD,TOPUP-2026-11-0015,,usdt,,"#,
        #"hypercard,00003454323400000028906,0.99,USD,TOPUP-2026-11-0018,Fuel card,usdt,,"#,
        #"hypercard,00003454323400000028911,40.00,EUR,TOPUP-2026-11-0023,Client entertainment,usdt,,"#,
        #"vcc,100029997,100.00,USD,TOPUP-2026-11-0008,Fuel card,,,"#,
        #"uqpay,3ceaaf30-8142-48ea-91d9-3080f9b439fc,300.00,USD,TOPUP-2026-11-0032,"Team offsite ""Lisbon""",,,3f2b8c1e-9a4d-4c2e-8f1a-2b3c4d5e6f70"#,
        #"paycertify,8df08078-a22e-4180-85c2-c2af3977a654,0.99,USD,TOPUP-2026-11-0044,Software subscriptions,,,"#,
        #"hypercard,00003454323400000028908,75.50,USD,TOPUP-2026-11-0020,November allowance,usdt,,"#,
        #"vcc,100030071,60.00,EUR,TOPUP-2026-11-0010,November allowance,,,"#,
        #"vcc,100029849,250.00,USD,TOPUP-2026-11-0004,Software subscriptions,,,"#,
        #"paycertify,ac3e0b5b-c291-4709-8c1e-26038dabf68e,0.99,USD,TOPUP-2026-11-0050,November allowance,,,"#,
        #"paycertify,ab57f985-4332-43da-a75a-2e199b58ba8d,120.00,USD,TOPUP-2026-11-0047,Marketing campaign,,,"#,
        #"vcc,100029886,49.99,USD,TOPUP-2026-11-0005,,,,"#,
        #"uqpay,2330fcf1-562a-44b8-8866-8d77e827062c,220.00,SGD,TOPUP-2026-11-0040,November allowance,,,"#,
        #"uqpay,b120a366-f0bb-49cf-82f2-dc05873f9bd0,300.00,USD,TOPUP-2026-11-0038,Fuel card,,,3f2b8c1e-9a4d-4c2e-8f1a-2b3c4d5e6f70"#,
        #"pagsmile,CT000000880031,1200.00,MXN,TOPUP-2026-11-0031,"Travel top-up, Q4",,PA-7700120045,"#,
        #"vcc,100029960,50.00,USD,TOPUP-2026-11-0007,Marketing campaign,,,"#,
        #"vcc,100030182,5000,JPY,TOPUP-2026-11-0013,Client entertainment,,,"#,
        #"vcc,100029738,50.00,USD,TOPUP-2026-11-0001,"Travel top-up, Q4",,,"#,
        #"uqpay,6301bbfc-a0c5-454e-8ff9-bb510944fe0c,25.00,USD,TOPUP-2026-11-0034,Software subscriptions,,,"#,
        #"paycertify,9ad9b9a2-5e78-454d-b065-a1c284cc4549,200.00,USD,TOPUP-2026-11-0042,"Team offsite ""Lisbon""",,,"#,
        #"uqpay,9dfb369b-ab13-4fae-a276-55daa05f1119,0.99,USD,TOPUP-2026-11-0033,Client entertainment,,,"#,
        #"pagsmile,CT000000880024,45.10,BRL,TOPUP-2026-11-0024,Software subscriptions,,PA-7700120045,"#,
        #"pagsmile,CT000000880030,850.50,MXN,TOPUP-2026-11-0030,November allowance,,PA-7700120045,"#,
        #"paycertify,f3194a3b-381e-43e7-952c-466e473a1797,25.00,USD,TOPUP-2026-11-0045,,,,"#,
        #"pagsmile,CT000000880027,150.00,BRL,TOPUP-2026-11-0027,Marketing campaign,,PA-7700120045,"#,
        #"hypercard,00003454323400000028909,120.00,USD,TOPUP-2026-11-0021,"Travel top-up, Q4",usdt,,"#,
        #"hypercard,00003454323400000028910,125.50,EUR,TOPUP-2026-11-0022,"Team offsite ""Lisbon""",usdt,,"#,
        #"paycertify,99356597-6fba-4662-b6a7-30b7b12e9eed,300.00,USD,TOPUP-2026-11-0043,Client entertainment,,,"#,
        #"vcc,100029923,1000.00,USD,TOPUP-2026-11-0006,,,,"#,
        #"pagsmile,CT000000880029,400.00,MXN,TOPUP-2026-11-0029,Per diem,,PA-7700120045,"#,
        #"hypercard,00003454323400000028902,75.50,USD,TOPUP-2026-11-0014,Software subscriptions,usdt,,"#,
        #"paycertify,c498b6e7-3648-445e-9afa-3a387f006745,75.50,USD,TOPUP-2026-11-0046,,,,"#,
        #"pagsmile,CT000000880028,89.90,BRL,TOPUP-2026-11-0028,Fuel card,,PA-7700120045,"#,
        #"vcc,100030034,80.00,EUR,TOPUP-2026-11-0009,Per diem,,,"#,
        #"uqpay,66080f17-4c96-48e2-9cbd-0ba3a1a6bcde,200.00,USD,TOPUP-2026-11-0037,Marketing campaign,,,"#,
        #"uqpay,6fced11d-2bd8-41e6-847a-8387cdde8d51,75.50,USD,TOPUP-2026-11-0035,,,,3f2b8c1e-9a4d-4c2e-8f1a-2b3c4d5e6f70"#,
        #"vcc,100030145,5000,JPY,TOPUP-2026-11-0012,"Team offsite ""Lisbon""",,,"#,
        #"hypercard,00003454323400000028905,300.00,USD,TOPUP-2026-11-0017,Marketing campaign,usdt,,"#,
        #"pagsmile,CT000000880026,500.00,BRL,TOPUP-2026-11-0026,,,PA-7700120045,"#,
    ]

    /// The file's bytes.
    static var bytes: [UInt8] { Array(Self.lines.map { $0 + "\r\n" }.joined().utf8) }
}
