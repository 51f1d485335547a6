import Foundation
import RechargeCore

#if canImport(Glibc)
import Glibc
#endif

/// Who else may change the files the configuration trusts.
///
/// The configuration names provider hosts and key files; the key files hold the keys requests are signed with and
/// the provider keys answers are verified with. A file another local user can write, or a key file in a folder
/// another user can write (and so replace the file in), would let that user redirect money or forge a provider's
/// answer, so both are refused, as a private key readable by others is.
enum FilePermissions {
    /// A problem with `path` being writable by others, or nil.
    static func othersCanWrite(file path: String) -> String? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        let mode = status.st_mode & 0o777
        guard mode & 0o002 != 0 else { return nil }
        return "\(path.terminalSafe) can be changed by any user (mode \(String(mode, radix: 8))); chmod o-w it (chmod 600 for a key)"
    }

    /// A problem with the folder holding `path` letting group or others replace it, or nil. A sticky folder such
    /// as /tmp lets no one remove or rename another user's file, so it is not a problem.
    static func othersCanReplace(fileIn path: String) -> String? {
        let folder = (path as NSString).deletingLastPathComponent
        var status = stat()
        guard stat(folder.isEmpty ? "." : folder, &status) == 0 else { return nil }
        let mode = status.st_mode & 0o7777
        guard mode & 0o022 != 0, mode & UInt32(S_ISVTX) == 0 else { return nil }
        let shown = (folder.isEmpty ? "." : folder).terminalSafe
        return "the folder \(shown) can be written by group or others (mode \(String(mode & 0o777, radix: 8))), "
            + "so the key file in it could be replaced; chmod 700 \(shown)"
    }
}
