// Branching sessions for the Responses API (`previous_response_id`); see SessionManager+Fork.
extension Engine {
    /// A new session `target` holding everything session `source` holds (a branch of it).
    public func forkSession(from source: String, to target: String) throws {
        do {
            try sessions.fork(from: source, to: target)
        } catch {
            throw Self.map(error, sessionID: source)
        }
    }

    /// A session's conversation as (role, content) pairs; nil when there is no such session.
    public func sessionMessages(_ id: String) -> [(role: String, content: String)]? {
        sessions.messages(id: id)?.map { ($0.role, $0.content) }
    }
}
