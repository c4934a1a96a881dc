// libFuzzer harness for the GGUF reader: header, metadata and tensor directory.
//
// The input is the file. libFuzzer hands it over in a heap buffer of exactly its size, so
// AddressSanitizer reports any read past the end (what a truncated mmap would do). A file
// that parses must describe only tensors that lie inside it, aligned and not overlapping.

@_cdecl("LLVMFuzzerTestOneInput")
public func ggufReaderFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var parser = GGUFParser(base: UnsafeRawPointer(data), size: size)
    guard let result = try? parser.parse() else { return 0 }
    if result.dataStart % result.alignment != 0 || result.directoryEnd > result.dataStart {
        fatalError("data section at \(result.dataStart) (directory ends \(result.directoryEnd), alignment \(result.alignment))")
    }
    var end = 0
    for t in result.tensors.sorted(by: { $0.offset < $1.offset }) {
        guard t.offset >= result.dataStart, t.offset >= end, t.byteCount >= 0, t.offset + t.byteCount <= size,
              (t.offset - result.dataStart) % result.alignment == 0
        else { fatalError("tensor \(t.name) at \(t.offset)+\(t.byteCount) in a file of \(size) bytes") }
        end = t.offset + t.byteCount
        if t.type.byteCount(elements: t.elementCount) != t.byteCount { fatalError("tensor \(t.name): byte count disagrees with its shape") }
    }
    if Set(result.keyOrder) != Set(result.metadata.keys) || result.keyOrder.count != result.metadata.count {
        fatalError("key order and metadata disagree")
    }
    for value in result.metadata.values { _ = (value.stringValue, value.intValue, value.floatValue, value.typeName) }
    return 0
}
