import RechargeConsole
import Testing

/// Plain HTTP only on loopback; anywhere else the console needs its certificate and key.
@Suite struct ConsoleListenerTests {
    @Test func aListenAddressIsHostAndPort() {
        #expect(ConsoleListener.parse("127.0.0.1:8080")! == ("127.0.0.1", 8080))
        #expect(ConsoleListener.parse("[::1]:0")! == ("::1", 0))
        #expect(ConsoleListener.parse("8080") == nil)
        #expect(ConsoleListener.parse("127.0.0.1:http") == nil)
        #expect(ConsoleListener.parse("127.0.0.1:70000") == nil)
    }

    @Test func plainHTTPIsRefusedOffLoopbackAndTLSNeedsBothFiles() {
        #expect(ConsoleListener(host: "127.0.0.1", port: 8080).problem == nil)
        #expect(ConsoleListener(host: "::1", port: 8080).problem == nil)
        let open = ConsoleListener(host: "0.0.0.0", port: 8080).problem
        #expect(open?.contains("console.tlsCertificate") == true)
        #expect(ConsoleListener(host: "0.0.0.0", port: 8443, certificateFile: "c.pem", privateKeyFile: "k.pem").problem == nil)
        #expect(ConsoleListener(host: "0.0.0.0", port: 8443, certificateFile: "c.pem").problem?.contains("both") == true)
    }
}
