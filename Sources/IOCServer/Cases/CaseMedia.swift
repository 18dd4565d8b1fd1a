import Crypto
import Fluent
import Foundation
import IOCCore
import SQLKit
import Vapor

/// Photos of cases (sanitised, content-addressed by SHA-256, stored in the database) and the cases near a point.
enum CaseMedia {
    static let maxPhotoBytes = 5 * 1024 * 1024

    static func sanitize(_ bytes: [UInt8], field: String) throws -> SanitizedImage {
        guard bytes.count <= maxPhotoBytes else {
            throw IOCError(.payloadTooLarge, code: "photo_too_large", vi: "Ảnh lớn hơn 5 MB.", en: "A photo is larger than 5 MB.", field: field)
        }
        do {
            return try ImageSanitizer.sanitize(bytes)
        } catch ImageError.notAnImage {
            throw IOCError(.unsupportedMediaType, code: "not_an_image", vi: "Tệp không phải ảnh JPEG, PNG hoặc WebP.",
                           en: "The file is not a JPEG, PNG or WebP image.", field: field)
        } catch ImageError.tooManyPixels {
            throw IOCError(.payloadTooLarge, code: "photo_too_large", vi: "Ảnh có kích thước điểm ảnh quá lớn.", en: "The image has too many pixels.", field: field)
        } catch {
            throw IOCError.invalid(field, vi: "Ảnh bị hỏng hoặc không đọc được.", en: "The image is damaged or unreadable.")
        }
    }

    /// Stores sanitized images content-addressed; returns their hashes in order.
    static func store(_ images: [SanitizedImage], on db: any Database, at: Date) async throws -> [String] {
        var shas: [String] = []
        for image in images {
            let sha = SHA256.hash(data: image.bytes).map { String(format: "%02x", $0) }.joined()
            if try await AttachmentModel.find(sha, on: db) == nil {
                let a = AttachmentModel()
                a.id = sha
                a.contentType = image.format.mimeType
                a.width = image.width
                a.height = image.height
                a.size = image.bytes.count
                a.data = Data(image.bytes)
                a.createdAt = at
                try await a.create(on: db)
            }
            shas.append(sha)
        }
        return shas
    }


    /// Open reports of the category within its radius and period, nearest first.
    static func nearby(category: CategoryModel.Snapshot, point: Coordinate, excluding: String? = nil, now: Date, on db: any Database) async throws -> [(CaseModel, Double)] {
        let radius = Double(max(category.duplicateRadius, 1))
        let dLat = radius / 111_320
        let dLon = radius / (111_320 * max(cos(point.latitude * .pi / 180), 0.01))
        let since = now.addingTimeInterval(-Double(category.duplicateDays) * 86_400)
        let candidates = try await CaseModel.query(on: db)
            .filter(\.$category == category.code)
            .filter(\.$status ~~ CaseStatus.openStatuses.map(\.rawValue))
            .filter(\.$receivedAt >= since)
            .filter(\.$lat >= point.latitude - dLat).filter(\.$lat <= point.latitude + dLat)
            .filter(\.$lon >= point.longitude - dLon).filter(\.$lon <= point.longitude + dLon)
            .limit(200).all()
        return candidates.compactMap { c -> (CaseModel, Double)? in
            guard c.code != excluding, let la = c.lat, let lo = c.lon else { return nil }
            let d = point.distance(to: Coordinate(latitude: la, longitude: lo))
            return d <= radius ? (c, d) : nil
        }.sorted { $0.1 < $1.1 }.prefix(10).map { $0 }
    }
}
