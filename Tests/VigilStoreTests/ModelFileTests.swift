import Foundation
import XCTest
import VigilCore
import VigilFeatures
@testable import VigilStore

final class ModelFileTests: XCTestCase {
    func sample(rows: Int = 300, cols: Int = 3) throws -> Matrix {
        var g = SeededGenerator(seed: 99)
        return try Matrix(rows: rows, cols: cols, values: (0..<(rows * cols)).map { _ in g.nextUnit() * 10 })
    }

    func testRoundTripGivesIdenticalScoresForEveryBackend() throws {
        let x = try sample()
        for backend in Backend.allCases {
            let (model, _) = try AnomalyModel.fit(x, featureNames: ["a", "b", "c"], settings: .defaults(for: backend),
                                                  normalization: .zscore, contamination: 0.05, seed: 3)
            let created = Date(timeIntervalSince1970: 1_800_000_000)
            let bytes = try ModelFile.encode(model, createdAt: created)
            let (back, header) = try ModelFile.decode(bytes)
            XCTAssertEqual(header.formatVersion, ModelFile.formatVersion)
            XCTAssertEqual(header.backend, backend)
            XCTAssertEqual(header.featureNames, ["a", "b", "c"])
            XCTAssertEqual(header.createdAt, created)
            XCTAssertEqual(header.calibration, model.calibrator)
            XCTAssertEqual(back, model, backend.rawValue)
            XCTAssertEqual(try back.score(x), try model.score(x), backend.rawValue)
        }
    }

    func testWriteAndReadFromDisk() throws {
        let x = try sample()
        let (model, _) = try AnomalyModel.fit(x, settings: .defaults(for: .isolationForest))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-\(UUID().uuidString).vigil").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try ModelFile.write(model, to: path)
        XCTAssertEqual(try ModelFile.read(from: path).model, model)
        XCTAssertThrowsError(try ModelFile.read(from: path + ".missing")) { error in
            guard case .unreadable = error as? ModelFileError else { return XCTFail("\(error)") }
        }
    }

