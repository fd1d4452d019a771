using System.Text.Json.Nodes;

namespace LlmMux.Gateway.Connect;

/// <summary>
/// What each client needs to use llm-mux, as one pure function of the gateway's URL, key and model: the content of
/// <c>llm-mux connect</c> and of <c>GET /v0/management/connect/{client}</c>. The settings are the ones docs/clients.md
/// describes and the agent tests (tests/LlmMux.Tests/Agents) run the real clients with.
/// </summary>
public static class ClientSetups
{
    /// <summary>Used as the key when the gateway has no <c>api-keys</c>: loopback callers need none, but clients insist on one.</summary>
    public const string NoKeyPlaceholder = "llm-mux";

    public static IReadOnlyList<string> Clients { get; } =
        ["claude-code", "codex", "gemini-cli", "cursor", "opencode", "openai-sdk", "anthropic-sdk"];

    /// <summary>The setup for <paramref name="client"/>, or null for a name not in <see cref="Clients"/>.</summary>
    public static ClientSetup? For(string client, ConnectTarget target)
    {
        var root = target.BaseUrl.TrimEnd('/');
        var t = target with { BaseUrl = root };
        return client switch
        {
            "claude-code" => ClaudeCode(t),
            "codex" => Codex(t),
            "gemini-cli" => GeminiCli(t),
            "cursor" => Cursor(t),
            "opencode" => OpenCode(t),
            "openai-sdk" => OpenAISdk(t),
            "anthropic-sdk" => AnthropicSdk(t),
            _ => null,
        };
    }

    private static string KeyOrPlaceholder(ConnectTarget t) => t.Key ?? NoKeyPlaceholder;

    private static ClientSetup ClaudeCode(ConnectTarget t)
    {
        List<EnvVar> env =
        [
            new("ANTHROPIC_BASE_URL", t.BaseUrl),
            // Bearer, not ANTHROPIC_API_KEY: an API key makes interactive Claude Code ask whether to use it.
            new("ANTHROPIC_AUTH_TOKEN", KeyOrPlaceholder(t)),
            new("CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY", "1"),
            new("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1"),
        ];
        if (t.Model is { } model)
        {
            env.AddRange([new("ANTHROPIC_MODEL", model), new("ANTHROPIC_DEFAULT_OPUS_MODEL", model), new("ANTHROPIC_DEFAULT_SONNET_MODEL", model),
                new("ANTHROPIC_DEFAULT_HAIKU_MODEL", model), new("CLAUDE_CODE_SUBAGENT_MODEL", model)]);
        }

        var envBlock = new JsonObject();
        foreach (var v in env)
        {
            envBlock[v.Name] = v.Value;
        }

        return new ClientSetup("claude-code", "Claude Code", env,
            [new SettingsFile("~/.claude/settings.json", "json", Json(new JsonObject { ["env"] = envBlock }))],
            [
                "The env block of ~/.claude/settings.json applies to every `claude` session; exporting the same variables works too.",
                "Model discovery lists the gateway's claude-* models (and claude-via-<model> aliases, docs/configuration.md) in /model.",
                t.Model is null
                    ? "Without a model, Claude Code asks for Anthropic's own ids: they route only when a provider serves claude-*; pass --model to pin every tier."
                    : $"Every model tier (opus, sonnet, haiku, sub-agents) is {t.Model}.",
                "If your shell exports ANTHROPIC_API_KEY for another account, unset it: Claude Code would send it as well.",
            ],
            []);
    }

    private static ClientSetup Codex(ConnectTarget t)
    {
        var lines = new List<string>();
        if (t.Model is { } model)
        {
            lines.Add($"model = {TomlString(model)}");
        }

        lines.AddRange(
        [
            "model_provider = \"llm-mux\"",
            "",
            "[model_providers.llm-mux]",
            "name = \"llm-mux\"",
            $"base_url = {TomlString(t.BaseUrl + "/v1")}",
            "wire_api = \"responses\"",
            "supports_websockets = true",
            // llm-mux fails over between accounts itself; Codex's own retries would repeat a final answer.
            "request_max_retries = 0",
            "stream_max_retries = 0",
        ]);
        List<EnvVar> env = [];
        if (t.Key is { } key)
        {
            lines.Insert(lines.IndexOf("wire_api = \"responses\""), "env_key = \"LLM_MUX_API_KEY\"");
            env.Add(new EnvVar("LLM_MUX_API_KEY", key));
        }

        return new ClientSetup("codex", "Codex CLI", env,
            [new SettingsFile("~/.codex/config.toml", "toml", string.Join('\n', lines) + "\n")],
            [
                "Codex reads ~/.codex/config.toml (or $CODEX_HOME/config.toml); the llm-mux provider speaks the Responses API, over a WebSocket when Codex offers one.",
                t.Key is null
                    ? "The gateway has no api-keys, so Codex sends none (loopback only)."
                    : "Codex reads the key from LLM_MUX_API_KEY: add the export to your shell profile.",
            ],
            []);
    }

