import Fluent
import Foundation
import IOCCore
import Vapor

/// Loads a realistic Đắk Lắk (GSO 66) for demonstrations: the province's agencies after the 2025 restructuring,
/// one People's Committee per commune/ward, ward police, the utilities an IOC routes to, and users for each role.
/// Idempotent: agencies are matched by code and users by user name. Names are real; all data is demo data.
public enum DemoProvince {
    public static let provinceCode = "66"

    public struct DemoUser: Sendable {
        public var username: String
        public var password: String
        public var displayName: String
        public var role: Role
        public var agencyCode: String?
    }

    public static let users: [DemoUser] = [
        .init(username: "admin", password: "IOC-admin-2026", displayName: "Đỗ Minh Khoa (Quản trị IOC)", role: .admin, agencyCode: nil),
        .init(username: "dieuhanh", password: "IOC-dieuhanh-2026", displayName: "Nguyễn Thị Lan (Điều hành viên IOC)", role: .operator, agencyCode: "IOC"),
        .init(username: "lanhdao", password: "IOC-lanhdao-2026", displayName: "Trần Văn Minh (Phó Chủ tịch UBND tỉnh)", role: .leader, agencyCode: "UBND-TINH"),
        .init(username: "canbo.soxd", password: "IOC-canbo-2026", displayName: "Lê Hoàng Nam (Sở Xây dựng)", role: .officer, agencyCode: "SO-XD"),
        .init(username: "canbo.bmt", password: "IOC-canbo-2026", displayName: "H'Linh Niê (UBND phường Buôn Ma Thuột)", role: .officer, agencyCode: "UBND-24133"),
        .init(username: "phantich", password: "IOC-phantich-2026", displayName: "Phạm Quốc Bảo (Chuyên viên ATTT)", role: .analyst, agencyCode: "SO-KHCN"),
        .init(username: "thamdinh", password: "IOC-thamdinh-2026", displayName: "Vũ Thu Hà (Sở KH&CN, thẩm định DTI)", role: .officer, agencyCode: "SO-KHCN"),
    ]

    struct AgencySeed {
        var code: String
        var name: String
        var nameEn: String
        var kind: AgencyModel.Kind
        var parent: String?
        var units: [String]
    }

    static func provincialAgencies() -> [AgencySeed] {
        let p = [provinceCode]
        return [
            .init(code: "UBND-TINH", name: "Ủy ban nhân dân tỉnh Đắk Lắk", nameEn: "Dak Lak Provincial People's Committee", kind: .provinceCommittee, parent: nil, units: p),
            .init(code: "VP-UBND", name: "Văn phòng UBND tỉnh", nameEn: "Office of the Provincial People's Committee", kind: .department, parent: "UBND-TINH", units: p),
            .init(code: "SO-NV", name: "Sở Nội vụ", nameEn: "Department of Home Affairs", kind: .department, parent: "UBND-TINH", units: p),
            .init(code: "SO-TC", name: "Sở Tài chính", nameEn: "Department of Finance", kind: .department, parent: "UBND-TINH", units: p),
            .init(code: "SO-KHCN", name: "Sở Khoa học và Công nghệ", nameEn: "Department of Science and Technology", kind: .department, parent: "UBND-TINH", units: p),
            .init(code: "IOC", name: "Trung tâm Giám sát, điều hành đô thị thông minh tỉnh Đắk Lắk", nameEn: "Dak Lak Intelligent Operations Center", kind: .serviceCenter, parent: "SO-KHCN", units: p),
            .init(code: "SO-XD", name: "Sở Xây dựng", nameEn: "Department of Construction", kind: .department, parent: "UBND-TINH", units: p),
            .init(code: "SO-NNMT", name: "Sở Nông nghiệp và Môi trường", nameEn: "Department of Agriculture and Environment", kind: .department, parent: "UBND-TINH", units: p),
            .init(code: "VPDKDD", name: "Văn phòng Đăng ký đất đai tỉnh", nameEn: "Provincial Land Registration Office", kind: .serviceCenter, parent: "SO-NNMT", units: p),
            .init(code: "SO-CT", name: "Sở Công Thương", nameEn: "Department of Industry and Trade", kind: .department, parent: "UBND-TINH", units: p),
            .init(code: "SO-YT", name: "Sở Y tế", nameEn: "Department of Health", kind: .department, parent: "UBND-TINH", units: p),
            .init(code: "SO-GDDT", name: "Sở Giáo dục và Đào tạo", nameEn: "Department of Education and Training", kind: .department, parent: "UBND-TINH", units: p),
            .init(code: "SO-VHTTDL", name: "Sở Văn hóa, Thể thao và Du lịch", nameEn: "Department of Culture, Sports and Tourism", kind: .department, parent: "UBND-TINH", units: p),
            .init(code: "SO-TP", name: "Sở Tư pháp", nameEn: "Department of Justice", kind: .department, parent: "UBND-TINH", units: p),
            .init(code: "SO-DTTG", name: "Sở Dân tộc và Tôn giáo", nameEn: "Department of Ethnic and Religious Affairs", kind: .department, parent: "UBND-TINH", units: p),
            .init(code: "THANH-TRA", name: "Thanh tra tỉnh", nameEn: "Provincial Inspectorate", kind: .department, parent: "UBND-TINH", units: p),
            .init(code: "BQL-KCN", name: "Ban Quản lý các khu công nghiệp tỉnh", nameEn: "Industrial Zones Management Board", kind: .department, parent: "UBND-TINH", units: p),
            .init(code: "TTPVHCC", name: "Trung tâm Phục vụ hành chính công tỉnh", nameEn: "Provincial Public Administration Service Centre", kind: .serviceCenter, parent: "VP-UBND", units: p),
            .init(code: "CA-TINH", name: "Công an tỉnh Đắk Lắk", nameEn: "Dak Lak Provincial Police", kind: .police, parent: nil, units: p),
            .init(code: "EVN-DAKLAK", name: "Công ty Điện lực Đắk Lắk", nameEn: "Dak Lak Power Company (EVNCPC)", kind: .utility, parent: nil, units: p),
            .init(code: "CAPNUOC-DAKLAK", name: "Công ty Cổ phần Cấp nước Đắk Lắk", nameEn: "Dak Lak Water Supply JSC", kind: .utility, parent: nil, units: p),
            .init(code: "MTDT-DAKLAK", name: "Công ty Cổ phần Môi trường đô thị Đắk Lắk", nameEn: "Dak Lak Urban Environment JSC", kind: .company, parent: nil, units: p),
        ]
    }

