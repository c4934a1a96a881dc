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
    let pieces = stride(from: 0, to: bytes.count, by: step).map { Array(bytes[$0..<min($0 + step, bytes.count)]) }
    let whole = parseAll([bytes])
    let split = parseAll(pieces)
    if whole != split {
        fatalError("results depend on the split (piece size \(step)):\n whole: \(whole)\n split: \(split)")
    }
    return 0
}

/// Feeds the pieces in order and collects every result other than `needMore`, framing
/// pipelined requests with `feed([])` the way a connection does.
func parseAll(_ pieces: [[UInt8]]) -> [HTTPParser.ParseResult] {
    var parser = HTTPParser(maxHeaderBytes: maxHeaderBytes, maxBodyBytes: maxBodyBytes)
    var results: [HTTPParser.ParseResult] = []
    for piece in pieces {
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
                if framed > pieces.count + maxHeaderBytes { fatalError("parser returns requests without consuming input") }
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
