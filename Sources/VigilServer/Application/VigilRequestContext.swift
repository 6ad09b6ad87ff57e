import Foundation
import Hummingbird

/// The request context of every route: Hummingbird's basic context with a JSON encoder that
/// leaves `/` unescaped, so paths in answers read as sent.
public struct VigilRequestContext: RequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The verified token's `sub`, once the auth middleware has checked it.
    var subject: String?
    /// The client's IP address, when the connection has one.
    let peer: String?

    /// A context for one request.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peer = source.channel.remoteAddress?.ipAddress
    }

    /// The encoder every answer uses.
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()

    public var responseEncoder: JSONEncoder { Self.encoder }
}
