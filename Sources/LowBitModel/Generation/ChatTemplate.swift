/// A chat message.
public struct ChatMessage: Sendable, Equatable {
    public enum Role: String, Sendable { case system, user, assistant }
    public var role: Role
    public var content: String
    public init(_ role: Role, _ content: String) {
        self.role = role
        self.content = content
    }
}

/// Chat prompt formats. Jinja is not interpreted; the GGUF template text selects a known format.
public enum ChatTemplate: Sendable, Equatable {
    /// ChatML (`<|im_start|>role\n…<|im_end|>\n`), with the system prompt the template inserts when the
    /// conversation has none (SmolLM2: "You are a helpful AI assistant named SmolLM, trained by Hugging Face").
    case chatML(defaultSystem: String?)
    /// Llama 3 (`<|start_header_id|>role<|end_header_id|>\n\n…<|eot_id|>`).
    case llama3
    /// No known template: messages joined as "role: content" lines.
    case plain

    public static func detect(_ jinja: String?, tokenizer: any Tokenizer) -> ChatTemplate {
        guard let jinja else { return tokenizer.tokenId("<|im_start|>") != nil ? .chatML(defaultSystem: nil) : .plain }
        if jinja.contains("<|im_start|>") {
            // The default system prompt sits between "<|im_start|>system\n" and "<|im_end|>" in a literal.
            var system: String?
            if let start = jinja.range(of: "'<|im_start|>system\n"),
               let end = jinja.range(of: "<|im_end|>", range: start.upperBound..<jinja.endIndex) {
                system = String(jinja[start.upperBound..<end.lowerBound])
            }
            return .chatML(defaultSystem: system)
        }
        if jinja.contains("<|start_header_id|>") { return .llama3 }
        return .plain
    }

    /// The prompt text for `messages`, ending with the assistant's turn opened.
    public func render(_ messages: [ChatMessage]) -> String {
        var text = ""
        switch self {
        case .chatML(let system):
            if let system, messages.first?.role != .system {
                text += "<|im_start|>system\n\(system)<|im_end|>\n"
            }
            for m in messages { text += "<|im_start|>\(m.role.rawValue)\n\(m.content)<|im_end|>\n" }
            text += "<|im_start|>assistant\n"
        case .llama3:
            text += "<|begin_of_text|>"
            for m in messages {
                text += "<|start_header_id|>\(m.role.rawValue)<|end_header_id|>\n\n\(m.content)<|eot_id|>"
            }
            text += "<|start_header_id|>assistant<|end_header_id|>\n\n"
        case .plain:
            for m in messages { text += "\(m.role.rawValue): \(m.content)\n" }
            text += "assistant:"
        }
        return text
    }

    /// Texts of the tokens that end an assistant turn.
    public var stopTexts: [String] {
        switch self {
        case .chatML: ["<|im_end|>", "<|endoftext|>"]
        case .llama3: ["<|eot_id|>", "<|end_of_text|>"]
        case .plain: []
        }
    }
}
