import Crypto
import Fluent
import Foundation
import IOCCore
import SQLKit
import Vapor

/// A year of realistic field reports across Đắk Lắk's communes, in every state: on-time and late handling, ratings,
/// rejections, duplicates, reopened cases, and open cases past their deadline at the large agencies. Deterministic for a
/// given count and day; the timelines are what the workflow would have recorded.
enum DemoFieldReports {
    struct Template { var category: String; var weight: Double; var texts: [String]; var results: [String] }

    static let streets = ["Lê Duẩn", "Nguyễn Tất Thành", "Phan Bội Châu", "Y Jút", "Lý Thường Kiệt", "Hùng Vương", "Ngô Quyền",
                          "Trần Phú", "Phan Chu Trinh", "Nguyễn Văn Cừ", "Hai Bà Trưng", "Lê Thánh Tông", "Mai Hắc Đế", "Y Wang",
                          "Giải Phóng", "Nguyễn Công Trứ", "Điện Biên Phủ", "Quang Trung"]
    static let villages = ["thôn 1", "thôn 3", "thôn 5", "buôn Kô Siêr", "buôn Ky", "buôn Akô Dhông", "thôn Tân Lập", "thôn Đoàn Kết",
                           "buôn Tơng Jú", "thôn Hòa Bình"]

