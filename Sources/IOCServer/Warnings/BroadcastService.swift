import Fluent
import Foundation
import IOCCore
import Vapor

/// Truyền thanh thông minh: the spoken bulletin of a published warning (Vietnamese speech from espeak-ng, encoded to
/// MP3 by ffmpeg), its schedule (now, then three repeats 30 minutes apart), and each commune cluster's delivery, which
/// the cluster pulls with its key and confirms.
enum BroadcastService {
    struct Audio: Sendable { var data: Data; var type: String }

    /// The bulletin's text as it is read out.
    static func text(_ w: WarningModel, app: Application) -> String {
        let level = WarningCatalog.short(w.level).vi
        let hazard = WarningCatalog.hazard(w.hazard)?.vi ?? ""
        let areas = WarningService.decodeAreas(w).compactMap { app.reference.units[$0]?.name }.joined(separator: ", ")
        return "Thông báo khẩn. Cảnh báo \(hazard.lowercased()), \(level.lowercased()). \(w.headline). "
            + (areas.isEmpty ? "" : "Khu vực: \(areas). ") + "\(w.description) \(w.instruction) Xin nhắc lại: \(w.headline)."
    }

    /// Synthesises `text` to MP3 (nil when espeak-ng or ffmpeg is missing or fails: the clusters then get the text).
    static func synthesize(_ text: String, logger: Logger) async -> Audio? {
        let fm = FileManager.default
        let espeak = ["/usr/bin/espeak-ng", "/usr/local/bin/espeak-ng"].first { fm.isExecutableFile(atPath: $0) }
        let ffmpeg = ["/usr/bin/ffmpeg", "/usr/local/bin/ffmpeg"].first { fm.isExecutableFile(atPath: $0) }
        guard let espeak, let ffmpeg else {
            logger.warning("broadcast: espeak-ng or ffmpeg is not installed; bulletins go out as text")
            return nil
        }
        let dir = fm.temporaryDirectory.appendingPathComponent("ioc-tts-\(UUID().uuidString)")
        do { try fm.createDirectory(at: dir, withIntermediateDirectories: true) } catch { return nil }
        defer { try? fm.removeItem(at: dir) }
        let txt = dir.appendingPathComponent("b.txt").path, wav = dir.appendingPathComponent("b.wav").path, mp3 = dir.appendingPathComponent("b.mp3").path
        guard fm.createFile(atPath: txt, contents: Data(text.utf8)) else { return nil }
        do {
            let (s1, o1) = try await PostgresTools.run(espeak, ["-v", "vi", "-s", "140", "-f", txt, "-w", wav], environment: [:])
            guard s1 == 0 else { logger.warning("broadcast: espeak-ng failed: \(o1.prefix(200))"); return nil }
            let (s2, o2) = try await PostgresTools.run(ffmpeg, ["-nostdin", "-y", "-loglevel", "error", "-i", wav, "-ac", "1", "-ar", "22050",
                                                                 "-codec:a", "libmp3lame", "-b:a", "48k", mp3], environment: [:])
            guard s2 == 0, let data = fm.contents(atPath: mp3), !data.isEmpty else { logger.warning("broadcast: ffmpeg failed: \(o2.prefix(200))"); return nil }
            return Audio(data: data, type: "audio/mpeg")
        } catch {
            logger.warning("broadcast: synthesis failed: \(String(describing: error))")
            return nil
        }
    }

    /// The schedule: now, then every 30 minutes, three repeats (while the warning is in force).
    static func playTimes(from start: Date, until end: Date) -> [Date] {
        (0..<4).map { start.addingTimeInterval(Double($0) * 1_800) }.filter { $0 < end }
    }

    /// Creates the broadcast of a warning and a delivery for every cluster in its communes (inside the publishing transaction).
    static func schedule(for w: WarningModel, audio: Audio?, text: String, app: Application, tx: any Database, now: Date) async throws {
        let communes = WarningService.decodeAreas(w)
        guard !communes.isEmpty else { return }
        let clusters = try await LoudspeakerModel.query(on: tx).filter(\.$unitCode ~~ communes).all()
        let b = BroadcastModel()
        b.id = UUID()
        b.warningID = w.id
        b.kind = "warning"
        b.title = "\(WarningCatalog.short(w.level).vi): \(w.headline)"
        b.text = text
        b.audio = audio?.data ?? Data()
        b.audioType = audio?.type ?? "text/plain"
        b.playAt = String(decoding: try JSONEncoder().encode(playTimes(from: max(now, w.effective), until: w.expires).map { ISO8601.format($0) }), as: UTF8.self)
        b.createdAt = now
        try await b.create(on: tx)
        for c in clusters {
            let d = BroadcastDeliveryModel()
            d.broadcastID = b.id!
            d.cluster = c.id ?? ""
            d.status = "pending"
            try await d.create(on: tx)
        }
    }

    static func summary(_ warningIDs: [UUID], on db: any Database) async throws -> [UUID: WarningService.BroadcastSummary] {
        guard !warningIDs.isEmpty else { return [:] }
        let bs = try await BroadcastModel.query(on: db).filter(\.$warningID ~~ warningIDs).field(\.$id).field(\.$warningID).all()
        let byBroadcast = Dictionary(bs.compactMap { b in b.warningID.map { (b.id!, $0) } }, uniquingKeysWith: { a, _ in a })
        guard !byBroadcast.isEmpty else { return [:] }
        let ds = try await BroadcastDeliveryModel.query(on: db).filter(\.$broadcastID ~~ Array(byBroadcast.keys)).all()
        var out: [UUID: WarningService.BroadcastSummary] = [:]
        for d in ds {
            guard let w = byBroadcast[d.broadcastID] else { continue }
            var s = out[w] ?? .init(clusters: 0, confirmed: 0)
            s.clusters += 1
            if d.status == "played" { s.confirmed += 1 }
            out[w] = s
        }
        return out
    }
}
