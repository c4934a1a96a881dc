/// Finds special-token strings in UTF-8 text, longest match first at each position
/// (so "<|im_start|>" wins over a shorter special that is its prefix).
struct SpecialTokenMatcher: Sendable {
    enum Segment: Equatable {
        case text(ArraySlice<UInt8>)
        case special(Int32)
    }

    /// Candidates by first byte, longest first.
    private let byFirstByte: [UInt8: [(bytes: [UInt8], id: Int32)]]

    init(specials: [(String, Int32)]) {
        var table: [UInt8: [(bytes: [UInt8], id: Int32)]] = [:]
        for (text, id) in specials {
            let bytes = Array(text.utf8)
            guard let first = bytes.first else { continue }
            table[first, default: []].append((bytes, id))
        }
        for key in table.keys {
            table[key]?.sort { $0.bytes.count > $1.bytes.count }
        }
        byFirstByte = table
    }

    func split(_ utf8: [UInt8]) -> [Segment] {
        var out: [Segment] = []
        var textStart = 0
        var i = 0
        while i < utf8.count {
            guard let candidates = byFirstByte[utf8[i]],
                  let hit = candidates.first(where: { matches($0.bytes, utf8, at: i) }) else {
                i += 1
                continue
            }
            if textStart < i { out.append(.text(utf8[textStart..<i])) }
            out.append(.special(hit.id))
            i += hit.bytes.count
            textStart = i
        }
        if textStart < utf8.count { out.append(.text(utf8[textStart..<utf8.count])) }
        return out
    }

    private func matches(_ needle: [UInt8], _ hay: [UInt8], at i: Int) -> Bool {
        guard i + needle.count <= hay.count else { return false }
        for k in 0..<needle.count where hay[i + k] != needle[k] { return false }
        return true
    }
}
