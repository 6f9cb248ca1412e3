import Foundation
import LowBitCore
import LowBitKernels

// The Llama family as Hugging Face's modeling_llama defines it: RMSNorm, rotary position embeddings
// (interleaved or half-split pairs, base and scaling from metadata), grouped-query attention, SwiGLU MLP,
// tied or separate output embedding. SmolLM2, Llama 2/3, TinyLlama and Mistral-without-sliding-window
// all fit this shape.

/// How RoPE frequencies are stretched for long contexts.
public enum RoPEScaling: Sendable, Equatable {
    /// Positions divided by `factor` (HF "linear", GGUF rope.scaling.type = linear).
    case linear(factor: Double)
    /// Llama 3.1's per-frequency rescaling (HF rope_type "llama3").
    case llama3(factor: Double, lowFrequencyFactor: Double, highFrequencyFactor: Double, originalContext: Double)
}

public struct LlamaConfig: Sendable, Equatable {
    public var vocabularySize: Int
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var layerCount: Int
    public var headCount: Int
    public var kvHeadCount: Int
    public var headDim: Int
    /// Leading dimensions of each head that rotate (= headDim unless partial rotary).
    public var rotaryDim: Int
    public var ropeTheta: Double
    public var ropeScaling: RoPEScaling?
    public var ropeLayout: RoPELayout
    public var rmsNormEps: Float
    public var contextLength: Int
    public var tiedEmbeddings: Bool

    public init(vocabularySize: Int, hiddenSize: Int, intermediateSize: Int, layerCount: Int, headCount: Int,
                kvHeadCount: Int, headDim: Int? = nil, rotaryDim: Int? = nil, ropeTheta: Double = 10000,
                ropeScaling: RoPEScaling? = nil, ropeLayout: RoPELayout, rmsNormEps: Float = 1e-5,
                contextLength: Int = 2048, tiedEmbeddings: Bool) {
        self.vocabularySize = vocabularySize
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize
        self.layerCount = layerCount
        self.headCount = headCount
        self.kvHeadCount = kvHeadCount
        let hd = headDim ?? (headCount > 0 ? hiddenSize / headCount : 0)
        self.headDim = hd
        self.rotaryDim = rotaryDim ?? hd
        self.ropeTheta = ropeTheta
        self.ropeScaling = ropeScaling
        self.ropeLayout = ropeLayout
        self.rmsNormEps = rmsNormEps
        self.contextLength = contextLength
        self.tiedEmbeddings = tiedEmbeddings
    }

    public var kvWidth: Int { kvHeadCount * headDim }
    public var queryWidth: Int { headCount * headDim }

    /// Rejects configs the forward pass cannot run, naming the offending field.
    public func validate(source: String) throws {
        func bad(_ what: String) -> LowBitError { LowBitError.invalidFile(source, "model config: \(what)") }
        for (name, v) in [("vocabulary size", vocabularySize), ("hidden size", hiddenSize),
                          ("intermediate size", intermediateSize), ("layer count", layerCount),
                          ("head count", headCount), ("kv head count", kvHeadCount), ("head dim", headDim),
                          ("context length", contextLength)] where v <= 0 || v > 1 << 24 {
            throw bad("\(name) = \(v) is out of range")
        }
        guard headCount % kvHeadCount == 0 else {
            throw bad("\(headCount) heads are not a multiple of \(kvHeadCount) kv heads")
        }
        guard rotaryDim > 0, rotaryDim <= headDim, rotaryDim % 2 == 0 else {
            throw bad("rotary dimension \(rotaryDim) must be even and at most the head dim \(headDim)")
        }
        guard ropeTheta > 0, ropeTheta.isFinite else { throw bad("rope base \(ropeTheta) must be positive") }
        guard rmsNormEps >= 0, rmsNormEps.isFinite else { throw bad("RMSNorm epsilon \(rmsNormEps)") }
    }

