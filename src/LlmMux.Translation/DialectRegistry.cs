namespace LlmMux.Translation;

/// <summary>Dialect → codec. Registering a dialect here is the only change outside its folder.</summary>
internal sealed class DialectRegistry
{
    private readonly Dictionary<Dialect, IDialectCodec> _codecs = [];

    public static DialectRegistry Default { get; } = CreateDefault();

    public void Register(Dialect dialect, IDialectCodec codec) => _codecs[dialect] = codec;

    public IDialectCodec Get(Dialect dialect) =>
        _codecs.TryGetValue(dialect, out var c)
            ? c
            : throw new TranslationException(TranslationErrorKind.Unsupported, $"dialect {dialect} is not supported");

    private static DialectRegistry CreateDefault()
    {
        var r = new DialectRegistry();
        r.Register(Dialect.OpenAIChat, new OpenAIChat.OpenAIChatCodec());
        r.Register(Dialect.OpenAIResponses, new OpenAIResponses.ResponsesCodec());
        r.Register(Dialect.Anthropic, new Anthropic.AnthropicCodec());
        r.Register(Dialect.Gemini, new Gemini.GeminiCodec(codeAssist: false));
        r.Register(Dialect.GeminiCodeAssist, new Gemini.GeminiCodec(codeAssist: true));
        r.Register(Dialect.Ollama, new Ollama.OllamaCodec(generate: false));
        r.Register(Dialect.OllamaGenerate, new Ollama.OllamaCodec(generate: true));
        r.Register(Dialect.OpenAICompletions, new OpenAICompletions.OpenAICompletionsCodec());
        return r;
    }
}
