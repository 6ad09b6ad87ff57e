import XCTest
@testable import VigilEthereum

final class LRUCacheTests: XCTestCase {
    func testEvictsTheLeastRecentlyUsed() {
        let cache = LRUCache<String, Int>(capacity: 2)
        cache.set(1, for: "a")
        cache.set(2, for: "b")
        XCTAssertEqual(cache.value(for: "a"), 1)  // a is now newer than b
        cache.set(3, for: "c")
        XCTAssertNil(cache.value(for: "b"))
        XCTAssertEqual(cache.value(for: "a"), 1)
        XCTAssertEqual(cache.value(for: "c"), 3)
        XCTAssertEqual(cache.count, 2)
    }

    func testUpdatingAKeyRefreshesIt() {
        let cache = LRUCache<Int, String>(capacity: 3)
        for i in 0..<3 { cache.set("\(i)", for: i) }
        cache.set("zero", for: 0)
        cache.set("3", for: 3)  // evicts 1, the oldest untouched
        XCTAssertEqual(cache.value(for: 0), "zero")
        XCTAssertNil(cache.value(for: 1))
        XCTAssertEqual(cache.count, 3)
    }

    func testStaysBoundedUnderManyKeys() {
        let cache = LRUCache<Int, Int>(capacity: 100)
        for i in 0..<10_000 { cache.set(i, for: i) }
        XCTAssertEqual(cache.count, 100)
        XCTAssertEqual(cache.value(for: 9_999), 9_999)
        XCTAssertNil(cache.value(for: 9_899))
        XCTAssertEqual(cache.value(for: 9_900), 9_900)
    }
}
