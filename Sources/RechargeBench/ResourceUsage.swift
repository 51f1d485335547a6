import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Process resource figures for benchmark output.
enum ResourceUsage {
    /// The peak resident set size of this process so far, in bytes.
    static func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        // Linux reports ru_maxrss in kilobytes.
        return Int(usage.ru_maxrss) * 1024
    }

    /// The peak resident set size of this program image, in bytes, from `VmHWM` in /proc/self/status (0 where
    /// unavailable). Unlike `ru_maxrss`, which on Linux carries the parent's high-water mark into a child started by
    /// `posix_spawn`/`exec`, this counts only memory touched since this program started.
    static func highWaterResidentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return 0 }
        return kilobytes * 1024
    }

    /// CPU time (user + system) this process has used so far, in seconds.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1_000_000 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// The current resident set size, in bytes, from /proc/self/statm (0 where unavailable).
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    static func megabytes(_ bytes: Int) -> String {
        String(format: "%.1f MB", Double(bytes) / 1_000_000)
    }
}

/// Measures the wall-clock duration of a piece of work.
func measure<T>(_ work: () throws -> T) rethrows -> (T, Duration) {
    let clock = ContinuousClock()
    let start = clock.now
    let result = try work()
    return (result, clock.now - start)
}

extension Duration {
    var seconds: Double {
        let parts = self.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
