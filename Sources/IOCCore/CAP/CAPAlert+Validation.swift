extension CAPAlert {
    /// Checks the CAP rules a value of these types can still break (CAP 1.2 §3.2; CAP 1.1 rules for a 1.1 message).
    /// `CAPParser` calls it on every message it reads; call it on an alert you built before `CAPWriter.xml`.
    ///
    /// - `identifier`, `sender` and every reference's sender and identifier: non-empty, without white space, commas,
    ///   `<` or `&` (§3.2.1).
    /// - `scope` Restricted needs a non-empty `restriction`; Private needs non-empty `addresses` (§3.2.1).
    /// - Each info: at least one category, a non-empty event, a valid RFC 3066 language; no `Avoid`/`AllClear`
    ///   response in CAP 1.1 (new in 1.2).
    /// - Each resource: non-empty description; a MIME type in CAP 1.2; size ≥ 0.
    /// - Each area: non-empty description; polygons of ≥ 4 points whose first and last are equal; circles with a
    ///   radius ≥ 0; latitudes in [-90, 90] and longitudes in [-180, 180]; `ceiling` only with `altitude`.
    ///
    /// Age is never judged: an alert whose `expires` has passed is valid.
    public func validate() throws(CAPError) {
        try Self.checkIdentifier(identifier, "alert/identifier")
        try Self.checkIdentifier(sender, "alert/sender")
        switch scope {
        case .restricted where (restriction.map(CAPText.trimmed) ?? "").isEmpty:
            throw CAPError(.missingElement, path: "alert/restriction",
                           vi: "Thiếu phần tử bắt buộc alert/restriction (bắt buộc khi scope là Restricted)",
                           en: "Required element alert/restriction is missing (required when scope is Restricted)")
        case .private where (addresses.map(CAPText.trimmed) ?? "").isEmpty:
            throw CAPError(.missingElement, path: "alert/addresses",
                           vi: "Thiếu phần tử bắt buộc alert/addresses (bắt buộc khi scope là Private)",
                           en: "Required element alert/addresses is missing (required when scope is Private)")
        default:
            break
        }
        if let references {
            if references.entries.isEmpty { throw CAPError.badReferences(references.raw) }
            for entry in references.entries
            where !CAPText.isIdentifier(entry.sender) || !CAPText.isIdentifier(entry.identifier) {
                throw CAPError.badReferences(references.raw)
            }
        }
        for info in infos { try info.validate(version: version) }
    }

    static func checkIdentifier(_ value: String, _ path: String) throws(CAPError) {
        if value.isEmpty { throw CAPError.empty(path) }
        if !CAPText.isIdentifier(value) {
            throw CAPError.invalid(path, value,
                                   vi: "không được chứa khoảng trắng, dấu phẩy, '<' hay '&'",
                                   en: "must not contain spaces, commas, '<' or '&'")
        }
    }
}

extension CAPInfo {
    func validate(version: CAPVersion) throws(CAPError) {
        if !CAPText.isLanguage(language) {
            throw CAPError.invalid("alert/info/language", language,
                                   vi: "không phải mã ngôn ngữ RFC 3066 (ví dụ vi-VN)",
                                   en: "not an RFC 3066 language tag (e.g. vi-VN)")
        }
        if categories.isEmpty { throw CAPError.missing("alert/info/category") }
        if CAPText.trimmed(event).isEmpty { throw CAPError.empty("alert/info/event") }
        if version != .v1_2, let newer = responseTypes.first(where: { $0 == .avoid || $0 == .allClear }) {
            let allowed = ResponseType.allCases.filter { $0 != .avoid && $0 != .allClear }.map(\.rawValue)
            throw CAPError.notAllowed("alert/info/responseType", newer.rawValue, allowed: allowed)
        }
        for resource in resources {
            if CAPText.trimmed(resource.resourceDesc).isEmpty { throw CAPError.empty("alert/info/resource/resourceDesc") }
            if version == .v1_2 {
                guard let mime = resource.mimeType else { throw CAPError.missing("alert/info/resource/mimeType") }
                if CAPText.trimmed(mime).isEmpty { throw CAPError.empty("alert/info/resource/mimeType") }
            }
            if let size = resource.size, size < 0 {
                throw CAPError.invalid("alert/info/resource/size", String(size),
                                       vi: "kích thước không được âm", en: "the size must not be negative")
            }
        }
        for area in areas { try area.validate() }
    }
}

