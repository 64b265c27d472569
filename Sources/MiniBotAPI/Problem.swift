import Foundation
import Hummingbird

/// An RFC 9457 problem: what every error answer of the API is, as
/// `application/problem+json`. `field` names the request field a 422 is about.
public struct Problem: HTTPResponseError, Encodable {
    public var status: HTTPResponse.Status
    public var title: String
    public var detail: String?
    public var field: String?

    public init(_ status: HTTPResponse.Status, _ detail: String? = nil, field: String? = nil) {
        self.status = status
        self.title = status.reasonPhrase
        self.detail = detail
        self.field = field
    }

    static func notFound(_ detail: String) -> Problem { Problem(.notFound, detail) }

    static func invalid(_ field: String, _ detail: String) -> Problem {
        Problem(.unprocessableContent, "\(field): \(detail)", field: field)
    }

    enum CodingKeys: String, CodingKey { case type, title, status, detail, field }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode("about:blank", forKey: .type)
        try c.encode(title, forKey: .title)
        try c.encode(status.code, forKey: .status)
        try c.encodeIfPresent(detail, forKey: .detail)
        try c.encodeIfPresent(field, forKey: .field)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = (try? APIJSON.encoder.encode(self)) ?? Data()
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