    private static ClientSetup GeminiCli(ConnectTarget t)
    {
        var key = KeyOrPlaceholder(t);
        List<EnvVar> env = [new("GOOGLE_GEMINI_BASE_URL", t.BaseUrl), new("GEMINI_API_KEY", key)];
        var settings = new JsonObject
        {
            ["security"] = new JsonObject { ["auth"] = new JsonObject { ["selectedType"] = "gemini-api-key" } },
        };
        if (t.Model is { } model)
        {
            settings["model"] = new JsonObject { ["name"] = model };
        }

        return new ClientSetup("gemini-cli", "Gemini CLI", env,
            [
                new SettingsFile("~/.gemini/settings.json", "json", Json(settings)),
                new SettingsFile("~/.gemini/.env", "dotenv", string.Concat(env.Select(v => $"{v.Name}={v.Value}\n"))),
            ],
            [
                "API-key mode: the Gemini CLI reads ~/.gemini/.env, sends the key as x-goog-api-key to GOOGLE_GEMINI_BASE_URL/v1beta/models/….",
                "selectedType gemini-api-key is needed: without it the CLI picks its gateway auth type from GOOGLE_GEMINI_BASE_URL and refuses to start headless.",
                $"Code Assist mode instead (the CLI's Google sign-in flow, local callers only): CODE_ASSIST_ENDPOINT={t.BaseUrl} GOOGLE_CLOUD_ACCESS_TOKEN={key} GOOGLE_GENAI_USE_GCA=true gemini; the key is sent as the bearer token and no Google token is used.",
                "Headless runs outside a trusted folder need GEMINI_CLI_TRUST_WORKSPACE=true.",
            ],
            []);
    }

    private static ClientSetup Cursor(ConnectTarget t) =>
        new("cursor", "Cursor", [],
            [],
            [
                "Cursor Settings > Models > API Keys: turn on \"OpenAI API Key\" and enter the key below; turn on \"Override OpenAI Base URL\" and enter the URL below.",
                $"OpenAI Base URL: {t.BaseUrl}/v1",
                $"OpenAI API Key: {KeyOrPlaceholder(t)}",
                "Add the model names llm-mux routes (`llm-mux models`) under Models > Add model.",
                "Cursor sends these requests from its own servers, not from your machine: the gateway must be reachable from the internet (a tunnel, with api-keys set and security.allowed-hosts listing its name).",
            ],
            []);

    private static ClientSetup OpenCode(ConnectTarget t)
    {
        var options = new JsonObject { ["baseURL"] = t.BaseUrl + "/v1" };
        if (t.Key is { } key)
        {
            options["apiKey"] = key;
        }

        var provider = new JsonObject
        {
            ["npm"] = "@ai-sdk/openai-compatible",
            ["name"] = "llm-mux",
            ["options"] = options,
        };
        var config = new JsonObject { ["$schema"] = "https://opencode.ai/config.json", ["provider"] = new JsonObject { ["llm-mux"] = provider } };
        if (t.Model is { } model)
        {
            provider["models"] = new JsonObject { [model] = new JsonObject { ["name"] = model } };
            config["model"] = $"llm-mux/{model}";
        }

        return new ClientSetup("opencode", "opencode", [],
            [new SettingsFile("~/.config/opencode/opencode.json", "json", Json(config))],
            [
                "opencode talks to llm-mux as an OpenAI-compatible provider (Chat Completions).",
                t.Model is null
                    ? "opencode lists only the models named under provider.llm-mux.models: pass --model, or add them (`llm-mux models`)."
                    : $"Pick it in opencode as llm-mux/{t.Model}.",
            ],
            []);
    }

    private static ClientSetup OpenAISdk(ConnectTarget t)
    {
        var model = t.Model ?? "gpt-4.1";
        var key = KeyOrPlaceholder(t);
        return new ClientSetup("openai-sdk", "OpenAI SDK", [new("OPENAI_BASE_URL", t.BaseUrl + "/v1"), new("OPENAI_API_KEY", key)], [],
            ["The OpenAI SDKs read OPENAI_BASE_URL and OPENAI_API_KEY; Chat Completions, Responses and embeddings all work through llm-mux."],
            [
                new Snippet("python", $$"""
                    from openai import OpenAI

                    client = OpenAI(base_url="{{t.BaseUrl}}/v1", api_key="{{key}}")
                    reply = client.chat.completions.create(model="{{model}}", messages=[{"role": "user", "content": "Say hello"}])
                    print(reply.choices[0].message.content)
                    """),
                new Snippet("typescript", $$"""
                    import OpenAI from "openai";

                    const client = new OpenAI({ baseURL: "{{t.BaseUrl}}/v1", apiKey: "{{key}}" });
                    const reply = await client.chat.completions.create({ model: "{{model}}", messages: [{ role: "user", content: "Say hello" }] });
                    console.log(reply.choices[0].message.content);
                    """),
            ]);
    }

    private static ClientSetup AnthropicSdk(ConnectTarget t)
    {
        var model = t.Model ?? "claude-sonnet-4-5";
        var key = KeyOrPlaceholder(t);
        return new ClientSetup("anthropic-sdk", "Anthropic SDK", [new("ANTHROPIC_BASE_URL", t.BaseUrl), new("ANTHROPIC_API_KEY", key)], [],
            ["The Anthropic SDKs read ANTHROPIC_BASE_URL (the gateway's root, no /v1) and ANTHROPIC_API_KEY (sent as x-api-key)."],
            [
                new Snippet("python", $$"""
                    import anthropic

                    client = anthropic.Anthropic(base_url="{{t.BaseUrl}}", api_key="{{key}}")
                    reply = client.messages.create(model="{{model}}", max_tokens=1024, messages=[{"role": "user", "content": "Say hello"}])
                    print(reply.content[0].text)
                    """),
                new Snippet("typescript", $$"""
                    import Anthropic from "@anthropic-ai/sdk";

                    const client = new Anthropic({ baseURL: "{{t.BaseUrl}}", apiKey: "{{key}}" });
                    const reply = await client.messages.create({ model: "{{model}}", max_tokens: 1024, messages: [{ role: "user", content: "Say hello" }] });
                    console.log(reply.content[0].text);
                    """),
            ]);
    }

    private static string Json(JsonNode node) => SettingsMerge.Write(node);

    private static string TomlString(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
