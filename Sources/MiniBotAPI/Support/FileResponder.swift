import Foundation
import Hummingbird

/// Serves a file found by ``SafeFile``, honouring a single `Range: bytes=…`
/// so a browser's audio player can seek.
public struct FileResponder: Sendable {
    let fileIO = FileIO()

    public init() {}

    public func respond(path: String, contentType: String, request: Request, context: APIRequestContext) async throws -> Response {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        var headers: HTTPFields = [.contentType: contentType, .acceptRanges: "bytes"]
        if let header = request.headers[.range] {
            guard let range = Self.byteRange(header, size: size) else {
                headers[.contentRange] = "bytes */\(size)"
                var problem = try Problem(.rangeNotSatisfiable, "the file has \(size) bytes").response(from: request, context: context)
                problem.headers[.contentRange] = "bytes */\(size)"
                return problem
            }
            headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(size)"
            headers[.contentLength] = "\(range.count)"
            let body = try await fileIO.loadFile(path: path, range: range, context: context)
            return Response(status: .partialContent, headers: headers, body: body)
        }
        headers[.contentLength] = "\(size)"
        let body = try await fileIO.loadFile(path: path, context: context)
        return Response(status: .ok, headers: headers, body: body)
    }

    /// `bytes=a-b`, `bytes=a-` or `bytes=-n` on a file of `size` bytes; nil when unsatisfiable or malformed.
    static func byteRange(_ header: String, size: Int) -> ClosedRange<Int>? {
        guard header.hasPrefix("bytes="), size > 0 else { return nil }
        let spec = header.dropFirst(6)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return nil }
        let first = spec[..<dash].trimmingCharacters(in: .whitespaces)
        let last = spec[spec.index(after: dash)...].trimmingCharacters(in: .whitespaces)
        if first.isEmpty {
            guard let suffix = Int(last), suffix > 0 else { return nil }
            return max(0, size - suffix)...(size - 1)
        }
        guard let start = Int(first), start >= 0, start < size else { return nil }
        if last.isEmpty { return start...(size - 1) }
        guard let end = Int(last), end >= start else { return nil }
        return start...min(end, size - 1)
    }
}
