import ArgumentParser
import RechargeCLI

@main
struct Entrypoint {
    static func main() async {
        await RechargeCommand.main()
    }
}
