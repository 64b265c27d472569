import Foundation
import Hummingbird
import NIOCore
import MiniBotStore

/// The one request context of the API: Hummingbird's core storage plus the
/// API key that authenticated the request (nil on the public routes).
public struct APIRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by ``APIKeyAuth`` once the bearer key is checked.
    public var apiKey: APIKeyRecord?
    /// The peer of the connection (the panel throttles failed logins by client address).
    public let remoteAddress: SocketAddress?

    public init(source: Source) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// CSV uploads of a few hundred thousand contacts fit.
    public var maxUploadSize: Int { 64 << 20 }

    public var requestDecoder: JSONDecoder { APIJSON.decoder }
    public var responseEncoder: JSONEncoder { APIJSON.encoder }

    /// A path parameter, percent-decoded (`%2B33…` is `+33…`).
    func decodedParameter(_ name: String) throws -> String {
        let raw = try parameters.require(name)
        return raw.removingPercentEncoding ?? raw
    }
}

/// JSON as the API speaks it: snake_case keys (from the types' coding keys),
/// ISO 8601 dates, sorted keys.
enum APIJSON {
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
