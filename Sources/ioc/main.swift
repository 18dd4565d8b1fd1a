import IOCServer
import Logging
import Vapor

var env = try Environment.detect()
try LoggingSystem.bootstrap(from: &env)
let app = try await Application.make(env)
do {
    let configuration = IOCConfiguration.fromEnvironment()
    app.logger.info("IOC storage: \(configuration.redactedStorageDescription)")
    try await configure(app, configuration: configuration)
    registerCommands(app)
    try await app.execute()
} catch {
    app.logger.report(error: error)
    try? await app.asyncShutdown()
    exit(1)
}
try await app.asyncShutdown()
