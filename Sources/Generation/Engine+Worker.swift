import Foundation

extension Engine {
    /// One dedicated thread runs the model (not the Dispatch pool: a long generation must not
    /// hold a shared pool thread, and the model's scratch buffers allow one forward at a time).
    func startWorker() {
        let thread = Thread { [weak self] in self?.workerLoop() }
        thread.name = "kvserve-model-worker"
        thread.stackSize = 8 << 20
        thread.start()
    }

    private func workerLoop() {
        while let job = nextJob() {
            let start = MonotonicClock.nowMs()
            run(job)
            condition.lock()
            running = nil
            averageJobMs = 0.8 * averageJobMs + 0.2 * (MonotonicClock.nowMs() - start)
            condition.broadcast()
            condition.unlock()
        }
        condition.lock()
        workerDone = true
        condition.broadcast()
        condition.unlock()
    }

    /// Blocks until a job is queued; nil once shut down and drained.
    private func nextJob() -> EngineJob? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty && accepting {
            // Idle: sweep expired sessions now and then, so the TTL holds without traffic.
            if !condition.wait(until: Date().addingTimeInterval(60)) { sessions.expireIdle() }
        }
        guard !queue.isEmpty else { return nil }
        let job = queue.removeFirst()
        running = job
        return job
    }

    func checkAccepting() throws {
        condition.lock()
        defer { condition.unlock() }
        if !accepting { throw GenerationError.shuttingDown }
    }

    func enqueue(_ job: EngineJob) throws {
        condition.lock()
        defer { condition.unlock() }
        guard accepting else { throw GenerationError.shuttingDown }
        guard queue.count < max(config.queueSize, 1) else {
            // Rough wait: the queued jobs at the recent average job time.
            let seconds = Int((averageJobMs * Double(queue.count + 1) / 1000).rounded(.up))
            throw GenerationError.queueFull(retryAfterSeconds: max(1, seconds))
        }
        queue.append(job)
        condition.broadcast()
    }

    /// Stops taking work, lets queued and running requests finish until `deadline` seconds
    /// from now, then cancels the running one and fails the rest with `.shuttingDown`.
    /// Every completed turn is already durable (fsync'd before its `.finished`), so nothing
    /// is left to flush once the worker has stopped.
    public func shutdown(deadline: TimeInterval) {
        let until = Date().addingTimeInterval(max(deadline, 0))
        condition.lock()
        accepting = false
        condition.broadcast()
        while !(queue.isEmpty && running == nil), condition.wait(until: until) {}
        let abandoned = queue
        queue.removeAll()
        running?.ticket.cancel()
        condition.unlock()
        for job in abandoned {
            if let s = job.session { sessions.release(s) }
            job.onEvent(.failed(.shuttingDown))
        }
        condition.lock()
        // The running job stops at its next token or prefill chunk.
        let grace = Date().addingTimeInterval(30)
        while !workerDone, condition.wait(until: grace) {}
        condition.unlock()
        config.log("engine stopped; \(sessions.list().count) sessions on record")
    }
}
