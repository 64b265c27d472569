import Foundation
import MiniBotCore
import MiniBotStore

/// The JSON an endpoint receives:
/// `{"id", "type", "created_at", "data": {"call", "contact", "interactions"}}`,
/// `call` and `contact` as the API returns them, `interactions` each turn's
/// step, prompt, transcription, intent and confidence.
enum WebhookPayload {
    struct Envelope: Encodable {
        var id: String
        var type: String
        var createdAt: Date
        var data: Body

        enum CodingKeys: String, CodingKey {
            case id, type, data
            case createdAt = "created_at"
        }
    }

    struct Body: Encodable {
        var call: Call
        var contact: Contact?
        var interactions: [Turn]
    }

    struct Turn: Encodable {
        var step: String
        var prompt: String
        var transcription: String
        var intent: String?
        var confidence: Double?
    }

    /// Nil when the call no longer exists.
    static func body(for event: CallEvent, store: any Store) async throws -> Data? {
        guard let call = try await store.call(id: event.callID) else { return nil }
        let contact = try await store.contact(phone: call.phone)
        let turns = try await store.interactions(callID: call.callID).map {
            Turn(step: $0.step, prompt: $0.prompt, transcription: $0.transcription, intent: $0.intent, confidence: $0.confidence)
        }
        let envelope = Envelope(id: String(event.id), type: event.kind.rawValue, createdAt: event.createdAt,
                                data: Body(call: call, contact: contact, interactions: turns))
        return try APIJSON.encoder.encode(envelope)
    }
}