    /// Every agency of the demo: provincial ones, a People's Committee per commune, police in each ward.
    static func agencies(catalog: UnitCatalog) -> [AgencySeed] {
        var seeds = provincialAgencies()
        let communes = catalog.communes(of: provinceCode).sorted { $0.code < $1.code }
        for c in communes {
            seeds.append(.init(code: "UBND-\(c.code)", name: "UBND \(c.fullName.lowercasedFirstWord)", nameEn: "People's Committee of \(c.fullNameEn)",
                               kind: .communeCommittee, parent: "UBND-TINH", units: [c.code]))
        }
        for c in communes where c.unitType == "Phường" {
            seeds.append(.init(code: "CA-\(c.code)", name: "Công an \(c.fullName.lowercasedFirstWord)", nameEn: "Police of \(c.fullNameEn)",
                               kind: .police, parent: "CA-TINH", units: [c.code]))
        }
        return seeds
    }

    public struct Summary: Sendable {
        public var agencies: Int
        public var createdAgencies: Int
        public var users: [DemoUser]
    }

    /// Loads (or refreshes) the demo province. Safe to run any number of times.
    public static func load(on app: Application) async throws -> Summary {
        let catalog = app.reference.units
        let seeds = agencies(catalog: catalog)
        let hasher = app.password
        var hashes: [String: String] = [:]
        for u in users where hashes[u.password] == nil {
            hashes[u.password] = try await app.password.async(on: app.threadPool, hopTo: app.eventLoopGroup.next()).hash(u.password).get()
        }
        _ = hasher
        let frozenHashes = hashes
        let created = try await app.audit.transaction(on: app.db) { tx in
            var byCode: [String: AgencyModel] = [:]
            for a in try await AgencyModel.query(on: tx).all() { byCode[a.code] = a }
            var created = 0
            for s in seeds {
                let model = byCode[s.code] ?? { created += 1; return AgencyModel() }()
                model.code = s.code
                model.name = s.name
                model.nameEn = s.nameEn
                model.kind = s.kind.rawValue
                model.$parent.id = s.parent.flatMap { byCode[$0]?.id }
                model.active = true
                try await model.save(on: tx)
                byCode[s.code] = model
                let existing = Set(try await AgencyUnitModel.query(on: tx).filter(\.$agency.$id == model.id!).all().map(\.unitCode))
                if existing != Set(s.units) { try await AgencyService.replaceJurisdiction(model.id!, units: s.units, on: tx) }
            }
            for u in users {
                let user = try await UserModel.query(on: tx).filter(\.$username == u.username).first()
                    ?? UserModel(username: u.username, displayName: u.displayName, passwordHash: "", role: u.role, agencyID: nil, unitScope: nil)
                user.displayName = u.displayName
                user.role = u.role.rawValue
                user.$agency.id = u.agencyCode.flatMap { byCode[$0]?.id }
                user.active = true
                // Demo passwords are reset on every load, so the printed ones always work.
                user.passwordHash = frozenHashes[u.password]!
                try await user.save(on: tx)
            }
            return (created, AuditRecord(actor: "system:demo", action: "demo.load", targetType: "province", targetID: provinceCode,
                                         origin: "cli", details: "agencies=\(seeds.count) created=\(created)"))
        }
        return Summary(agencies: seeds.count, createdAgencies: created, users: users)
    }
}

extension String {
    /// "Phường Buôn Ma Thuột" → "phường Buôn Ma Thuột", as written after "UBND".
    var lowercasedFirstWord: String {
        guard let space = firstIndex(of: " ") else { return self }
        return self[..<space].lowercased() + self[space...]
    }
}
