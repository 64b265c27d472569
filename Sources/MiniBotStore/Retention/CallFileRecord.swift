import Foundation

/// A call's files as the store knows them (paths relative to the data
/// directory), for the retention sweep and for erasure.
public struct CallFileRecord: Sendable, Equatable {
    public var callID: String
    public var phone: String
    public var startedAt: Date
    /// The full-call WAV (`assembled/…`).
    public var recordingPath: String?
    /// The JSON transcript (`transcripts/….json`); its text twin sits next to it.
    public var transcriptPath: String?
    /// Each answer's clip (`recordings/…`).
    public var clipPaths: [String]
    /// The call made a lead that has not been exported since the call:
    /// its files are kept by the retention sweep unless told otherwise.
    public var unexportedLead: Bool

    public init(callID: String, phone: String, startedAt: Date, recordingPath: String? = nil, transcriptPath: String? = nil,
                clipPaths: [String] = [], unexportedLead: Bool = false) {
        self.callID = callID
        self.phone = phone
        self.startedAt = startedAt
        self.recordingPath = recordingPath
        self.transcriptPath = transcriptPath
        self.clipPaths = clipPaths
        self.unexportedLead = unexportedLead
    }

    /// Every file of the call: the full call, both transcripts (JSON and its
    /// `.txt` twin) and the clips.
    public var paths: [String] {
        var paths: [String] = []
        if let recordingPath { paths.append(recordingPath) }
        if let transcriptPath {
            paths.append(transcriptPath)
            if transcriptPath.hasSuffix(".json") { paths.append(String(transcriptPath.dropLast(5)) + ".txt") }
        }
        return paths + clipPaths
    }
}

/// What ``Store/forgetContact(phone:at:)`` erased.
public struct ContactErasure: Sendable, Equatable, Codable {
    /// Whether there was a contact row.
    public var contact: Bool
    public var calls: Int
    public var interactions: Int
    public var queueRows: Int
    /// Plain (unhashed) opt-out entries for the number, replaced by its hash.
    public var plainOptOuts: Int
    /// The files of the erased calls, for the caller to delete.
    public var files: [String]

    public init(contact: Bool = false, calls: Int = 0, interactions: Int = 0, queueRows: Int = 0, plainOptOuts: Int = 0, files: [String] = []) {
        self.contact = contact
        self.calls = calls
        self.interactions = interactions
        self.queueRows = queueRows
        self.plainOptOuts = plainOptOuts
        self.files = files
    }

    enum CodingKeys: String, CodingKey {
        case contact, calls, interactions, files
        case queueRows = "queue_rows", plainOptOuts = "plain_opt_outs"
    }
}

/// The opt-out list's source for the hash ``Store/forgetContact(phone:at:)`` keeps.
public enum ErasureSource {
    public static let optOut = "erased"
}

extension Array where Element == (String, String?) {
    /// Folds (call id, clip path) rows into clip lists per call.
    func clipsByCall() -> [String: [String]] {
        var clips: [String: [String]] = [:]
        for (callID, path) in self { if let path { clips[callID, default: []].append(path) } }
        return clips
    }
}
