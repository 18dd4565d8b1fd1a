import Foundation
import IOCCore
import Vapor

extension Application {
    /// The commune (of this instance's province) the point lies in.
    func communeCode(of point: Coordinate) throws -> String {
        let province = self.iocConfiguration.provinceCode
        guard let area = self.reference.boundaries.commune(containing: point),
              (area.properties.provinceCode ?? self.reference.units[area.code]?.provinceCode) == province else {
            throw IOCError.invalid("lat", vi: "Vị trí nằm ngoài địa bàn tỉnh.", en: "The location is outside the province.")
        }
        return area.code
    }
}
