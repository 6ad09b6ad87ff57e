import Foundation
import VigilCore
import VigilFeatures

/// Vigil's versioned model file: the bytes a model is saved as, on disk and in the registry.
///
/// Layout: the line `VIGIL-MODEL`, one line of header JSON (`ModelFile.Header`: format version,
/// backend, parameters, feature names, calibration, created-at, the feature pipeline, payload size
/// and CRC-32), then the payload: the fitted detector as JSON, large arrays packed as base64 of
/// little-endian bytes. Format 2 added the optional `pipeline` (record encoder + input scaler) so a
/// stored model turns records and numbers into the detector's columns exactly as at fit; format-1
/// files read with no pipeline. The optional header field `drift_reference` (the training data's
/// quantile histograms, ``DriftReference``) is absent from files written before it existed, which
/// then read with none. A reader refuses a newer format version, a short payload and a
/// checksum mismatch.
public enum ModelFile {
    /// The format version this build writes and the newest it reads.
    public static let formatVersion = 2
    static let magic = Array("VIGIL-MODEL\n".utf8)

    /// What the header line holds.
    public struct Header: Codable, Sendable, Equatable {
        /// Format version of the file.
        public var formatVersion: Int
        /// Backend name.
        public var backend: Backend
        /// The detector's parameters.
        public var parameters: DetectorSettings
        /// Feature names, in column order.
        public var featureNames: [String]
        /// Calibration (normalization, threshold, training statistics).
        public var calibration: Calibrator
        /// Seed the model was fitted with.
        public var seed: UInt64
        /// When the model was fitted (UTC, ISO 8601).
        public var createdAt: Date
        /// Vigil version that wrote it.
        public var writer: String
        /// The preprocessing applied before the detector (format 2; `nil` in format 1 and for
        /// models fitted on already-prepared columns).
        public var pipeline: FeaturePipeline?
        /// The training data's feature and score histograms for drift monitoring (optional in
        /// format 2: files written before it was kept have none).
        public var drift: DriftReference?
        /// Payload length in bytes.
        public var payloadBytes: Int
        /// CRC-32 of the payload.
        public var payloadCRC32: UInt32

        enum CodingKeys: String, CodingKey {
            case formatVersion = "format_version", backend, parameters, featureNames = "feature_names"
            case calibration, seed, createdAt = "created_at", writer, pipeline, drift = "drift_reference", payloadBytes = "payload_bytes"
            case payloadCRC32 = "payload_crc32"
        }
    }

    /// Just enough of a header to check the version before decoding the rest.
    private struct VersionProbe: Decodable {
        var formatVersion: Int
        enum CodingKeys: String, CodingKey { case formatVersion = "format_version" }
    }

    /// Serialises `model` and the `pipeline` that prepares its input (header + payload).
    public static func encode(_ model: AnomalyModel, pipeline: FeaturePipeline? = nil, createdAt: Date = Date(),
                              writer: String = VigilVersion.current) throws -> [UInt8] {
        if let pipeline, pipeline.featureNames.count != model.featureNames.count {
            throw ModelFileError.unwritable(
                path: "model", reason: "the pipeline gives \(pipeline.featureNames.count) columns, the detector takes \(model.featureNames.count)")
        }
        let payloadEncoder = JSONEncoder()
        let payload = Array(try payloadEncoder.encode(model.detector))
        let header = Header(
            formatVersion: formatVersion, backend: model.backend, parameters: model.detector.settings,
            featureNames: model.featureNames, calibration: model.calibrator, seed: model.seed,
            createdAt: createdAt, writer: writer, pipeline: pipeline, drift: model.drift, payloadBytes: payload.count,
            payloadCRC32: CRC32.checksum(payload))
        let headerEncoder = JSONEncoder()
        headerEncoder.dateEncodingStrategy = .iso8601
        headerEncoder.outputFormatting = [.sortedKeys]
        var bytes = magic
        bytes += Array(try headerEncoder.encode(header))
        bytes.append(UInt8(ascii: "\n"))
        bytes += payload
        return bytes
    }

    /// Parses a model file's bytes; `path` only names the file in errors.
    public static func decode(_ bytes: [UInt8], path: String = "model") throws -> (model: AnomalyModel, header: Header) {
        guard bytes.count >= magic.count, Array(bytes[0..<magic.count]) == magic else {
            throw ModelFileError.notAModelFile(path: path)
        }
        guard let newline = bytes[magic.count...].firstIndex(of: UInt8(ascii: "\n")) else {
            throw ModelFileError.corrupted(path: path, reason: "header line is incomplete")
        }
        let headerBytes = Data(bytes[magic.count..<newline])
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let probe = try? decoder.decode(VersionProbe.self, from: headerBytes) else {
            throw ModelFileError.corrupted(path: path, reason: "header is not valid JSON")
        }
        guard probe.formatVersion <= formatVersion else {
            throw ModelFileError.newerFormat(path: path, version: probe.formatVersion, supported: formatVersion)
        }
        let header: Header
        do {
            header = try decoder.decode(Header.self, from: headerBytes)
        } catch {
            throw ModelFileError.corrupted(path: path, reason: "header fields: \(error)")
        }
        let payload = bytes[(newline + 1)...]
        guard payload.count == header.payloadBytes else {
            throw ModelFileError.corrupted(path: path, reason: "payload has \(payload.count) bytes, header says \(header.payloadBytes)")
        }
        guard CRC32.checksum(payload) == header.payloadCRC32 else {
            throw ModelFileError.corrupted(path: path, reason: "payload checksum mismatch")
        }
        let detector: AnyDetector
        do {
            detector = try JSONDecoder().decode(AnyDetector.self, from: Data(payload))
        } catch {
            throw ModelFileError.corrupted(path: path, reason: "payload does not decode: \(error)")
        }
        guard detector.backend == header.backend, detector.featureCount == header.featureNames.count else {
            throw ModelFileError.corrupted(path: path, reason: "payload does not match the header's backend or features")
        }
        if let pipeline = header.pipeline, pipeline.featureNames.count != header.featureNames.count {
            throw ModelFileError.corrupted(path: path, reason: "the pipeline's columns do not match the detector's features")
        }
        if let drift = header.drift, !Self.matches(drift, featureCount: header.featureNames.count) {
            throw ModelFileError.corrupted(path: path, reason: "the drift reference does not match the detector's features")
        }
        let model = AnomalyModel(detector: detector, calibrator: header.calibration, featureNames: header.featureNames,
                                 seed: header.seed, drift: header.drift)
        return (model, header)
    }

    /// Whether `drift` has one histogram per feature and every histogram one share per bin.
    static func matches(_ drift: DriftReference, featureCount: Int) -> Bool {
        guard drift.features.count == featureCount else { return false }
        let histograms: [DriftReference.Histogram] = drift.features + [drift.score]
        return histograms.allSatisfy { h in h.proportions.count == h.cuts.count + 1 }
    }

    /// Writes `model` (and its `pipeline`) to `path` atomically (a temporary file renamed into place).
    public static func write(_ model: AnomalyModel, pipeline: FeaturePipeline? = nil, to path: String, createdAt: Date = Date()) throws {
        let bytes = try encode(model, pipeline: pipeline, createdAt: createdAt)
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw ModelFileError.unwritable(path: path, reason: error.localizedDescription)
        }
    }

    /// Reads the model at `path`.
    public static func read(from path: String) throws -> (model: AnomalyModel, header: Header) {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ModelFileError.unreadable(path: path, reason: "no such file")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ModelFileError.unreadable(path: path, reason: error.localizedDescription)
        }
        return try decode(Array(data), path: path)
    }
}
