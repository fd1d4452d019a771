namespace LlmMux.Cli;

/// <summary>
/// Each client's requests as recorded from the versions tests/agents pins (Codex CLI 0.171.0, Gemini CLI 0.61.0,
/// Claude Code) and from the official TypeScript SDKs (openai 7.55.0, @anthropic-ai/sdk 1.17.0) against a capturing
/// proxy: their headers, paths and bodies. Codex and Gemini CLI list no models themselves (they send the model their
/// settings name), so their discovery step only finds a model to ask for.
/// </summary>
internal static class DoctorClientShapes
{
    public static IReadOnlyList<string> Clients { get; } = ["claude-code", "anthropic-sdk", "codex", "openai-sdk", "gemini-cli"];

    public const string Prompt = "Reply with the single word: ok";
    public const string Question = "What is the weather in Paris? Use the tool.";
    public const string WeatherTool = "get_weather";
    public const string WeatherDescription = "The weather in a city";
    public const string WeatherResult = "sunny, 21 C";
    public const string WeatherArguments = """{"city":"Paris"}""";
    public const string FunctionSchema = """{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""";

    public static DoctorClientShape For(string client, string? key)
    {
        var token = key ?? "llm-mux"; // loopback callers need no key; the clients still send one
        return client switch
        {
            "claude-code" => DoctorAnthropicShape.Create(
                [("Authorization", "Bearer " + token), ("anthropic-version", "2023-06-01"),
                 ("anthropic-beta", "claude-code-20250219,interleaved-thinking-2025-05-14"), ("User-Agent", "claude-cli/2.1.86 (external, cli)"), ("x-app", "cli")],
                discoveryPath: "/v1/models?limit=1000", query: "?beta=true", streamsTools: true),
            "anthropic-sdk" => DoctorAnthropicShape.Create(
                [("Accept", "application/json"), ("User-Agent", "Anthropic/JS 1.17.0"), .. Stainless("1.17.0"), ("X-Stainless-Timeout", "600"),
                 ("anthropic-version", "2026-10-21"), ("Authorization", "Bearer " + token)],
                discoveryPath: "/v1/models", query: "", streamsTools: false),
            "codex" => Codex(token),
            "openai-sdk" => DoctorChatShape.Create(
                [("Accept", "application/json"), ("User-Agent", "OpenAI/JS 7.55.0"), .. Stainless("7.55.0"), ("Authorization", "Bearer " + token)]),
            "gemini-cli" => DoctorGeminiShape.Create(
                [("User-Agent", "GeminiCLI-tui/0.61.0/{model} (linux; x64; terminal)"), ("x-goog-api-client", "google-genai-sdk/1.30.0 gl-node/v20.20.2"),
                 ("x-goog-api-key", token), ("Accept", "*/*")]) with { ModelSource = "Gemini CLI lists no models itself: it sends the model of -m or settings.json" },
            _ => throw new ArgumentOutOfRangeException(nameof(client), client, "unknown client"),
        };
    }

    /// <summary>The platform headers both Stainless-generated SDKs send on Node.</summary>
    private static (string, string)[] Stainless(string version) =>
    [
        ("X-Stainless-Retry-Count", "0"), ("X-Stainless-Lang", "js"), ("X-Stainless-Package-Version", version), ("X-Stainless-OS", "Linux"),
        ("X-Stainless-Arch", "x64"), ("X-Stainless-Runtime", "node"), ("X-Stainless-Runtime-Version", "v20.20.2"),
    ];

    /// <summary>One Codex session: every request of a run carries its id, as the session, thread and request id.</summary>
    private static DoctorClientShape Codex(string token)
    {
        var session = Guid.CreateVersion7().ToString();
        return DoctorResponsesShape.Create(
            [("Authorization", "Bearer " + token), ("originator", "codex_exec"), ("User-Agent", "codex_exec/0.171.0 (Debian 12.0.0; x86_64) xterm (codex_exec; 0.171.0)"),
             ("Accept", "text/event-stream"), ("session-id", session), ("thread-id", session), ("x-client-request-id", session),
             ("x-codex-window-id", session + ":0"), ("x-codex-beta-features", "remote_compaction_v2")],
            session) with { ModelSource = "Codex lists no models itself: it sends the model its config.toml names" };
    }
}
