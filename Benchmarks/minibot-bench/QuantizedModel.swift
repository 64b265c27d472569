import ArgumentParser
import Foundation
import MiniBotSpeech

/// The Whisper model a benchmark measures: the file itself, or its quantised
/// copy in a temporary file (the caller removes it), as `minibot models quantize` writes it.
enum QuantizedModel {
    static func path(for model: String, quantize: String) throws -> String {
        guard quantize != "none" else { return model }
        guard let type = GGMLWhisperQuantizer.QuantizationType(rawValue: quantize) else {
            throw ValidationError("--quantize must be none or one of \(GGMLWhisperQuantizer.QuantizationType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("minibot-bench-\(quantize)-\(UUID().uuidString).bin").path
        _ = try GGMLWhisperQuantizer.quantize(input: model, output: out, type: type)
        return out
    }
}
