/// Cuts generated text at the first stop string. Text that might be the beginning of a stop
/// string is held back until it is decided; the stop string and anything after it are never
/// emitted. Matching is over Unicode scalars (input comes from `UTF8StreamDecoder`, so scalars
/// are always whole).
public struct StopMatcher: Sendable {
    private let stops: [[Unicode.Scalar]]
    private var pending: [Unicode.Scalar] = []
    public private(set) var stopped = false
    /// The stop string that ended the text, once `stopped`.
    public private(set) var matchedStop: String?

    public init(stops: [String]) {
        self.stops = stops.filter { !$0.isEmpty }.map { Array($0.unicodeScalars) }
    }

    /// Text now safe to emit, and whether a stop string was reached (nothing is emitted after).
    public mutating func append(_ text: String) -> (emit: String, stopped: Bool) {
        if stopped { return ("", true) }
        pending.append(contentsOf: text.unicodeScalars)
        if let (start, stop) = firstMatch() {
            let emit = Self.string(pending[0..<start])
            matchedStop = Self.string(stop[...])
            pending.removeAll()
            stopped = true
            return (emit, true)
        }
        let hold = heldBackStart()
        let emit = Self.string(pending[0..<hold])
        pending.removeFirst(hold)
        return (emit, false)
    }

    /// Releases held-back text at the end of generation (when no stop string came).
    public mutating func flush() -> String {
        defer { pending.removeAll() }
        return stopped ? "" : Self.string(pending[...])
    }

    /// Earliest position where a whole stop string occurs.
    private func firstMatch() -> (Int, [Unicode.Scalar])? {
        for i in pending.indices {
            for stop in stops where pending.count - i >= stop.count {
                if pending[i..<(i + stop.count)].elementsEqual(stop) { return (i, stop) }
            }
        }
        return nil
    }

    /// First position from which the rest of `pending` is a proper prefix of some stop string.
    private func heldBackStart() -> Int {
        for i in pending.indices {
            let tail = pending[i...]
            if stops.contains(where: { $0.count > tail.count && $0.starts(with: tail) }) { return i }
        }
        return pending.count
    }

    private static func string(_ s: ArraySlice<Unicode.Scalar>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: s)
        return String(view)
    }
}
