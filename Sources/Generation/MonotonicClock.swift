#if canImport(Glibc)
import Glibc
#endif

/// Milliseconds from CLOCK_MONOTONIC: immune to wall-clock changes, for timings.
public enum MonotonicClock {
    public static func nowMs() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1_000_000
    }
}
