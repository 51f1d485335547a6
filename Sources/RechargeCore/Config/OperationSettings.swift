/// How retries of one kind back off: capped exponential backoff with full jitter and a bounded number of attempts.
public struct RetrySettings: Hashable, Sendable {
    /// Attempts in total, the first included.
    public var maximumAttempts: Int
    /// The ceiling of the first retry's delay; doubles with each further attempt.
    public var baseMilliseconds: Int
    /// No computed delay exceeds this.
    public var capMilliseconds: Int

    public init(maximumAttempts: Int, baseMilliseconds: Int, capMilliseconds: Int) {
        self.maximumAttempts = maximumAttempts
        self.baseMilliseconds = baseMilliseconds
        self.capMilliseconds = capMilliseconds
    }
}

/// Time limits that are not per provider account.
public struct TimeoutSettings: Hashable, Sendable {
    /// After SIGINT/SIGTERM, how long requests in flight may take to come back.
    public var stopGraceSeconds = 20
    /// How long an inbox file's size and time must stay unchanged before it counts as complete.
    public var inboxSettleMilliseconds = 2_000
    /// How long a provider account's circuit breaker may stay open (every probe failing) before the run gives the
    /// account up: its unsent lines stay PENDING, the other accounts finish, and the run exits 12. 0: never.
    public var breakerGiveUpSeconds = 600
    /// How long a runner's lease lives without a heartbeat (renewed every third of it). On a store several runners
    /// share, the lines in flight of a runner that stopped renewing are adopted by another this long after its last
    /// heartbeat; a runner sends nothing once half of it has passed without a renewal.
    public var leaseSeconds = 30

    /// The keys of the `timeouts` section.
    package static let keys = ["stopGraceSeconds", "inboxSettleMilliseconds", "breakerGiveUpSeconds", "leaseSeconds"]

    public init() {}
}

/// Where things are, so a scheduled command line needs only `--config`. Command-line options win.
public struct PathSettings: Hashable, Sendable {
    /// The SQLite database (`--db`).
    public var database: String?
    /// The inbox folder, holding `incoming/` (`recharge inbox DIR`).
    public var inbox: String?
    /// Where `recharge inbox` writes reports (`--reports`; default `INBOX/reports`).
    public var reports: String?
    /// The Prometheus text file written at the end of `run` and `inbox` (`--metrics-file`).
    public var metricsFile: String?

    public init() {}
}

/// A PostgreSQL store shared by several runners (`store` in the configuration file); `--db` wins.
public struct StoreSettings: Sendable, Hashable {
    /// `postgres://USER@HOST:PORT/DATABASE`; never with a password.
    public var url: String?
    /// A file (mode 0600) holding the password.
    public var passwordFile: String?

    public init() {}
}

/// The console's settings (`console` in the configuration file).
public struct ConsoleConfiguration: Sendable, Hashable {
    /// `HOST:PORT`; plain HTTP only on a loopback address.
    public var listen = "127.0.0.1:8080"
    /// PEM files of the certificate chain and its private key; both or neither.
    public var tlsCertificate: String?
    public var tlsPrivateKey: String?
    /// The largest upload accepted, in bytes (512 MiB: a million lines with room to spare).
    public var maxUploadBytes = 512 * 1_024 * 1_024

    public init() {}
}
