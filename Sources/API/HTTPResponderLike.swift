import HTTP

// What a complete (non-streamed) answer needs; lets handlers be tested with a fake.
protocol HTTPResponderLike: ErrorReporting {
    func respond(status: Int, headers: [(String, String)], body: [UInt8])
}

extension HTTPResponder: HTTPResponderLike {}
