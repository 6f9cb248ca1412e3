#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Work splitting for CPU kernels. `LOWBIT_THREADS` overrides the thread count (default: all cores).
///
/// A decode step makes ~210 small parallel calls (one per matvec, 20–500 µs each), so the cost of waking
/// the other threads matters: the work runs on a persistent pool (`WorkerPool`) whose threads spin briefly
/// between calls and then sleep on a condition variable, instead of DispatchQueue.concurrentPerform.
///
/// Nesting and concurrent callers: only one call uses the pool at a time. A call made while the pool is
/// busy (from inside a parallel body, or from another thread) runs its chunks inline on the calling
/// thread — correct, never a deadlock, just not parallel.
public enum Parallel {
    public static let threadCount: Int = {
        if let text = getEnvironment("LOWBIT_THREADS"), let n = Int(text), n > 0 { return n }
        return max(1, activeProcessorCount())
    }()

    /// Runs `body(chunkIndex)` for chunkIndex in 0..<chunks, spread over the threads (each index exactly once;
    /// returns when all are done). Runs inline when there is one chunk or one thread.
    public static func forEach(chunks: Int, _ body: (Int) -> Void) {
        if chunks <= 0 { return }
        if chunks == 1 || threadCount == 1 {
            for i in 0..<chunks { body(i) }
            return
        }
        WorkerPool.shared.run(chunks: chunks, body)
    }

    /// Splits 0..<count into about `threadCount * oversubscribe` contiguous ranges, each a multiple of
    /// `granule` long (except the last), and runs `body(range)` on each.
    @inlinable
    public static func forRanges(count: Int, granule: Int = 1, oversubscribe: Int = 1,
                                 _ body: (Range<Int>) -> Void) {
        if count <= 0 { return }
        let granules = (count + granule - 1) / granule
        let pieces = min(granules, threadCount * max(1, oversubscribe))
        let perPiece = (granules + pieces - 1) / pieces
        let pieceCount = (granules + perPiece - 1) / perPiece
        forEach(chunks: pieceCount) { piece in
            let start = piece * perPiece * granule
            let end = min(count, start + perPiece * granule)
            if start < end { body(start..<end) }
        }
    }
}

/// `threadCount - 1` persistent threads plus the caller, taking chunks of one job at a time.
///
/// Protocol (all atomics sequentially consistent):
/// - `ticket` = generation << 48 | chunk count << 24 | next chunk index, one word, so a claim sees the
///   generation, the count and the index of the same job. A thread claims a chunk with a compare-exchange
///   on the whole word: a thread still finishing job G can never take a chunk of job G+1. (The count once
///   lived in its own atomic, stored before the new generation was published; a straggler of job G could
///   then read G+1's larger count beside G's exhausted index, claim "chunk C_G" under generation G and run
///   it with G+1's body — and G+1 handed the same chunk out again: a chunk ran twice.)
/// - `body` is written by the caller before it publishes a new generation, and read by a worker only after
///   a successful claim (the job cannot be replaced while one of its chunks is unfinished).
/// - `pending` counts unfinished chunks; the caller returns when it reaches 0.
/// - Sleeping: a worker registers in `sleepers` under `lock` and re-checks the generation before waiting;
///   the caller publishes, then wakes (under `lock`) only if `sleepers` > 0 — no lost wake-ups. The caller
///   waits for `pending` the same way (`callerWaiting`, `doneCondition`).
final class WorkerPool: @unchecked Sendable {
    // @unchecked Sendable: shared mutable state is atomics, or `body` guarded by the ticket
    // protocol above, or the pthread objects (used only under `lock`).
    static let shared = WorkerPool(threads: Parallel.threadCount)

    /// How long a waiting thread (a worker between jobs, the caller waiting for the last chunk) keeps polling
    /// before it sleeps on the condition variable. Every 256 polls (< 1 µs) it calls sched_yield: on a
    /// quiet machine that returns at once and the thread picks up the next job within ~1 µs instead of a
    /// futex wake-up (10–50 µs in this VM, ×121 dispatches per decoded token); on a loaded machine it hands
    /// the core to whichever thread is runnable (often the one we wait for) instead of burning it. Decode
    /// leaves gaps of 5–100 µs between dispatches (attention, norms), so the default bridges them.
    /// v3–v7 used 1000 bare polls (~1–2 µs, no yield): longer bare spinning measured slower under load
    /// (docs/cpu-kernels.md). `LOWBIT_SPIN_US` overrides it (0: sleep at once), for measurements.
    static let spinSeconds: Double = {
        if let text = getEnvironment("LOWBIT_SPIN_US"), let n = Double(text), n >= 0 { return n * 1e-6 }
        return 300e-6
    }()

    /// Polls `ready` until it returns true (→ true) or the spin time has passed (→ false).
    @inline(__always)
    static func spin(until ready: () -> Bool) -> Bool {
        if ready() { return true }
        if spinSeconds == 0 { return false }
        let deadline = monotonicSeconds() + spinSeconds
        var polls = 0
        while true {
            if ready() { return true }
            polls += 1
            if polls & 255 != 0 { continue }
            sched_yield()
            if monotonicSeconds() > deadline { return ready() }
        }
    }

