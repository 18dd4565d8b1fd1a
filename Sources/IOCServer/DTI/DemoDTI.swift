import Foundation
import Vapor

enum DemoDTI {
    static func load(_ context: DemoContext) async throws {}
}
