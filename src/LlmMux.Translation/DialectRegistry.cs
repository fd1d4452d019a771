namespace LlmMux.Translation;

/// <summary>Dialect → descriptor (and codec). Registering a dialect here is the only change outside its folder.</summary>
internal sealed class DialectRegistry
{
    private readonly Dictionary<Dialect, DialectDescriptor> _dialects = [];
    private readonly List<DialectDescriptor> _all = [];

    public static DialectRegistry Default { get; } = CreateDefault();

    public IReadOnlyList<DialectDescriptor> All => _all;

    public void Register(DialectDescriptor dialect)
    {
        if (!_dialects.TryAdd(dialect.Dialect, dialect))
        {
            throw new InvalidOperationException($"dialect {dialect.Dialect} is registered twice");
        }

        _all.Add(dialect);
    }

    public IDialectCodec Get(Dialect dialect) => Describe(dialect).Codec;

    public DialectDescriptor Describe(Dialect dialect) =>
        _dialects.TryGetValue(dialect, out var d)
            ? d
            : throw new TranslationException(TranslationErrorKind.Unsupported, $"dialect {dialect} is not supported");

    private static DialectRegistry CreateDefault()
    {
        var r = new DialectRegistry();
        r.Register(new OpenAIChat.OpenAIChatDialect());
        r.Register(new OpenAICompletions.OpenAICompletionsDialect());
        r.Register(new OpenAIResponses.ResponsesDialect());
        r.Register(new Anthropic.AnthropicDialect());
        r.Register(new Gemini.GeminiDialect(codeAssist: false));
        r.Register(new Gemini.GeminiDialect(codeAssist: true));
        r.Register(new Ollama.OllamaDialect(generate: false));
        r.Register(new Ollama.OllamaDialect(generate: true));
        return r;
    }
}
