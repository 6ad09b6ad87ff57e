import Foundation
import GRDB

extension SQLiteModelRegistry {
    /// Changes from this and other processes: a dedicated read-only connection polls
    /// `PRAGMA data_version` (which moves when any other connection commits) and, when it moves,
    /// reads the change log past the last row reported.
    public func changes() -> AsyncStream<RegistryChange> {
        feed.subscribe {
            let start = (try? pool.read { db in
                try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(id), 0) FROM registry_changes")
            }) ?? 0
            return Task { [path, pollInterval, feed] in
                await Self.poll(path: path, after: start ?? 0, every: pollInterval, into: feed)
            }
        }
    }

    private static func poll(path: String, after start: Int64, every interval: Duration, into feed: ChangeFeed) async {
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(1)
        var queue: DatabaseQueue?
        var last = start
        var seenDataVersion: Int?
        while !Task.isCancelled {
            do {
                if queue == nil { queue = try DatabaseQueue(path: path, configuration: config) }
                guard let queue else { continue }
                let (dataVersion, rows) = try queue.read { db -> (Int?, [Row]) in
                    let dataVersion = try Int.fetchOne(db, sql: "PRAGMA data_version")
                    guard dataVersion != seenDataVersion else { return (dataVersion, []) }
                    let rows = try Row.fetchAll(db, sql: "SELECT id, kind, name, version FROM registry_changes WHERE id > ? ORDER BY id",
                                                arguments: [last])
                    return (dataVersion, rows)
                }
                seenDataVersion = dataVersion
                for row in rows {
                    last = try row.decode(atIndex: 0)
                    let kindName: String = try row.decode(atIndex: 1)
                    guard let kind = RegistryChange.Kind(rawValue: kindName) else { continue }
                    feed.publish(RegistryChange(kind: kind, name: try row.decode(atIndex: 2), version: try row.decode(atIndex: 3)))
                }
            } catch {
                // The file may be briefly locked or gone; the next tick retries with a fresh connection.
                queue = nil
                seenDataVersion = nil
            }
            try? await Task.sleep(for: interval)
        }
    }
}
