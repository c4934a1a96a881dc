import Foundation
import Synchronization

extension Engine {
    /// Submits and waits for the result: for commands, benchmarks and tools (the server streams
    /// events instead). `onToken` runs on the model worker at each token, so it must be quick.
    public func run(_ request: GenerationRequest, onToken: (@Sendable () -> Void)? = nil) throws -> GenerationResult {
        let outcome = Mutex<Result<GenerationResult, GenerationError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        _ = try submit(request) { event in
            switch event {
            case .token: onToken?()
            case .finished(let r): outcome.withLock { $0 = .success(r) }; done.signal()
            case .failed(let e): outcome.withLock { $0 = .failure(e) }; done.signal()
            }
        }
        done.wait()
        guard let result = outcome.withLock({ $0 }) else { throw GenerationError.internalError("no result") }
        return try result.get()
    }
}
