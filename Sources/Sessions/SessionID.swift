public enum SessionID {
    /// 1-128 characters of [A-Za-z0-9._-]. Checked before an id ever becomes part of a file
    /// path, so "../x" or "a/b" can never leave the state directory.
    public static func isValid(_ id: String) -> Bool {
        let bytes = Array(id.utf8)
        guard (1...128).contains(bytes.count) else { return false }
        return bytes.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                || b == 0x2E || b == 0x5F || b == 0x2D
        }
    }
}
