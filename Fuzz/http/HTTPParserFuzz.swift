// libFuzzer harness for the HTTP request parser (RFC 9112 framing).
//
// Input: byte 0 chooses how the rest is split into reads (piece size 1...256); the rest is
// what a client sent. The bytes are fed once whole and once in pieces; framing must not
// depend on how TCP split them, so both runs must give the same requests and rejections.
// Small limits make the fuzzer reach the 413/431 paths.

let maxHeaderBytes = 1024
let maxBodyBytes = 4096

@_cdecl("LLVMFuzzerTestOneInput")
public func httpParserFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let step = Int(input[0]) + 1
    let bytes = Array(input.dropFirst())
    let whole = parseAll(bytes, pieceSize: max(1, bytes.count))
    let split = parseAll(bytes, pieceSize: step)
    if whole != split {
        fatalError("results depend on the split (piece size \(step)):\n whole: \(whole)\n split: \(split)")
    }
    return 0
}

/// Feeds `bytes` in pieces of `pieceSize` >= 1 (the last may be shorter; no bytes: one empty
/// piece) and collects every result other than `needMore`, framing pipelined requests with
/// `feed([])` the way a connection does. One piece buffer is reused: a new array per piece
/// made 4 KB inputs split into single bytes cost ~1 ms each under ASan.
func parseAll(_ bytes: [UInt8], pieceSize: Int) -> [HTTPParser.ParseResult] {
    var parser = HTTPParser(maxHeaderBytes: maxHeaderBytes, maxBodyBytes: maxBodyBytes)
    var results: [HTTPParser.ParseResult] = []
    let pieceCount = max(1, (bytes.count + pieceSize - 1) / pieceSize)
    var piece: [UInt8] = []
    piece.reserveCapacity(pieceSize)
    for start in stride(from: 0, to: max(bytes.count, 1), by: pieceSize) {
        piece.removeAll(keepingCapacity: true)
        piece.append(contentsOf: bytes[start..<min(start + pieceSize, bytes.count)])
        var result = parser.feed(piece)
        // Each request consumes at least its request line, so this ends; the bound catches a parser
        // that returns a request without consuming bytes.
        var framed = 0
        while true {
            if parser.wantsContinue { parser.continueSent() }
            switch result {
            case .needMore: break
            case .request(let request):
                check(request)
                results.append(result)
                framed += 1
                if framed > pieceCount + maxHeaderBytes { fatalError("parser returns requests without consuming input") }
                result = parser.feed([])
                continue
            case .reject(let status, _):
                results.append(result)
                if parser.feed([]) != result { fatalError("a rejected parser must stay rejected") }
                guard (400..<600).contains(status) else { fatalError("a rejection with status \(status)") }
                return results
            }
            break
        }
    }
    return results
}

func check(_ request: HTTPRequest) {
    if request.body.count > maxBodyBytes { fatalError("body of \(request.body.count) bytes passed the \(maxBodyBytes) limit") }
    if request.method.isEmpty || request.target.isEmpty { fatalError("request without method or target") }
}
