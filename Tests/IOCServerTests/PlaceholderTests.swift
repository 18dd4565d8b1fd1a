import Testing
import VaporTesting
@testable import IOCServer
@Test func placeholder() {}
