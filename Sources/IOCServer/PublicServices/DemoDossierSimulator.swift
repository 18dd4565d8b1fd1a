import Fluent
import Foundation
import IOCCore
import Vapor

extension DemoDossiers {
    /// The demo simulator's part for public services.
    static func simulate(app: Application, rng: inout DemoRandom) async throws {
        let db = app.db
        let d = try await app.agencyDirectory.snapshot(on: db)
        // The one-stop system sends a few new dossiers, through the same ingest as the API.
        let communes66 = app.reference.units.communes(of: app.iocConfiguration.provinceCode)
        if !communes66.isEmpty {
            let now = app.clock.now
            var items: [String] = []
            for _ in 0..<(1 + Int(rng.next() % 4)) {
                let proc = DemoDossiers.procedures[Int(rng.next() % UInt64(DemoDossiers.procedures.count))]
                let unit = communes66[Int(rng.next() % UInt64(communes66.count))]
                let code = "SIM-\(Int(now.timeIntervalSince1970))-\(rng.next() % 1_000_000)"
                let agency = proc.agency ?? d.agencyByCode["UBND-\(unit.code)"]?.code ?? "UBND-24133"
                items.append(#"{"code":"\#(code)","procedureCode":"\#(proc.code)","procedureName":"\#(proc.name)","agencyCode":"\#(agency)","unitCode":"\#(unit.code)","channel":"\#(rng.unit() < 0.5 ? "online" : "direct")","limit":{"value":\#(proc.limit.value),"unit":"\#(proc.limit.unit.rawValue)"},"receivedAt":"\#(ISO8601.format(now))","status":2}"#)
            }
            if let lossy = try? JSONDecoder.ioc.decode([LossyDossier].self, from: Data("[\(items.joined(separator: ","))]".utf8)) {
                let rules = try await app.calendarStore.rules(on: db)
                let result = try await DossierIngest(rules: rules, catalog: app.reference.units, now: now).ingest(lossy, sourceID: nil, on: db)
                if result.created > 0 {
                    app.live.publish(topic: "publicservices", ["type": "dossiers.ingested", "created": "\(result.created)", "updated": "0", "first": ""])
                }
            }
        }
    }
}
