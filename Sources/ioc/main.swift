import IOCServer
import Logging
import Vapor

var env = try Environment.detect()
// Vapor's console logger, with SQL bind values (personal data) redacted at every level.
try LoggingSystem.bootstrap(from: &env) { level in
    let console = Terminal()
    return { label in RedactingLogHandler(ConsoleLogger(label: label, console: console, level: level)) }
}
let app = try await Application.make(env)
do {
    var configuration = IOCConfiguration.fromEnvironment()
    // Migrations run by themselves only for `serve` (the data commands migrate on their own; `--help` never does).
    let arguments = CommandLine.arguments.dropFirst()
    configuration.autoMigrate = configuration.autoMigrate && arguments.first == "serve"
        && !arguments.contains("--help") && !arguments.contains("-h")
    if arguments.first == "serve" { app.logger.info("IOC storage: \(configuration.redactedStorageDescription)") }
    // Background work (housekeeping included) belongs to the server and the benchmarks, never to one-shot commands:
    // `ioc demo` printed a connection-deadlock error when the checkpoint task waited for a connection the load held.
    configuration.startsBackgroundRunner = arguments.first == nil || arguments.first == "serve" || arguments.first == "bench"
    try await configure(app, configuration: configuration)
    registerCommands(app)
    try await app.execute()
} catch {
    app.logger.report(error: error)
    try? await app.asyncShutdown()
    exit(1)
}
try await app.asyncShutdown()