    static let templates: [Template] = [
        .init(category: "duong-o-ga", weight: 18, texts: [
            "Ổ gà lớn giữa đường %@, xe máy đi qua rất nguy hiểm, nhất là buổi tối.",
            "Mặt đường %@ bị sụt lún sau mưa, đọng nước thành vũng sâu.",
            "Nắp hố ga trên đường %@ bị mất, có nguy cơ gây tai nạn.",
            "Đoạn đường bê tông ở %@ bị vỡ nhiều chỗ, xe tải đi lại làm hư hỏng thêm."],
              results: ["Đã vá ổ gà bằng bê tông nhựa nóng, đặt biển cảnh báo trong thời gian chờ khô.",
                        "Đã lắp lại nắp hố ga mới và kiểm tra các hố ga lân cận.",
                        "Đã san lấp, lu lèn tạm thời; đưa vào kế hoạch sửa chữa định kỳ."]),
        .init(category: "den-chieu-sang", weight: 12, texts: [
            "Cả dãy đèn đường %@ không sáng mấy hôm nay, rất tối.",
            "Đèn chiếu sáng trước số nhà trên đường %@ sáng cả ban ngày.",
            "Cột đèn trên đường %@ bị nghiêng sau trận gió, có nguy cơ đổ."],
              results: ["Đã thay bóng đèn LED và kiểm tra tủ điện chiếu sáng.", "Đã chỉnh lại bộ hẹn giờ tủ điều khiển chiếu sáng.",
                        "Đã gia cố cột đèn và kiểm tra an toàn dây dẫn."]),
        .init(category: "rac-thai", weight: 18, texts: [
            "Rác thải tồn đọng nhiều ngày ở đầu hẻm đường %@, bốc mùi hôi.",
            "Có người đổ trộm xà bần, rác thải ven đường %@.",
            "Điểm tập kết rác gần chợ %@ không được thu gom đúng giờ."],
              results: ["Đã thu gom, vận chuyển toàn bộ rác tồn đọng; tăng tần suất thu gom tại điểm này.",
                        "Đã dọn dẹp và lắp biển cấm đổ rác; tổ dân phố tăng cường giám sát.",
                        "Đã làm việc với đơn vị thu gom, điều chỉnh lịch thu gom."]),
        .init(category: "lan-chiem", weight: 14, texts: [
            "Quán cà phê lấn chiếm hết vỉa hè đường %@, người đi bộ phải xuống lòng đường.",
            "Họp chợ tự phát dưới lòng đường %@ vào buổi sáng gây ùn tắc.",
            "Bãi giữ xe trái phép chiếm vỉa hè trên đường %@."],
              results: ["Tổ trật tự đô thị đã kiểm tra, nhắc nhở và yêu cầu thu dọn; lập biên bản trường hợp tái phạm.",
                        "Đã giải tỏa, hướng dẫn các hộ vào chợ buôn bán đúng nơi quy định."]),
        .init(category: "xay-dung-khong-phep", weight: 6, texts: [
            "Công trình đang xây dựng trên đường %@ có dấu hiệu không phép, đổ vật liệu ra vỉa hè.",
            "Nhà dân ở %@ xây thêm tầng, lấn ra hành lang an toàn giao thông."],
              results: ["Đã kiểm tra hiện trường, lập biên bản vi phạm và yêu cầu tạm dừng thi công.",
                        "Chủ công trình đã xuất trình giấy phép; yêu cầu dọn vật liệu khỏi vỉa hè."]),
        .init(category: "cay-xanh", weight: 5, texts: [
            "Cây xà cừ lớn trên đường %@ bị nghiêng, có nguy cơ đổ vào nhà dân.",
            "Cành cây khô lớn treo lơ lửng trên đường %@ sau mưa giông."],
              results: ["Đã cắt tỉa cành khô, chằng chống cây nghiêng.", "Đã hạ cây nguy hiểm và dọn dẹp hiện trường."]),
        .init(category: "ngap-nuoc", weight: 7, texts: [
            "Mưa lớn làm ngập sâu đoạn đường %@, nước không thoát được.",
            "Cống thoát nước trên đường %@ bị tắc, nước thải tràn lên mặt đường.",
            "Vỡ ống nước sạch trên đường %@, nước chảy lênh láng."],
              results: ["Đã nạo vét cống, khơi thông dòng chảy.", "Đã sửa chữa đường ống, khôi phục cấp nước."]),
        .init(category: "an-ninh-trat-tu", weight: 6, texts: [
            "Nhóm thanh niên tụ tập, gây ồn ào đến khuya ở %@.",
            "Có dấu hiệu đánh bạc tại quán nước ở %@."],
              results: ["Công an đã có mặt, giải tán và nhắc nhở; tăng cường tuần tra khu vực.",
                        "Đã kiểm tra, xử lý theo quy định."]),
        .init(category: "giao-thong", weight: 7, texts: [
            "Đèn tín hiệu giao thông ở ngã tư %@ bị hỏng, gây ùn tắc giờ cao điểm.",
            "Xe tải đậu đỗ sai quy định trên đường %@, che khuất tầm nhìn.",
            "Biển báo giao thông trên đường %@ bị đổ."],
              results: ["Đã sửa chữa đèn tín hiệu; bố trí lực lượng điều tiết giao thông.", "Đã xử lý vi phạm, yêu cầu di chuyển phương tiện."]),
        .init(category: "chay-rung-thien-tai", weight: 2, texts: [
            "Phát hiện khói lớn ở khu rừng gần %@, nghi cháy rừng.",
            "Sạt lở đất taluy dương đoạn qua %@ sau mưa lớn."],
              results: ["Lực lượng kiểm lâm và dân quân đã dập tắt đám cháy, khoanh vùng theo dõi.",
                        "Đã cắm biển cảnh báo, dọn đất đá thông tuyến tạm thời."]),
        .init(category: "thu-tuc-hanh-chinh", weight: 3, texts: [
            "Hồ sơ đăng ký đất đai nộp tại bộ phận một cửa %@ đã quá hẹn nhưng chưa được trả kết quả.",
            "Cán bộ tiếp nhận hồ sơ tại %@ hướng dẫn chưa rõ ràng, phải đi lại nhiều lần."],
              results: ["Đơn vị đã rà soát, trả kết quả và gửi thư xin lỗi người dân.", "Đã chấn chỉnh, nhắc nhở cán bộ; hướng dẫn lại thủ tục."]),
        .init(category: "khac", weight: 2, texts: ["Đề nghị lắp thêm ghế đá, thùng rác ở công viên gần %@.", "Chó thả rông không rọ mõm ở %@."],
              results: ["Đã tiếp thu, đưa vào kế hoạch chỉnh trang.", "Đã nhắc nhở các hộ nuôi chó thực hiện quy định."]),
    ]

