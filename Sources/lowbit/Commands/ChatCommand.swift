import ArgumentParser
import LowBitCore
import LowBitModel

struct ChatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "Chat with a model through its chat template (interactive, or one answer with --prompt).",
        discussion: "Interactive mode reads one message per line and keeps the conversation; an empty line or end of input quits.")

    @OptionGroup var model: ModelArgument
    @OptionGroup var device: DeviceOption
    @Option(help: "Answer this one message on stdout and exit.")
    var prompt: String?
    @Option(help: "A system prompt (default: the template's own).")
    var system: String?
    @OptionGroup var sampling: SamplingOptions

    func run() throws {
        let placed = try model.load(device: device.device)
        let loaded = placed.loaded
        let generator = Generator(loaded)
        var messages: [ChatMessage] = system.map { [ChatMessage(.system, $0)] } ?? []
        var stats = GenerationStats()
        func answer(_ text: String) throws {
            messages.append(ChatMessage(.user, text))
            var ids = loaded.tokenizer.encode(loaded.chatTemplate.render(messages), parseSpecial: true)
            if loaded.tokenizer.addsBOS, let bos = loaded.tokenizer.bosToken, ids.first != bos { ids.insert(bos, at: 0) }
            var reply = ""
            try generator.generate(prompt: ids, maxTokens: sampling.maxTokens, sampling: sampling.parameters,
                                   stopTokens: generator.stopTokens, stats: &stats) { piece in
                reply += piece
                writeOut(piece)
            }
            writeOut("\n")
            try placed.check()
            messages.append(ChatMessage(.assistant, reply))
        }
        if let prompt {
            try answer(prompt)
            printError(stats.summary)
            try placed.finish()
            return
        }
        printError("chat with \(model.path); an empty line quits")
        while true {
            printError("> ", terminator: "")
            guard let line = readLine(), !line.isEmpty else { break }
            try answer(line)
            printError(stats.summary)
            stats = GenerationStats()
        }
        try placed.finish()
    }
}