    /// Config from GGUF metadata (`<arch>.block_count`, …). GGUF llama files store q/k permuted for the
    /// interleaved RoPE layout.
    public static func fromGGUF(_ md: ModelMetadata, source: String) throws -> LlamaConfig {
        let arch = md.string("general.architecture") ?? "?"
        guard ["llama", "mistral"].contains(arch) else {
            throw LowBitError.unsupported("\(source): architecture '\(arch)' is not supported (supported: llama)")
        }
        func need(_ key: String) throws -> Int {
            guard let v = md.int("\(arch).\(key)") else {
                throw LowBitError.invalidFile(source, "metadata \(arch).\(key) is missing")
            }
            return v
        }
        let heads = try need("attention.head_count")
        let hidden = try need("embedding_length")
        let vocab = md.int("\(arch).vocab_size") ?? md.strings("tokenizer.ggml.tokens")?.count ?? 0
        var scaling: RoPEScaling?
        switch md.string("\(arch).rope.scaling.type") {
        case nil, "none": break
        case "linear":
            let f = md.double("\(arch).rope.scaling.factor") ?? 1
            if f != 1 { scaling = .linear(factor: f) }
        case let other?:
            throw LowBitError.unsupported("\(source): rope scaling '\(other)' is not supported (supported: linear, llama3)")
        }
        let headDim = md.int("\(arch).attention.key_length") ?? (heads > 0 ? hidden / heads : 0)
        let config = LlamaConfig(
            vocabularySize: vocab, hiddenSize: hidden, intermediateSize: try need("feed_forward_length"),
            layerCount: try need("block_count"), headCount: heads,
            kvHeadCount: md.int("\(arch).attention.head_count_kv") ?? heads, headDim: headDim,
            rotaryDim: md.int("\(arch).rope.dimension_count") ?? headDim,
            ropeTheta: md.double("\(arch).rope.freq_base") ?? 10000, ropeScaling: scaling,
            ropeLayout: .interleaved,
            rmsNormEps: Float(md.double("\(arch).attention.layer_norm_rms_epsilon") ?? 1e-5),
            contextLength: md.int("\(arch).context_length") ?? 2048,
            tiedEmbeddings: false)
        try config.validate(source: source)
        return config
    }

    /// Config from a Hugging Face config.json. HF checkpoints keep q/k in the half-split RoPE layout.
    public static func fromHuggingFace(json: Data, source: String) throws -> LlamaConfig {
        guard let obj = try? JSONSerialization.jsonObject(with: json) as? [String: Any] else {
            throw LowBitError.invalidFile(source, "config.json is not a JSON object")
        }
        let modelType = obj["model_type"] as? String ?? "?"
        guard ["llama", "mistral"].contains(modelType) else {
            throw LowBitError.unsupported("\(source): model_type '\(modelType)' is not supported (supported: llama)")
        }
        func int(_ key: String) throws -> Int {
            guard let v = (obj[key] as? NSNumber)?.intValue else {
                throw LowBitError.invalidFile(source, "config.json: \(key) is missing or not a number")
            }
            return v
        }
        func double(_ key: String, _ d: Double) -> Double { (obj[key] as? NSNumber)?.doubleValue ?? d }
        let heads = try int("num_attention_heads")
        let hidden = try int("hidden_size")
        var scaling: RoPEScaling?
        if let rs = obj["rope_scaling"] as? [String: Any] {
            let type = rs["rope_type"] as? String ?? rs["type"] as? String ?? "default"
            let factor = (rs["factor"] as? NSNumber)?.doubleValue ?? 1
            switch type {
            case "default": break
            case "linear": scaling = .linear(factor: factor)
            case "llama3":
                scaling = .llama3(factor: factor,
                                  lowFrequencyFactor: (rs["low_freq_factor"] as? NSNumber)?.doubleValue ?? 1,
                                  highFrequencyFactor: (rs["high_freq_factor"] as? NSNumber)?.doubleValue ?? 4,
                                  originalContext: (rs["original_max_position_embeddings"] as? NSNumber)?.doubleValue ?? 8192)
            default:
                throw LowBitError.unsupported("\(source): rope_scaling type '\(type)' is not supported (supported: linear, llama3)")
            }
        }
        if let window = obj["sliding_window"] as? NSNumber, modelType == "mistral",
           window.intValue < (try? int("max_position_embeddings")) ?? Int.max {
            throw LowBitError.unsupported("\(source): sliding-window attention is not supported")
        }
        let headDim = (obj["head_dim"] as? NSNumber)?.intValue ?? (heads > 0 ? hidden / heads : 0)
        let config = LlamaConfig(
            vocabularySize: try int("vocab_size"), hiddenSize: hidden,
            intermediateSize: try int("intermediate_size"), layerCount: try int("num_hidden_layers"),
            headCount: heads, kvHeadCount: (obj["num_key_value_heads"] as? NSNumber)?.intValue ?? heads,
            headDim: headDim, rotaryDim: headDim, ropeTheta: double("rope_theta", 10000), ropeScaling: scaling,
            ropeLayout: .halfSplit, rmsNormEps: Float(double("rms_norm_eps", 1e-6)),
            contextLength: (obj["max_position_embeddings"] as? NSNumber)?.intValue ?? 2048,
            tiedEmbeddings: obj["tie_word_embeddings"] as? Bool ?? false)
        try config.validate(source: source)
        return config
    }

