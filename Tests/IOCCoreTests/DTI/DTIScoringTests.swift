import Foundation
import Testing
@testable import IOCCore

@Suite("DTI: methods, trees, scores, ranks")
struct DTIScoringTests {
    static let levels = [DTILevel(name: "Tốt", min: 0.8), DTILevel(name: "Khá", min: 0.65), DTILevel(name: "Trung bình", min: 0.5), DTILevel(name: "Yếu", min: 0)]

    /// 100 points: A (60) = A1 yes/no 10 + A2 ratio to 80 % 30 + A3 tiers 20; B (40) = B1 count 4 each 20 + B2 judgement 20.
    static let framework = DTIFramework(
        code: "DTI-SO-2025", name: "Thử", year: 2025, subject: .department, levels: levels,
        criteria: [
            DTICriterion(code: "A", name: "Nền tảng", maxPoints: 60, children: [
                DTICriterion(code: "A1", name: "Có kế hoạch", maxPoints: 10, method: .yesno),
                DTICriterion(code: "A2", name: "Hồ sơ trực tuyến", maxPoints: 30, method: .ratio(target: 80), measure: "publicservices.onlineShare"),
                DTICriterion(code: "A3", name: "Hạ tầng", maxPoints: 20, method: .tiers([.init(min: 0, points: 0), .init(min: 50, points: 8), .init(min: 80, points: 20)])),
            ]),
            DTICriterion(code: "B", name: "Hoạt động", children: [
                DTICriterion(code: "B1", name: "Nền tảng dùng chung", maxPoints: 20, method: .count(pointsEach: 4)),
                DTICriterion(code: "B2", name: "Đánh giá", maxPoints: 20, method: .judgement),
            ]),
        ])

    @Test func eachMethodScoresAsDefined() {
        #expect(DTIMethod.yesno.points(1, max: 10) == 10)
        #expect(DTIMethod.yesno.points(0, max: 10) == 0)
        // ratio: max × min(value / target, 1)
        #expect(DTIMethod.ratio(target: 80).points(40, max: 30) == 15)
        #expect(DTIMethod.ratio(target: 80).points(80, max: 30) == 30)
        #expect(DTIMethod.ratio(target: 80).points(100, max: 30) == 30)
        #expect(DTIMethod.ratio(target: 80).points(0, max: 30) == 0)
        // tiers: the highest tier whose min ≤ value; at the boundary the upper tier applies
        let tiers = DTIMethod.tiers([.init(min: 0, points: 0), .init(min: 50, points: 8), .init(min: 80, points: 20)])
        #expect(tiers.points(49.99, max: 20) == 0)
        #expect(tiers.points(50, max: 20) == 8)
        #expect(tiers.points(79.9, max: 20) == 8)
        #expect(tiers.points(80, max: 20) == 20)
        #expect(DTIMethod.tiers([.init(min: 10, points: 5)]).points(3, max: 20) == 0)
        // count: min(value × each, max)
        #expect(DTIMethod.count(pointsEach: 4).points(3, max: 20) == 12)
        #expect(DTIMethod.count(pointsEach: 4).points(5, max: 20) == 20)
        #expect(DTIMethod.count(pointsEach: 4).points(9, max: 20) == 20)
        #expect(DTIMethod.judgement.points(12.5, max: 20) == 12.5)
    }

    @Test func valuesOutsideTheirDomainAreNamed() {
        #expect(DTIMethod.yesno.check(2, max: 10) != nil)
        #expect(DTIMethod.yesno.check(0.5, max: 10) != nil)
        #expect(DTIMethod.yesno.check(1, max: 10) == nil)
        #expect(DTIMethod.ratio(target: 80).check(-1, max: 10) != nil)
        #expect(DTIMethod.ratio(target: 80).check(100.5, max: 10) != nil)
        #expect(DTIMethod.ratio(target: 80).check(100, max: 10) == nil)
        #expect(DTIMethod.count(pointsEach: 1).check(2.5, max: 10) != nil)
        #expect(DTIMethod.count(pointsEach: 1).check(-1, max: 10) != nil)
        #expect(DTIMethod.judgement.check(10.01, max: 10) != nil)
        #expect(DTIMethod.judgement.check(10, max: 10) == nil)
        #expect(DTIMethod.tiers([.init(min: 0, points: 1)]).check(.nan, max: 10) != nil)
    }

    @Test func aTreeScoresAsTheSumOfItsChildren() throws {
        let f = Self.framework
        #expect(f.problems(measures: ["publicservices.onlineShare"]).isEmpty)
        #expect(f.maxPoints == 100)
        #expect(f.maxima["B"] == 40)
        // A1 yes 10; A2 60 % of 80 → 22.5; A3 65 → 8; B1 2 items → 8; B2 proposed 15.
        let s = DTIScoring.score(f, values: ["A1": 1, "A2": 60, "A3": 65, "B1": 2, "B2": 15])
        #expect(s.points["A2"] == 22.5)
        #expect(s.points["A"] == 40.5)
        #expect(s.points["B"] == 23)
        #expect(s.total == 63.5)
        #expect(s.value == 0.635)
        #expect(f.level(for: s.value)?.name == "Trung bình")
        #expect(f.level(for: 0.65)?.name == "Khá")
        #expect(f.level(for: 0.8)?.name == "Tốt")
        // The reviewer's points replace the computed ones (capped at the maximum); missing values score 0.
        let r = DTIScoring.score(f, values: ["A1": 1, "A2": 60, "A3": 65, "B1": 2, "B2": 15], overrides: ["B2": 10, "A1": 0])
        #expect(r.points["B2"] == 10)
        #expect(r.total == 48.5)
        let empty = DTIScoring.score(f, values: [:])
        #expect(empty.total == 0 && empty.value == 0)
        #expect(DTIScoring.score(f, values: ["A1": 5]).total == 0, "an out-of-domain value never scores")
    }

