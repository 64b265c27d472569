// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

/// whisper.cpp's shared libraries, fetched by scripts/fetch-whisper; the
/// executables and tests find them at run time through this absolute rpath.
let whisperLibrary = Context.packageDirectory + "/.deps/whisper/lib"

let package = Package(
    name: "MiniBotPanel",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "minibot", targets: ["minibot"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        // Asterisk ARI: REST and the events WebSocket.
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        // MARK: C libraries from Debian's -dev packages
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),

        // MARK: Domain (no I/O)
        .target(
            name: "MiniBotCore",
            resources: [.copy("Resources")],
            swiftSettings: strict
        ),

        // MARK: Audio
        .systemLibrary(
            name: "CSoxr",
            pkgConfig: "soxr",
            providers: [.apt(["libsoxr-dev"])]
        ),
        .systemLibrary(
            name: "CEBUR128",
            pkgConfig: "libebur128",
            providers: [.apt(["libebur128-dev"])]
        ),
        .systemLibrary(
            name: "CSndfile",
            pkgConfig: "sndfile",
            providers: [.apt(["libsndfile1-dev"])]
        ),
        .target(
            name: "MiniBotAudio",
            dependencies: ["MiniBotCore", "CSoxr", "CEBUR128", "CSndfile"],
            swiftSettings: strict
        ),

        // MARK: Speech — whisper.cpp's library and headers from .deps/whisper (scripts/fetch-whisper)
        .systemLibrary(name: "CWhisper"),
        .target(
            name: "MiniBotSpeech",
            dependencies: [
                "MiniBotCore",
                "MiniBotAudio",
                "CWhisper",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict,
            linkerSettings: [.unsafeFlags(["-L\(whisperLibrary)", "-Xlinker", "-rpath", "-Xlinker", whisperLibrary])]
        ),

        // MARK: Telephony
        .target(
            name: "MiniBotSIP",
            dependencies: [
                "MiniBotCore",
                "MiniBotAudio",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        .target(
            name: "MiniBotARI",
            dependencies: [
                "MiniBotCore",
                "MiniBotAudio",
                "MiniBotSIP",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        // MARK: Storage
        .target(
            name: "MiniBotStore",
            dependencies: [
                "MiniBotCore",
                "CSQLite",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        // MARK: Command line
        .target(
            name: "MiniBotDialer",
            dependencies: [
                "MiniBotCore",
                "MiniBotAudio",
                "MiniBotSIP",
                "MiniBotARI",
                "MiniBotSpeech",
                "MiniBotStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            resources: [.copy("Resources/universal.yaml")],
            swiftSettings: strict
        ),
        // MARK: HTTP API
        .target(
            name: "MiniBotAPI",
            dependencies: [
                "MiniBotCore",
                "MiniBotStore",
                "MiniBotDialer",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Resources")],
            swiftSettings: strict
        ),
        // MARK: Web panel
        .target(
            name: "MiniBotWeb",
            dependencies: [
                "MiniBotCore",
                "MiniBotAudio",
                "MiniBotStore",
                "MiniBotDialer",
                "MiniBotAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Resources")],
            swiftSettings: strict
        ),
        .target(
            name: "MiniBotCLI",
            dependencies: [
                "MiniBotAPI",
                "MiniBotWeb",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                "MiniBotCore",
                "MiniBotAudio",
                "MiniBotSIP",
                "MiniBotARI",
                "MiniBotSpeech",
                "MiniBotStore",
                "MiniBotDialer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            resources: [.copy("Resources")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "minibot",
            dependencies: ["MiniBotCLI"],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "minibot-bench",
            dependencies: [
                "MiniBotCore",
                "MiniBotAudio",
                "MiniBotSIP",
                "MiniBotARI",
                "MiniBotSpeech",
                "MiniBotStore",
                "MiniBotDialer",
                "MiniBotTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/minibot-bench",
            swiftSettings: strict
        ),

        // MARK: Tests
        .testTarget(name: "MiniBotCoreTests", dependencies: ["MiniBotCore"], swiftSettings: strict),
        .testTarget(name: "MiniBotSIPTests", dependencies: ["MiniBotSIP", "MiniBotTestSupport"], swiftSettings: strict),
        .testTarget(name: "MiniBotStoreTests", dependencies: ["MiniBotStore", "MiniBotTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "MiniBotARITests",
            dependencies: ["MiniBotARI", "MiniBotDialer", "MiniBotSpeech", "MiniBotStore", "MiniBotAudio", "MiniBotTestSupport"],
            resources: [.copy("Fixtures")],
            swiftSettings: strict
        ),
        .testTarget(name: "MiniBotDialerTests", dependencies: ["MiniBotDialer", "MiniBotTestSupport", .product(name: "Prometheus", package: "swift-prometheus"),
                                                           .product(name: "Metrics", package: "swift-metrics")], swiftSettings: strict),
        .testTarget(name: "MiniBotCLITests", dependencies: ["MiniBotCLI", "MiniBotTestSupport"], swiftSettings: strict),
        // Fresh databases on both backends and the built `minibot`, for the tests above.
        .target(
            name: "MiniBotTestSupport",
            dependencies: ["MiniBotStore", "MiniBotAudio", "MiniBotSpeech", .product(name: "PostgresNIO", package: "postgres-nio")],
            path: "Tests/MiniBotTestSupport",
            exclude: ["Scenarios"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "MiniBotAPITests",
            dependencies: ["MiniBotAPI", "MiniBotTestSupport", .product(name: "HummingbirdTesting", package: "hummingbird"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "MiniBotWebTests",
            dependencies: ["MiniBotWeb", "MiniBotSpeech", "MiniBotAudio", "MiniBotDialer", "MiniBotTestSupport",
                           .product(name: "HummingbirdTesting", package: "hummingbird"), .product(name: "HTTPTypes", package: "swift-http-types")],
            swiftSettings: strict
        ),
        .testTarget(name: "MiniBotAudioTests", dependencies: ["MiniBotAudio", "MiniBotTestSupport"], swiftSettings: strict),
        .testTarget(name: "MiniBotSpeechTests", dependencies: ["MiniBotSpeech"], exclude: ["Support/transcription_server.py", "Support/speech_server.py"], swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