    /// Inverse frequencies θ_i = base^(−2i/rotaryDim) for each rotated pair, with scaling applied and
    /// optionally divided by per-pair factors (GGUF `rope_freqs.weight`).
    public func inverseFrequencies(factors: [Float]? = nil) -> [Double] {
        let half = rotaryDim / 2
        return (0..<half).map { i -> Double in
            var f = pow(ropeTheta, -Double(2 * i) / Double(rotaryDim))
            switch ropeScaling {
            case nil: break
            case .linear(let factor)?: f /= factor
            case .llama3(let factor, let low, let high, let original)?:
                let wavelength = 2 * Double.pi / f
                let lowWavelength = original / low
                let highWavelength = original / high
                if wavelength > lowWavelength {
                    f /= factor
                } else if wavelength >= highWavelength {
                    let smooth = (original / wavelength - low) / (high - low)
                    f = (1 - smooth) * f / factor + smooth * f
                }
            }
            if let factors, i < factors.count { f /= Double(factors[i]) }
            return f
        }
    }
}

/// Keys and values of every layer for the positions seen so far.
// @unchecked Sendable: used by one generation at a time; the forward pass writes disjoint rows.
public final class KVCache: @unchecked Sendable {
    public let capacity: Int
    public let layerCount: Int
    public let width: Int
    /// Positions filled so far (the next token's position).
    public internal(set) var count = 0
    let keys: UnsafeMutablePointer<Float>
    let values: UnsafeMutablePointer<Float>

    init(layers: Int, capacity: Int, width: Int) {
        self.capacity = capacity
        self.layerCount = layers
        self.width = width
        keys = .allocate(capacity: layers * capacity * width)
        values = .allocate(capacity: layers * capacity * width)
    }

    deinit {
        keys.deallocate()
        values.deallocate()
    }

    /// Forgets every position (the buffers are reused).
    public func reset() { count = 0 }

    /// Drops positions from `length` on (e.g. to rewind a chat to a shared prefix).
    public func truncate(to length: Int) { count = min(count, max(0, length)) }

    func keys(layer: Int) -> UnsafeMutablePointer<Float> { keys + layer * capacity * width }
    func values(layer: Int) -> UnsafeMutablePointer<Float> { values + layer * capacity * width }
}

/// Which positions' logits a forward pass returns.
public enum LogitsRequest: Sendable {
    case none
    case last
    case all
}

