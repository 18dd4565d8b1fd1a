import Fluent
import Foundation
import IOCCore
import NIOConcurrencyHelpers
import Vapor

/// A service of the IOC (field reports, public services, alarms, the wall…) as one unit the platform discovers.
///
/// A module declares, from its own folder, everything the rest of the product needs to know about it. `configure`
/// lists the modules once (`ServiceModules.standard`); the wall, the OpenAPI document, the authorization-matrix
/// test, `ioc demo`, the live hub, the background runner and the console menu read them from `app.modules` and never
/// name a service. Every requirement has a default, so a module states only what it has. See
/// `docs/adding-a-service.md`.
protocol ServiceModule: Sendable {
    /// A short lower-case id (`fieldreports`): the key of its tiles, metrics and console entries.
    var id: String { get }

    /// Schema changes, in order; one migration per file in the module's folder, named after the change. A landed
    /// migration is never edited (deployed databases know it by its name).
    func migrations(_ app: Application) -> [any Migration]

    /// Services the module keeps in `app.storage`, set up before routes and background tasks.
    func boot(_ app: Application) throws

    /// Its API routes under `/api/v1` (each declares its access), and any route outside it (`app`).
    func routes(_ v1: APIBuilder, app: Application) throws

    /// Periodic or long-running work, run by the platform's `BackgroundRunner`.
    func backgroundTasks(_ app: Application) -> [BackgroundTask]

    /// Overview tiles, service screens (drill-down), choropleth metrics and wall view kinds.
    func wall(_ wall: WallContributions.Builder)

    /// Live topics the module publishes on, with who may subscribe.
    var liveTopics: [LiveTopicRule] { get }

    /// What it does when live events are published (its own or other modules').
    var liveObservers: [LiveObserver] { get }

    /// Demo data, loaded by `ioc demo` in module order after the platform's.
    func loadDemo(_ context: DemoContext) async throws

    /// The working calendar changed on `day` (a holiday or make-up day set or cleared): re-judge what depends on it.
    func workingCalendarChanged(_ app: Application, day: CivilDate, rules: TimelinessRules, on db: any Database) async throws

    /// Tables its state-changing routes write (tests prove a rejected request changed none of them).
    var watchedTables: [String] { get }

    /// Its pages in the console menu (the page's code is `Public/js/views/<route>.js`) and its dictionaries.
    var console: [ConsoleEntry] { get }
    var i18nBundles: [String] { get }

    /// Figures of each agency it measures from its own data (the DTI's measured sub-indices read them).
    var measures: [AgencyMeasure] { get }

    /// Time series it answers from its own data (alert rules watch them: `SeriesSource`).
    var series: [SeriesSource] { get }
}

extension ServiceModule {
    func migrations(_ app: Application) -> [any Migration] { [] }
    func boot(_ app: Application) throws {}
    func routes(_ v1: APIBuilder, app: Application) throws {}
    func backgroundTasks(_ app: Application) -> [BackgroundTask] { [] }
    func wall(_ wall: WallContributions.Builder) {}
    var liveTopics: [LiveTopicRule] { [] }
    var liveObservers: [LiveObserver] { [] }
    func loadDemo(_ context: DemoContext) async throws {}
    func workingCalendarChanged(_ app: Application, day: CivilDate, rules: TimelinessRules, on db: any Database) async throws {}
    var watchedTables: [String] { [] }
    var console: [ConsoleEntry] { [] }
    var i18nBundles: [String] { [] }
    var measures: [AgencyMeasure] { [] }
    var series: [SeriesSource] { [] }
}

/// What a topic named `prefix` + code belongs to.
enum LiveTopicOwner: Sendable, Hashable {
    /// An agency (`cases.agency.<code>`): callers whose scope covers it.
    case agency
    /// A wall (`wall.<code>`): anyone the rule admits, except a display key of another wall.
    case wall
}

/// Who may subscribe to topics that start with `prefix` (the first rule whose prefix matches decides).
struct LiveTopicRule: Sendable {
    /// The name the web UI knows it by (`settings.liveTopics[key]`), so no topic is spelt twice.
    var key: String
    var prefix: String
    var access: Access
    /// The topic is `prefix` + the code of what it belongs to, and only callers who may see that one subscribe.
    var owner: LiveTopicOwner?

    init(_ key: String, prefix: String, access: Access, owner: LiveTopicOwner? = nil) {
        self.key = key
        self.prefix = prefix
        self.access = access
        self.owner = owner
    }
}

/// Runs for every live event on topics starting with `prefix`, published on this instance or on another one (through
/// the PostgreSQL bridge): a module empties its caches when another module's data changes, without calling it.
struct LiveObserver: Sendable {
    var prefix: String
    var handle: @Sendable (Application, String) -> Void
}

/// A page of the console's menu.
struct ConsoleEntry: Content, Sendable, Equatable {
    enum Group: String, Codable, Sendable { case services, admin }
    /// The hash route (`#/field-reports`); the page is `Public/js/views/<route>.js`.
    var route: String
    /// Dictionary key of the menu label.
    var title: String
    /// Icon id in the page's SVG sprite.
    var icon: String
    var group: Group
    var roles: [Role]

    init(route: String, title: String, icon: String, group: Group = .services, roles: [Role] = Role.allCases) {
        self.route = route
        self.title = title
        self.icon = icon
        self.group = group
        self.roles = roles
    }
}

/// What `ioc demo` hands every module: the application and a way to print a line for the operator.
struct DemoContext: Sendable {
    var app: Application
    var options: [String: Int]
    var print: @Sendable (String) -> Void
}

/// The modules of this application, in order (platform first).
final class ServiceModules: Sendable {
    let all: [any ServiceModule]

    init(_ modules: [any ServiceModule]) {
        var seen = Set<String>()
        for m in modules { precondition(seen.insert(m.id).inserted, "two modules named \(m.id)") }
        all = modules
    }

    /// The product's modules. A new service adds one line here.
    static var standard: [any ServiceModule] {
        [PlatformModule(), CasesModule(), WallModule(), FieldReportsModule(), PublicServicesModule(), AlarmsModule(), IndicatorsModule(), DTIModule(), EnvironmentModule(), WarningsModule()]
    }

    func module(_ id: String) -> (any ServiceModule)? { all.first { $0.id == id } }

    /// Every agency figure a module measures, by key.
    var measures: [String: AgencyMeasure] {
        Dictionary(all.flatMap(\.measures).map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// What the web UI needs to build its menu and find pages, topics and wall views (no personal data).
    struct Catalogue: Content, Sendable {
        struct Module: Content, Sendable {
            var id: String
            var console: [ConsoleEntry]
            var i18n: [String]
            var tiles: [String]
        }
        var modules: [Module]
        var liveTopics: [String: String]
        var wallViews: [String]
    }

    func catalogue(wall: WallContributions) -> Catalogue {
        Catalogue(
            modules: all.map { m in
                .init(id: m.id, console: m.console, i18n: m.i18nBundles, tiles: wall.tileIDs(of: m.id))
            },
            liveTopics: Dictionary(all.flatMap { $0.liveTopics.map { ($0.key, $0.prefix) } }, uniquingKeysWith: { a, _ in a }),
            wallViews: wall.viewKinds)
    }
}

extension Application {
    private struct ModulesKey: StorageKey { typealias Value = ServiceModules }

    var modules: ServiceModules {
        get { storage[ModulesKey.self] ?? ServiceModules([]) }
        set { storage[ModulesKey.self] = newValue }
    }
}
