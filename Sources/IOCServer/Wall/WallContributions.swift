import Fluent
import Foundation
import IOCCore
import NIOConcurrencyHelpers
import Vapor

/// What the modules put on the wall: overview tiles, service screens (drill-down), choropleth metrics for the map,
/// and the kinds of view a screen can show. The wall renders whatever is registered and names no service.
final class WallContributions: Sendable {
    typealias TileProvider = @Sendable (Request, WallScope) async throws -> WallTile
    typealias DrillProvider = @Sendable (Request, WallDrillQuery) async throws -> WallDrill
    /// Values per commune (unit code → count) for the caller's scope.
    typealias MetricProvider = @Sendable (Request, WallScope) async throws -> [String: Int]
    /// Checks a view's parameters (throws a 422 naming `field`).
    typealias ViewValidator = @Sendable (_ params: [String: String], _ field: String, _ wall: WallContributions) throws -> Void

    struct Tile: Sendable { var id: String; var module: String; var provider: TileProvider }
    struct Metric: Sendable { var id: String; var module: String; var label: LocalizedMessage; var provider: MetricProvider }
    /// Checks, against the database, that what a view names exists (a typo would put an empty screen on the wall).
    typealias ViewChecker = @Sendable (_ params: [String: String], _ field: String, _ db: any Database) async throws -> Void
    struct ViewKind: Sendable { var kind: String; var order: Int; var validate: ViewValidator?; var check: ViewChecker? }

    private struct State {
        var tiles: [Tile] = []
        var drills: [String: DrillProvider] = [:]
        var metrics: [Metric] = []
        var views: [ViewKind] = []
    }

    private let state = NIOLockedValueBox(State())

    var tiles: [Tile] { state.withLockedValue { $0.tiles } }
    func drill(_ id: String) -> DrillProvider? { state.withLockedValue { $0.drills[id] } }
    func metric(_ id: String) -> Metric? { state.withLockedValue { s in s.metrics.first { $0.id == id } } }
    var metrics: [Metric] { state.withLockedValue { $0.metrics } }
    var tileIDSet: Set<String> { Set(tiles.map(\.id)) }
    func tileIDs(of module: String) -> [String] { tiles.filter { $0.module == module }.map(\.id) }
    var viewKinds: [String] { state.withLockedValue { $0.views.sorted { $0.order < $1.order }.map(\.kind) } }
    func viewKind(_ kind: String) -> ViewKind? { state.withLockedValue { s in s.views.first { $0.kind == kind } } }

    /// A module's handle on the registry (what it registers is filed under its id).
    struct Builder {
        let module: String
        let registry: WallContributions

        /// An overview tile; with `drill`, its service screen too.
        func tile(_ id: String, _ provider: @escaping TileProvider, drill: DrillProvider? = nil) {
            registry.state.withLockedValue { s in
                s.tiles.removeAll { $0.id == id }
                s.tiles.append(Tile(id: id, module: module, provider: provider))
                if let drill { s.drills[id] = drill }
            }
        }

        /// A metric the wall's map can colour communes by (`<module>.<name>`).
        func choropleth(_ id: String, label: LocalizedMessage, _ provider: @escaping MetricProvider) {
            registry.state.withLockedValue { s in
                s.metrics.removeAll { $0.id == id }
                s.metrics.append(Metric(id: id, module: module, label: label, provider: provider))
            }
        }

        /// A kind of view a wall screen can show (`order` places it in the editor's list).
        func view(_ kind: String, order: Int, validate: ViewValidator? = nil, check: ViewChecker? = nil) {
            registry.state.withLockedValue { s in
                s.views.removeAll { $0.kind == kind }
                s.views.append(ViewKind(kind: kind, order: order, validate: validate, check: check))
            }
        }
    }

    func builder(for module: String) -> Builder { Builder(module: module, registry: self) }
}

extension Application {
    private struct WallContributionsKey: StorageKey { typealias Value = WallContributions }

    var wall: WallContributions {
        if let w = storage[WallContributionsKey.self] { return w }
        let w = WallContributions()
        storage[WallContributionsKey.self] = w
        return w
    }
}