public final class LlamaModel: @unchecked Sendable {
    // @unchecked Sendable: every stored property is immutable after init; layers are Sendable.
    struct Block {
        let attentionNorm: [Float]
        let q, k, v, o: any LinearWeight
        let mlpNorm: [Float]
        let gate, up, down: any LinearWeight
    }

    public let config: LlamaConfig
    let embedding: any EmbeddingTable
    let blocks: [Block]
    let outputNorm: [Float]
    let output: any LinearWeight
    let inverseFrequencies: [Double]

    /// Loads every tensor the architecture needs from `weights` under GGUF names. Strict: a missing tensor,
    /// a tensor with the wrong shape, or a tensor the model does not use is an error naming it.
    public init(config: LlamaConfig, weights: WeightSource) throws {
        let source = weights.sourceDescription
        try config.validate(source: source)
        self.config = config
        var used = Set<String>()
        func shapeChecked(_ name: String, _ expected: [Int]) throws {
            guard let shape = weights.shape(of: name) else {
                throw LowBitError.notFound("\(source): tensor \(name) is missing")
            }
            guard shape == expected else {
                throw LowBitError.shapeMismatch("\(source): tensor \(name) has shape \(shape), expected \(expected)")
            }
            used.insert(name)
        }
        func linear(_ name: String, _ rows: Int, _ cols: Int) throws -> any LinearWeight {
            try shapeChecked(name, [rows, cols])
            return try weights.linear(name, rows: rows, cols: cols)
        }
        func vector(_ name: String, _ n: Int) throws -> [Float] {
            try shapeChecked(name, [n])
            return try weights.floats(name)
        }
        let d = config.hiddenSize
        try shapeChecked("token_embd.weight", [config.vocabularySize, d])
        embedding = try weights.embedding("token_embd.weight", rows: config.vocabularySize, cols: d)
        var blocks: [Block] = []
        for i in 0..<config.layerCount {
            let p = "blk.\(i)."
            blocks.append(Block(
                attentionNorm: try vector(p + "attn_norm.weight", d),
                q: try linear(p + "attn_q.weight", config.queryWidth, d),
                k: try linear(p + "attn_k.weight", config.kvWidth, d),
                v: try linear(p + "attn_v.weight", config.kvWidth, d),
                o: try linear(p + "attn_output.weight", d, config.queryWidth),
                mlpNorm: try vector(p + "ffn_norm.weight", d),
                gate: try linear(p + "ffn_gate.weight", config.intermediateSize, d),
                up: try linear(p + "ffn_up.weight", config.intermediateSize, d),
                down: try linear(p + "ffn_down.weight", d, config.intermediateSize)))
        }
        self.blocks = blocks
        outputNorm = try vector("output_norm.weight", d)
        if config.tiedEmbeddings {
            output = try weights.linear("token_embd.weight", rows: config.vocabularySize, cols: d)
        } else {
            output = try linear("output.weight", config.vocabularySize, d)
        }
        var factors: [Float]?
        if weights.shape(of: "rope_freqs.weight") != nil {
            factors = try vector("rope_freqs.weight", config.rotaryDim / 2)
        }
        inverseFrequencies = config.inverseFrequencies(factors: factors)
        let unused = Set(weights.tensorNames).subtracting(used).sorted()
        if !unused.isEmpty {
            let list = unused.prefix(5).joined(separator: ", ") + (unused.count > 5 ? ", …" : "")
            throw LowBitError.invalidFile(source, "\(unused.count) tensor(s) not used by the llama model: \(list)")
        }
    }

    /// A cache for up to `capacity` positions (at most the model's context length).
    public func makeCache(capacity: Int? = nil) -> KVCache {
        KVCache(layers: config.layerCount, capacity: min(capacity ?? config.contextLength, config.contextLength),
                width: config.kvWidth)
    }

    /// Bytes of weights one decode step reads (all linear layers, the output projection, and one
    /// embedding row is negligible).
    public var weightBytesPerToken: Int {
        blocks.reduce(0) { $0 + [$1.q, $1.k, $1.v, $1.o, $1.gate, $1.up, $1.down].reduce(0) { $0 + $1.weightBytes } }
            + output.weightBytes
    }

