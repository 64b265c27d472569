import MiniBotCore

// The call listings' JSON, written by hand (see ``JSONWriter``): the same
// members, names and order as the types' `Encodable` conformances, which
// `JSONWriterTests` compares byte for byte.

extension Call: JSONWritable {
    func write(to json: inout JSONWriter) {
        write(to: &json, interactions: nil)
    }

    /// The call's members, and its turns among them when given (`GET /calls/{call_id}`).
    func write(to json: inout JSONWriter, interactions: [CallInteraction]?) {
        json.beginObject()
        json.member("amd_result", amdResult?.rawValue)
        json.member("answered_at", answeredAt)
        json.member("call_id", callID)
        json.member("campaign_id", campaignID)
        json.member("duration", duration)
        json.member("end_reason", endReason)
        json.member("ended_at", endedAt)
        json.member("files_purged_at", filesPurgedAt)
        json.member("final_intent", finalIntent)
        json.member("hangup_cause", hangupCause)
        if let interactions { json.member("interactions", interactions) }
        json.member("is_lead", isLead)
        json.member("outcome", outcome?.rawValue)
        json.member("phone", phone)
        json.member("recording_path", recordingPath)
        json.member("started_at", startedAt)
        json.member("status", status.rawValue)
        json.member("transcript_path", transcriptPath)
        json.endObject()
    }
}

extension CallInteraction: JSONWritable {
    func write(to json: inout JSONWriter) {
        json.beginObject()
        json.member("call_id", callID)
        json.member("clip_path", clipPath)
        json.member("confidence", confidence)
        json.member("ended_at", endedAt)
        json.member("error", error)
        json.member("intent", intent)
        json.member("prompt", prompt)
        json.member("response_duration", responseDuration)
        json.member("sequence", sequence)
        json.member("started_at", startedAt)
        json.member("step", step)
        json.member("transcription", transcription)
        json.member("transcription_seconds", transcriptionSeconds)
        json.endObject()
    }
}

extension PageResponse: JSONWritable where Item: JSONWritable {
    func write(to json: inout JSONWriter) {
        json.beginObject()
        json.member("items", items)
        json.member("next_cursor", nextCursor)
        json.member("page", page)
        json.member("page_size", pageSize)
        json.member("total", total)
        json.endObject()
    }
}
