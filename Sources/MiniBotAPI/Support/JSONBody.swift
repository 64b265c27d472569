import Foundation
import Hummingbird

extension Request {
    /// Decodes the JSON body; a malformed body is a 400, a missing or
    /// mistyped field a 422 that names it.
    mutating func decodeJSON<T: Decodable>(_ type: T.Type, context: APIRequestContext) async throws -> T {
        let buffer = try await collectBody(upTo: context.maxUploadSize)
        do {
            return try APIJSON.decoder.decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            switch error {
            case .keyNotFound(let key, let c):
                throw Problem.invalid(Self.path(c.codingPath + [key]), "is required")
            case .typeMismatch(_, let c), .valueNotFound(_, let c):
                throw Problem.invalid(Self.path(c.codingPath), "has the wrong type")
            case .dataCorrupted(let c) where !c.codingPath.isEmpty:
                throw Problem.invalid(Self.path(c.codingPath), "has an invalid value")
            default:
                throw Problem(.badRequest, "the body is not valid JSON")
            }
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}
