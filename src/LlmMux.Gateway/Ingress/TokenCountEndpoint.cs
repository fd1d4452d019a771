using System.Text.Json;
using LlmMux.Translation;
using LlmMux.Translation.Ir;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Ingress;

/// <summary>
/// Token counting for Anthropic <c>count_tokens</c> and Gemini <c>countTokens</c>. Forwarded to the upstream's own
/// counter when the first provider of the chain speaks the caller's dialect and has one; otherwise estimated here
/// (about four characters a token) and marked as an estimate with <c>x-llm-mux-token-count: estimate</c>.
/// </summary>
internal static class TokenCountEndpoint
{
    private const int CharsPerToken = 4;
    private const int TokensPerImage = 1000;

    public static bool HasNativeCounter(LlmRequestFeature request)
    {
        var protocol = request.Route.Chain[0].Provider.Protocol;
        return protocol.Dialect == request.Ingress.Format && protocol.CountTokensPath(request.Route.Chain[0].UpstreamModel) is not null;
    }

    public static async Task WriteEstimateAsync(HttpContext context, LlmRequestFeature request)
    {
        var tokens = Estimate(request.Ir!);
        context.Response.ContentType = "application/json";
        context.Response.Headers["x-llm-mux-token-count"] = "estimate";
        await using var w = new Utf8JsonWriter(context.Response.BodyWriter);
        Dialects.Get(request.Ingress.Format).WriteTokenCount(w, tokens);
    }

    internal static long Estimate(IrRequest ir)
    {
        long chars = ir.System.Sum(s => (long)s.Length);
        long images = 0;
        foreach (var message in ir.Messages)
        {
            foreach (var part in message.Parts)
            {
                Count(part, ref chars, ref images);
            }
        }

        chars += ir.Tools.Sum(t => (long)t.Name.Length + (t.Description?.Length ?? 0) + t.ParametersJson.Length);
        return Math.Max(1, (chars + CharsPerToken - 1) / CharsPerToken) + (images * TokensPerImage);
    }

    private static void Count(IrPart part, ref long chars, ref long images)
    {
        switch (part)
        {
            case IrText t: chars += t.Text.Length; break;
            case IrReasoning r: chars += r.Text.Length; break;
            case IrToolCall c: chars += c.Name.Length + c.ArgumentsJson.Length; break;
            case IrImage: images++; break;
            case IrToolResult result:
                foreach (var inner in result.Content)
                {
                    Count(inner, ref chars, ref images);
                }

                break;
        }
    }
}
