using System.Text.Json;
using LlmMux.Translation;
using LlmMux.Translation.Ir;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Ingress;

/// <summary>
/// Token counting for Anthropic <c>count_tokens</c> and Gemini <c>countTokens</c>, as exact as the route allows:
/// forwarded to the upstream's own counter when the first provider of the chain speaks the caller's dialect and has
/// one; counted here with the model's own tokenizer when it is an OpenAI-family model (<see cref="OpenAITokenizers"/>,
/// marked <c>x-llm-mux-token-count: tokenizer</c>); otherwise estimated (about four characters a token, marked
/// <c>x-llm-mux-token-count: estimate</c>).
/// </summary>
internal static class TokenCountEndpoint
{
    private const int CharsPerToken = 4;
    private const int TokensPerImage = 1000;

    /// <summary>What OpenAI's chat format adds around each message (role and delimiters), and to prime the reply.</summary>
    private const int TokensPerMessage = 3;

    public const string CountHeader = "x-llm-mux-token-count";

    public static bool HasNativeCounter(LlmRequest request)
    {
        var protocol = request.Route.Chain[0].Protocol;
        return (protocol.Dialect == request.Ingress.Format || protocol.CountsTokensForEveryDialect)
            && protocol.CountTokensPath(request.Route.Chain[0].UpstreamModel) is not null;
    }

    /// <summary>
    /// An upstream counter's answer (<c>input_tokens</c> of Anthropic's, <c>totalTokens</c> of Google's) in the
    /// client's shape; null when it holds no count.
    /// </summary>
    public static byte[]? Translate(ReadOnlySpan<byte> upstreamAnswer, Dialect client)
    {
        long tokens;
        try
        {
            var reader = new Utf8JsonReader(upstreamAnswer);
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("response"u8, out var envelope) && envelope.ValueKind == JsonValueKind.Object)
            {
                root = envelope;
            }

            if (root.ValueKind != JsonValueKind.Object
                || !((root.TryGetProperty("input_tokens"u8, out var count) || root.TryGetProperty("totalTokens"u8, out count)) && count.TryGetInt64(out tokens)))
            {
                return null;
            }
        }
        catch (JsonException)
        {
            return null;
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            Dialects.Get(client).WriteTokenCount(w, tokens);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The count made here: the tokenizer's where the model has a known one, else the estimate.</summary>
    public static async Task WriteLocalCountAsync(HttpContext context, LlmRequest request)
    {
        var target = request.Route.Chain[0];
        var tokenizer = Dialects.Get(target.Protocol.Dialect).Family == ApiFamily.OpenAI ? OpenAITokenizers.For(target.UpstreamModel) : null;
        var tokens = tokenizer is null ? Estimate(request.Ir!) : Count(request.Ir!, text => tokenizer.CountTokens(text));
        context.Response.ContentType = "application/json";
        context.Response.Headers[CountHeader] = tokenizer is null ? "estimate" : "tokenizer";
        await using var w = new Utf8JsonWriter(context.Response.BodyWriter);
        Dialects.Get(request.Ingress.Format).WriteTokenCount(w, tokens);
    }

    internal static long Estimate(IrRequest ir)
    {
        var (chars, images, _) = Measure(ir, text => text.Length);
        return Math.Max(1, (chars + CharsPerToken - 1) / CharsPerToken) + (images * TokensPerImage);
    }

    /// <summary>Every text the model reads, counted by <paramref name="tokens"/>, with OpenAI's per-message framing.</summary>
    internal static long Count(IrRequest ir, Func<string, int> tokens)
    {
        var (sum, images, messages) = Measure(ir, text => tokens(text));
        return sum + ((messages + 1) * TokensPerMessage) + (images * TokensPerImage);
    }

    /// <summary>The sum of <paramref name="measure"/> over each text of the request (system, parts, tool schemas), the
    /// images, and the number of messages (system blocks included).</summary>
    private static (long Sum, long Images, long Messages) Measure(IrRequest ir, Func<string, long> measure)
    {
        long sum = ir.System.Sum(s => measure(s));
        long images = 0;
        foreach (var message in ir.Messages)
        {
            foreach (var part in message.Parts)
            {
                Measure(part, measure, ref sum, ref images);
            }
        }

        foreach (var tool in ir.Tools)
        {
            sum += measure(tool.Name) + measure(tool.Description ?? "") + measure(tool.ParametersJson);
        }

        return (sum, images, ir.System.Length + ir.Messages.Length);
    }

    private static void Measure(IrPart part, Func<string, long> measure, ref long sum, ref long images)
    {
        switch (part)
        {
            case IrText t: sum += measure(t.Text); break;
            case IrReasoning r: sum += measure(r.Text); break;
            case IrToolCall c: sum += measure(c.Name) + measure(c.ArgumentsJson); break;
            case IrImage: images++; break;
            case IrToolResult result:
                foreach (var inner in result.Content)
                {
                    Measure(inner, measure, ref sum, ref images);
                }

                break;
        }
    }
}