    @Test func normalisedValuesHaveFourDecimals() {
        // Sở NN-PTNT's published 0.81979 is five decimals on the 2022 form; IOC publishes four, rounded half up.
        #expect(DTIScoring.normalised(819.79, max: 1000) == 0.8198)
        #expect(DTIScoring.normalised(2, max: 3) == 0.6667)
        #expect(DTIScoring.normalised(0, max: 0) == 0)
    }

    @Test func tiesShareARank() {
        #expect(DTIScoring.ranks([90, 80, 80, 70]) == [1, 2, 2, 4])
        #expect(DTIScoring.ranks([70, 80.004, 80, 90]) == [4, 2, 2, 1], "points equal to 2 decimals tie")
        #expect(DTIScoring.ranks([50, 50, 50]) == [1, 1, 1])
        #expect(DTIScoring.ranks([]) == [])
    }

    @Test func badFrameworksAreRefusedWithTheField() {
        var f = Self.framework
        f.criteria[0].maxPoints = 50 // children add up to 60
        let p = f.problems(measures: ["publicservices.onlineShare"])
        #expect(p.contains { $0.field == "criteria[0].maxPoints" && $0.message.en.contains("more than its maximum") })

        f = Self.framework
        f.criteria[1].children![0].code = "A1"
        #expect(f.problems(measures: ["publicservices.onlineShare"]).contains { $0.message.en.contains("used twice") })

        f = Self.framework
        f.criteria[0].children![2].method = .tiers([.init(min: 50, points: 8), .init(min: 10, points: 20)])
        #expect(f.problems(measures: ["publicservices.onlineShare"]).contains { $0.field.hasSuffix("tiers[1].min") })

        f = Self.framework
        f.criteria[0].children![2].method = .tiers([.init(min: 50, points: 30)])
        #expect(f.problems(measures: ["publicservices.onlineShare"]).contains { $0.field.hasSuffix("tiers[0]") })

        f = Self.framework
        #expect(f.problems(measures: []).contains { $0.field.hasSuffix(".measure") }, "a measure IOC does not know")

        f = Self.framework
        f.criteria[0].children![1].method = .yesno
        #expect(f.problems(measures: ["publicservices.onlineShare"]).contains { $0.field.hasSuffix(".measure") }, "a measured sub-index is a ratio")

        f = Self.framework
        f.criteria[1].children![1].method = nil
        #expect(f.problems(measures: ["publicservices.onlineShare"]).contains { $0.field == "criteria[1].children[1].method" })

        f = Self.framework
        f.levels = [DTILevel(name: "Tốt", min: 80)]
        #expect(f.problems(measures: ["publicservices.onlineShare"]).contains { $0.field == "levels[0].min" })

        f = Self.framework
        f.code = "dti 2025"
        #expect(f.problems(measures: ["publicservices.onlineShare"]).contains { $0.field == "code" })
    }

    @Test func aFrameworkChangedBetweenYearsScoresEachYearByItsOwnTree() {
        // 2026 drops the count sub-index and moves its 20 points to the yes/no one.
        var next = Self.framework
        next.code = "DTI-SO-2026"
        next.year = 2026
        next.criteria[0].children![0].maxPoints = 30
        next.criteria[0].maxPoints = 80
        next.criteria[1].children!.removeFirst()
        next.criteria[1].maxPoints = 20
        #expect(next.problems(measures: ["publicservices.onlineShare"]).isEmpty)
        let values: [String: Double] = ["A1": 1, "A2": 60, "A3": 65, "B1": 2, "B2": 15]
        #expect(DTIScoring.score(Self.framework, values: values).total == 63.5)
        // 30 + 22.5 + 8 + 15; B1 is not in the 2026 tree and is ignored.
        #expect(DTIScoring.score(next, values: values).total == 75.5)
        #expect(DTIScoring.score(next, values: values).value == 0.755)
    }

    @Test func methodsRoundTripThroughJSON() throws {
        let json = #"[{"kind":"yesno"},{"kind":"ratio","target":80},{"kind":"tiers","tiers":[{"min":0,"points":1}]},{"kind":"count","pointsEach":2},{"kind":"judgement"}]"#
        let methods = try JSONDecoder().decode([DTIMethod].self, from: Data(json.utf8))
        #expect(methods == [.yesno, .ratio(target: 80), .tiers([.init(min: 0, points: 1)]), .count(pointsEach: 2), .judgement])
        let again = try JSONDecoder().decode([DTIMethod].self, from: try JSONEncoder().encode(methods))
        #expect(again == methods)
        #expect(throws: (any Error).self) { try JSONDecoder().decode(DTIMethod.self, from: Data(#"{"kind":"magic"}"#.utf8)) }
    }
}
