import Fluent
import Vapor

/// Every route of the application: the platform's health and settings, then each module's.
func routes(_ app: Application) throws {
    let api = app.grouped("api").api(app, base: ["api"], tag: "Platform")
    HealthController.register(app, api: api)
    let v1 = api.group("v1", tag: "Platform")
    for module in app.modules.all {
        try module.routes(v1, app: app)
    }
}

/// Serves Leaflet and Chart.js from the distribution's packages (`libjs-leaflet`, `libjs-chart.js`) under `/vendor/`.
enum VendorController {
    static let libraries: Set<String> = ["leaflet", "chart.js"]

    static func register(_ app: Application) {
        app.get("vendor", ":library", "**") { req async throws -> Response in
            guard let library = req.parameters.get("library"), libraries.contains(library) else {
                throw IOCError.notFound("Library", vi: "thư viện")
            }
            let rest = req.parameters.getCatchall()
            guard !rest.isEmpty, rest.allSatisfy({ !$0.isEmpty && $0 != ".." && $0 != "." && !$0.contains("\\") }) else {
                throw IOCError.notFound("File", vi: "tệp")
            }
            let path = ([req.application.iocConfiguration.vendorDirectory, library] + rest).joined(separator: "/")
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue else {
                throw IOCError(.notFound, code: "vendor_missing",
                               vi: "Thiếu thư viện \(library). Hãy cài gói libjs-leaflet / libjs-chart.js (make run tự cài).",
                               en: "Library \(library) is missing. Install libjs-leaflet / libjs-chart.js (make run does).")
            }
            let response = try await req.fileio.asyncStreamFile(at: path)
            response.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=86400")
            return response
        }
    }
}