    /// Runs `tokens` at positions cache.count ..< cache.count + tokens.count, appends their keys and values
    /// to the cache, and returns the requested logits ([positions × vocabulary], row-major).
    public func forward(_ tokens: [Int], cache: KVCache, logits request: LogitsRequest = .last) throws -> [Float] {
        let T = tokens.count
        guard T > 0 else { return [] }
        let start = cache.count
        guard start + T <= cache.capacity else {
            throw LowBitError.invalidArgument("tokens", "\(start + T) positions exceed the context of \(cache.capacity)")
        }
        guard cache.layerCount == config.layerCount, cache.width == config.kvWidth else {
            throw LowBitError.invalidArgument("cache", "the KV cache was made for another model")
        }
        for t in tokens where t < 0 || t >= config.vocabularySize {
            throw LowBitError.invalidArgument("tokens", "token id \(t) is outside the vocabulary of \(config.vocabularySize)")
        }
        let c = config
        let d = c.hiddenSize, half = c.rotaryDim / 2
        let total = start + T

        let x = Buffer(T * d), cosT = Buffer(T * half), sinT = Buffer(T * half)
        let scratch = BlockScratch(config: c, tokens: T, maxKeys: total)
        defer {
            [x, cosT, sinT].forEach { $0.free() }
            scratch.free()
        }

        for (t, token) in tokens.enumerated() {
            embedding.lookup(token, into: x.p + t * d)
            RoPE.angles(position: Double(start + t), inverseFrequencies: inverseFrequencies,
                        cos: cosT.p + t * half, sin: sinT.p + t * half)
        }
        for layer in blocks.indices {
            try runBlock(layer, x: x.p, tokens: T, keys: cache.keys(layer: layer), values: cache.values(layer: layer),
                         newRow: start, sequenceLength: 0, cos: cosT.p, sin: sinT.p, scratch: scratch, observe: nil)
        }
        let h = scratch.h
        cache.count = total

        let first: Int
        switch request {
        case .none: return []
        case .last: first = T - 1
        case .all: first = 0
        }
        let rows = T - first
        outputNorm.withUnsafeBufferPointer { w in
            for t in first..<T {
                Elementwise.rmsNorm(x.p + t * d, weight: w.baseAddress!, eps: c.rmsNormEps, count: d, out: h.p + (t - first) * d)
            }
        }
        var result = [Float](repeating: 0, count: rows * c.vocabularySize)
        result.withUnsafeMutableBufferPointer { r in
            output.apply(h.p, tokens: rows, into: r.baseAddress!)
        }
        return result
    }

    /// The inputs the linear layers of a block read, in the order the block reads them.
    public enum BlockInput: Sendable, CaseIterable {
        /// attn_norm(x): read by q, k and v.
        case attention
        /// The attention heads' output: read by o.
        case attentionOutput
        /// ffn_norm(x): read by gate and up.
        case mlp
        /// silu(gate) ⊙ up: read by down.
        case mlpDown
    }

    /// Called with each linear input of a block (input, rows [tokens × width], tokens, width) before its layers read
    /// it. It may change what those layers compute (e.g. swap in quantized weights): the block applies them after it
    /// returns.
    public typealias BlockObserver = (BlockInput, UnsafePointer<Float>, Int, Int) throws -> Void

    /// The residual stream entering block 0: the embedding rows of `tokens` ([tokens.count × hiddenSize]).
    public func embed(_ tokens: [Int]) throws -> [Float] {
        let d = config.hiddenSize
        for t in tokens where t < 0 || t >= config.vocabularySize {
            throw LowBitError.invalidArgument("tokens", "token id \(t) is outside the vocabulary of \(config.vocabularySize)")
        }
        var x = [Float](repeating: 0, count: tokens.count * d)
        x.withUnsafeMutableBufferPointer { xb in
            for (t, token) in tokens.enumerated() { embedding.lookup(token, into: xb.baseAddress! + t * d) }
        }
        return x
    }

