import CWhisper
import Foundation
import Logging

/// Routes whisper.cpp's log lines into swift-log (label `whisper.cpp`):
/// warnings and errors at their level, its chatty information at `trace`.
/// "failed to encode/decode" is what `whisper_full` says when our abort
/// callback stopped it (a cancelled or timed-out transcription): the
/// recogniser throws its own error for that, so the line goes to `debug`.
enum WhisperLog {
    private static let logger = Logger(label: "whisper.cpp")
    private static let installed: Void = {
        whisper_log_set({ level, text, _ in
            guard let text else { return }
            let message = String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !message.isEmpty else { return }
            switch level {
            case GGML_LOG_LEVEL_ERROR where message.hasSuffix("failed to encode") || message.hasSuffix("failed to decode"):
                WhisperLog.logger.debug("\(message)")
            case GGML_LOG_LEVEL_ERROR: WhisperLog.logger.error("\(message)")
            case GGML_LOG_LEVEL_WARN: WhisperLog.logger.warning("\(message)")
            default: WhisperLog.logger.trace("\(message)")
            }
        }, nil)
    }()

    /// Installs the callback (once per process).
    static func install() { _ = installed }
}
