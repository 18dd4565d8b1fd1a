import Foundation

/// Paths of the repository's shipped data, found from this file's location.
enum Fixtures {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func resource(_ path: String) throws -> Data {
        try Data(contentsOf: repositoryRoot.appendingPathComponent("Resources").appendingPathComponent(path))
    }
}
