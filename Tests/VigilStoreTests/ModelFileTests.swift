import Foundation
import XCTest
import VigilCore
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
        let newer = text.replacingOccurrences(of: "\"format_version\":1", with: "\"format_version\":7")
        XCTAssertThrowsError(try ModelFile.decode(Array(newer.utf8))) { error in
            XCTAssertEqual(error as? ModelFileError, .newerFormat(path: "model", version: 7, supported: 1))
            XCTAssertTrue("\(error)".contains("upgrade"))
        }
    }

    func testCRC32MatchesTheStandardCheckValue() {
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)), 0xCBF4_3926)
    }
}
