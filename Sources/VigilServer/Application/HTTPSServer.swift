import Hummingbird
import HummingbirdCore
import HummingbirdHTTP2
import NIOSSL

/// A TLS certificate or key that cannot be used; the message names the file.
public struct TLSSetupError: Error, CustomStringConvertible {
    public let description: String
}

/// The HTTPS server `--tls-cert` and `--tls-key` ask for: TLS 1.2 or newer, with ALPN offering
/// HTTP/2 and HTTP/1.1. The files are read and the key checked against the certificate now, so a
/// bad file stops the start with a message rather than failing every handshake.
public func httpsServer(_ files: TLSFiles) throws -> HTTPServerBuilder {
    let chain: [NIOSSLCertificate]
    do {
        chain = try NIOSSLCertificate.fromPEMFile(files.certificate)
    } catch {
        throw TLSSetupError(description: "cannot read the TLS certificate \(files.certificate): \(error)")
    }
    guard !chain.isEmpty else { throw TLSSetupError(description: "no PEM certificate in \(files.certificate)") }
    let key: NIOSSLPrivateKey
    do {
        key = try NIOSSLPrivateKey(file: files.key, format: .pem)
    } catch {
        throw TLSSetupError(description: "cannot read the TLS private key \(files.key): \(error)")
    }
    var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
    tls.minimumTLSVersion = .tlsv12
    do {
        _ = try NIOSSLContext(configuration: tls)
    } catch {
        throw TLSSetupError(description: "the TLS key \(files.key) does not fit the certificate \(files.certificate): \(error)")
    }
    return try .http2Upgrade(tlsConfiguration: tls)
}
