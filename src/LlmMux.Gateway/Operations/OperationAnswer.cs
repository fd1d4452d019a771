using LlmMux.Gateway.Errors;
using LlmMux.Gateway.Forwarding;
using LlmMux.Gateway.Streaming;
using LlmMux.Gateway.Transforms;
using LlmMux.Translation;
using LlmMux.Translation.Embeddings;
using LlmMux.Translation.Images;
using LlmMux.Translation.Ir;
using Yarp.ReverseProxy.Transforms;

namespace LlmMux.Gateway.Operations;

/// <summary>
/// A good upstream answer to an operation beyond chat, shaped for the client: passed through (its usage read on the
/// way) when the client reads the upstream's shape, else read whole, decoded and written in the client's shape.
/// These answers are never streams.
/// </summary>
internal static class OperationAnswer
{
    public static async ValueTask ApplyAsync(ResponseTransformContext context, AttemptFeature attempt, OperationRequest operation, UpstreamStreamState watch, Translator translator, TimeProvider time)
    {
        var response = context.ProxyResponse!;
        var protocol = attempt.Target.Protocol;
        if (PassThroughUsage(operation, protocol) is { } usageDialect)
        {
            response.Content = new PullStreamContent(response.Content,
                s => new PassThroughStream(s, translator.CreateUsageTap(usageDialect, stream: false), usage => attempt.Usage = usage, errorEvents: null, state: watch));
            return;
        }

        var bytes = await UpstreamBodyReader.ReadAllAsync(response.Content, context.CancellationToken).ConfigureAwait(false);
        ApiError? error;
        byte[] answer = [];
        try
        {
            (answer, attempt.Usage, error) = operation.Kind == IngressKind.ImageGeneration
                ? Image(bytes, time)
                : Embeddings(bytes, operation, protocol);
        }
        catch (TranslationException ex)
        {
            error = new ApiError(502, "upstream_invalid", $"The upstream's answer could not be translated: {ex.Message}");
        }

        if (error is not null)
        {
            context.HttpContext.Response.StatusCode = error.Status;
            answer = ApiErrorWriter.Render(attempt.Request.Ingress.ErrorDialect, error);
        }

        UpstreamResponseTransform.ReplaceBody(context, answer, "application/json");
    }

    /// <summary>The dialect whose usage scan reads the upstream's answer when the client gets it as it is; null when it
    /// must be translated.</summary>
    private static Dialect? PassThroughUsage(OperationRequest operation, Providers.UpstreamProtocol protocol) => operation.Kind switch
    {
        IngressKind.Embeddings or IngressKind.SingleEmbedding when OperationUpstream.EmbeddingFormatOf(protocol) == operation.ClientEmbeddingFormat
            => operation.ClientEmbeddingFormat == EmbeddingFormat.OpenAI ? Dialect.OpenAIChat : Dialect.Gemini,
        IngressKind.Embeddings or IngressKind.SingleEmbedding => null,
        IngressKind.ImageGeneration when OperationUpstream.FamilyOf(protocol) != ApiFamily.OpenAI => null,
        // Images (gpt-image-1) and compactions report usage as input_tokens/output_tokens, as Responses does.
        _ => Dialect.OpenAIResponses,
    };

    private static (byte[] Answer, IrUsage? Usage, ApiError? Error) Embeddings(byte[] bytes, OperationRequest operation, Providers.UpstreamProtocol protocol)
    {
        var decoded = EmbeddingTranslator.DecodeResponse(bytes, OperationUpstream.EmbeddingFormatOf(protocol));
        return (EmbeddingTranslator.EncodeResponse(decoded, operation.ClientEmbeddingFormat, operation.Embedding!), decoded.Usage, null);
    }

    private static (byte[] Answer, IrUsage? Usage, ApiError? Error) Image(byte[] bytes, TimeProvider time)
    {
        var decoded = ImageTranslator.DecodeGeminiResponse(bytes);
        if (!decoded.Images.IsEmpty)
        {
            return (ImageTranslator.EncodeResponse(decoded, time.GetUtcNow().ToUnixTimeSeconds()), decoded.Usage, null);
        }

        // A refusal is the prompt's fault (OpenAI answers it with 400 content_policy_violation); anything else the model's.
        var said = decoded.Text is { } text ? $": {ApiError.Truncate(text)}" : ".";
        return ([], decoded.Usage, decoded.FinishReason == nameof(IrFinishReason.ContentFilter)
            ? new ApiError(400, "content_policy_violation", $"The model refused to make this image{said}")
            : new ApiError(502, "upstream_no_image", $"The model answered without an image (finish reason {decoded.FinishReason}){said}"));
    }
}
