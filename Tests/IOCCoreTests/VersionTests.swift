import Testing
@testable import IOCCore
@Test func version() { #expect(!IOCCoreVersion.string.isEmpty) }
