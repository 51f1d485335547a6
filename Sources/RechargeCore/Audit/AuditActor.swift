#if canImport(Glibc)
import Glibc
#endif

/// Who an event in the audit trail is recorded as.
///
/// An operator command records the operating-system account the process runs as, looked up from its real user
/// id — never `$USER` or `$LOGNAME`, which whoever starts the process sets to anything. The console records its
/// signed-in user the same way, under its own prefix.
public enum AuditActor {
    /// `operator:NAME` for the real user id's account, `operator:uid-N` when the account has no name.
    public static func operatingSystemUser() -> String {
        "operator:" + Self.accountName(uid: getuid())
    }

    /// The account name of `uid` from the password database (files, LDAP, …), or `uid-N` without one.
    public static func accountName(uid: uid_t) -> String {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4_096)
        let status = getpwuid_r(uid, &entry, &buffer, buffer.count, &result)
        guard status == 0, result != nil, let name = entry.pw_name else { return "uid-\(uid)" }
        let text = String(cString: name)
        return text.isEmpty ? "uid-\(uid)" : text.terminalSafe
    }
}
