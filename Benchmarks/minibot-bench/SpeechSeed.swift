import Foundation

/// The seed's recogniser run side by side: faster-whisper (PyPI) on the same
/// CTranslate2 base weights and the same clips, in a Python child process.
/// Never a dependency of the product; the benchmark's set-up installs it with
/// `python3 -m pip install --target .deps/seed-recognizer faster-whisper==1.2.1`.
enum SpeechSeed {
    struct Result {
        let file: String
        let text: String
        let seconds: Double
    }

    struct Failed: Error, CustomStringConvertible {
        let reason: String
        var description: String { "seed recogniser (faster-whisper): \(reason)" }
    }

    /// Transcribes `files` with faster-whisper from `sitePackages`.
    static func run(files: [String], ct2Model: String, threads: Int, prompt: String?, sitePackages: String) throws -> [Result] {
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("minibot-seed-\(UUID().uuidString).py")
        try source.write(to: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: script) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, ct2Model, String(threads), prompt ?? ""] + files
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONPATH"] = sitePackages
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile().suffix(600), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failed(reason: "exit \(process.terminationStatus) (is faster-whisper installed in \(sitePackages)?): \(errorText)")
        }
        struct Line: Decodable { let file: String; let text: String; let seconds: Double }
        return try String(decoding: data, as: UTF8.self).split(separator: "\n").map { line in
            let decoded = try JSONDecoder().decode(Line.self, from: Data(line.utf8))
            return Result(file: decoded.file, text: decoded.text, seconds: decoded.seconds)
        }
    }

    static let source = #"""
#!/usr/bin/env python3
"""The seed's recogniser, for `minibot-bench speech --seed`: faster-whisper on
the same CTranslate2 base weights and the same clips, with the seed-like
options of ../shared/research/voices.md (int8, beam 1, temperature 0, no
timestamps, 64 tokens). Never a dependency of the product: install it with
  python3 -m pip install --target .deps/seed-recognizer faster-whisper==1.2.1
Prints one JSON object a line: {"file", "text", "seconds"}.
Usage: SpeechSeed.py MODEL_DIR THREADS PROMPT CLIP.wav...  (PROMPT "" for none)
"""
import json, sys, time
from faster_whisper import WhisperModel

model_dir, threads, prompt, files = sys.argv[1], int(sys.argv[2]), sys.argv[3] or None, sys.argv[4:]
model = WhisperModel(model_dir, device="cpu", compute_type="int8", cpu_threads=threads)
list(model.transcribe(files[0], language="fr", beam_size=1)[0])          # warm-up
for path in files:
    start = time.perf_counter()
    segments, _ = model.transcribe(path, language="fr", beam_size=1, without_timestamps=True, temperature=0.0,
                                   condition_on_previous_text=False, max_new_tokens=64, initial_prompt=prompt)
    text = "".join(s.text for s in segments).strip()
    print(json.dumps({"file": path, "text": text, "seconds": time.perf_counter() - start}), flush=True)
"""#
}
