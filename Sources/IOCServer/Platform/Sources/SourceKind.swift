import Fluent
import SQLKit

/// What an integration key is for. A key opens only the endpoints of its kind: a dossier source cannot post events,
/// an event source cannot post dossiers, and a display (a wall's kiosk screens) only reads its wall.
public enum SourceKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// A wall's kiosk screens: read-only, its wall only (overview, screens, feed, alarms, topics).
    case display
    /// Cameras, VMS, SOC/SIEM, IoT and sensors: `POST /api/v1/events`, and reading the alarms they raise.
    case events
    /// Public-service systems (iGate, DVC): `POST /api/v1/public-services/dossiers`.
    case dossiers
    /// Statistics systems: `POST /api/v1/indicators/values`.
    case indicators
    /// Open311 clients (apps that file reports for citizens): the Open311 `api_key`.
    case open311
    /// Environment stations and their data loggers: `POST /api/v1/observations`.
    case observations
    /// Alerting authorities and neighbours sending CAP: `POST /api/v1/cap/alerts`.
    case cap
    /// A commune's smart-loudspeaker cluster (truyền thanh thông minh): reads its playlist and reports playback.
    case loudspeaker

    /// Older names, kept so that existing keys and scripts keep their meaning.
    static let aliases: [String: SourceKind] = [
        "wall": .display, "kiosk": .display,
        "camera": .events, "vms": .events, "soc": .events, "siem": .events, "iot": .events, "sensor": .events,
        "igate": .dossiers, "dvc": .dossiers, "publicservices": .dossiers,
        "statistics": .indicators,
        "environment": .observations, "station": .observations,
        "truyenthanh": .loudspeaker,
    ]

    /// The kind a stored or given name stands for (nil: not a known kind — such a key opens only its own `self`).
    public static func parse(_ raw: String) -> SourceKind? {
        let k = raw.lowercased()
        return SourceKind(rawValue: k) ?? aliases[k]
    }

    static let allButDisplay: Set<SourceKind> = Set(allCases).subtracting([.display])
}

/// Stores every source's kind under its canonical name (`wall` → `display`, `camera` → `events`, `igate` → `dossiers`…).
struct NormalizeSourceKinds: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        for (alias, kind) in SourceKind.aliases {
            try await sql.update("sources").set("kind", to: SQLBind(kind.rawValue)).where("kind", .equal, SQLBind(alias)).run()
        }
    }

    func revert(on database: any Database) async throws {}
}
