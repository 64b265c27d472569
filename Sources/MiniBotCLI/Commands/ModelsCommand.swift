import ArgumentParser
import Foundation
import MiniBotSpeech

struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Whisper models: list, install the official ones, convert a faster-whisper model, quantise.",
        subcommands: [ModelsListCommand.self, ModelsInstallCommand.self, ModelsConvertCommand.self, ModelsQuantizeCommand.self]
    )
}

struct ModelsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the models installed in <data_dir>/models, and those that can be installed."
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print one JSON object a line: {\"name\",\"path\",\"bytes\"}.")
    var json = false

    func run() async throws {
        let store = ModelStore(dataDirectory: try Runtime(global).config.dataDir)
        let installed = store.list()
        if json {
            for entry in installed { try Output.json(entry) }
            return
        }
        if installed.isEmpty {
            Output.write("No model in \(store.folder).\n")
        } else {
            var table = Table(["name", "size", "path"], alignments: [.left, .right, .left])
            for entry in installed {
                table.add([entry.name, String(format: "%.1f MB", Double(entry.bytes) / 1e6), entry.path])
            }
            Output.write(table.render())
        }
        Output.write("Installable: \(OfficialModel.all.map { "\($0.name) (\($0.approximateSize))" }.joined(separator: ", ")).\n")
    }
}

struct ModelsInstallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Download an official whisper.cpp model into <data_dir>/models and check its SHA-1."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "base, small, medium or large-v3-turbo.")
    var name: String

    @Option(name: .long, help: "Download from this URL instead of the official one (a mirror); the checksum is still checked.")
    var from: String?

    func run() async throws {
        let model = try OfficialModel.named(name)
        let store = ModelStore(dataDirectory: try Runtime(global).config.dataDir)
        let source = try from.map { text -> URL in
            guard let url = URL(string: text), url.scheme != nil else { throw ValidationError("--from must be a URL, got \(text)") }
            return url
        }
        Output.error("Downloading \(model.fileName) (\(model.approximateSize)) from \((source ?? model.url).absoluteString)…\n")
        let path = try await ModelInstaller(store: store).install(model, from: source)
        Output.write("Installed \(model.name): \(path) (SHA-1 \(model.sha1) verified)\n")
    }
}

struct ModelsConvertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a faster-whisper (CTranslate2) model directory into a whisper.cpp ggml file.",
        discussion: "DIR holds model.bin, vocabulary.txt and config.json (a float16 or float32 model; int8 ones cannot be converted)."
    )

    @Option(name: .long, help: "The CTranslate2 model directory.")
    var ct2: String

    @Option(name: .long, help: "The ggml file to write (e.g. <data_dir>/models/ggml-base.bin).")
    var out: String

    @Option(name: .long, help: "q8_0 (the default: smaller, faster on CPU, same word error rate), q5_1, q5_0, or none for float16.")
    var quantize = "q8_0"

    func run() async throws {
        let type = try ModelsQuantizeCommand.type(quantize, allowingNone: true)
        let float16 = type == nil ? out : out + ".float16"
        defer { if float16 != out { try? FileManager.default.removeItem(atPath: float16) } }
        let summary = try CT2WhisperConverter.convert(ct2Directory: ct2, output: float16)
        var bytes = summary.bytes
        if let type { bytes = try GGMLWhisperQuantizer.quantize(input: float16, output: out, type: type).bytes }
        Output.write("Wrote \(out): \(bytes) bytes (\(type?.rawValue ?? "float16")), \(summary.tensors) tensors, "
                     + "\(summary.encoderLayers)+\(summary.decoderLayers) layers, \(summary.melBands) mel bands, "
                     + "vocabulary \(summary.vocabularySize)\n")
    }
}

struct ModelsQuantizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quantize",
        abstract: "Write a quantised copy of a float16 ggml Whisper model (smaller, faster on CPU).",
        discussion: "As whisper.cpp's examples/quantize: the weight matrices through ggml's quantiser, the rest as is. "
            + "q8_0 is the fastest on x86 CPUs and keeps the word error rate (docs/BENCHMARKS.md)."
    )

    @Argument(help: "The float16 (or float32) ggml model, e.g. <data_dir>/models/ggml-base.bin.")
    var input: String

    @Argument(help: "The file to write, e.g. <data_dir>/models/ggml-base-q8_0.bin (then `--model base-q8_0`).")
    var output: String

    @Option(name: .long, help: "q8_0, q5_1 or q5_0.")
    var type: String = "q8_0"

    func run() async throws {
        let quantization = try Self.type(type, allowingNone: false)!
        let summary = try GGMLWhisperQuantizer.quantize(input: input, output: output, type: quantization)
        Output.write("Wrote \(summary.output): \(summary.bytes) bytes, \(summary.quantizedTensors) of \(summary.tensors) tensors \(type)\n")
    }

    /// The quantisation named `name`; nil for `none` where allowed.
    static func type(_ name: String, allowingNone: Bool) throws -> GGMLWhisperQuantizer.QuantizationType? {
        if allowingNone, name == "none" { return nil }
        guard let type = GGMLWhisperQuantizer.QuantizationType(rawValue: name) else {
            let names = GGMLWhisperQuantizer.QuantizationType.allCases.map { $0.rawValue } + (allowingNone ? ["none"] : [])
            throw ValidationError("the quantisation must be one of \(names.joined(separator: ", ")), got \(name)")
        }
        return type
    }
}
