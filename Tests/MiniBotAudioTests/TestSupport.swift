import Foundation
import Testing
@testable import MiniBotAudio

/// Helpers shared by the audio tests: running sox and espeak-ng (installed by
/// the set-up from scripts/apt-packages.txt), temporary files, and
/// deterministic signals.
enum Support {
    struct ToolFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `tool` with `arguments`; throws with its stderr if it fails or is missing.
    static func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ToolFailure(description: "\(tool) \(arguments.joined(separator: " ")) exited \(process.terminationStatus) "
                + "(install it: apt-get install -y \(tool == "espeak-ng" ? "espeak-ng" : "sox")): "
                + String(decoding: stderr, as: UTF8.self))
        }
    }

    /// A fresh temporary directory, removed by the caller with `cleanUp`.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("minibot-audio-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func cleanUp(_ url: URL) { try? FileManager.default.removeItem(at: url) }

    static func readBytes(_ url: URL) throws -> [UInt8] { [UInt8](try Data(contentsOf: url)) }

    static func writeBytes(_ bytes: [UInt8], to url: URL) throws { try Data(bytes).write(to: url) }

    static func int16LE(_ bytes: [UInt8]) -> [Int16] {
        stride(from: 0, to: bytes.count - 1, by: 2).map { Int16(bitPattern: UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8) }
    }

    static func bytesLE(_ samples: [Int16]) -> [UInt8] {
        samples.flatMap { [UInt8(truncatingIfNeeded: $0), UInt8(truncatingIfNeeded: UInt16(bitPattern: $0) >> 8)] }
    }

    /// A sine of `amplitude` (full scale 1) sampled at `rate`.
    static func sine(frequency: Double, amplitude: Double, rate: Int, seconds: Double) -> [Float] {
        (0..<Int(seconds * Double(rate))).map { Float(amplitude * sin(2 * .pi * frequency * Double($0) / Double(rate))) }
    }

    static func int16(_ x: [Float]) -> [Int16] {
        x.map { Int16(clamping: Int(($0 * 32768).rounded())) }
    }

    static func rms(_ x: ArraySlice<Float>) -> Double {
        (x.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(x.count)).squareRoot()
    }

    static func rms(_ x: [Int16]) -> Double {
        (x.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(max(1, x.count))).squareRoot()
    }

    /// Speech from espeak-ng (French), at 8 kHz mono.
    static func espeak(_ text: String, voice: String = "fr", speed: Int = 150) throws -> PCMBuffer {
        let dir = try temporaryDirectory()
        defer { cleanUp(dir) }
        let file = dir.appendingPathComponent("speech.wav")
        try run("espeak-ng", ["-v", voice, "-s", String(speed), "-w", file.path, text])
        let read = try WAVFile.read(path: file.path).buffer.mono()
        return try Resampler.resample(read, to: 8_000)
    }
}

