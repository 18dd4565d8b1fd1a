import Foundation

/// A formula over other indicators (per capita, ratios, share of plan), evaluated by the server: numbers, indicator
/// codes, `+ - * /`, unary minus and parentheses. Never code from the database.
public indirect enum IndicatorFormula: Sendable, Hashable, CustomStringConvertible {
    case number(Double)
    case ref(String)
    case negate(IndicatorFormula)
    case binary(Character, IndicatorFormula, IndicatorFormula)

    public struct ParseError: Error, Sendable, Hashable {
        public var position: Int
        public var vi: String
        public var en: String
    }

    public static let maxLength = 500

    public static func parse(_ text: String) throws(ParseError) -> IndicatorFormula {
        guard text.utf8.count <= maxLength else { throw ParseError(position: 0, vi: "Công thức quá dài.", en: "The formula is too long.") }
        var p = Parser(chars: Array(text.unicodeScalars))
        let f = try p.expression(depth: 0)
        p.skipSpace()
        guard p.i == p.chars.count else {
            throw ParseError(position: p.i, vi: "Ký tự không hợp lệ ở vị trí \(p.i + 1).", en: "Unexpected character at position \(p.i + 1).")
        }
        return f
    }

    /// The indicator codes the formula reads.
    public var references: Set<String> {
        switch self {
        case .number: []
        case .ref(let c): [c]
        case .negate(let f): f.references
        case .binary(_, let a, let b): a.references.union(b.references)
        }
    }

    /// The value, nil when an input is missing or a division by zero happens.
    public func evaluate(_ lookup: (String) -> Double?) -> Double? {
        switch self {
        case .number(let x): return x
        case .ref(let c): return lookup(c)
        case .negate(let f): return f.evaluate(lookup).map { -$0 }
        case .binary(let op, let a, let b):
            guard let x = a.evaluate(lookup), let y = b.evaluate(lookup) else { return nil }
            switch op {
            case "+": return x + y
            case "-": return x - y
            case "*": return x * y
            default: return y == 0 ? nil : x / y
            }
        }
    }

    public var description: String {
        switch self {
        case .number(let x): return x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : String(x)
        case .ref(let c): return c
        case .negate(let f): return "-(\(f))"
        case .binary(let op, let a, let b): return "(\(a) \(op) \(b))"
        }
    }

    /// The first cycle among formulas (code → the codes its formula reads), as the codes along it; nil when none.
    public static func cycle(in graph: [String: Set<String>]) -> [String]? {
        var state: [String: Int] = [:]  // 1 = on the path, 2 = done
        var path: [String] = []
        func visit(_ node: String) -> [String]? {
            if state[node] == 2 { return nil }
            if state[node] == 1 { return Array(path[(path.firstIndex(of: node) ?? 0)...]) + [node] }
            state[node] = 1
            path.append(node)
            for next in (graph[node] ?? []).sorted() { if let c = visit(next) { return c } }
            path.removeLast()
            state[node] = 2
            return nil
        }
        for node in graph.keys.sorted() { if let c = visit(node) { return c } }
        return nil
    }

    struct Parser {
        let chars: [Unicode.Scalar]
        var i = 0

        mutating func skipSpace() { while i < chars.count, chars[i] == " " || chars[i] == "\t" { i += 1 } }

        func fail(_ vi: String, _ en: String) -> ParseError { ParseError(position: i, vi: vi, en: en) }

        mutating func expression(depth: Int) throws(ParseError) -> IndicatorFormula {
            guard depth < 50 else { throw fail("Công thức lồng quá sâu.", "The formula is nested too deeply.") }
            var left = try term(depth: depth)
            while true {
                skipSpace()
                guard i < chars.count, chars[i] == "+" || chars[i] == "-" else { return left }
                let op = Character(chars[i]); i += 1
                left = .binary(op, left, try term(depth: depth))
            }
        }

        mutating func term(depth: Int) throws(ParseError) -> IndicatorFormula {
            var left = try factor(depth: depth)
            while true {
                skipSpace()
                guard i < chars.count, chars[i] == "*" || chars[i] == "/" else { return left }
                let op = Character(chars[i]); i += 1
                left = .binary(op, left, try factor(depth: depth))
            }
        }

        mutating func factor(depth: Int) throws(ParseError) -> IndicatorFormula {
            skipSpace()
            guard i < chars.count else { throw fail("Công thức thiếu toán hạng ở cuối.", "The formula ends where a value was expected.") }
            let c = chars[i]
            if c == "-" { i += 1; return .negate(try factor(depth: depth + 1)) }
            if c == "(" {
                i += 1
                let inner = try expression(depth: depth + 1)
                skipSpace()
                guard i < chars.count, chars[i] == ")" else { throw fail("Thiếu dấu đóng ngoặc.", "A closing parenthesis is missing.") }
                i += 1
                return inner
            }
            if ("0"..."9").contains(c) || c == "." {
                let start = i
                while i < chars.count, ("0"..."9").contains(chars[i]) || chars[i] == "." { i += 1 }
                let text = String(String.UnicodeScalarView(chars[start..<i]))
                guard let x = Double(text), x.isFinite else { throw fail("Số không hợp lệ: \(text).", "Not a number: \(text).") }
                return .number(x)
            }
            if ("A"..."Z").contains(c) {
                let start = i
                while i < chars.count, ("A"..."Z").contains(chars[i]) || ("0"..."9").contains(chars[i]) || chars[i] == "_" { i += 1 }
                return .ref(String(String.UnicodeScalarView(chars[start..<i])))
            }
            throw fail("Ký tự không hợp lệ ở vị trí \(i + 1).", "Unexpected character at position \(i + 1).")
        }
    }
}
