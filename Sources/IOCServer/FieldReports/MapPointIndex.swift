import Fluent
import Foundation
import IOCCore
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// The field reports' points in memory (about 40 bytes each plus the code), so a viewport at any zoom is clustered in
/// a few milliseconds over 100,000 points instead of a grouping query over every row. Loaded once, then kept current
/// by reading only the rows changed since the last read: at once after a local change (`markDirty`, called when a case
/// is published, including events from other instances through the bridge) and at least every few seconds otherwise.
final class MapPointIndex: Sendable {
    struct Point: Sendable {
        var code: String
        var lat: Double
        var lon: Double
        var open: Bool
        var dueAt: Double
        var receivedAt: Double
        var status: String
        var category: String
        /// The agency handling it (officers' maps show their agencies' reports).
        var agency: UUID?
    }

    private struct State {
        var points: [Point] = []
        var position: [String: Int] = [:]
        var loaded = false
        var dirty = false
        var lastRead: Date = .distantPast
        var watermark: Date = .distantPast
    }

    private let state = NIOLockedValueBox(State())
    private let loading = AsyncLock()
    static let maxAge: TimeInterval = 5

    func markDirty() { state.withLockedValue { $0.dirty = true } }

    struct Row: Decodable {
        var code: String
        var lat: Double?
        var lon: Double?
        var status: String
        var category: String
        var due_at: Date
        var received_at: Date
        var updated_at: Date
        var agency_id: UUID?
    }

    /// Brings the index up to date (one full read the first time, then only changed rows).
    func refresh(on db: any Database) async throws {
        let needed = state.withLockedValue { s in !s.loaded || s.dirty || Date().timeIntervalSince(s.lastRead) > Self.maxAge }
        guard needed else { return }
        try await loading.withLock { [self] in
            let (since, stillNeeded) = state.withLockedValue { s in
                (s.loaded ? s.watermark.addingTimeInterval(-2) : nil,
                 !s.loaded || s.dirty || Date().timeIntervalSince(s.lastRead) > Self.maxAge)
            }
            guard stillNeeded else { return }
            let started = Date()
            state.withLockedValue { $0.dirty = false }
            let sql = db as! any SQLDatabase
            var query = SQLQueryString("SELECT code, lat, lon, status, category, due_at, received_at, updated_at, agency_id FROM cases WHERE kind = 'field_report' AND is_public = \(bind: true)")
            if let since {
                query.appendInterpolation(unsafeRaw: " AND updated_at >= ")
                query.appendInterpolation(bind: since)
            }
            let rows = try await sql.raw(query).all(decoding: Row.self)
            let open = Set(CaseStatus.openStatuses.map(\.rawValue))
            state.withLockedValue { s in
                s.points.reserveCapacity(s.points.count + rows.count)
                for r in rows {
                    let visible = r.status != CaseStatus.rejected.rawValue && r.status != CaseStatus.duplicate.rawValue
                    if let i = s.position[r.code] {
                        if visible, let la = r.lat, let lo = r.lon {
                            s.points[i] = Point(code: r.code, lat: la, lon: lo, open: open.contains(r.status), dueAt: r.due_at.timeIntervalSince1970,
                                                receivedAt: r.received_at.timeIntervalSince1970, status: r.status, category: r.category, agency: r.agency_id)
                        } else {
                            // Swap-remove.
                            let last = s.points.count - 1
                            if i != last { s.points[i] = s.points[last]; s.position[s.points[i].code] = i }
                            s.points.removeLast()
                            s.position[r.code] = nil
                        }
                    } else if visible, let la = r.lat, let lo = r.lon {
                        s.position[r.code] = s.points.count
                        s.points.append(Point(code: r.code, lat: la, lon: lo, open: open.contains(r.status), dueAt: r.due_at.timeIntervalSince1970,
                                              receivedAt: r.received_at.timeIntervalSince1970, status: r.status, category: r.category, agency: r.agency_id))
                    }
                    if r.updated_at > s.watermark { s.watermark = r.updated_at }
                }
                s.loaded = true
                s.lastRead = started
            }
        }
    }

    enum Filter: Sendable { case open, recent(since: Double), all }

    struct Cell { var count = 0; var open = 0; var overdue = 0; var latSum = 0.0; var lonSum = 0.0 }

    /// Clusters (or lists) the points in a box.
    /// `agencies`: only reports handled by these (a caller's scope); nil: all.
    func query(minLat: Double, maxLat: Double, minLon: Double, maxLon: Double, filter: Filter, cellSize: Double?, now: Double,
               maxPoints: Int, agencies: Set<UUID>? = nil) -> (total: Int, cells: [Cell], points: [Point]) {
        state.withLockedValue { s in
            var total = 0
            var cells: [Int64: Cell] = [:]
            var points: [Point] = []
            for p in s.points {
                guard p.lat >= minLat, p.lat <= maxLat, p.lon >= minLon, p.lon <= maxLon else { continue }
                if let agencies, !(p.agency.map(agencies.contains) ?? false) { continue }
                switch filter {
                case .open: if !p.open { continue }
                case .recent(let since): if p.receivedAt < since { continue }
                case .all: break
                }
                total += 1
                if let size = cellSize {
                    let key = Int64((p.lat / size).rounded(.down)) << 32 | Int64(Int32(truncatingIfNeeded: Int((p.lon / size).rounded(.down))) ) & 0xFFFF_FFFF
                    var c = cells[key] ?? Cell()
                    c.count += 1
                    c.latSum += p.lat
                    c.lonSum += p.lon
                    if p.open { c.open += 1; if p.dueAt <= now { c.overdue += 1 } }
                    cells[key] = c
                } else if points.count < maxPoints {
                    points.append(p)
                }
            }
            return (total, Array(cells.values), points)
        }
    }
}

extension Application {
    private struct MapPointIndexKey: StorageKey { typealias Value = MapPointIndex }
    var mapPoints: MapPointIndex {
        get { storage[MapPointIndexKey.self] ?? MapPointIndex() }
        set { storage[MapPointIndexKey.self] = newValue }
    }
}