    static let names = ["Nguyễn Văn An", "Trần Thị Bích", "Lê Minh Châu", "Phạm Quang Dũng", "H'Hen Niê", "Y Bhin Ayun", "Võ Thị Hạnh",
                        "Đặng Văn Khoa", "Bùi Thị Lan", "Hoàng Đức Minh"]

    /// Demo routing overrides for non-government owners in Buôn Ma Thuột (the shipped defaults route to communes).
    static let overrides: [(category: String, unit: String, agency: String, note: String)] = [
        ("den-chieu-sang", "24133", "EVN-DAKLAK", "Lưới chiếu sáng do Điện lực quản lý / Lighting grid owned by the power company"),
        ("rac-thai", "24133", "MTDT-DAKLAK", "Thu gom rác nội thị / Urban waste collection"),
        ("ngap-nuoc", "24133", "CAPNUOC-DAKLAK", "Đường ống cấp thoát nước / Water mains"),
    ]

    static func loadRoutingOverrides(on db: any Database, at: Date) async throws {
        for o in overrides {
            guard let agency = try await AgencyModel.query(on: db).filter(\.$code == o.agency).first() else { continue }
            let exists = try await RoutingRuleModel.query(on: db).filter(\.$category == o.category).filter(\.$unitCode == o.unit).first() != nil
            if exists { continue }
            let r = RoutingRuleModel()
            r.category = o.category
            r.unitCode = o.unit
            r.target = "agency"
            r.agencyID = agency.id
            r.note = o.note
            r.createdAt = at
            try await r.create(on: db)
        }
    }

