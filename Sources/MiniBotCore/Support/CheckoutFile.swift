import Foundation

/// Finds what the set-up puts under `.deps/` (the Pico voice's Python, the
/// test model, the API docs' assets): beside the checkout that holds the
/// running executable (`.build/<config>/minibot` → the repository root), else
/// in the current directory or a folder above it.
public enum CheckoutFile {
    /// The first existing `relativePath` (e.g. `.deps/tts/bin/python`) found
    /// walking up from the executable's folder, then from `currentDirectory`.
    public static func locate(_ relativePath: String, executable: String? = runningExecutable,
                              currentDirectory: String = FileManager.default.currentDirectoryPath,
                              accept: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }) -> String? {
        let starts = [executable.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().deletingLastPathComponent() },
                      URL(fileURLWithPath: currentDirectory)].compactMap { $0 }
        for start in starts {
            var folder = start.standardizedFileURL
            while true {
                let candidate = folder.appendingPathComponent(relativePath).path
                if accept(candidate) { return candidate }
                let parent = folder.deletingLastPathComponent()
                if parent.path == folder.path { break }
                folder = parent
            }
        }
        return nil
    }

    /// The running program (`/proc/self/exe` on Linux).
    public static var runningExecutable: String? {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        return Bundle.main.executablePath
    }
}
