import Foundation
import Testing
@testable import MiniBotAudio

@Suite struct CompressedAudioFileTests {
    /// sox encodes a tone as FLAC (lossless) and Ogg Vorbis; both decode at the right rate, length and level.
    @Test(arguments: ["flac", "ogg"], [1, 2])
    func decodesWhatSoxEncoded(format: String, channels: Int) throws {
        let dir = try Support.temporaryDirectory()
        defer { Support.cleanUp(dir) }
        let file = dir.appendingPathComponent("prompt.\(format)")
        try Support.run("sox", ["-D", "-n", "-r", "22050", "-c", String(channels), file.path, "synth", "1.0", "sine", "1000", "gain", "-6"])
        let buffer = try CompressedAudioFile.read(path: file.path)
        #expect(buffer.sampleRate == 22_050 && buffer.channels == channels)
        #expect(abs(buffer.frameCount - 22_050) <= 2)
        // A −6 dBFS sine has an RMS of −9 dBFS (lossy Vorbis within 0.5 dB).
        let rmsDB = 20 * log10(Support.rms(buffer.samples) / 32_768)
        #expect(abs(rmsDB - -9.03) < (format == "flac" ? 0.05 : 0.5), "\(rmsDB) dBFS")
    }

    @Test func aFileThatIsNotAudioIsNamed() throws {
        let dir = try Support.temporaryDirectory()
        defer { Support.cleanUp(dir) }
        let file = dir.appendingPathComponent("hello.mp3")
        try Support.writeBytes(Array("not audio at all".utf8), to: file)
        #expect {
            try CompressedAudioFile.read(path: file.path)
        } throws: { error in
            (error as? CompressedAudioFile.ReadError)?.file == file.path && "\(error)".contains(file.path)
        }
    }
}
