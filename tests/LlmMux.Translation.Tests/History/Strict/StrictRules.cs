using System.Text;
using System.Text.Json;

namespace LlmMux.Translation.Tests.History.Strict;

/// <summary>A 400 the real API would answer, with its message.</summary>
internal sealed class Rejected(string message) : Exception(message);

/// <summary>The signatures one upstream handed out. Real signatures are opaque and verified by their issuer only, so
/// the fakes verify theirs the same way: a signature is good when this issuer handed it out, byte for byte.</summary>
internal sealed class IssuedSignatures(string family)
{
    private readonly HashSet<string> _issued = new(StringComparer.Ordinal);
    private int _next;

    public string Family { get; } = family;

    /// <summary>A new signature: base64, like every real one (Gemini's are bytes on the wire).</summary>
    public string Issue()
    {
        var sig = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Family}|{_next++}|{Guid.NewGuid():N}"));
        _issued.Add(sig);
        return sig;
    }

    public bool Verifies(string? signature) => signature is not null && _issued.Contains(signature);
}

/// <summary>Shared checks of the strict fakes.</summary>
internal static class StrictRules
{
    public static string? Check(Action rules)
    {
        try
        {
            rules();
            return null;
        }
        catch (Rejected ex)
        {
            return ex.Message;
        }
    }

    public static JsonElement Req(this JsonElement o, string name, JsonValueKind kind, string path)
    {
        if (o.ValueKind != JsonValueKind.Object || !o.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            throw new Rejected($"{path}.{name}: Field required");
        }

        if (v.ValueKind != kind && !(kind == JsonValueKind.True && v.ValueKind == JsonValueKind.False))
        {
            throw new Rejected($"{path}.{name}: Input should be a valid {kind}");
        }

        return v;
    }

    public static JsonElement? Opt(this JsonElement o, string name) =>
        o.ValueKind == JsonValueKind.Object && o.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    public static string? Str(this JsonElement o, string name) => o.Opt(name) is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;

    /// <summary>Members outside <paramref name="allowed"/> are refused, as the real schema validation does.</summary>
    public static void OnlyKnown(this JsonElement o, string path, params string[] allowed)
    {
        foreach (var p in o.EnumerateObject())
        {
            if (Array.IndexOf(allowed, p.Name) < 0)
            {
                throw new Rejected($"{path}.{p.Name}: Extra inputs are not permitted");
            }
        }
    }
}