    /// Generates and stores `count` reports received over the year before `now`. Returns how many were stored.
    static func load(on app: Application, count: Int, now: Date? = nil, seed: UInt64 = 2026) async throws -> Int {
        guard count > 0 else { return 0 }
        let now = now ?? app.clock.now
        let db = app.db
        try await loadRoutingOverrides(on: db, at: now)
        app.caseDirectory.invalidate()
        let d = try await app.caseDirectory.snapshot(on: db)
        let calendar = try await app.calendarStore.current(on: db)
        let province = app.iocConfiguration.provinceCode
        let communes = app.reference.boundaries.communes.filter { ($0.properties.provinceCode ?? app.reference.units[$0.code]?.provinceCode) == province }
        guard !communes.isEmpty else { return 0 }
        let weights = communes.map { c -> Double in
            if c.code == "24133" { return 12 }
            return (app.reference.units[c.code]?.unitType ?? "").lowercased().contains("phường") ? 3 : 1
        }
        let totalWeight = weights.reduce(0, +)
        let categoryWeight = templates.map(\.weight).reduce(0, +)
        var rng = DemoRandom(seed: seed)
        let photos = try await demoPhotos(app: app, at: now)
        let ioc = d.agencyByCode["IOC"]
        let operatorName = "user:dieuhanh"
        let year = calendar.civilDate(of: now).year
        let startCounter = try await Counters.peek("PA-\(year)", on: db)
        let lastYearCounter = try await Counters.peek("PA-\(year - 1)", on: db)

        // Received instants, oldest first, spread over 365 days with a weekday rhythm and daytime peaks.
        var times: [Date] = []
        for _ in 0..<count {
            let daysAgo = rng.unit() * 365
            var t = now.addingTimeInterval(-daysAgo * 86_400)
            let local = calendar.civilDate(of: t)
            let hour = 6.0 + rng.unit() * rng.unit() * 16 // skewed to the morning
            t = calendar.instant(on: local, at: .init(hour: Int(hour), minute: Int(rng.unit() * 60)))
            if t > now { t = now.addingTimeInterval(-rng.unit() * 3600) }
            times.append(t)
        }
        times.sort()

        var cases: [CaseModel] = []
        var reporters: [CaseReporterModel] = []
        var events: [CaseEventModel] = []
        var links: [CaseAttachmentModel] = []
        var counters: [Int: Int64] = [year: startCounter, year - 1: lastYearCounter]
        var overdueAgencies = Set<String>()
        var routes: [String: FieldReportService.Route] = [:]
        let largeAgencies: Set<String> = ["UBND-24133", "SO-XD", "EVN-DAKLAK", "MTDT-DAKLAK", "CA-TINH"]

        for (i, received) in times.enumerated() {
            // Category and place.
            var pick = rng.unit() * categoryWeight
            var template = templates[0]
            for t in templates { pick -= t.weight; if pick < 0 { template = t; break } }
            guard let category = d.categories[template.category] else { continue }
            var w = rng.unit() * totalWeight
            var commune = communes[0]
            for (j, c) in communes.enumerated() { w -= weights[j]; if w < 0 { commune = c; break } }
            var point = Coordinate(latitude: 0, longitude: 0)
            for _ in 0..<30 {
                let b = commune.geometry.bounds
                let p = Coordinate(latitude: b.minLatitude + rng.unit() * (b.maxLatitude - b.minLatitude),
                                   longitude: b.minLongitude + rng.unit() * (b.maxLongitude - b.minLongitude))
                if commune.geometry.contains(p) { point = p; break }
            }
            if point.latitude == 0, let lp = commune.properties.labelPoint, lp.count == 2 { point = Coordinate(latitude: lp[1], longitude: lp[0]) }
            if point.latitude == 0 { continue }
            let isWard = (app.reference.units[commune.code]?.unitType ?? "").lowercased().contains("phường")
            let place = isWard ? streets[Int(rng.next() % UInt64(streets.count))] : villages[Int(rng.next() % UInt64(villages.count))]
            let text = String(format: template.texts[Int(rng.next() % UInt64(template.texts.count))], place)
            let routeKey = category.code + "|" + commune.code
            let route: FieldReportService.Route
            if let cached = routes[routeKey] { route = cached } else {
                route = try await FieldReportService.route(category: category.code, unitCode: commune.code, directory: d, on: db)
                routes[routeKey] = route
            }

            let c = CaseModel()
            c.id = UUID()
            let y = calendar.civilDate(of: received).year
            counters[y, default: 0] += 1
            c.code = String(format: "PA-%d-%06d", y, counters[y]!)
            c.kind = "field_report"
            c.category = category.code
            c.agencyID = nil
            c.unitCode = commune.code
            c.lat = (point.latitude * 1e6).rounded() / 1e6
            c.lon = (point.longitude * 1e6).rounded() / 1e6
            c.address = isWard ? "\(place), \(app.reference.units[commune.code]?.fullName ?? "")" : nil
            c.description = text
            c.channel = ["web", "web", "web", "app", "hotline", "open311"][Int(rng.next() % 6)]
            c.receivedAt = received
            c.policyAmount = category.policy.amount
            c.policyUnit = category.policy.unit.rawValue
            c.dueAt = category.policy.deadline(from: received, calendar: calendar)
            c.warnAt = category.policy.warningInstant(from: received, deadline: c.dueAt, calendar: calendar)
            c.handledLate = false
            c.reopenCount = 0
            c.isPublic = true
            c.token = UUID().uuidString.lowercased()

            var timeline: [CaseEventModel] = []
            func event(_ type: String, _ at: Date, actor: String, from: CaseStatus?, to: CaseStatus?, note: String?, noteEn: String? = nil, isPublic: Bool = true,
                       agency: UUID? = nil, photos: String = "") {
                let e = CaseService.newEvent(c, type: type, actor: actor, at: min(at, now))
                e.fromStatus = from?.rawValue
                e.toStatus = to?.rawValue
                e.note = note
                e.noteEn = noteEn
                e.isPublic = isPublic
                e.agencyID = agency
                e.photos = photos
                timeline.append(e)
            }
            event("created", received, actor: "citizen", from: nil, to: .new, note: "Tiếp nhận", noteEn: "Received")
            let age = now.timeIntervalSince(received)
            let duration = c.dueAt.timeIntervalSince(received)
            // Provincial roads and large unlicensed works go to Sở Xây dựng: the operator assigns them there.
            let provincial = (template.category == "duong-o-ga" || template.category == "xay-dung-khong-phep") && rng.unit() < 0.15
            let agency = provincial ? d.agencyByCode["SO-XD"]
                : route.agency ?? (template.category == "thu-tuc-hanh-chinh" ? d.agencyByCode["TTPVHCC"] : d.agencyByCode["UBND-24133"])
            var status = CaseStatus.new
            var t = received.addingTimeInterval(min(duration * 0.05, 1800) + rng.unit() * 600)
            // Outcomes decided up front so the mix is stable.
            let roll = rng.unit()
            let lateRoll = rng.unit()
            let spam = roll < 0.03, remit = roll >= 0.03 && roll < 0.05, dup = roll >= 0.05 && roll < 0.08, unhandled = roll >= 0.08 && roll < 0.10
            let agencyCode = agency?.code ?? ""
            // At least one overdue open report per large agency, among the recent ones.
            let forceOverdue = largeAgencies.contains(agencyCode) && !overdueAgencies.contains(agencyCode) && age > duration * 1.2 && age < 20 * 86_400
            if t < now {
                if spam || remit {
                    status = spam ? .rejected : .notOurRemit
                    event("rejected", t, actor: operatorName, from: .new, to: status, note: spam ? "Spam / nội dung không đúng sự thật" : "Không thuộc thẩm quyền: việc tranh chấp dân sự, hướng dẫn người dân gửi Tòa án")
                    c.closedAt = t
                } else {
                    status = .verified
                    event("verified", t, actor: operatorName, from: .new, to: .verified, note: nil)
                    t = t.addingTimeInterval(300 + rng.unit() * 1200)
                    if dup, i > 0, let main = cases.last(where: { $0.category == c.category && $0.caseStatus.isOpen == false }) ?? cases.last {
                        status = .duplicate
                        c.duplicateOf = main.code
                        c.closedAt = t
                        event("merged_into", t, actor: operatorName, from: .verified, to: .duplicate, note: "Gộp vào / Merged into \(main.code)")
                    } else if t < now, let agency {
                        status = .assigned
                        c.agencyID = agency.id
                        event("assigned", t, actor: operatorName, from: .verified, to: .assigned, note: nil, agency: agency.id)
                        t = t.addingTimeInterval(600 + rng.unit() * 3600)
                        if t < now && !forceOverdue {
                            status = .inProgress
                            event("started", t, actor: "user:canbo", from: .assigned, to: .inProgress, note: nil)
                            // Handling time: mostly inside the limit, about 12% late.
                            let late = lateRoll < 0.12
                            let fraction = late ? 1.05 + rng.unit() * 0.8 : 0.2 + rng.unit() * 0.75
                            // Work happens in office hours (except for the round-the-clock urgent classes).
                            var done = category.policy.unit == .calendarHours
                                ? received.addingTimeInterval(duration * fraction)
                                : calendar.addWorkingTime(max(calendar.workingTime(from: received, to: c.dueAt), 1800) * fraction, to: received)
                            if done <= t { done = t.addingTimeInterval(1800) }
                            if late && done >= c.dueAt, c.dueAt < now {
                                event("breached", c.dueAt, actor: "system", from: nil, to: nil, note: "Quá hạn xử lý / Deadline passed")
                                c.breachedAt = c.dueAt
                            }
                            if done < now {
                                if unhandled {
                                    status = .closedUnhandled
                                    c.closedAt = done
                                    event("closed_unhandled", done, actor: operatorName, from: .inProgress, to: .closedUnhandled,
                                          note: "Không đủ điều kiện xử lý: khu vực chưa có quy hoạch, đã báo cáo UBND tỉnh")
                                } else {
                                    status = .resolved
                                    c.resolvedAt = done
                                    c.handledLate = done > c.dueAt
                                    c.resultText = template.results[Int(rng.next() % UInt64(template.results.count))]
                                    let sha = photos[Int(rng.next() % UInt64(photos.count))]
                                    event("resolved", done, actor: "user:canbo", from: .inProgress, to: .resolved, note: c.resultText, photos: sha)
                                    links.append(link(c, sha, .result, 1, done))
                                    let rate = rng.unit()
                                    let ratedAt = done.addingTimeInterval(3600 * (2 + rng.unit() * 40))
                                    if ratedAt < now, rate < 0.62 {
                                        let r = rng.unit()
                                        let s: Satisfaction = c.handledLate ? (r < 0.45 ? .satisfied : r < 0.75 ? .accepted : .dissatisfied)
                                                                            : (r < 0.78 ? .satisfied : r < 0.94 ? .accepted : .dissatisfied)
                                        status = .closed
                                        c.rating = s.rawValue
                                        c.closedAt = ratedAt
                                        event("rated", ratedAt, actor: "citizen", from: .resolved, to: .closed, note: s.label.vi, noteEn: s.label.en)
                                    } else if done.addingTimeInterval(7 * 86_400) < now {
                                        status = .closed
                                        c.closedAt = done.addingTimeInterval(7 * 86_400)
                                        event("auto_closed", c.closedAt!, actor: "system", from: .resolved, to: .closed,
                                              note: "Tự động đóng sau 7 ngày không có đánh giá / Closed automatically: no rating")
                                    }
                                }
                            }
                        } else if forceOverdue {
                            overdueAgencies.insert(agencyCode)
                        }
                    }
                }
            }
            // A few citizens say the fix did not hold: reopened, back with the agency under a new deadline.
            if (status == .resolved || status == .closed), roll >= 0.10, roll < 0.125, let resolvedAt = c.resolvedAt,
               now.timeIntervalSince(resolvedAt) < 12 * 86_400 {
                let at = min(resolvedAt.addingTimeInterval(86_400 * (0.5 + rng.unit() * 2)), now.addingTimeInterval(-600))
                if at > resolvedAt {
                    event("reopened", at, actor: "citizen", from: status, to: .assigned, note: "Sự việc tái diễn sau khi xử lý / The problem came back")
                    status = .assigned
                    c.reopenCount = 1
                    c.resolvedAt = nil
                    c.closedAt = nil
                    c.rating = nil
                    c.dueAt = category.policy.deadline(from: at, calendar: calendar)
                    c.warnAt = category.policy.warningInstant(from: at, deadline: c.dueAt, calendar: calendar)
                    c.breachedAt = nil
                }
            }
            // Some officers ask for more time and the IOC agrees (the deadline in force moves).
            if status == .inProgress, roll >= 0.125, roll < 0.16, c.dueAt > now.addingTimeInterval(-86_400) {
                let asked = max(received, min(now, c.dueAt).addingTimeInterval(-1800))
                let until = calendar.addWorkingDays(2, to: c.dueAt)
                event("extension_requested", asked, actor: "user:canbo", from: nil, to: nil, note: "Chờ vật tư thay thế (→ \(ISO8601.format(until)))", isPublic: false)
                event("extension_approved", asked.addingTimeInterval(900), actor: operatorName, from: nil, to: nil,
                      note: "Gia hạn đến / Extended to \(ISO8601.format(until))")
                c.dueAt = until
                c.warnAt = received.addingTimeInterval(until.timeIntervalSince(received) * category.policy.warnFraction)
                c.breachedAt = nil
            }
            if status.isOpen && c.dueAt <= now {
                if c.breachedAt == nil {
                    c.breachedAt = c.dueAt
                    event("breached", c.dueAt, actor: "system", from: nil, to: nil, note: "Quá hạn xử lý / Deadline passed")
                }
            }
            if status.isOpen && c.warnAt <= now && c.warnedAt == nil { c.warnedAt = c.warnAt }
            c.status = status.rawValue
            c.updatedAt = timeline.map(\.at).max() ?? received
            c.extensionUntil = nil
            cases.append(c)
            links.append(link(c, photos[Int(rng.next() % UInt64(photos.count))], .report, 0, received))
            events.append(contentsOf: timeline)
            if rng.unit() < 0.35 {
                let r = CaseReporterModel()
                r.caseID = c.id!
                r.name = names[Int(rng.next() % UInt64(names.count))]
                r.phone = "09\(String(format: "%08d", Int(rng.next() % 100_000_000)))"
                r.consent = true
                r.showName = false
                r.followTokenHash = APIKey.hash("demo-\(c.code)")
                reporters.append(r)
            } else {
                let r = CaseReporterModel()
                r.caseID = c.id!
                r.consent = false
                r.showName = false
                r.followTokenHash = APIKey.hash("demo-\(c.code)")
                reporters.append(r)
            }
            _ = ioc
        }

        // Store in chunks, counters last so the live intake continues after the demo's codes.
        let (allCases, allReporters, allEvents, allLinks, allCounters) = (cases, reporters, events, links, counters)
        try await db.transaction { tx in
            for chunk in stride(from: 0, to: allCases.count, by: 400) {
                try await Array(allCases[chunk..<min(chunk + 400, allCases.count)]).create(on: tx)
            }
            for chunk in stride(from: 0, to: allReporters.count, by: 400) {
                try await Array(allReporters[chunk..<min(chunk + 400, allReporters.count)]).create(on: tx)
            }
            for chunk in stride(from: 0, to: allEvents.count, by: 400) {
                try await Array(allEvents[chunk..<min(chunk + 400, allEvents.count)]).create(on: tx)
            }
            for chunk in stride(from: 0, to: allLinks.count, by: 400) {
                try await Array(allLinks[chunk..<min(chunk + 400, allLinks.count)]).create(on: tx)
            }
            for (y, v) in allCounters where v > 0 { try await Counters.set("PA-\(y)", to: v, on: tx) }
        }
        return cases.count
    }

