import Dispatch
import Foundation
import Synchronization
import Testing
@testable import LowBitCore

/// The persistent worker pool behind Parallel: every chunk exactly once, many tiny jobs in a row (the
/// generation/claim protocol), nested calls and concurrent callers (run inline, never deadlock).
@Suite struct ParallelTests {
    @Test func manyTinyJobsRunEveryChunkOnce() {
        let counts = UnsafeMutablePointer<Atomic<Int>>.allocate(capacity: 64)
        for i in 0..<64 { (counts + i).initialize(to: Atomic(0)) }
        defer { counts.deallocate() }
        for round in 0..<20_000 {
            let chunks = 1 + round % 37 % 20
            Parallel.forEach(chunks: chunks) { i in counts[i].add(1, ordering: .relaxed) }
            // Checked after every job: a chunk run twice or skipped, or a job returning early, shows here.
            for i in 0..<chunks {
                let seen = counts[i].exchange(0, ordering: .relaxed)
                if seen != 1 { Issue.record("round \(round) chunk \(i) ran \(seen) times"); return }
            }
        }
    }

    @Test func resultsAreVisibleToTheCaller() {
        let n = 4096
        let out = UnsafeMutablePointer<Int>.allocate(capacity: n)
        defer { out.deallocate() }
        for round in 0..<200 {
            out.initialize(repeating: -1, count: n)
            Parallel.forRanges(count: n, granule: 16, oversubscribe: 4) { range in
                for i in range { out[i] = i * round }
            }
            #expect((0..<n).allSatisfy { out[$0] == $0 * round })
        }
    }

    @Test func nestedCallsRunInline() {
        let total = Atomic<Int>(0)
        Parallel.forEach(chunks: 8) { _ in
            Parallel.forEach(chunks: 5) { _ in
                Parallel.forEach(chunks: 3) { _ in total.add(1, ordering: .relaxed) }
            }
        }
        #expect(total.load(ordering: .relaxed) == 8 * 5 * 3)
    }

    @Test func concurrentCallersAllComplete() {
        let total = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 6) { _ in
            for _ in 0..<500 {
                Parallel.forEach(chunks: 7) { _ in total.add(1, ordering: .relaxed) }
            }
        }
        #expect(total.load(ordering: .relaxed) == 6 * 500 * 7)
    }

    /// After the workers fall asleep (spin limit passed), a new job must still wake them and complete.
    @Test func jobsAfterIdleComplete() {
        for _ in 0..<5 {
            usleep(20_000)
            let total = Atomic<Int>(0)
            Parallel.forEach(chunks: 16) { _ in total.add(1, ordering: .relaxed) }
            #expect(total.load(ordering: .relaxed) == 16)
        }
    }
}
