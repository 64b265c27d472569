import Foundation

/// Resolves a file name from a URL inside one folder, refusing anything that
/// could reach outside it: separators, `..`, NUL and control bytes, names
/// starting with a dot, percent-encoded forms of these, and symbolic links
/// whose target lies outside the folder.
public struct SafeFile: Sendable {
    /// The folder, as given (it may itself be reached through a link).
    public let folder: String

    public init(folder: String) {
        self.folder = folder
    }

    public enum Refusal: Error, Equatable {
        /// The name is not a plain file name.
        case invalidName
        /// No such file in the folder (or it leads outside it).
        case notFound
    }

    /// Characters a served file name may have: what the dialer writes (CallFiles).
    public static func isPlainName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 255, !name.hasPrefix("."), !name.contains("..") else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0)) }
    }

    /// The real path of `name` inside the folder. `name` is the raw path
    /// component; it is percent-decoded once here.
    public func resolve(_ rawName: String) throws(Refusal) -> String {
        guard let name = rawName.removingPercentEncoding, Self.isPlainName(name) else { throw .invalidName }
        let root = Self.realPath(folder) ?? ""
        guard !root.isEmpty, let real = Self.realPath(root + "/" + name), real.hasPrefix(root + "/") else { throw .notFound }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: real, isDirectory: &isDirectory), !isDirectory.boolValue else { throw .notFound }
        return real
    }

    /// The path with every link resolved, or nil when it does not exist.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
