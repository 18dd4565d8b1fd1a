import Foundation

/// Conversions between Excel serial dates and calendar dates.
///
/// Excel stores a date as a number of days, with the time of day as the fraction, counted in the
/// workbook's own local time (there is no offset in the file). In the default 1900 date system day 1 is
/// 1900-01-01 and day 60 is the non-existent 1900-02-29 that Lotus 1-2-3 introduced (ECMA-376 Part 1,
/// §18.17.4.1), so from day 61 on, serial `s` is `s` days after 1899-12-30. In the 1904 system
/// (`<workbookPr date1904="1"/>`) day 0 is 1904-01-01.
enum ExcelSerialDate {
    /// Serial of 1970-01-01 in the 1900 date system.
    static let unixEpochSerial1900 = 25_569
    /// Serial of 1970-01-01 in the 1904 date system.
    static let unixEpochSerial1904 = 24_107
    /// Largest serial Excel accepts: 9999-12-31T23:59:59.
    static let maximumSerial = 2_958_466.0

    /// Local calendar date and time, without any time zone.
    struct LocalDateTime: Equatable {
        var year: Int
        var month: Int
        var day: Int
        var secondOfDay: Int

        /// `yyyy-MM-ddTHH:mm:ss`.
        var isoString: String {
            // Built from digits directly: a large sheet can hold millions of dates.
            var bytes = [UInt8](repeating: 0, count: 19)
            func put(_ value: Int, at offset: Int, width: Int) {
                var remaining = value
                for position in stride(from: offset + width - 1, through: offset, by: -1) {
                    bytes[position] = UInt8(ascii: "0") + UInt8(remaining % 10)
                    remaining /= 10
                }
            }
            put(year, at: 0, width: 4)
            put(month, at: 5, width: 2)
            put(day, at: 8, width: 2)
            put(secondOfDay / 3600, at: 11, width: 2)
            put(secondOfDay / 60 % 60, at: 14, width: 2)
            put(secondOfDay % 60, at: 17, width: 2)
            for (offset, separator) in [(4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":")] as [(Int, Unicode.Scalar)]
            {
                bytes[offset] = UInt8(separator.value)
            }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// The local date and time a serial stands for, rounded to the second, or `nil` outside Excel's range.
    static func localDateTime(serial: Double, date1904: Bool) -> LocalDateTime? {
        guard serial.isFinite, serial >= 0, serial < maximumSerial else { return nil }
        let totalSeconds = Int((serial * 86_400).rounded())
        var days = totalSeconds / 86_400
        let secondOfDay = totalSeconds % 86_400
        if date1904 {
            days -= unixEpochSerial1904
        } else {
            // Days 1...60 sit before the phantom 1900-02-29 and are one day later than the 1899-12-30 count.
            if days >= 1, days <= 60 { days += 1 }
            days -= unixEpochSerial1900
        }
        let civil = civilDate(daysSinceUnixEpoch: days)
        return LocalDateTime(year: civil.year, month: civil.month, day: civil.day, secondOfDay: secondOfDay)
    }

    /// The local date and time of a count of wall-clock seconds since 1970-01-01T00:00:00.
    static func localDateTime(localSecondsSinceUnixEpoch seconds: Int) -> LocalDateTime {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let civil = civilDate(daysSinceUnixEpoch: days)
        return LocalDateTime(year: civil.year, month: civil.month, day: civil.day, secondOfDay: seconds - days * 86_400)
    }

    /// The 1900-system serial for a local date and time, or `nil` before 1900-03-01 (where the phantom
    /// leap day makes serials ambiguous) or after 9999-12-31.
    static func serial(localSecondsSinceUnixEpoch seconds: Int) -> Double? {
        let serial = Double(seconds) / 86_400 + Double(unixEpochSerial1900)
        guard serial >= 61, serial < maximumSerial else { return nil }
        return serial
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant, "chrono-Compatible Low-Level
    /// Date Algorithms", days_from_civil).
    static func daysSinceUnixEpoch(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// Proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant, civil_from_days).
    static func civilDate(daysSinceUnixEpoch days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
