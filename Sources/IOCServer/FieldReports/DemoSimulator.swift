import Fluent
import Foundation
import IOCCore
import NIOConcurrencyHelpers
import Vapor

/// Keeps the demo alive (`IOC_SIMULATOR=1`, which `make run` sets; off in tests): every few tens of seconds a citizen
/// files a field report through the same intake the web page uses, and the IOC and the agencies move open reports
/// through their states through the same case actions the console uses. Everything it does is audited and published
/// like real work.
enum DemoSimulator {
    static func step(app: Application, rng: inout DemoRandom) async throws {
        let db = app.db
        // 1. A new report somewhere in the province (more often in Buôn Ma Thuột).
        let d = try await app.caseDirectory.snapshot(on: db)
        let province = app.iocConfiguration.provinceCode
        let communes = app.reference.boundaries.communes.filter { ($0.properties.provinceCode ?? app.reference.units[$0.code]?.provinceCode) == province }
        if !communes.isEmpty, let photo = try? Data(contentsOf: URL(fileURLWithPath: app.iocConfiguration.resourcesDirectory + "/demo-photos/demo-\(1 + Int(rng.next() % 4)).jpg")) {
            let commune = rng.unit() < 0.4 ? (communes.first { $0.code == "24133" } ?? communes[0]) : communes[Int(rng.next() % UInt64(communes.count))]
            var point: Coordinate?
            for _ in 0..<30 {
                let b = commune.geometry.bounds
                let p = Coordinate(latitude: b.minLatitude + rng.unit() * (b.maxLatitude - b.minLatitude),
                                   longitude: b.minLongitude + rng.unit() * (b.maxLongitude - b.minLongitude))
                if commune.geometry.contains(p) { point = p; break }
            }
            let template = DemoFieldReports.templates[Int(rng.next() % UInt64(DemoFieldReports.templates.count))]
            if let point, d.categories[template.category] != nil {
                var s = FieldReportSubmission()
                s.category = template.category
                let place = DemoFieldReports.streets[Int(rng.next() % UInt64(DemoFieldReports.streets.count))]
                s.description = String(format: template.texts[Int(rng.next() % UInt64(template.texts.count))], place)
                s.lat = String(point.latitude)
                s.lon = String(point.longitude)
                s.photos = [Array(photo)]
                s.channel = "app"
                _ = try await FieldReportService.intake(s, app: app, db: db, actor: "citizen", origin: "demo-simulator")
            }
        }
        // 3. Move a few open reports one step, oldest first.
        let open = try await CaseModel.query(on: db).filter(\.$kind == "field_report")
            .filter(\.$status ~~ CaseStatus.openStatuses.map(\.rawValue)).filter(\.$breachedAt == nil)  // overdue ones stay, for the drill-downs
            .sort(\.$receivedAt).limit(40).all()
        let operatorActor = CaseActor(name: "user:dieuhanh", user: AuthenticatedUser(id: UUID(), username: "dieuhanh", displayName: "Điều hành viên IOC", role: .operator),
                                      officerAgencies: nil)
        for c in open where rng.unit() < 0.12 {
            var input: CaseActionInput
            switch c.caseStatus {
            case .new: input = CaseActionInput(action: "verify")
            case .verified:
                guard let agency = c.agencyID.flatMap({ d.agencies[$0] }) ?? d.agencyByCode["UBND-24133"] else { continue }
                input = CaseActionInput(action: "assign", agency: agency.code)
            case .assigned: input = CaseActionInput(action: "start")
            case .inProgress:
                let template = DemoFieldReports.templates.first { $0.category == c.category }
                input = CaseActionInput(action: "resolve", result: template?.results.first ?? "Đã xử lý xong.")
            default: continue
            }
            if c.caseStatus == .verified, c.agencyID == nil, let agency = d.agencyByCode["UBND-24133"] { input.agency = agency.code }
            _ = try? await CaseService.perform(input, on: c.code, actor: operatorActor, app: app, db: db, origin: "demo-simulator")
        }
    }
}
