import Foundation
import PostgresNIO

extension PostgresModelRegistry {
    /// Changes from every process sharing the database: one connection LISTENs on the store's
    /// channel from the moment the registry connects; each NOTIFY (and each reconnect) reads the
    /// change log past the last row reported, so nothing is missed across a dropped connection.
    public func changes() -> AsyncStream<RegistryChange> {
        feed.subscribe()
    }

    /// The listener loop; `ready` is resumed once LISTEN is active and the starting position is known.
    static func listen(client: PostgresClient, channel: String, logger: Logger, feed: ChangeFeed,
                       ready: @escaping @Sendable () -> Void) async {
        var last: Int64?
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: channel) { notifications in
                        if last == nil {
                            for try await (id) in try await connection.query(
                                "SELECT COALESCE(MAX(id), 0)::BIGINT FROM registry_changes", logger: logger).decode(Int64.self) {
                                last = id
                            }
                            ready()
                        } else {
                            last = try await publish(after: last ?? 0, connection: connection, logger: logger, feed: feed)
                        }
                        for try await _ in notifications {
                            last = try await publish(after: last ?? 0, connection: connection, logger: logger, feed: feed)
                        }
                    }
                }
            } catch {
                // The server went away or the connection dropped: try again shortly.
            }
            try? await Task.sleep(for: .milliseconds(500))
        }
    }

    /// Publishes the change-log rows after `position`; returns the new position.
    private static func publish(after position: Int64, connection: PostgresConnection, logger: Logger, feed: ChangeFeed) async throws -> Int64 {
        var last = position
        let rows = try await connection.query(
            "SELECT id, kind, name, version FROM registry_changes WHERE id > \(position) ORDER BY id", logger: logger)
        for try await (id, kind, name, version) in rows.decode((Int64, String, String, String).self) {
            last = id
            if let kind = RegistryChange.Kind(rawValue: kind) {
                feed.publish(RegistryChange(kind: kind, name: name, version: version))
            }
        }
        return last
    }
}
