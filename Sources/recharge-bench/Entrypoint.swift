import ArgumentParser
import RechargeBench

@main
struct Entrypoint {
    static func main() async {
        await BenchCommand.main()
    }
}