    static func link(_ c: CaseModel, _ sha: String, _ role: CaseAttachmentModel.Role, _ position: Int, _ at: Date) -> CaseAttachmentModel {
        let l = CaseAttachmentModel()
        l.caseID = c.id!
        l.sha256 = sha
        l.role = role.rawValue
        l.position = position
        l.createdAt = at
        return l
    }

    /// The shipped synthetic pictures, stored once (content-addressed).
    static func demoPhotos(app: Application, at: Date) async throws -> [String] {
        let dir = (app.iocConfiguration.resourcesDirectory as NSString).appendingPathComponent("demo-photos")
        var images: [SanitizedImage] = []
        for i in 1...4 {
            guard let data = FileManager.default.contents(atPath: "\(dir)/demo-\(i).jpg") else { continue }
            images.append(try ImageSanitizer.sanitize(Array(data)))
        }
        guard !images.isEmpty else { throw CommandFailure("demo photos missing in \(dir)") }
        return try await CaseMedia.store(images, on: app.db, at: at)
    }
}

extension Counters {
    static func peek(_ name: String, on db: any Database) async throws -> Int64 {
        struct Row: Decodable { var value: Int64 }
        return try await (db as! any SQLDatabase).raw("SELECT value FROM counters WHERE name = \(bind: name)").first(decoding: Row.self)?.value ?? 0
    }

    static func set(_ name: String, to value: Int64, on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await sql.raw("INSERT INTO counters (name, value) VALUES (\(bind: name), \(bind: value)) ON CONFLICT (name) DO UPDATE SET value = excluded.value").run()
    }
}
