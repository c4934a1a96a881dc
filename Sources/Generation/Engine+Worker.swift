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

    /// Continuous batching. Each step: admit queued jobs up to `maxBatch` running (session
    /// checkout and cache plan), prefill at most `prefillChunk` prompt tokens of the jobs still
    /// prefilling, then one batched forward giving every decoding job its next token, then
    /// finish the jobs that ended (commit or roll back, release, final event).
    private func workerLoop() {
        var slots: [DecodeSlot] = []
        while let admitted = admit(running: slots.count) {
            for job in admitted {
                if let slot = begin(job) { slots.append(slot) }
            }
            prefillStep(slots)
            slots += forkChoices(slots)
            decodeStep(slots.filter(\.isDecoding))
            for slot in slots where slot.done { finish(slot) }
            slots.removeAll(where: \.done)
        }
        condition.lock()
        workerDone = true
        condition.broadcast()
        condition.unlock()
    }

    /// Queued jobs to start now (possibly none while others run). Blocks while nothing runs
    /// and nothing is queued; nil once shut down and drained.
    private func admit(running: Int) -> [EngineJob]? {
        condition.lock()
        defer { condition.unlock() }
        while running == 0 && queue.isEmpty && accepting {
            // Idle: sweep expired sessions now and then, so the TTL holds without traffic.
            if !condition.wait(until: Date().addingTimeInterval(60)) { sessions.expireIdle() }
        }
        if running == 0 && queue.isEmpty { return nil }
        // In arrival order (no overtaking), while a batch place is free and the KV the running
        // jobs may need stays within the budget; a job alone always runs (submit checked it fits).
        var jobs: [EngineJob] = []
        var bytes = active.reduce(0) { $0 + $1.kvBytes }
        while let job = queue.first, running + jobs.count < max(config.maxBatch, 1),
              running + jobs.count == 0 || bytes + job.kvBytes <= config.kvBudgetBytes {
            bytes += job.kvBytes
            jobs.append(queue.removeFirst())
        }
        active += jobs
        return jobs
    }

    /// Called by the worker once a job's final event is sent.
    func jobEnded(_ job: EngineJob, startMs: Double) {
        condition.lock()
        active.removeAll { $0 === job }
        averageJobMs = 0.8 * averageJobMs + 0.2 * (MonotonicClock.nowMs() - startMs)
        condition.broadcast()
        condition.unlock()
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
            // Rough wait: the queued jobs at the recent average job time, maxBatch at a time.
            let batches = Double(queue.count + 1) / Double(max(config.maxBatch, 1))
            let seconds = Int((averageJobMs * batches / 1000).rounded(.up))
            throw GenerationError.queueFull(retryAfterSeconds: max(1, seconds))
        }
        queue.append(job)
        condition.broadcast()
    }

    /// Stops taking work, lets queued and running requests finish until `deadline` seconds
    /// from now, then cancels the running ones and fails the rest with `.shuttingDown`.
    /// Every completed turn is already durable (fsync'd before its `.finished`), so nothing
    /// is left to flush once the worker has stopped.
    public func shutdown(deadline: TimeInterval) {
        let until = Date().addingTimeInterval(max(deadline, 0))
        condition.lock()
        accepting = false
        condition.broadcast()
        while !(queue.isEmpty && active.isEmpty), condition.wait(until: until) {}
        let abandoned = queue
        queue.removeAll()
        // Their clients get a final error event (an ending, not a cut) once they stop.
        for job in active { job.ticket.cancel(failing: .shuttingDown) }
        condition.unlock()
        for job in abandoned {
            if let s = job.session { sessions.release(s) }
            job.onEvent(0, .failed(.shuttingDown))
        }
        condition.lock()
        // The running jobs stop at their next token or prefill chunk.
        let grace = Date().addingTimeInterval(30)
        while !workerDone, condition.wait(until: grace) {}
        condition.unlock()
        config.log("engine stopped; \(sessions.list().count) sessions on record")
    }
}
