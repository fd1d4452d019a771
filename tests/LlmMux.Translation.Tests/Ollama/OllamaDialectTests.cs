using System.Text;
using System.Text.Json;
using LlmMux.Translation.Internal;

namespace LlmMux.Translation.Tests.Ollama;

/// <summary>Ollama's shapes, as ollama-python, Open WebUI and the like expect them.</summary>
public sealed class OllamaDialectTests
{
    private static readonly DialectDescriptor D = Dialects.Get(Dialect.Ollama);

    [Fact]
    public void Facts()
    {
        Assert.Equal(ApiFamily.Ollama, D.Family);
        Assert.Equal(StreamFraming.Ndjson, D.StreamFraming);
        Assert.Equal("application/x-ndjson", D.StreamContentType(jsonArray: false));
        Assert.Equal(new[] { "/api/chat", "/ollama/api/chat" }, D.Routes.Where(r => r.Kind == IngressKind.Generate).Select(r => r.Path));
        Assert.Equal(new[] { "/api/embed", "/ollama/api/embed" }, D.Routes.Where(r => r.Kind == IngressKind.Embeddings).Select(r => r.Path));
        Assert.Equal(new[] { "/api/embeddings", "/ollama/api/embeddings" }, D.Routes.Where(r => r.Kind == IngressKind.SingleEmbedding).Select(r => r.Path));
        Assert.Equal(new[] { "/api/generate", "/ollama/api/generate" }, Dialects.Get(Dialect.OllamaGenerate).Routes.Select(r => r.Path));
        Assert.All(D.Routes, r => Assert.Equal(r.Kind == IngressKind.Generate, r.StreamsByDefault)); // embeddings never stream
    }

    [Fact]
    public void Errors_are_only_text()
    {
        Assert.Equal("""{"error":"m"}""", Encoding.UTF8.GetString(D.ErrorBody(404, "m", "model_not_found")));
        Assert.Equal("{\"error\":\"cut\"}\n", Encoding.UTF8.GetString(D.StreamError(502, "cut", "upstream_stream_broken")));
    }

    [Fact]
    public void Model_list_show_and_details()
    {
        const string Details = "\"details\":{\"format\":\"remote\",\"family\":\"llm-mux\",\"parameter_size\":\"\",\"quantization_level\":\"\"}";
        Assert.Equal(
            "{\"models\":[{\"name\":\"llama3.2\",\"model\":\"llama3.2\",\"modified_at\":\"1970-01-01T00:00:00Z\",\"size\":0,\"digest\":\"\"," + Details + "}]}",
            Write(w => D.WriteModelList(w, [new("llama3.2", "local")])));
        Assert.Equal(
            "{\"modelfile\":\"\",\"parameters\":\"\",\"template\":\"{{ .Prompt }}\"," + Details + ",\"model_info\":{},\"capabilities\":[\"completion\",\"tools\"]}",
            Write(w => D.WriteModelInfo(w, new("llama3.2", "local"))));
    }

    [Fact]
    public void Usage_scan_reads_only_the_done_line()
    {
        using var tap = Translator.Default.CreateUsageTap(Dialect.OllamaGenerate, stream: true);
        tap.Feed("""
            {"model":"llama3.2","created_at":"2025-10-17T23:14:07Z","response":"Hi","done":false,"prompt_eval_count":99}
            {"model":"llama3.2","created_at":"2025-10-17T23:14:07Z","response":"","done":true,"done_reason":"stop","prompt_eval_count":26,"eval_count":12}

            """u8);
        Assert.Equal(new Translation.Ir.IrUsage(26, 12), tap.Complete());
    }

    private static string Write(Action<Utf8JsonWriter> write) => Encoding.UTF8.GetString(JsonWrite.ToBytes(write));
}
