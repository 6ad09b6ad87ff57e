import VigilFeatures

/// The named feature buffers behind `/v1/ml/polars/*` (reference §6), held in memory.
actor BufferService {
    private var buffers: [String: FeatureBuffer] = [:]

    /// Creates an empty buffer; 409 when the name is taken.
    func create(_ request: CreateBufferRequest) throws -> BufferCreatedResponse {
        let id = try Self.validated(request.bufferId)
        guard buffers[id] == nil else {
            throw ServiceError.conflict("Buffer '\(id)' already exists. Use DELETE to remove it first.")
        }
        buffers[id] = try Self.mapped { try FeatureBuffer(id: id, windowSize: request.windowSize) }
        return BufferCreatedResponse(bufferId: id, windowSize: request.windowSize)
    }

    /// Every buffer's stats, by name.
    func list() -> BufferListResponse {
        let stats = buffers.keys.sorted().compactMap { buffers[$0]?.stats }
        return BufferListResponse(total: stats.count, data: stats)
    }

    /// One buffer's stats.
    func stats(_ id: String) throws -> FeatureBuffer.Stats {
        try existing(Self.validated(id)).stats
    }

    /// Removes a buffer; 404 (without the hint to create it) when unknown.
    func delete(_ id: String) throws -> BufferDeletedResponse {
        let id = try Self.validated(id)
        guard buffers.removeValue(forKey: id) != nil else { throw ServiceError.notFound("Buffer '\(id)' not found") }
        return BufferDeletedResponse(bufferId: id)
    }

    /// Empties a buffer, keeping its name and window size.
    func clear(_ id: String) throws -> BufferClearedResponse {
        let id = try Self.validated(id)
        var buffer = try existing(id)
        buffer.clear()
        buffers[id] = buffer
        return BufferClearedResponse(bufferId: id, size: buffer.size)
    }

    /// Appends records to an existing buffer (no auto-create).
    func append(_ request: AppendRequest) throws -> AppendResponse {
        var buffer = try existing(request.bufferId)
        buffers[request.bufferId] = nil  // keep the stored copy uniquely referenced while appending
        let appended = buffer.append(request.data)
        buffers[request.bufferId] = buffer
        return AppendResponse(bufferId: buffer.id, appended: appended, bufferSize: buffer.size,
                              avgAppendMs: buffer.stats.avgAppendMs)
    }

    /// Rows with rolling and lag features.
    func features(_ request: FeaturesRequest) throws -> BufferDataResponse {
        let buffer = try existing(request.bufferId)
        let table = try Self.mapped {
            try buffer.features(rollingWindows: request.rollingWindows, includeStats: request.includeRollingStats,
                                includeLags: request.includeLags, lagPeriods: request.lagPeriods, tail: request.tail)
        }
        return BufferDataResponse(bufferId: buffer.id, table: table)
    }

    /// The newest `tail` rows, raw or with every default feature.
    func data(_ id: String, tail: Int?, withFeatures: Bool) throws -> BufferDataResponse {
        let buffer = try existing(id)
        let table = try withFeatures ? Self.mapped { try buffer.features(tail: tail) } : buffer.rows(tail: tail)
        return BufferDataResponse(bufferId: id, table: table)
    }

    private func existing(_ id: String) throws -> FeatureBuffer {
        guard let buffer = buffers[id] else {
            throw ServiceError.notFound("Buffer '\(id)' not found. Create it first with POST /v1/polars/buffers")
        }
        return buffer
    }

    /// A name without path separators or `..`, as LlamaFarm's server checks.
    private static func validated(_ id: String) throws -> String {
        guard !id.isEmpty, !id.contains("/"), !id.contains("\\"), !id.contains("..") else {
            throw ServiceError.badRequest("Invalid buffer_id: \(id)")
        }
        return id
    }

    /// Runs `body`, answering a bad feature parameter (a window or lag < 1) with 400 naming it.
    private static func mapped<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as FeatureError { throw ServiceError.badRequest("\(error)") }
    }
}
