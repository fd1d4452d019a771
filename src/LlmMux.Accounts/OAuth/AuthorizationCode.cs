namespace LlmMux.Accounts.OAuth;

/// <summary>A received authorization code and the <c>state</c> it came with. <see cref="ToString"/> is redacted.</summary>
public sealed record AuthorizationCode(string Code, string? State)
{
    public override string ToString() => "AuthorizationCode { redacted }";

    /// <summary>
    /// Reads what a user pasted: the full redirected URL (<c>http://localhost:…/callback?code=…&amp;state=…</c>), a
    /// query string, <c>code#state</c> (Claude's copy-the-code page), or the bare code. Checks <c>state</c> when the
    /// paste carries one; an <c>error</c> parameter is reported.
    /// </summary>
    public static AuthorizationCode FromPasted(string pasted, string expectedState)
    {
        var text = pasted.Trim();
        if (text.Length == 0)
        {
            throw new OAuthException("Nothing was pasted.");
        }

        AuthorizationCode result;
        var queryStart = text.IndexOf('?', StringComparison.Ordinal);
        if (text.Contains("code=", StringComparison.Ordinal) || text.Contains("error=", StringComparison.Ordinal))
        {
            var query = Query.Parse(queryStart >= 0 ? text[(queryStart + 1)..] : text);
            result = FromQuery(query, expectedState);
        }
        else if (text.Contains('#', StringComparison.Ordinal))
        {
            var parts = text.Split('#', 2);
            result = new AuthorizationCode(parts[0], parts[1]);
        }
        else
        {
            return new AuthorizationCode(text, null);
        }

        if (result.State is not null && !FixedTimeEquals(result.State, expectedState))
        {
            throw new OAuthException("The pasted URL belongs to another login attempt (state mismatch); start the login again.");
        }

        return result;
    }

    /// <summary>Reads callback query parameters: an <c>error</c> is reported, and <c>state</c> must match.</summary>
    public static AuthorizationCode FromQuery(IReadOnlyDictionary<string, string> query, string expectedState)
    {
        if (query.TryGetValue("error", out var error))
        {
            throw new OAuthException($"The provider refused the authorization ({Safe(error)}).", null, Safe(error));
        }

        if (!query.TryGetValue("state", out var state) || !FixedTimeEquals(state, expectedState))
        {
            throw new OAuthException("The callback's state does not match this login attempt (state mismatch); start the login again.");
        }

        if (!query.TryGetValue("code", out var code) || code.Length == 0)
        {
            throw new OAuthException("The callback carries no authorization code.");
        }

        return new AuthorizationCode(code, state);
    }

    internal static bool FixedTimeEquals(string a, string b) =>
        System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.UTF8.GetBytes(a), System.Text.Encoding.UTF8.GetBytes(b));

    private static string Safe(string code) =>
        code.Length <= 64 && code.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-') ? code : "unrecognised_error";
}

internal static class Query
{
    public static Dictionary<string, string> Parse(string query)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var hash = query.IndexOf('#', StringComparison.Ordinal);
        if (hash >= 0 && query.IndexOf("code=", StringComparison.Ordinal) is var c && c >= 0 && hash < c)
        {
            query = query[(hash + 1)..];
        }

        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString((eq < 0 ? pair : pair[..eq]).Replace('+', ' '));
            var value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
            result.TryAdd(key, value);
        }

        return result;
    }

    public static string Build(string baseUrl, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var query = string.Join('&', parameters.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));
        return baseUrl + (baseUrl.Contains('?', StringComparison.Ordinal) ? "&" : "?") + query;
    }
}