    /// Runs block `layer` in place on the residual streams `x` ([tokens × hiddenSize]) of independent sequences of
    /// `sequenceLength` tokens each (the last may be shorter), every one starting at position 0: what `forward`
    /// computes in that block for each sequence from an empty cache. Keys and values are kept for this call only.
    /// `observe` sees every linear input first (`BlockObserver`).
    public func forwardBlock(_ layer: Int, residual x: UnsafeMutablePointer<Float>, tokens T: Int, sequenceLength: Int,
                             observe: BlockObserver? = nil) throws {
        guard blocks.indices.contains(layer) else {
            throw LowBitError.invalidArgument("layer", "block \(layer) does not exist (the model has \(blocks.count))")
        }
        guard T > 0 else { return }
        guard sequenceLength > 0, sequenceLength <= config.contextLength else {
            throw LowBitError.invalidArgument("sequenceLength", "\(sequenceLength) must be in 1…\(config.contextLength)")
        }
        let half = config.rotaryDim / 2, kvw = config.kvWidth
        let keys = Buffer(T * kvw), values = Buffer(T * kvw), cosT = Buffer(T * half), sinT = Buffer(T * half)
        let scratch = BlockScratch(config: config, tokens: T, maxKeys: min(sequenceLength, T))
        defer {
            [keys, values, cosT, sinT].forEach { $0.free() }
            scratch.free()
        }
        for t in 0..<T {
            RoPE.angles(position: Double(t % sequenceLength), inverseFrequencies: inverseFrequencies,
                        cos: cosT.p + t * half, sin: sinT.p + t * half)
        }
        try runBlock(layer, x: x, tokens: T, keys: keys.p, values: values.p, newRow: 0, sequenceLength: sequenceLength,
                     cos: cosT.p, sin: sinT.p, scratch: scratch, observe: observe)
    }

    /// Scratch rows of one block pass over `tokens` tokens that attend to at most `maxKeys` positions each.
    struct BlockScratch {
        let h, q, att, gate, up, scores: Buffer
        init(config c: LlamaConfig, tokens T: Int, maxKeys: Int) {
            h = Buffer(T * c.hiddenSize)
            q = Buffer(T * c.queryWidth)
            att = Buffer(T * c.queryWidth)
            gate = Buffer(T * c.intermediateSize)
            up = Buffer(T * c.intermediateSize)
            scores = Buffer(c.headCount * T * maxKeys)
        }
        func free() { [h, q, att, gate, up, scores].forEach { $0.free() } }
    }