    let ticket = Atomic<UInt64>(0)
    let pending = Atomic<Int>(0)
    let sleepers = Atomic<Int>(0)
    let callerWaiting = Atomic<Bool>(false)
    let busy = Atomic<Bool>(false)
    var body: ((Int) -> Void)?
    /// Field widths of `ticket`.
    static let indexBits: UInt64 = 24
    static let fieldMask: UInt64 = (1 << indexBits) - 1
    static let generationShift: UInt64 = 2 * indexBits
    let lock: UnsafeMutablePointer<pthread_mutex_t>
    let workCondition: UnsafeMutablePointer<pthread_cond_t>
    let doneCondition: UnsafeMutablePointer<pthread_cond_t>

    init(threads: Int) {
        lock = .allocate(capacity: 1)
        workCondition = .allocate(capacity: 1)
        doneCondition = .allocate(capacity: 1)
        pthread_mutex_init(lock, nil)
        pthread_cond_init(workCondition, nil)
        pthread_cond_init(doneCondition, nil)
        for _ in 1..<max(1, threads) { startWorker() }
        // Never deinitialized: the pool lives as long as the process.
    }

    private func startWorker() {
        let context = Unmanaged.passRetained(self).toOpaque()
        #if canImport(Darwin)
        var thread: pthread_t? = nil
        #else
        var thread = pthread_t()
        #endif
        let result = pthread_create(&thread, nil, { raw in
            #if canImport(Darwin)
            let pool = Unmanaged<WorkerPool>.fromOpaque(raw).takeRetainedValue()
            #else
            let pool = Unmanaged<WorkerPool>.fromOpaque(raw!).takeRetainedValue()
            #endif
            pool.workerLoop()
            return nil
        }, context)
        precondition(result == 0, "pthread_create failed (\(result))")
        pthread_detach(thread)
    }

    /// Runs body(0..<chunks) on the pool; inline when the pool is already in use (nesting, other callers).
    func run(chunks: Int, _ body: (Int) -> Void) {
        // More chunks than the ticket's index field holds: run them in slices (never happens in practice).
        if UInt64(chunks) > Self.fieldMask {
            var start = 0
            while start < chunks {
                let count = min(chunks - start, Int(Self.fieldMask))
                let offset = start
                run(chunks: count) { body(offset + $0) }
                start += count
            }
            return
        }
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            for i in 0..<chunks { body(i) }
            return
        }
        defer { busy.store(false, ordering: .releasing) }
        withoutActuallyEscaping(body) { escaping in
            self.body = escaping
            pending.store(chunks, ordering: .sequentiallyConsistent)
            let generation = ((ticket.load(ordering: .sequentiallyConsistent) >> Self.generationShift) &+ 1)
                & Self.fieldMask
            ticket.store(generation << Self.generationShift | UInt64(chunks) << Self.indexBits,
                         ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                pthread_mutex_lock(lock)
                pthread_cond_broadcast(workCondition)
                pthread_mutex_unlock(lock)
            }
            work(generation: generation)
            waitForPending()
            self.body = nil
        }
    }

    /// Claims and runs chunks of job `generation` until none are left.
    private func work(generation: UInt64) {
        var current = ticket.load(ordering: .sequentiallyConsistent)
        while true {
            guard current >> Self.generationShift == generation else { return }
            let index = Int(current & Self.fieldMask)
            guard index < Int((current >> Self.indexBits) & Self.fieldMask) else { return }
            let (exchanged, original) = ticket.compareExchange(expected: current, desired: current + 1,
                                                               ordering: .sequentiallyConsistent)
            if !exchanged { current = original; continue }
            body!(index)
            if pending.subtract(1, ordering: .sequentiallyConsistent).newValue == 0 {
                if callerWaiting.load(ordering: .sequentiallyConsistent) {
                    pthread_mutex_lock(lock)
                    pthread_cond_broadcast(doneCondition)
                    pthread_mutex_unlock(lock)
                }
                return
            }
            current = ticket.load(ordering: .sequentiallyConsistent)
        }
    }

    private func waitForPending() {
        if Self.spin(until: { pending.load(ordering: .sequentiallyConsistent) == 0 }) { return }
        pthread_mutex_lock(lock)
        callerWaiting.store(true, ordering: .sequentiallyConsistent)
        while pending.load(ordering: .sequentiallyConsistent) != 0 {
            pthread_cond_wait(doneCondition, lock)
        }
        callerWaiting.store(false, ordering: .sequentiallyConsistent)
        pthread_mutex_unlock(lock)
    }

    private func workerLoop() {
        var seen: UInt64 = 0
        while true {
            if !Self.spin(until: { ticket.load(ordering: .sequentiallyConsistent) >> Self.generationShift != seen }) {
                pthread_mutex_lock(lock)
                sleepers.add(1, ordering: .sequentiallyConsistent)
                while ticket.load(ordering: .sequentiallyConsistent) >> Self.generationShift == seen {
                    pthread_cond_wait(workCondition, lock)
                }
                sleepers.subtract(1, ordering: .sequentiallyConsistent)
                pthread_mutex_unlock(lock)
            }
            seen = ticket.load(ordering: .sequentiallyConsistent) >> Self.generationShift
            work(generation: seen)
        }
    }
}
