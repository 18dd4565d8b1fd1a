import Foundation
import Testing
@testable import IOCCore

@Suite("Roles, scopes and input validation")
struct AccessTests {
    static let catalog = UnitCatalogTests.catalog

    @Test func everyRoleHasBothLanguageNames() {
        for r in Role.allCases {
            #expect(!r.nameVi.isEmpty && !r.nameEn.isEmpty)
        }
        #expect(Role.allCases.count == 5)
    }

    @Test func agencyScopeCoversTheAgencyAndItsDescendants() {
        let scope = Scope.agency(agencyID: "SO-XD")
        #expect(ScopeRules.covers(scope, agencyID: "SO-XD", ancestorIDs: ["UBND-TINH"], jurisdiction: []))
        #expect(ScopeRules.covers(scope, agencyID: "PHONG-QLXD", ancestorIDs: ["SO-XD", "UBND-TINH"], jurisdiction: []))
        #expect(!ScopeRules.covers(scope, agencyID: "SO-YT", ancestorIDs: ["UBND-TINH"], jurisdiction: []))
    }

    @Test func unitScopeCoversAgenciesWhollyInsideTheSubtree() {
        let bmt = Self.catalog["24133"]!, tanAn = Self.catalog["24163"]!, province = Self.catalog["66"]!
        let ward = Scope.unit(code: "24133")
        #expect(ScopeRules.covers(ward, agencyID: "x", ancestorIDs: [], jurisdiction: [bmt]))
        #expect(!ScopeRules.covers(ward, agencyID: "x", ancestorIDs: [], jurisdiction: [bmt, tanAn]))
        #expect(!ScopeRules.covers(ward, agencyID: "x", ancestorIDs: [], jurisdiction: [province]))
        #expect(!ScopeRules.covers(ward, agencyID: "x", ancestorIDs: [], jurisdiction: []))
        #expect(ScopeRules.covers(.unit(code: "66"), agencyID: "x", ancestorIDs: [], jurisdiction: [bmt, tanAn]))
        #expect(ScopeRules.covers(.all, agencyID: "x", ancestorIDs: [], jurisdiction: []))
    }

    @Test func textValidation() throws {
        #expect(try Validate.text("  Sở Y tế ", field: "name", max: 20) == "Sở Y tế")
        #expect(try Validate.text("   ", field: "name", max: 20, required: false) == nil)
        #expect(throws: ValidationFailure.self) { try Validate.text("", field: "name", max: 20) }
        #expect(throws: ValidationFailure.self) { try Validate.text(String(repeating: "a", count: 21), field: "name", max: 20) }
        #expect(throws: ValidationFailure.self) { try Validate.text("a\u{0}b", field: "name", max: 20) }
        let failure = try? #require(throws: ValidationFailure.self) { try Validate.text(nil, field: "name", max: 5) }
        #expect(failure?.field == "name")
        #expect(failure?.message.vi.isEmpty == false)
    }

    @Test func codeValidation() throws {
        #expect(try Validate.code("UBND-24133", field: "code") == "UBND-24133")
        #expect(throws: ValidationFailure.self) { try Validate.code("UBND 24133", field: "code") }
        #expect(throws: ValidationFailure.self) { try Validate.code("Sở", field: "code") }
        #expect(throws: ValidationFailure.self) { try Validate.code("a;drop", field: "code") }
    }
}
