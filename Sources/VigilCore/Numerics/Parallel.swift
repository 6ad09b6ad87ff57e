import Dispatch

/// Splits index ranges over the machine's cores (or a configured maximum).
public enum Parallel {
    nonisolated(unsafe) private static var configuredThreads: Int = 0

    /// Number of worker threads parallel loops use: all active cores unless limited.
    public static var threadCount: Int {
        configuredThreads > 0 ? configuredThreads : activeCores()
    }

    /// Limits parallel loops to `n` threads (0 = all cores). Call once at start-up.
    public static func limitThreads(_ n: Int) { configuredThreads = max(0, n) }

    /// Calls `body` on disjoint chunks covering `0..<count`, on up to `threadCount` threads.
    /// Chunks are at least `minChunk` long; small inputs run on the calling thread.
    public static func forEachChunk(_ count: Int, minChunk: Int = 1, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let threads = max(1, min(threadCount, count / max(minChunk, 1)))
        if threads == 1 {
            body(0..<count)
            return
        }
        // Over-split a little so uneven chunks balance out.
        let pieces = min(count, threads * 4)
        let step = (count + pieces - 1) / pieces
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let work = body
            DispatchQueue.concurrentPerform(iterations: pieces) { piece in
                let start = piece * step
                let end = min(count, start + step)
                if start < end { work(start..<end) }
            }
        }
    }

    /// Calls `body(i)` for every `i` in `0..<count`, spread over the threads.
    public static func forEach(_ count: Int, _ body: (Int) -> Void) {
        forEachChunk(count) { range in for i in range { body(i) } }
    }

    private static func activeCores() -> Int {
        #if os(Linux)
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
        return max(1, Int(sysconf(_SC_NPROCESSORS_ONLN)))
        #endif
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