extension CAPArea {
    func validate() throws(CAPError) {
        if CAPText.trimmed(areaDesc).isEmpty { throw CAPError.empty("alert/info/area/areaDesc") }
        let polygonPath = "alert/info/area/polygon"
        for ring in polygons {
            if ring.count < 4 {
                throw CAPError.polygon(vi: "cần ít nhất 4 điểm (có \(ring.count))", en: "at least 4 points are required (found \(ring.count))")
            }
            if ring.first != ring.last {
                throw CAPError.polygon(vi: "điểm đầu và điểm cuối phải trùng nhau", en: "the first and last points must be the same")
            }
            for p in ring { try p.validate(polygonPath, CAPError.Code.invalidPolygon) }
        }
        for c in circles {
            try c.center.validate("alert/info/area/circle", .invalidCircle)
            if !(c.radiusKm >= 0) || !c.radiusKm.isFinite {
                throw CAPError(.invalidCircle, path: "alert/info/area/circle",
                               vi: "Vòng tròn alert/info/area/circle không hợp lệ: bán kính phải là số không âm",
                               en: "Circle alert/info/area/circle is invalid: the radius must be a non-negative number")
            }
        }
        if let altitude, !altitude.isFinite {
            throw CAPError.invalid("alert/info/area/altitude", "\(altitude)", vi: "phải là số", en: "must be a number")
        }
        if let ceiling {
            if !ceiling.isFinite {
                throw CAPError.invalid("alert/info/area/ceiling", "\(ceiling)", vi: "phải là số", en: "must be a number")
            }
            if altitude == nil {
                throw CAPError(.missingElement, path: "alert/info/area/altitude",
                               vi: "Thiếu phần tử alert/info/area/altitude (bắt buộc khi có ceiling)",
                               en: "Required element alert/info/area/altitude is missing (ceiling is given)")
            }
        }
    }
}

extension CAPPoint {
    func validate(_ path: String, _ code: CAPError.Code) throws(CAPError) {
        guard latitude.isFinite, longitude.isFinite, (-90...90).contains(latitude), (-180...180).contains(longitude) else {
            let shape = code == .invalidPolygon ? ("Đa giác", "Polygon") : ("Vòng tròn", "Circle")
            throw CAPError(code, path: path,
                           vi: "\(shape.0) \(path) không hợp lệ: điểm \(CAPText.number(latitude)),\(CAPText.number(longitude)) nằm ngoài vĩ độ [-90, 90] hoặc kinh độ [-180, 180]",
                           en: "\(shape.1) \(path) is invalid: point \(CAPText.number(latitude)),\(CAPText.number(longitude)) is outside latitude [-90, 90] or longitude [-180, 180]")
        }
    }
}

extension CAPError {
    static func polygon(vi: String, en: String) -> CAPError {
        CAPError(.invalidPolygon, path: "alert/info/area/polygon",
                 vi: "Đa giác alert/info/area/polygon không hợp lệ: \(vi)",
                 en: "Polygon alert/info/area/polygon is invalid: \(en)")
    }

    static func badReferences(_ value: String) -> CAPError {
        CAPError(.invalidReferences, path: "alert/references",
                 vi: "Tham chiếu \(quote(value)) không hợp lệ: mỗi mục phải có dạng sender,identifier,sent (sent theo định dạng CAP), các mục cách nhau bằng khoảng trắng",
                 en: "References \(quote(value)) are malformed: each entry must be sender,identifier,sent (sent a CAP date-time), entries separated by white space")
    }

    static func badDateTime(_ path: String, _ value: String) -> CAPError {
        if case .failure(.zulu) = CAPDateTime.check(value) {
            return CAPError(.invalidDateTime, path: path,
                            vi: "Thời điểm \(quote(value)) của \(path) không hợp lệ: CAP không cho phép múi giờ 'Z', hãy ghi độ lệch dạng +00:00",
                            en: "Date-time \(quote(value)) of \(path) is invalid: CAP does not allow the 'Z' time zone designator; write the offset as +00:00")
        }
        return CAPError(.invalidDateTime, path: path,
                        vi: "Thời điểm \(quote(value)) của \(path) không đúng định dạng CAP YYYY-MM-DDThh:mm:ss±hh:mm (ví dụ 2003-04-02T14:39:01-05:00)",
                        en: "Date-time \(quote(value)) of \(path) is not in CAP form YYYY-MM-DDThh:mm:ss±hh:mm (e.g. 2003-04-02T14:39:01-05:00)")
    }
}
