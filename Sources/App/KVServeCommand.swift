public enum KVServeCommand {
    public static func main(_ args: [String]) {
        print("kvserve: not yet implemented")
    }
}