    func testTruncatedCorruptedForeignAndNewerFilesAreRefused() throws {
        let (model, _) = try AnomalyModel.fit(try sample(), settings: .defaults(for: .hbos))
        let bytes = try ModelFile.encode(model)
        XCTAssertThrowsError(try ModelFile.decode(Array(bytes.dropLast(5)))) { error in
            guard case .corrupted = error as? ModelFileError else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("truncated"))
        }
        var flipped = bytes
        flipped[flipped.count - 3] ^= 0x01
        XCTAssertThrowsError(try ModelFile.decode(flipped)) { error in
            XCTAssertTrue("\(error)".contains("checksum"), "\(error)")
        }
        XCTAssertThrowsError(try ModelFile.decode(Array("a,b\n1,2\n".utf8))) { error in
            XCTAssertEqual(error as? ModelFileError, .notAModelFile(path: "model"))
        }
        XCTAssertThrowsError(try ModelFile.decode(Array(bytes.prefix(20)))) { error in
            guard case .corrupted = error as? ModelFileError else { return XCTFail("\(error)") }
        }
        // A file from a future format version.
        let text = String(decoding: bytes, as: UTF8.self)
        let newer = text.replacingOccurrences(of: "\"format_version\":\(ModelFile.formatVersion)", with: "\"format_version\":7")
        XCTAssertThrowsError(try ModelFile.decode(Array(newer.utf8))) { error in
            XCTAssertEqual(error as? ModelFileError, .newerFormat(path: "model", version: 7, supported: ModelFile.formatVersion))
            XCTAssertTrue("\(error)".contains("upgrade"))
        }
    }

    func testCRC32MatchesTheStandardCheckValue() {
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)), 0xCBF4_3926)
    }

    /// Records with a numeric, a label and a one-hot field: the encoder gives 4 columns.
    func records() -> [Record] {
        (0..<60).map { i in
            ["amount": .number(Double(i % 17) * 3.5), "country": .string(["de", "fr", "us"][i % 3]),
             "device": .string(i % 2 == 0 ? "ios" : "web")]
        }
    }

    func testFormatTwoCarriesThePipelineSoStoredModelsScoreRecordsAndNumbersAsAtFit() throws {
        let schema = try Schema(types: ["amount": "numeric", "country": "onehot", "device": "label"])
        let rows = records()
        let pipeline = try FeaturePipeline.fit(records: rows, schema: schema, scaler: .robust)
        let x = try pipeline.transform(records: rows)
        XCTAssertEqual(x.cols, 5)  // amount, country_de, country_fr, country_us, device
        let (model, _) = try AnomalyModel.fit(x, featureNames: pipeline.featureNames, settings: .defaults(for: .ecod))
        let bytes = try ModelFile.encode(model, pipeline: pipeline)
        let (back, header) = try ModelFile.decode(bytes)
        XCTAssertEqual(header.formatVersion, 2)
        XCTAssertEqual(header.pipeline, pipeline)
        XCTAssertEqual(back, model)
        let unseen: [Record] = [["amount": .number(400), "country": .string("jp"), "device": .string("tv")]]
        let stored = try XCTUnwrap(header.pipeline)
        XCTAssertEqual(try back.score(stored.transform(records: unseen)), try model.score(pipeline.transform(records: unseen)))
        // Numeric rows go through the same scaler: the encoded, unscaled rows score as the records do.
        let encoded = try XCTUnwrap(stored.encoder).transform(rows)
        XCTAssertEqual(try back.score(stored.transform(encoded)), try model.score(x))
    }

    func testNumericPipelineRoundTripsWithItsScaler() throws {
        let x = try sample(rows: 50, cols: 2)
        let pipeline = try FeaturePipeline.fit(x, featureNames: ["a", "b"], scaler: .robust)
        let (model, _) = try AnomalyModel.fit(try pipeline.transform(x), featureNames: ["a", "b"], settings: .defaults(for: .hbos))
        let (_, header) = try ModelFile.decode(try ModelFile.encode(model, pipeline: pipeline))
        XCTAssertNil(header.pipeline?.encoder)
        XCTAssertEqual(header.pipeline?.scaler, pipeline.scaler)
        XCTAssertEqual(header.pipeline?.scaler.kind, .robust)
    }

    func testFormatOneFilesStillReadWithoutAPipeline() throws {
        let x = try sample(rows: 40, cols: 3)
        let (model, _) = try AnomalyModel.fit(x, featureNames: ["a", "b", "c"], settings: .defaults(for: .copod))
        // A format-1 file has the same header keys minus `pipeline` and says format_version 1.
        let text = String(decoding: try ModelFile.encode(model), as: UTF8.self)
        XCTAssertFalse(text.contains("\"pipeline\""))
        let v1 = text.replacingOccurrences(of: "\"format_version\":2", with: "\"format_version\":1")
        XCTAssertNotEqual(v1, text)
        let (back, header) = try ModelFile.decode(Array(v1.utf8))
        XCTAssertEqual(header.formatVersion, 1)
        XCTAssertNil(header.pipeline)
        XCTAssertEqual(back, model)
    }

    func testTheDriftReferenceTravelsInTheHeaderAndOlderFilesReadWithout() throws {
        let x = try sample(rows: 60, cols: 3)
        let (model, _) = try AnomalyModel.fit(x, featureNames: ["a", "b", "c"], settings: .defaults(for: .hbos))
        XCTAssertNotNil(model.drift)
        let (back, header) = try ModelFile.decode(try ModelFile.encode(model))
        XCTAssertEqual(header.drift, model.drift)
        XCTAssertEqual(back.drift, model.drift)
        // A file written before the reference existed has no such key and reads with none.
        let older = AnomalyModel(detector: model.detector, calibrator: model.calibrator, featureNames: model.featureNames, seed: model.seed)
        let text = String(decoding: try ModelFile.encode(older), as: UTF8.self)
        XCTAssertFalse(text.contains("drift_reference"))
        XCTAssertNil(try ModelFile.decode(Array(text.utf8)).model.drift)
        // A reference for other features is refused.
        let other = try AnomalyModel.fit(try sample(rows: 60, cols: 2), settings: .defaults(for: .hbos)).model
        let mixed = AnomalyModel(detector: model.detector, calibrator: model.calibrator, featureNames: model.featureNames,
                                 seed: model.seed, drift: other.drift)
        XCTAssertThrowsError(try ModelFile.decode(try ModelFile.encode(mixed))) { error in
            XCTAssertTrue("\(error)".contains("drift reference"), "\(error)")
        }
    }

    func testAPipelineOfTheWrongWidthIsRefused() throws {
        let x = try sample(rows: 30, cols: 3)
        let (model, _) = try AnomalyModel.fit(x, settings: .defaults(for: .hbos))
        let narrow = try FeaturePipeline.fit(try sample(rows: 30, cols: 2))
        XCTAssertThrowsError(try ModelFile.encode(model, pipeline: narrow)) { error in
            XCTAssertTrue("\(error)".contains("2 columns"), "\(error)")
        }
    }
}
