/// `application/x-www-form-urlencoded` decoding, for POST bodies and for query strings.
///
/// - Pairs are separated by `&` (only `&`: `;` is data). Empty pairs (`a=1&&b=2`, a leading or
///   trailing `&`) are skipped.
/// - Each pair splits at its first `=`; a pair without `=` has the empty value (`flag` →
///   `("flag", "")`); further `=` belong to the value (`q=a=b` → `("q", "a=b")`).
/// - A pair whose decoded **name** is empty (`=value`) is skipped.
/// - `+` decodes to a space; `%XX` (hex digits of either case) to the byte `XX`. A `%` not followed
///   by two hex digits (`%G1`, a truncated `%E` at the end) is an error.
/// - The decoded bytes of every name and value must be valid UTF-8 (unencoded UTF-8 bytes are
///   accepted too). Anything else is an error.
/// - Order is kept; repeated names are kept as separate pairs.
///
/// Errors are `Open311Error` with code 400 and a bilingual description.
public enum FormURLEncoded {
    /// Decodes a form body or a query string (without the leading `?`).
    public static func parse(_ body: [UInt8]) throws(Open311Error) -> [(name: String, value: String)] {
        try parse(body, maxPairs: Int.max)
    }

    /// Decodes a query string (without the leading `?`).
    public static func parse(_ query: String) throws(Open311Error) -> [(name: String, value: String)] {
        try parse(Array(query.utf8), maxPairs: Int.max)
    }

    /// Like `parse(_:)`, but fails with 400 as soon as more than `maxPairs` non-empty pairs are
    /// seen, before decoding the rest (cheap protection against huge parameter lists).
    public static func parse(_ body: [UInt8], maxPairs: Int) throws(Open311Error) -> [(name: String, value: String)] {
        var result: [(name: String, value: String)] = []
        let n = body.count
        var start = 0
        var scratch: [UInt8] = []
        while start <= n {
            var end = start
            var eq = -1
            while end < n, body[end] != 0x26 {
                if eq < 0, body[end] == 0x3D { eq = end }
                end += 1
            }
            if end > start {
                if result.count >= maxPairs {
                    throw Open311Error.badRequest(
                        "Quá nhiều tham số (tối đa \(maxPairs))",
                        "Too many parameters (at most \(maxPairs))")
                }
                let nameEnd = eq >= 0 ? eq : end
                let name = try decode(body, start, nameEnd, &scratch)
                if !name.isEmpty {
                    let value = eq >= 0 ? try decode(body, eq + 1, end, &scratch) : ""
                    result.append((name: name, value: value))
                }
            }
            start = end + 1
        }
        return result
    }

    @inline(__always)
    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }

    private static func decode(_ b: [UInt8], _ from: Int, _ to: Int, _ scratch: inout [UInt8]) throws(Open311Error) -> String {
        if from >= to { return "" }
        // Fast path: nothing to decode and plain ASCII.
        var plain = true
        for i in from..<to {
            let c = b[i]
            if c == 0x25 || c == 0x2B || c >= 0x80 { plain = false; break }
        }
        if plain {
            return b.withUnsafeBufferPointer { p in
                String(decoding: UnsafeBufferPointer(rebasing: p[from..<to]), as: UTF8.self)
            }
        }
        scratch.removeAll(keepingCapacity: true)
        var i = from
        while i < to {
            let c = b[i]
            if c == 0x2B {
                scratch.append(0x20)
                i += 1
            } else if c == 0x25 {
                guard i + 2 < to,
                      let hi = hexValue(b[i + 1]), let lo = hexValue(b[i + 2]) else {
                    throw badEscape(b, i, to)
                }
                scratch.append(hi << 4 | lo)
                i += 3
            } else {
                scratch.append(c)
                i += 1
            }
        }
        guard isValidUTF8(scratch) else {
            throw Open311Error.badRequest(
                "Dữ liệu form không phải UTF-8 hợp lệ",
                "Form data is not valid UTF-8")
        }
        return String(decoding: scratch, as: UTF8.self)
    }

    /// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
    static func isValidUTF8(_ b: [UInt8]) -> Bool {
        let n = b.count
        var i = 0
        while i < n {
            let c = b[i]
            if c < 0x80 { i += 1; continue }
            let need: Int
            var lo: UInt8 = 0x80
            var hi: UInt8 = 0xBF
            switch c {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; lo = 0xA0
            case 0xE1...0xEC, 0xEE, 0xEF: need = 2
            case 0xED: need = 2; hi = 0x9F
            case 0xF0: need = 3; lo = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; hi = 0x8F
            default: return false
            }
            guard i + need < n else { return false }
            let c1 = b[i + 1]
            guard c1 >= lo, c1 <= hi else { return false }
            if need >= 2 { guard b[i + 2] & 0xC0 == 0x80 else { return false } }
            if need == 3 { guard b[i + 3] & 0xC0 == 0x80 else { return false } }
            i += need + 1
        }
        return true
    }

    private static func badEscape(_ b: [UInt8], _ at: Int, _ to: Int) -> Open311Error {
        let upper = Swift.min(to, at + 3)
        let shown = String(decoding: b[at..<upper], as: UTF8.self)
        return Open311Error.badRequest(
            "Mã thoát phần trăm không hợp lệ \"\(shown)\" trong dữ liệu form",
            "Invalid percent-escape \"\(shown)\" in form data")
    }
}
