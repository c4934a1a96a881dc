// libFuzzer harness for the request-body JSON parser (RFC 8259).
//
// Any input must parse or throw, never crash, hang or overflow the stack (depth is bounded).
// A parsed value must survive a round trip: what JSONWriter writes parses back to an equal
// value, and writing that again gives the same bytes.

@_cdecl("LLVMFuzzerTestOneInput")
public func jsonParserFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let value = try? JSONParser.parse(bytes) else { return 0 }
    let written = JSONWriter.bytes(value)
    let again: JSONValue
    do {
        again = try JSONParser.parse(written)
    } catch {
        fatalError("JSONWriter output does not parse (\(error)): \(String(decoding: written, as: UTF8.self))")
    }
    if again != value { fatalError("round trip changed the value: \(value) -> \(again)") }
    if JSONWriter.bytes(again) != written { fatalError("writing is not stable for \(value)") }
    return 0
}
