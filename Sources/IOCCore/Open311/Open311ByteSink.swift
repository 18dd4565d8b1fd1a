import Foundation

/// A bounded write cursor over the uninitialised storage of the `[UInt8]` being built.
///
/// Writers reserve an estimated capacity up front and write straight into the array's storage.
/// When an estimate proves too small the sink stops writing and records `overflowed`; the caller
/// (`Open311ByteSink.render`) then retries with a larger capacity. No per-byte `Array.append`,
/// no intermediate `String`s.
struct Open311ByteSink {
    let base: UnsafeMutablePointer<UInt8>
    let capacity: Int
    private(set) var count = 0
    private(set) var overflowed = false
    /// Two most recent (day number, `YYYY-MM-DD` bytes) pairs, most recent first.
    private var dayCache: (Int64, (UInt64, UInt16), Int64, (UInt64, UInt16)) = (.min, (0, 0), .min, (0, 0))

    init(base: UnsafeMutablePointer<UInt8>, capacity: Int) {
        self.base = base
        self.capacity = capacity
    }

    /// Builds a byte array by running `body` on a sink of `estimate` bytes, retrying with a larger
    /// capacity until the output fits.
    static func render(estimate: Int, _ body: (inout Open311ByteSink) -> Void) -> [UInt8] {
        var capacity = Swift.max(estimate, 64)
        while true {
            var fitted = false
            let bytes = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
                var sink = Open311ByteSink(base: buffer.baseAddress!, capacity: buffer.count)
                body(&sink)
                fitted = !sink.overflowed
                initialized = fitted ? sink.count : 0
            }
            if fitted { return bytes }
            capacity = capacity * 2 + 4096
        }
    }

    /// True when `n` more bytes fit; otherwise marks the sink as overflowed.
    @inline(__always)
    mutating func reserve(_ n: Int) -> Bool {
        if count + n <= capacity { return true }
        overflowed = true
        return false
    }

    @inline(__always)
    mutating func byte(_ b: UInt8) {
        guard reserve(1) else { return }
        base[count] = b
        count += 1
    }

    @inline(__always)
    mutating func raw(_ p: UnsafePointer<UInt8>, _ n: Int) {
        guard n > 0, reserve(n) else { return }
        let d = base + count
        if n <= 32 {
            // Short runs (tags, keys, codes): word copies instead of a memmove call.
            var i = 0
            while i &+ 8 <= n {
                UnsafeMutableRawPointer(d + i).storeBytes(
                    of: UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self), as: UInt64.self)
                i &+= 8
            }
            while i < n {
                d[i] = p[i]
                i &+= 1
            }
        } else {
            d.update(from: p, count: n)
        }
        count += n
    }

    /// Appends ASCII/UTF-8 text known at compile time (tags, keys, punctuation).
    @inline(__always)
    mutating func put(_ s: StaticString) {
        raw(s.utf8Start, s.utf8CodeUnitCount)
    }

    mutating func int(_ v: Int) {
        guard reserve(20) else { return }
        var x = v.magnitude
        if v < 0 { base[count] = 0x2D; count += 1 }
        var digits = 1
        var t = x
        while t >= 10 { t /= 10; digits += 1 }
        var i = count + digits - 1
        repeat {
            base[i] = 0x30 &+ UInt8(truncatingIfNeeded: x % 10)
            x /= 10
            i -= 1
        } while x > 0
        count += digits
    }

    /// A finite `Double` in the form of Swift's `description` (the shortest decimal that
    /// round-trips: `12.6675`, `108.0`, `-0.5`).
    ///
    /// Fast path for ordinary magnitudes (0.001 ≤ |v| < 1e9 — every WGS84 coordinate): round
    /// |v| to 15 significant digits as an integer m·10⁻ᴷ, drop trailing zeros, and accept the
    /// result only if m/10ᵏ == |v| exactly (both operands are exact doubles, so the IEEE quotient is
    /// the correctly rounded value of that decimal, i.e. what parsing it gives back). At 15
    /// significant digits at most one decimal lies within half an ulp of |v|, so an accepted result
    /// is the shortest round-trip decimal, the same digits `description` prints. Anything else
    /// (17-digit values such as 0.1 + 0.2, tiny or huge magnitudes) goes through `description`.
    mutating func double(_ v: Double) {
        let a = Swift.abs(v)
        if a >= 0.001 && a < 1e9 {
            var intDigits = 0
            var ip = UInt64(a)
            while ip > 0 { intDigits &+= 1; ip /= 10 }
            var k = 15 &- intDigits
            var m = UInt64(a * Self.pow10(k) + 0.5)
            while k > 0 && m % 10 == 0 { m /= 10; k &-= 1 }
            if Double(m) / Self.pow10(k) == a {
                writeDecimal(m, decimals: k, negative: v < 0)
                return
            }
        }
        var s = v.description
        s.withUTF8 { u in raw(u.baseAddress!, u.count) }
    }

    @inline(__always)
    private static func pow10(_ k: Int) -> Double {
        switch k {
        case 0: return 1
        case 1: return 1e1
        case 2: return 1e2
        case 3: return 1e3
        case 4: return 1e4
        case 5: return 1e5
        case 6: return 1e6
        case 7: return 1e7
        case 8: return 1e8
        case 9: return 1e9
        case 10: return 1e10
        case 11: return 1e11
        case 12: return 1e12
        case 13: return 1e13
        case 14: return 1e14
        default: return 1e15
        }
    }

    /// Writes m·10⁻ᵏ with k decimals (`.0` when k is 0).
    @inline(__always)
    private mutating func writeDecimal(_ m: UInt64, decimals k: Int, negative: Bool) {
        guard reserve(32) else { return }
        if negative { base[count] = 0x2D; count += 1 }
        var pow: UInt64 = 1
        for _ in 0..<k { pow &*= 10 }
        let intPart = m / pow
        var frac = m - intPart * pow
        int(Int(intPart))
        base[count] = 0x2E
        count += 1
        if k == 0 {
            base[count] = 0x30
            count += 1
            return
        }
        var i = count + k - 1
        while i >= count {
            base[i] = 0x30 &+ UInt8(truncatingIfNeeded: frac % 10)
            frac /= 10
            i -= 1
        }
        count += k
    }

    /// `W3CDateTime` text of `d`. The `YYYY-MM-DD` text of the last two days written is cached:
    /// the dates of one response fall on few distinct days.
    mutating func date(_ d: Date, offsetMinutes: Int) {
        guard reserve(W3CDateTime.maxFormattedLength) else { return }
        let (days, sod, offset) = W3CDateTime.split(d, offsetMinutes: offsetMinutes)
        let p = base + count
        if days == dayCache.0 {
            store(dayCache.1, at: p)
        } else if days == dayCache.2 {
            store(dayCache.3, at: p)
            dayCache = (dayCache.2, dayCache.3, dayCache.0, dayCache.1)
        } else {
            W3CDateTime.writeDay(days, into: p)
            let text = (UnsafeRawPointer(p).loadUnaligned(as: UInt64.self),
                        UnsafeRawPointer(p + 8).loadUnaligned(as: UInt16.self))
            dayCache = (days, text, dayCache.0, dayCache.1)
        }
        count += 10 + W3CDateTime.writeTime(sod, offset: offset, into: p + 10)
    }

    @inline(__always)
    private func store(_ text: (UInt64, UInt16), at p: UnsafeMutablePointer<UInt8>) {
        UnsafeMutableRawPointer(p).storeBytes(of: text.0, as: UInt64.self)
        UnsafeMutableRawPointer(p + 8).storeBytes(of: text.1, as: UInt16.self)
    }

    // MARK: - Escaping

    @inline(__always)
    private static func jsonSpecial(_ b: UInt8) -> Bool {
        b < 0x20 || b == 0x22 || b == 0x5C
    }

    @inline(__always)
    private static func xmlSpecial(_ b: UInt8) -> Bool {
        b < 0x20 || b == 0x26 || b == 0x3C || b == 0x3E || b == 0x22 || b == 0x27 || b == 0xEF
    }

    /// Index of the first byte at or after `from` that may need JSON escaping, or `n`.
    /// Scans 16 bytes at a time with SIMD compares.
    @inline(__always)
    private static func jsonScan(_ p: UnsafePointer<UInt8>, _ from: Int, _ n: Int) -> Int {
        var i = from
        let quote = SIMD16<UInt8>(repeating: 0x22)
        let backslash = SIMD16<UInt8>(repeating: 0x5C)
        let space = SIMD16<UInt8>(repeating: 0x20)
        while i &+ 16 <= n {
            let v = UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<UInt8>.self)
            if any((v .== quote) .| (v .== backslash) .| (v .< space)) { break }
            i &+= 16
        }
        if i &+ 8 <= n {
            // One 8-byte SWAR step for short strings and tails.
            let w = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
            let ones: UInt64 = 0x0101_0101_0101_0101
            let q = w ^ (ones &* 0x22)
            let b = w ^ (ones &* 0x5C)
            let hit = ((q &- ones) & ~q) | ((b &- ones) & ~b) | ((w &- ones &* 0x20) & ~w)
            if hit & (ones &* 0x80) == 0 { i &+= 8 }
        }
        while i < n, !jsonSpecial(p[i]) { i &+= 1 }
        return i
    }

    /// Index of the first byte at or after `from` that may need XML escaping or stripping, or `n`.
    @inline(__always)
    private static func xmlScan(_ p: UnsafePointer<UInt8>, _ from: Int, _ n: Int) -> Int {
        var i = from
        let quot = SIMD16<UInt8>(repeating: 0x22)
        let amp = SIMD16<UInt8>(repeating: 0x26)
        let apos = SIMD16<UInt8>(repeating: 0x27)
        let lt = SIMD16<UInt8>(repeating: 0x3C)
        let gt = SIMD16<UInt8>(repeating: 0x3E)
        let ef = SIMD16<UInt8>(repeating: 0xEF)
        let space = SIMD16<UInt8>(repeating: 0x20)
        while i &+ 16 <= n {
            let v = UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<UInt8>.self)
            let m = (v .== quot) .| (v .== amp) .| (v .== apos) .| (v .== lt) .| (v .== gt)
                .| (v .== ef) .| (v .< space)
            if any(m) { break }
            i &+= 16
        }
        while i < n, !xmlSpecial(p[i]) { i &+= 1 }
        return i
    }

    /// Appends `s` as the inside of a JSON string (RFC 8259): `"` and `\` are backslash-escaped,
    /// control characters become `\n \r \t \b \f` or `\u00XX`; everything else (including all
    /// non-ASCII text) is copied byte for byte as UTF-8.
    @inline(__always)
    mutating func jsonText(_ s: String) {
        let done: Void? = s.utf8.withContiguousStorageIfAvailable { jsonBytes($0) }
        if done == nil {
            var copy = s
            copy.withUTF8 { jsonBytes($0) }
        }
    }

    mutating func jsonBytes(_ u: UnsafeBufferPointer<UInt8>) {
        guard let p = u.baseAddress else { return }
        let n = u.count
        var run = 0
        while true {
            let i = Self.jsonScan(p, run, n)
            raw(p + run, i &- run)
            if i == n { return }
            let b = p[i]
            switch b {
            case 0x22: put("\\\"")
            case 0x5C: put("\\\\")
            case 0x0A: put("\\n")
            case 0x0D: put("\\r")
            case 0x09: put("\\t")
            case 0x08: put("\\b")
            case 0x0C: put("\\f")
            default:
                put("\\u00")
                byte(Self.hex(b >> 4))
                byte(Self.hex(b & 0xF))
            }
            run = i &+ 1
        }
    }

    /// Appends `s` as XML 1.0 character data: `& < > " '` become entities, CR becomes `&#13;` (so
    /// it survives parser line-end normalisation), other characters not allowed in XML 1.0 (C0
    /// controls other than TAB/LF/CR, U+FFFE, U+FFFF) are dropped. Everything else is copied byte
    /// for byte as UTF-8.
    @inline(__always)
    mutating func xmlText(_ s: String) {
        let done: Void? = s.utf8.withContiguousStorageIfAvailable { xmlBytes($0) }
        if done == nil {
            var copy = s
            copy.withUTF8 { xmlBytes($0) }
        }
    }

    mutating func xmlBytes(_ u: UnsafeBufferPointer<UInt8>) {
        guard let p = u.baseAddress else { return }
        let n = u.count
        var run = 0
        var from = 0
        while true {
            let i = Self.xmlScan(p, from, n)
            if i == n {
                raw(p + run, n &- run)
                return
            }
            let b = p[i]
            if b == 0xEF {
                // U+FFFE / U+FFFF are EF BF BE / EF BF BF; other EF-led characters are kept.
                if i &+ 2 < n, p[i &+ 1] == 0xBF, p[i &+ 2] == 0xBE || p[i &+ 2] == 0xBF {
                    raw(p + run, i &- run)
                    run = i &+ 3
                    from = run
                } else {
                    from = i &+ 1
                }
                continue
            }
            raw(p + run, i &- run)
            switch b {
            case 0x26: put("&amp;")
            case 0x3C: put("&lt;")
            case 0x3E: put("&gt;")
            case 0x22: put("&quot;")
            case 0x27: put("&apos;")
            case 0x0D: put("&#13;")
            case 0x09, 0x0A: byte(b)
            default: break // not allowed in XML 1.0: dropped
            }
            run = i &+ 1
            from = run
        }
    }

    @inline(__always)
    private static func hex(_ v: UInt8) -> UInt8 {
        v < 10 ? 0x30 + v : 0x41 + v - 10
    }
}
