namespace LlmMux.Translation.History;

/// <summary>Who can verify a signature: one family per upstream wire dialect. Anthropic checks its own thinking
/// signatures, Gemini and Code Assist their own thought signatures, the Responses API its own encrypted reasoning;
/// none of them can check another's.</summary>
internal enum SignatureFamily : byte
{
    None,
    Anthropic,
    Gemini,
    CodeAssist,
    Responses,
    OpenAIChat,

    /// <summary>A placeholder handed to a client that needs a signature where the upstream gave none; nobody verifies it.</summary>
    Unsigned,
}

/// <summary>
/// Where a signature came from. A signature that crossed dialects on its way to the client (a Gemini thought
/// signature inside an Anthropic thinking block, say) is handed out with a short prefix naming its family, so that
/// when the client replays it the gateway can tell which upstream may verify it. The prefix is eight base64
/// characters (base64 of <c>lmx</c> + a three-letter family code), so a prefixed signature is still valid base64:
/// SDKs that decode signatures to bytes (google-genai) re-encode them unchanged. A signature without the prefix
/// belongs to the family of the dialect it was read from (the client got it from that upstream directly).
/// </summary>
internal static class SignatureOrigin
{
    private const int TagLength = 8;

    /// <summary>The first four characters every tag shares (base64 of <c>lmx</c>), preceded by the JSON string's quote.</summary>
    private static ReadOnlySpan<byte> QuotedMarker => "\"bG14"u8;

    public static SignatureFamily FamilyOf(Dialect dialect) => dialect switch
    {
        Dialect.Anthropic => SignatureFamily.Anthropic,
        Dialect.Gemini => SignatureFamily.Gemini,
        Dialect.GeminiCodeAssist => SignatureFamily.CodeAssist,
        Dialect.OpenAIResponses => SignatureFamily.Responses,
        Dialect.OpenAIChat => SignatureFamily.OpenAIChat,
        _ => SignatureFamily.None,
    };

    private static string? TagOf(SignatureFamily family) => family switch
    {
        SignatureFamily.Anthropic => "bG14YW50", // lmxant
        SignatureFamily.Gemini => "bG14Z2Vt", // lmxgem
        SignatureFamily.CodeAssist => "bG14Z2Nh", // lmxgca
        SignatureFamily.Responses => "bG14cnNw", // lmxrsp
        SignatureFamily.OpenAIChat => "bG14b2Fp", // lmxoai
        SignatureFamily.Unsigned => "bG14bm9u", // lmxnon
        _ => null,
    };

    private static SignatureFamily FamilyOfTag(ReadOnlySpan<char> tag) => tag switch
    {
        "bG14YW50" => SignatureFamily.Anthropic,
        "bG14Z2Vt" => SignatureFamily.Gemini,
        "bG14Z2Nh" => SignatureFamily.CodeAssist,
        "bG14cnNw" => SignatureFamily.Responses,
        "bG14b2Fp" => SignatureFamily.OpenAIChat,
        "bG14bm9u" => SignatureFamily.Unsigned,
        _ => SignatureFamily.None,
    };

    /// <summary>The <see cref="SignatureFamily.Unsigned"/> placeholder: valid base64, verified by no upstream.</summary>
    public static string UnsignedPlaceholder => "bG14bm9u";

    /// <summary>The signature as a client of another family receives it: prefixed with its own family's tag.</summary>
    public static string? Mark(string? signature, SignatureFamily origin)
    {
        if (string.IsNullOrEmpty(signature) || TagOf(origin) is not { } tag || Read(signature, SignatureFamily.None).Family != SignatureFamily.None)
        {
            return signature;
        }

        return string.Concat(tag, signature);
    }

    /// <summary>A replayed signature's family and the upstream's own value; untagged ones belong to <paramref name="untagged"/>.</summary>
    public static (SignatureFamily Family, string Value) Read(string signature, SignatureFamily untagged)
    {
        if (signature.Length >= TagLength && FamilyOfTag(signature.AsSpan(0, TagLength)) is var family and not SignatureFamily.None)
        {
            return (family, signature[TagLength..]);
        }

        return (untagged, signature);
    }

    /// <summary>Whether a request body may hold a tagged signature (a cheap vectorised search, no parse): a same-dialect
    /// body that does must go through the history rules instead of being passed on as sent.</summary>
    public static bool MayCarryTags(ReadOnlySpan<byte> body)
    {
        int at;
        while ((at = body.IndexOf(QuotedMarker)) >= 0)
        {
            var rest = body[(at + 1)..];
            if (rest.Length >= TagLength && FamilyOfTag(System.Text.Encoding.ASCII.GetString(rest[..TagLength])) != SignatureFamily.None)
            {
                return true;
            }

            body = rest;
        }

        return false;
    }
}
