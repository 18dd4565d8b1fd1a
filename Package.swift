// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "ioc",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "ioc", targets: ["ioc"]),
        .library(name: "IOCCore", targets: ["IOCCore"]),
        .library(name: "IOCServer", targets: ["IOCServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        .target(
            name: "IOCCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
        .target(
            name: "IOCServer",
            dependencies: [
                "IOCCore",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .executableTarget(name: "ioc", dependencies: ["IOCServer"]),
        .testTarget(name: "IOCCoreTests", dependencies: ["IOCCore"], exclude: ["Tabular/Fixtures", "Media/Fixtures", "Open311/Fixtures", "CAP/Fixtures"]),
        .testTarget(
            name: "IOCServerTests",
            dependencies: [
                "IOCServer",
                .product(name: "VaporTesting", package: "vapor"),
            ],
            exclude: ["Fixtures"]
        ),
    ]
)
