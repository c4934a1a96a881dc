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
    /// checkout and cache plan), then one batched forward that gives every decoding job its
    /// next token and takes the next chunks of the prompts still prefilling, within
    /// `batchTokenBudget` tokens (Engine+Step.swift; with budget 0, prompts are prefilled in
    /// forwards of their own first), fork the `n` choices of prompts just done, then finish
    /// the jobs that ended (commit or roll back, release, final event).
    private func workerLoop() {
        var slots: [DecodeSlot] = []
        var cost = StepCost()
        while let admitted = admit(running: slots.count) {
            for (i, job) in admitted.enumerated() {
                let outcome = begin(job, alone: slots.isEmpty)
                if case let .started(slot) = outcome { slots.append(slot) }
                if case .loading = outcome { requeue([job], loading: true) }
                if case .deferred = outcome {
                    requeue(Array(admitted[i...]))
                    break
                }
            }
            if config.batchTokenBudget > 0 {
                batchStep(slots, cost: &cost)
                slots += forkChoices(slots)
            } else {
                prefillStep(slots)
                slots += forkChoices(slots)
                decodeStep(slots.filter(\.isDecoding))
            }
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
        // Jobs whose session is still loading from disk wait in the queue without blocking the others.
        while running == 0 && !queue.contains(where: \.isAdmissible) && (accepting || !queue.isEmpty) {
            // Idle: sweep expired sessions now and then, so the TTL holds without traffic.
            if !condition.wait(until: Date().addingTimeInterval(60)) { sessions.expireIdle() }
        }
        if running == 0 && queue.isEmpty { return nil }
        // In arrival order (no overtaking), while a batch place is free. Whether the KV budget
        // has room is the session manager's answer in `begin` (one ledger); a job it defers
        // goes back to the head of the queue with those behind it (`requeue`).
        var jobs: [EngineJob] = []
        var i = 0
        while i < queue.count, running + jobs.count < max(config.maxBatch, 1) {
            if queue[i].isAdmissible { jobs.append(queue.remove(at: i)) } else { i += 1 }
        }
        active += jobs
        return jobs
    }

    /// Puts admitted jobs back at the head of the queue, in order (the budget had no room yet).
    func requeue(_ jobs: [EngineJob], loading: Bool = false) {
        guard !jobs.isEmpty else { return }
        condition.lock()
        if loading { for job in jobs { job.loading = true } }
        active.removeAll { job in jobs.contains { $0 === job } }
        queue.insert(contentsOf: jobs, at: 0)
        condition.unlock()
    }

    /// Called on the session load queue when a job's session is in memory (or failed to load).
    func loaded(_ job: EngineJob) {
        condition.lock()
        job.loadDone = true
        condition.broadcast()
        condition.unlock()
    }

    /// Called once a job's final event is sent (on the worker, or on the session log queue).
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
    /// Every acknowledged turn is already durable (fsync'd before its `.finished`); the log
    /// writes still queued are waited for, so a turn the worker finished is kept too.
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
        sessions.flushLogs()
        config.log("engine stopped; \(sessions.list().count) sessions on record")
    }
}