    /// Block `layer` on the residual rows x [T × d], in place. Token t writes its key and value to row newRow + t of
    /// `keys`/`values` (rows of kvWidth) and attends rows first(t) … newRow + t, where first(t) = 0 for one sequence
    /// (`sequenceLength` 0: the KV cache) or the start of t's sequence of `sequenceLength` tokens; its rotary angles
    /// are row t of cos/sin. `scratch` holds T tokens and newRow + T keys (one sequence) or `sequenceLength` keys.
    func runBlock(_ layer: Int, x xp: UnsafeMutablePointer<Float>, tokens T: Int, keys kCache: UnsafeMutablePointer<Float>,
                  values vCache: UnsafeMutablePointer<Float>, newRow start: Int, sequenceLength: Int,
                  cos cosT: UnsafePointer<Float>, sin sinT: UnsafePointer<Float>, scratch: BlockScratch,
                  observe: BlockObserver?) throws {
        let c = config, block = blocks[layer]
        let d = c.hiddenSize, qw = c.queryWidth, kvw = c.kvWidth, ff = c.intermediateSize
        let hd = c.headDim, half = c.rotaryDim / 2
        let h = scratch.h, q = scratch.q, att = scratch.att, gate = scratch.gate, up = scratch.up
        // Keys a token attends at most (the scores row stride).
        let total = sequenceLength > 0 ? min(sequenceLength, T) : start + T
        let scale = 1 / Float(hd).squareRoot()
        let group = c.headCount / c.kvHeadCount
        // Attention: norm, q/k/v projections (k and v straight into the cache rows), RoPE.
        block.attentionNorm.withUnsafeBufferPointer { w in
            for t in 0..<T {
                Elementwise.rmsNorm(xp + t * d, weight: w.baseAddress!, eps: c.rmsNormEps, count: d, out: h.p + t * d)
            }
        }
        try observe?(.attention, h.p, T, d)
        // q, k, v read the same input: one dispatch for all three when decoding (applySharingInput).
        applySharingInput([block.q, block.k, block.v], h.p, tokens: T,
                          into: [q.p, kCache + start * kvw, vCache + start * kvw])
        for t in 0..<T {
            RoPE.apply(q.p + t * qw, heads: c.headCount, headDim: hd, rotaryDim: c.rotaryDim,
                       cos: cosT + t * half, sin: sinT + t * half, layout: c.ropeLayout)
            RoPE.apply(kCache + (start + t) * kvw, heads: c.kvHeadCount, headDim: hd, rotaryDim: c.rotaryDim,
                       cos: cosT + t * half, sin: sinT + t * half, layout: c.ropeLayout)
        }
        // Causal attention of each (token, head) over the cached positions up to its own.
        let qp = q.p, ap = att.p, sp = scratch.scores.p
        // Short contexts are cheaper on one thread than a dispatch (decode at the start of a chat). With the
        // pool's workers polling between dispatches (~1 µs to start), 2 threads pay from ~16 positions on
        // for SmolLM2's 9 heads of 64 (1 << 13; it was 1 << 16, ~114 positions, docs/cpu-kernels.md v12).
        let attentionWork = T * c.headCount * total * hd
        let attend: (Int, (Int) -> Void) -> Void = attentionWork < 1 << 13
            ? { n, body in for i in 0..<n { body(i) } } : { n, body in Parallel.forEach(chunks: n, body) }
        attend(T * c.headCount) { job in
            let t = job / c.headCount, head = job % c.headCount
            let kvHead = head / group
            let first = sequenceLength > 0 ? t - t % sequenceLength : 0
            Attention.attend(query: qp + t * qw + head * hd, keys: kCache + first * kvw + kvHead * hd,
                             values: vCache + first * kvw + kvHead * hd,
                             stride: kvw, count: start + t + 1 - first, headDim: hd, scale: scale,
                             scores: sp + job * total, out: ap + t * qw + head * hd)
        }
        try observe?(.attentionOutput, att.p, T, qw)
        block.o.apply(att.p, tokens: T, into: h.p)
        Elementwise.add(h.p, into: xp, count: T * d)
        // SwiGLU MLP.
        block.mlpNorm.withUnsafeBufferPointer { w in
            for t in 0..<T {
                Elementwise.rmsNorm(xp + t * d, weight: w.baseAddress!, eps: c.rmsNormEps, count: d, out: h.p + t * d)
            }
        }
        try observe?(.mlp, h.p, T, d)
        applySharingInput([block.gate, block.up], h.p, tokens: T, into: [gate.p, up.p])
        Elementwise.siluMultiply(gate: gate.p, up: up.p, count: T * ff)
        try observe?(.mlpDown, gate.p, T, ff)
        block.down.apply(gate.p, tokens: T, into: h.p)
        Elementwise.add(h.p, into: xp, count: T * d)
    }
}

/// A scratch allocation freed explicitly (no Array copy-on-write in the hot path).
struct Buffer {
    let p: UnsafeMutablePointer<Float>
    init(_ count: Int) {
        p = .allocate(capacity: max(1, count))
        p.initialize(repeating: 0, count: max(1, count))
    }
    func free() { p.deallocate() }
}
