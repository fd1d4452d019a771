using System.Collections.Immutable;

namespace LlmMux.Translation.Ir;

/// <summary>One content part of a message or response.</summary>
public abstract record IrPart;

public sealed record IrText(string Text) : IrPart;

/// <summary>An image or a document (PDF…): either a URL (http(s), gs://, files/…) or inline base64 data with its media
/// type. <see cref="IsImage"/> tells which; targets with no document form drop documents (drop table).</summary>
public sealed record IrImage(string? Url, string? Base64Data, string? MediaType) : IrPart
{
    public static IrImage FromUrl(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        // data: URLs are inline data in disguise; unwrapping them keeps every target able to express them.
        if (url.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            int comma = url.IndexOf(',', StringComparison.Ordinal);
            int semi = url.IndexOf(";base64", StringComparison.OrdinalIgnoreCase);
            if (comma > 5 && semi > 0 && semi < comma)
            {
                return new IrImage(null, url[(comma + 1)..], url[5..semi]);
            }
        }

        return new IrImage(url, null, null);
    }

    /// <summary>True unless the media type says it is something else (a URL without a type counts as an image).</summary>
    public bool IsImage => MediaType is null || MediaType.StartsWith("image/", StringComparison.OrdinalIgnoreCase);

    /// <summary>The image as a URL, turning inline data into a data: URL.</summary>
    public string AsUrl() => Url ?? $"data:{MediaType ?? "image/png"};base64,{Base64Data}";
}

/// <param name="ArgumentsJson">Arguments exactly as a JSON text (object), never re-serialised.</param>
/// <param name="Signature">Opaque provider signature bound to the call (Gemini thoughtSignature).</param>
public sealed record IrToolCall(string Id, string Name, string ArgumentsJson, string? Signature = null) : IrPart;

/// <param name="Name">Function name when the source carries it (Gemini needs it; OpenAI does not send it).</param>
public sealed record IrToolResult(string ToolCallId, string? Name, ImmutableArray<IrPart> Content, bool IsError = false) : IrPart
{
    /// <summary>The textual content of the result (images skipped).</summary>
    public string JoinedText() => IrPartText.Join(Content);

    public bool Equals(IrToolResult? other) =>
        other is not null && ToolCallId == other.ToolCallId && Name == other.Name && IsError == other.IsError && IrEquality.Same(Content, other.Content);

    public override int GetHashCode() => HashCode.Combine(ToolCallId, Name, IsError, IrEquality.Hash(Content));
}

/// <summary>Model reasoning. <paramref name="Signature"/> is Anthropic's signature, Gemini's thoughtSignature or
/// the Responses encrypted_content; <paramref name="RedactedData"/> is Anthropic redacted_thinking data.</summary>
public sealed record IrReasoning(string Text, string? Signature = null, string? RedactedData = null) : IrPart;

public static class IrPartText
{
    /// <summary>Concatenates the text parts (separated by nothing: splitting is an artefact of the source).</summary>
    public static string Join(ImmutableArray<IrPart> parts)
    {
        if (parts.IsDefaultOrEmpty)
        {
            return string.Empty;
        }

        if (parts.Length == 1 && parts[0] is IrText single)
        {
            return single.Text;
        }

        var sb = new System.Text.StringBuilder();
        foreach (var p in parts)
        {
            if (p is IrText t)
            {
                sb.Append(t.Text);
            }
        }

        return sb.ToString();
    }
}
